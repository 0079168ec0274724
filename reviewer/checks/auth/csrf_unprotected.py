"""BR211: a cookie-authenticated state-changing route that no CSRF check covers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.config import Config
from reviewer.framework.lookup import routes_at
from reviewer.http import ANY_METHOD, changes_state, submits_content
from reviewer.model import Confidence, Finding, Location, Severity
from reviewer.service import Project, Route

# A guard whose name says the credential is not the session cookie: an Authorization header,
# an API key, a signed request (the browser never adds these to a cross-site request).
_NOT_COOKIE_GUARD = re.compile(
    r"token|jwt|bearer|api_?key|apikey|oauth|signature|signed|hmac|basic|secret|header",
    re.IGNORECASE,
)
# What a handler reads or calls when the caller proves itself with something other than the
# cookie: the Authorization header, a webhook's signature (HMAC), an API key header.
_NOT_COOKIE_BODY = re.compile(
    r"HTTP_AUTHORIZATION|[\"']authorization[\"']|compare_digest|\bhmac\.|signature|"
    r"HTTP_X_[A-Z_]*(TOKEN|KEY|SIGNATURE)|api_?key",
    re.IGNORECASE,
)
# A Django view that reads who the caller is from the session (django.contrib.auth's
# AuthenticationMiddleware sets request.user from the session cookie)
# A home-made cookie read (`request.COOKIES`) is no evidence: on training apps it is the login
# form setting its own cookie or a lab flag, never a signed-in user's action.
_READS_SESSION = re.compile(r"\brequest\.(user|session)\b")
# Request content a state-changing Django view reads when it accepts every method
# django.contrib.auth's guards, which read request.user (set from the session cookie)
_DJANGO_SESSION_GUARDS = frozenset(
    {
        "login_required",
        "permission_required",
        "user_passes_test",
        "staff_member_required",
        "LoginRequiredMixin",
        "PermissionRequiredMixin",
        "UserPassesTestMixin",
    }
)
_CSRF_EXEMPT = "django.views.decorators.csrf.csrf_exempt"
# what a view accepting every method does when it takes a submission
_UNSAFE_USE = re.compile(
    r"\brequest\.(POST|FILES|body)\b|\bmethod\s*==\s*[\"'](POST|PUT|PATCH|DELETE)[\"']"
)
# A DRF authentication class reading the user Django's AuthenticationMiddleware took from the
# session: `request._request.user` (DRF's Request wraps the HttpRequest), `request.session`
_SESSION_USER = re.compile(r"\b_request\b|\brequest\.session\b")
# what runs Django's or DRF's CSRF check (a docstring saying "csrf disabled" is no check)
_CSRF_CALL = re.compile(r"enforce_csrf\s*\(|CSRFCheck|CsrfViewMiddleware|csrf_protect|check_csrf")
_SUBMITTED = frozenset({"request.POST", "request.FILES", "request.body", "request.data"})

# Flask: what protects forms (Flask-WTF's CSRFProtect and FlaskForm, Flask-SeaSurf, WTForms'
# session CSRF), by the module it is imported from
_CSRF_MODULES = ("flask_wtf", "flask_seasurf", "wtforms.csrf", "flask_csrf", "flask_security")
# A home-made check: a function (a before_request hook) named for what it checks
_CSRF_FUNCTION = re.compile(r"csrf|xsrf", re.IGNORECASE)
# Session-cookie login: Flask-Login / Flask-User (remember cookie and session), or a key naming
# the signed-in identity stored in Flask's cookie session
_LOGIN_MODULES = ("flask_login", "flask_user")
_IDENTITY_KEY = re.compile(
    r"(^|_)(user|username|user_?id|uid|logged_?in|login|account|account_?id|auth|"
    r"authenticated|email|admin|is_admin|role|identity|member)(_|$)",
    re.IGNORECASE,
)
_SESSION_NAME = re.compile(r"session|auth|login|user", re.IGNORECASE)
_FORM_READS = frozenset({"request.form", "request.files", "request.values"})


class CsrfUnprotected(Rule):
    """A state-changing route authenticated by the session cookie that no CSRF check protects.

    ## What it does
    Django: reports views exempted from `CsrfViewMiddleware` with `@csrf_exempt` (on a function
    view, through `method_decorator(csrf_exempt, name="dispatch")` on a class view, or around
    `as_view()` in the URLconf) that accept POST/PUT/PATCH/DELETE (`require_POST`,
    `require_http_methods`, a `post()`/`put()`/`delete()` method, or a view reading
    `request.POST` when it accepts every method) and that know the caller from the session or
    a cookie: django.contrib.auth's `login_required`/`permission_required`/`user_passes_test`
    or their mixins, a read of `request.user`/`request.session` in the view,
    or a project decorator (or a view it dispatches to by method) whose code reads
    `request.user`. A view whose caller proves itself otherwise is left alone: a capability
    guard of the route model (a checked HMAC or signed token, a shared secret, an unguessable
    key in the path), a guard named for a token, API key or signature, a body that reads the
    `Authorization` header or checks an HMAC (`hmac.compare_digest`; a signed webhook). DRF
    views are not reported: `APIView` is exempt from the middleware but its
    `SessionAuthentication` enforces CSRF itself. A `@csrf_exempt` view that no route reaches
    (a URLconf the route model cannot read) is judged on its decorators and body alone, with
    low confidence. A DRF `SessionAuthentication` subclass whose `enforce_csrf` does nothing
    (only `pass`/`return`), or a DRF authentication class whose `authenticate` returns the
    session's user (`request._request.user`, `request.session`) without calling
    `enforce_csrf`, is reported at the class: it takes the check away from every view that
    authenticates with it.

    Flask: reports once for the project (at its first form route) when POST routes read
    `request.form`/`request.files`, the users sign in with a cookie (Flask-Login or Flask-User,
    a signed-in identity such as `session["user_id"]` stored in Flask's cookie session, or an
    auth/session helper that reads `request.cookies`) and nothing in the project checks a CSRF
    token: no Flask-WTF (`CSRFProtect(app)`, `csrf.init_app(app)`, `FlaskForm`, whose
    `validate_on_submit()` checks the token), no Flask-SeaSurf, no WTForms session CSRF, no
    function named for a CSRF check (a home-made `before_request` hook).

    ## Why is this bad
    A browser adds the session cookie to every request to the site, including one that a page
    on another site makes with a self-submitting form. Without a token the attacker's page
    cannot read, the route cannot tell that request from the user's own: the attacker changes
    the victim's e-mail or password, transfers money or deletes data in the victim's name
    (CWE-352). A bearer token or signature in a header is never added by the browser, so
    those routes are not at risk.

    ## Example
    ```python
    @csrf_exempt
    @login_required
    @require_POST
    def change_email(request):
        request.user.email = request.POST["email"]
        request.user.save()
    ```

    ## Use instead
    ```python
    @login_required
    @require_POST
    def change_email(request):  # CsrfViewMiddleware checks the form's {% csrf_token %}
        request.user.email = request.POST["email"]
        request.user.save()
    ```
    In Flask, `CSRFProtect(app)` (Flask-WTF) and `{{ csrf_token() }}` in every form.

    ## References
    - [Django: Cross Site Request Forgery protection](https://docs.djangoproject.com/en/stable/ref/csrf/)
    - [Django REST framework: CSRF validation with SessionAuthentication](https://www.django-rest-framework.org/api-guide/authentication/#sessionauthentication)
    - [Flask-WTF: CSRF Protection](https://flask-wtf.readthedocs.io/en/latest/csrf/)
    - [OWASP Cross-Site Request Forgery Prevention Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html)
    - [CWE-352: Cross-Site Request Forgery (CSRF)](https://cwe.mitre.org/data/definitions/352.html)
    """

    code = "BR211"
    name = "csrf-unprotected"
    item = "authentication"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    summary = "A cookie-authenticated state-changing route has no CSRF protection"
    cwe = (352,)
    needs_project = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        routes = routes_at(self.ctx, node)
        if routes:
            self._check(node, routes)
        elif not self.ctx.is_test_file and self._unrouted_exempt_view(node):
            self.report(
                node.name,
                f"the view `{node.name.value}` is exempt from Django's CSRF check (@csrf_exempt) "
                "but changes state for a caller known by the session cookie: any website the "
                "user visits can submit it in the user's name. Remove csrf_exempt and send the "
                "token ({% csrf_token %}, the X-CSRFToken header), or authenticate it with a "
                "token or a signature instead of the session (CWE-352)",
                confidence=Confidence.LOW,
            )

    def _unrouted_exempt_view(self, node: cst.FunctionDef) -> bool:
        """A `@csrf_exempt` Django view the route model did not reach (a URLconf it cannot
        read): judged on the view alone, its decorators and body."""
        if self.ctx.enclosing_class() is not None or not node.params.params:
            return False
        if node.params.params[0].name.value != "request":
            return False
        decorators = [self._decorator(d.decorator) for d in node.decorators]
        if _CSRF_EXEMPT not in decorators:
            return False
        source = cst.Module([]).code_for_node(node)
        tails = {d.rpartition(".")[2] for d in decorators}
        if tails & {"require_GET", "require_safe"} or _NOT_COOKIE_BODY.search(source):
            return False
        posts = "require_POST" in tails or bool(_UNSAFE_USE.search(source))
        if not posts:
            return False
        facts = self.ctx.project.facts if self.ctx.project is not None else {}
        return bool(_READS_SESSION.search(source)) or any(
            _session_guard(d, facts) for d in decorators if d and d != _CSRF_EXEMPT
        )

    def _decorator(self, expr: cst.BaseExpression) -> str:
        if isinstance(expr, cst.Call):
            expr = expr.func
        return self.ctx.resolve(expr) or ""

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        how = "" if self.ctx.is_test_file else self._disables_drf_csrf(node)
        if how:
            self.report(
                node.name,
                f"`{node.name.value}` {how}: every view that authenticates with it accepts "
                "requests that carry the user's session cookie without a CSRF token, so any "
                "website the user visits can call them in the user's name. Keep "
                "SessionAuthentication's check (send the X-CSRFToken header from the front end) "
                "or authenticate the API with tokens (CWE-352)",
            )
        self._check(node, routes_at(self.ctx, node))

    def _disables_drf_csrf(self, node: cst.ClassDef) -> str:
        """A SessionAuthentication subclass whose `enforce_csrf` only passes or returns, or a
        DRF authentication class whose `authenticate` hands back the session's user (the
        underlying Django request's `.user`, `request.session`) and never calls enforce_csrf."""
        bases = [self.ctx.resolve(b.value) or "" for b in node.bases]
        if not isinstance(node.body, cst.IndentedBlock):
            return ""
        methods = {s.name.value: s for s in node.body.body if isinstance(s, cst.FunctionDef)}
        if any(b.endswith("SessionAuthentication") for b in bases) and "enforce_csrf" in methods:
            if _does_nothing(methods["enforce_csrf"]):
                return "is DRF's SessionAuthentication with `enforce_csrf` doing nothing"
            return ""
        if (
            not any(b.endswith("BaseAuthentication") for b in bases)
            or "authenticate" not in methods
        ):
            return ""
        source = cst.Module([]).code_for_node(node)
        if _SESSION_USER.search(source) and not _CSRF_CALL.search(source):
            return "authenticates DRF requests as the session's user and never runs enforce_csrf"
        return ""

    def _check(self, node: cst.FunctionDef | cst.ClassDef, routes: tuple[Route, ...]) -> None:
        if self.ctx.is_test_file:
            return
        source = cst.Module([]).code_for_node(node)
        functions = self._functions()
        facts = self.ctx.project.facts if self.ctx.project is not None else {}
        bad = [r for r in routes if _django_exempt(r, source, functions.get(r.handler, {}), facts)]
        if not bad:
            return
        route = bad[0]
        self.report(
            node.name,
            f"{route.label()} is exempt from Django's CSRF check (@csrf_exempt) but changes state "
            "for a caller known by the session cookie: any website the user visits can submit "
            "it in the user's name. Remove csrf_exempt and send the token ({% csrf_token %}, "
            "the X-CSRFToken header), or authenticate this endpoint with a token or a signature "
            "instead of the session (CWE-352)",
        )

    def _functions(self) -> Mapping[str, Any]:
        project = self.ctx.project
        facts = project.facts.get(self.ctx.relpath, {}) if project is not None else {}
        functions = facts.get("functions", {})
        return functions if isinstance(functions, Mapping) else {}

    @classmethod
    def project_findings(cls, project: Project, config: Config) -> list[Finding]:
        forms = sorted(
            (r for r in project.routes if r.framework == "flask" and _takes_form(r)),
            key=lambda r: (r.file, r.line),
        )
        if not forms or _flask_csrf_checked(project.facts) or not _cookie_login(project.facts):
            return []
        first = forms[0]
        return [
            Finding(
                code=cls.code,
                message=(
                    f"{len(forms)} Flask route(s) take submitted forms (e.g. {first.label()}) "
                    "from users signed in by a cookie, and nothing in the project checks a CSRF "
                    "token: any website the user visits can submit these forms in the user's "
                    "name. Enable Flask-WTF's CSRFProtect(app) and put {{ csrf_token() }} in "
                    "every form (CWE-352)"
                ),
                location=Location(first.file, first.line),
                severity=cls.severity,
                confidence=cls.confidence,
                project_level=True,
            )
        ]


def _does_nothing(func: cst.FunctionDef) -> bool:
    """The body is a docstring, `pass`, `...`, `return` or `return None`."""
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else [func.body]
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Expr) and isinstance(
                small.value, cst.SimpleString | cst.ConcatenatedString | cst.Ellipsis
            ):
                continue
            if isinstance(small, cst.Return) and (
                small.value is None
                or (isinstance(small.value, cst.Name) and small.value.value == "None")
            ):
                continue
            return False
    return True


def _django_exempt(
    route: Route, source: str, record: Mapping[str, Any], facts: Mapping[str, Mapping[str, Any]]
) -> bool:
    if route.framework != "django" or not route.csrf_exempt:
        return False
    if not changes_state(route.methods) and not (
        ANY_METHOD in route.methods and _SUBMITTED & set(route.raw_input)
    ):
        return False
    # a capability (a checked HMAC or signed token, a shared secret, an unguessable key in the
    # path) is something a forging page does not have
    if any(g.capability or _NOT_COOKIE_GUARD.search(g.name) for g in route.auth):
        return False
    if _NOT_COOKIE_BODY.search(source) or any(
        "compare_digest" in v or "hmac" in v for v in route.validation
    ):
        return False
    if record.get("reads_user") or _READS_SESSION.search(source):
        return True
    # the guards, and the project functions the view calls (a view dispatching by method)
    called = [c for c in record.get("calls", ()) if isinstance(c, str)]
    return any(_session_guard(name, facts) for name in [g.name for g in route.auth] + called)


def _session_guard(name: str, facts: Mapping[str, Mapping[str, Any]]) -> bool:
    """The guard knows the caller from the session: django.contrib.auth's decorators and
    mixins, or a project decorator (or the handlers a dispatching view delegates to, `via a, b`)
    whose code reads `request.user`, itself or through the decorators on it."""
    names = [n.strip().rpartition(".")[2] for n in name.removeprefix("via ").split(",")]
    seen: set[str] = set()
    for _ in range(3):  # the guard, the decorators on it, theirs
        if any(n in _DJANGO_SESSION_GUARDS for n in names):
            return True
        records = [r for n in names if n not in seen for r in _records_named(n, facts)]
        seen.update(names)
        if any(r.get("reads_user") for r in records):
            return True
        refs = [
            d.get("call") or d.get("ref")
            for r in records
            for d in r.get("decorators", ())
            if isinstance(d, Mapping)
        ]
        names = [ref.rpartition(".")[2] for ref in refs if isinstance(ref, str)]
        if not names:
            return False
    return False


def _records_named(name: str, facts: Mapping[str, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Function records of the project defined as `name`, and the functions nested in them (a
    decorator's `wrapper`)."""
    found: list[Mapping[str, Any]] = []
    for f in facts.values():
        functions = f.get("functions", {})
        if not isinstance(functions, Mapping):
            continue
        for qualname, record in functions.items():
            if not isinstance(record, Mapping):
                continue
            head = qualname.split(".")
            if name in head[-1:] or (name in head and qualname.count(".") >= 1):
                found.append(record)
    return found


def _takes_form(route: Route) -> bool:
    return submits_content(route.methods) and bool(_FORM_READS & set(route.raw_input))


def _imports(facts: Mapping[str, Mapping[str, Any]]) -> set[str]:
    found: set[str] = set()
    for f in facts.values():
        imports = f.get("imports", {})
        if isinstance(imports, Mapping):
            found.update(v for v in imports.values() if isinstance(v, str))
    return found


def _from(imports: set[str], modules: tuple[str, ...]) -> bool:
    return any(i == m or i.startswith(m + ".") for i in imports for m in modules)


def _flask_csrf_checked(facts: Mapping[str, Mapping[str, Any]]) -> bool:
    if _from(_imports(facts), _CSRF_MODULES):
        return True
    for f in facts.values():
        functions = f.get("functions", {})
        if isinstance(functions, Mapping) and any(
            _CSRF_FUNCTION.search(str(r.get("name", ""))) for r in functions.values()
        ):
            return True
    return False


def _cookie_login(facts: Mapping[str, Mapping[str, Any]]) -> bool:
    if _from(_imports(facts), _LOGIN_MODULES):
        return True
    for f in facts.values():
        if any(_IDENTITY_KEY.search(k) for k in f.get("session_keys", ())):
            return True
        module = str(f.get("module", ""))
        functions = f.get("functions", {})
        if not isinstance(functions, Mapping):
            continue
        for r in functions.values():
            reads = {raw[0] for raw in r.get("raw", ()) if raw}
            if "request.cookies" in reads and _SESSION_NAME.search(f"{module}.{r.get('name')}"):
                return True
    return False


_DJANGO_URLS = """
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from accounts import views
urlpatterns = [
    path("email/", views.change_email),
    path("transfer/", views.transfer),
    path("settings/", views.SettingsView.as_view()),
    path("avatar/", csrf_exempt(views.AvatarView.as_view())),
    path("hooks/stripe/", views.stripe_webhook),
    path("api/items/", views.api_items),
    path("search/", views.search),
    path("ping/", views.ping),
    path("profile/", views.profile),
    path("api/orders/", views.OrderView.as_view()),
]
"""

CsrfUnprotected.INVALID = [
    # a DRF authentication class that returns the session's user and skips the CSRF check
    Invalid(
        """
from rest_framework.authentication import BaseAuthentication

class Session(BaseAuthentication):  # expect: BR211
    # session authentication with csrf disabled, for the browsable API
    def authenticate(self, request):
        user = getattr(request._request, "user", None)
        if not user or not user.is_active:
            return None
        return (user, None)
""",
        path="api/backends.py",
    ),
    # DRF's session authentication with its CSRF check switched off
    Invalid(
        """
from rest_framework.authentication import SessionAuthentication

class CsrfExemptSessionAuthentication(SessionAuthentication):  # expect: BR211
    def enforce_csrf(self, request):
        return
""",
        path="api/authentication.py",
    ),
    # views the route model cannot reach (a URLconf of string views): judged on their own
    Invalid(
        """
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

@csrf_exempt
def upload(request):  # expect: BR211
    if request.method == "POST":
        request.user.files.create(data=request.FILES["file"])
    return HttpResponse("ok")

@csrf_exempt
@login_required
@require_GET
def download(request):  # ok: BR211 (GET only)
    return HttpResponse(request.user.files.first())

@csrf_exempt
def hook(request):  # ok: BR211 (no session)
    if request.method == "POST":
        Event.objects.create(body=request.body)
    return HttpResponse("ok")
""",
        path="taskManager/views.py",
    ),
    # a project decorator that reads the session's user, around a view that dispatches to it
    Invalid(
        """
from functools import wraps

from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt

def member_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("/login/")
        return view(request, *args, **kwargs)
    return wrapper

@member_required
def remove_member(request):
    Membership.objects.filter(pk=request.POST["id"]).delete()
    return JsonResponse({})

@csrf_exempt
def members(request):  # expect: BR211
    if request.method == "POST":
        return remove_member(request)
    return JsonResponse({})
""",
        path="team/views.py",
        files={
            "team/urls.py": """
from django.urls import path
from team import views
urlpatterns = [path("team/members/", views.members)]
"""
        },
    ),
    Invalid(
        """
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

@csrf_exempt
@login_required
@require_POST
def change_email(request):  # expect: BR211
    request.user.email = request.POST["email"]
    request.user.save()
    return JsonResponse({})

# no method decorator, but the view reads the form and knows the user from the session
@csrf_exempt
def transfer(request):  # expect: BR211
    if request.method == "POST":
        request.user.account.send(request.POST["to"], request.POST["amount"])
    return JsonResponse({})

@method_decorator(csrf_exempt, name="dispatch")
class SettingsView(LoginRequiredMixin, View):
    def get(self, request):  # ok: BR211 (a read)
        return JsonResponse({})

    def post(self, request):  # expect: BR211
        request.user.settings.update(request.POST.dict())
        return JsonResponse({})

class AvatarView(LoginRequiredMixin, View):
    def delete(self, request):  # expect: BR211
        request.user.avatar.delete()
        return JsonResponse({})
""",
        path="accounts/views.py",
        files={"accounts/urls.py": _DJANGO_URLS},
    ),
    # Flask-Login sessions, forms read from request.form, no CSRF token anywhere: once
    Invalid(
        """
from flask import Flask, redirect, request
from flask_login import LoginManager, current_user, login_required

app = Flask(__name__)
login_manager = LoginManager(app)

@app.get("/profile")
@login_required
def profile():
    return "profile"

@app.post("/profile/email")
@login_required
def change_email():  # expect: BR211
    current_user.email = request.form["email"]
    return redirect("/profile")

@app.post("/profile/delete")
@login_required
def delete_profile():  # ok: BR211 (reported once for the project, at the first form route)
    current_user.delete(request.form["confirm"])
    return redirect("/")
"""
    ),
    # home-made login that keeps the user id in Flask's cookie session
    Invalid(
        """
from flask import Flask, request, session

app = Flask(__name__)

@app.post("/login")
def login():  # expect: BR211
    user = check(request.form["username"], request.form["password"])
    session["user_id"] = user.id
    return "ok"

@app.post("/posts")
def new_post():  # ok: BR211 (one finding per project)
    save(session["user_id"], request.form["text"])
    return "ok"
"""
    ),
]

CsrfUnprotected.VALID = [
    # Flask-WTF forms: validate_on_submit() checks the token of every form built from FlaskForm
    Valid(
        """
from flask import Flask, redirect, request
from flask_login import LoginManager, current_user, login_required

from shop.forms import EmailForm

app = Flask(__name__)
LoginManager(app)

@app.post("/profile/email")
@login_required
def change_email():  # ok: BR211
    form = EmailForm()
    if form.validate_on_submit():
        current_user.email = form.email.data
    return redirect(request.form.get("next", "/profile"))
""",
        files={
            "shop/forms.py": """
from flask_wtf import FlaskForm
from wtforms import StringField

class EmailForm(FlaskForm):
    email = StringField()
"""
        },
    ),
    # a token authentication class: the credential is a header, no session
    Valid(
        """
from rest_framework.authentication import BaseAuthentication, get_authorization_header

class BearerAuthentication(BaseAuthentication):  # ok: BR211
    def authenticate(self, request):
        token = get_authorization_header(request).split()[-1]
        return (user_for(token), token)

class SessionWithCsrf(BaseAuthentication):  # ok: BR211
    def authenticate(self, request):
        user = getattr(request._request, "user", None)
        self.enforce_csrf(request)
        return (user, None)
""",
        path="api/backends.py",
    ),
    # a SessionAuthentication subclass that keeps (or tightens) the check
    Valid(
        """
from rest_framework.authentication import SessionAuthentication

class AuditedSessionAuthentication(SessionAuthentication):  # ok: BR211
    def enforce_csrf(self, request):
        audit(request)
        return super().enforce_csrf(request)

class QuietSessionAuthentication(SessionAuthentication):  # ok: BR211
    def authenticate_header(self, request):
        return None
""",
        path="api/authentication.py",
    ),
    # an API-key decorator, and a csrf-exempt view that dispatches to views it guards
    Valid(
        """
from functools import wraps

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

def authorize(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        project = Project.objects.for_key(request.headers.get("X-Api-Key", ""))
        if project is None:
            return JsonResponse({"error": "wrong key"}, status=401)
        request.project = project
        return view(request, *args, **kwargs)
    return wrapper

@authorize
def create_check(request):
    return JsonResponse(request.project.add_check(request.body), status=201)

@authorize
def list_checks(request):
    return JsonResponse({"checks": request.project.checks()})

@csrf_exempt
def checks(request):  # ok: BR211
    if request.method == "POST":
        return create_check(request)
    return list_checks(request)
""",
        path="api/views.py",
        files={
            "api/urls.py": """
from django.urls import path
from api import views
urlpatterns = [path("api/checks/", views.checks)]
"""
        },
    ),
    Valid(
        """
import hmac

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authentication import TokenAuthentication
from rest_framework.views import APIView

# a webhook proves itself with an HMAC of the body, not with a cookie
@csrf_exempt
@require_POST
def stripe_webhook(request):  # ok: BR211
    expected = hmac.new(KEY, request.body, "sha256").hexdigest()
    if not hmac.compare_digest(request.META["HTTP_STRIPE_SIGNATURE"], expected):
        return JsonResponse({}, status=400)
    return JsonResponse({})

# a token API: the browser never adds the Authorization header to a forged request
@csrf_exempt
@require_POST
def api_items(request):  # ok: BR211
    token = request.META.get("HTTP_AUTHORIZATION", "")
    user = user_for_token(token)
    return JsonResponse({"user": user.pk})

@csrf_exempt
@login_required
@require_GET
def search(request):  # ok: BR211 (GET only)
    return JsonResponse({"q": request.GET.get("q")})

# state-changing but anonymous and identity-free: nothing of a signed-in user to forge
@csrf_exempt
@require_POST
def ping(request):  # ok: BR211
    return JsonResponse({"pong": True})

# not exempt: CsrfViewMiddleware checks the token
@login_required
@require_POST
def profile(request):  # ok: BR211
    request.user.bio = request.POST["bio"]
    return JsonResponse({})

# DRF: APIView is csrf-exempt, its SessionAuthentication enforces CSRF itself
class OrderView(APIView):
    authentication_classes = [TokenAuthentication]

    def post(self, request):  # ok: BR211
        return JsonResponse({})
""",
        path="accounts/views.py",
        files={"accounts/urls.py": _DJANGO_URLS},
    ),
    # Flask-Login with CSRFProtect
    Valid(
        """
from flask import Flask, request
from flask_login import LoginManager, login_required
from flask_wtf.csrf import CSRFProtect

app = Flask(__name__)
csrf = CSRFProtect()
csrf.init_app(app)
LoginManager(app)

@app.post("/profile/email")
@login_required
def change_email():  # ok: BR211
    return request.form["email"]
"""
    ),
    # a home-made before_request check of a session nonce
    Valid(
        """
from flask import Flask, abort, request, session
from flask_login import LoginManager, login_required

app = Flask(__name__)
LoginManager(app)

@app.before_request
def csrf_check():
    if request.method == "POST" and session.get("nonce") != request.form.get("nonce"):
        abort(403)

@app.post("/profile/email")
@login_required
def change_email():  # ok: BR211
    return request.form["email"]
"""
    ),
    # a token-authenticated Flask API; the session only remembers a display preference
    Valid(
        """
from flask import Flask, request, session

app = Flask(__name__)

@app.post("/currency")
def set_currency():  # ok: BR211
    require_bearer(request.headers["Authorization"])
    session["currency"] = request.form["currency"]
    return "ok"
"""
    ),
    # FastAPI form handling with bearer tokens: no cookie session
    Valid(
        """
from fastapi import Depends, FastAPI, Form
from fastapi.security import OAuth2PasswordBearer

app = FastAPI()
oauth2 = OAuth2PasswordBearer(tokenUrl="token")

@app.post("/notes")
def new_note(text: str = Form(...), token: str = Depends(oauth2)):  # ok: BR211
    return {"text": text}
"""
    ),
]
