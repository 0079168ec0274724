"""What a function body does with the request: raw reads, validation, auth checks, object loads.

Shared by the fact collector (phase 1) and the rules that report on handler bodies (phase 2),
so both judge a body the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from reviewer.context import FileContext
from reviewer.framework.values import code_of, qualify
from reviewer.imports import dotted_name
from reviewer.walk import walk

# Request attributes that hand out unvalidated client data (frameworks.md §1.6, §2.6, §4.6, §6.3).
RAW_ATTRS = frozenset(
    [
        "json",
        "get_json",
        "args",
        "form",
        "values",
        "data",
        "get_data",
        "POST",
        "GET",
        "body",
        "query_params",
        "query",
        "post",
    ]
)
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
GLOBAL_REQUESTS = frozenset({"flask.request", "quart.request", "werkzeug.local.request"})
REQUEST_PARAM_NAMES = frozenset({"request", "req"})

VALIDATOR_METHODS = frozenset(
    {
        "model_validate",
        "model_validate_json",
        "parse_obj",
        "parse_raw",
        "validate_python",
        "validate_json",
        "load",
        "loads",
        "is_valid",
        "validate",
        "validate_on_submit",
        "structure",
        # signed values (django.core.signing, itsdangerous): the signature check is the validation
        "unsign",
        "unsign_object",
    }
)
NOT_VALIDATORS = frozenset(
    {"json.load", "json.loads", "yaml.load", "pickle.load", "pickle.loads", "marshal.loads"}
)
VALIDATOR_FUNCS = frozenset(
    {
        "jsonschema.validate",
        "pydantic.parse_obj_as",
        "cattrs.structure",
        "cattr.structure",
        "webargs.flaskparser.parser.parse",
        # signature checks: the raw bytes are verified, not interpreted
        "hmac.new",
        "hmac.compare_digest",
        "hmac.digest",
        "stripe.Webhook.construct_event",
        # redirect targets checked against the allowed hosts
        "django.utils.http.url_has_allowed_host_and_scheme",
        "django.utils.http.is_safe_url",
    }
)
VALIDATOR_BASES = (
    "pydantic.BaseModel",
    "pydantic.main.BaseModel",
    "pydantic.RootModel",
    "marshmallow.Schema",
    "marshmallow.schema.Schema",
    "rest_framework.serializers.",
    "django.forms.",
    "flask_wtf.FlaskForm",
    "wtforms.Form",
    "msgspec.Struct",
)

AUTH_CALL_TAILS = frozenset(
    {
        "verify_jwt_in_request",
        "check_authorized",
        "authorized_userid",
        "decode_token",
        "get_jwt_identity",
        "authenticate",
        "verify_token",
        "verify_password",
        "get_current_user",
        "login_required",
    }
)
AUTH_CALLS = frozenset({"jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode"})
AUTH_ATTRS = frozenset({"is_authenticated", "is_anonymous"})
AUTH_EXCEPTIONS = frozenset(
    {"Unauthorized", "HTTPUnauthorized", "NotAuthenticated", "AuthenticationFailed"}
)
AUTHZ_CALL_TAILS = frozenset(
    {"has_perm", "has_perms", "has_permission", "check_permission", "permits", "has_role"}
)
AUTHZ_ATTRS = frozenset(
    {"is_staff", "is_superuser", "is_admin", "role", "roles", "scopes", "permissions"}
)
# Litestar's 403 is PermissionDeniedException (https://docs.litestar.dev/2/usage/exceptions.html)
AUTHZ_EXCEPTIONS = frozenset(
    {"PermissionDenied", "Forbidden", "HTTPForbidden", "PermissionDeniedException"}
)
AUTH_HEADERS = re.compile(r"^(authorization|x-api-key|x-auth-token|api[-_]key)$", re.I)
_STATUS = re.compile(r"\b(401|403)\b|HTTP_401|HTTP_403|\b(UNAUTHORIZED|FORBIDDEN)\b")

USER_REF = re.compile(
    r"\b(current_user|request\.user|g\.user|get_jwt_identity|authorized_userid|"
    r"self\.request\.user|auth\.current_user|current_identity|request\.auser)\b"
)

NOT_LOADERS = re.compile(
    r"(^|\.)(request|req|self|environ|headers|args|form|json|data|params|kwargs|cache|config|"
    r"settings|payload|body|match_info|query_params|GET|POST|META|COOKIES|cookies|g|os|"
    r"app|state|context|ctx|options|meta|session_data|attrs|extra|mapping|d|obj|item|row|"
    r"router|bp|blueprint|api|routes|client|http|httpx|requests|response|resp)$"
)
LOAD_TAILS = frozenset(
    {"get", "get_or_404", "aget", "first_or_404", "one_or_404", "filter_by", "get_object_or_404"}
)


def request_names(func: cst.FunctionDef) -> frozenset[str]:
    """Parameters of `func` that hold the request (named `request`/`req` or typed Request)."""
    names: set[str] = set()
    for param in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params):
        name = param.name.value
        ann = code_of(param.annotation.annotation) if param.annotation else ""
        if name in REQUEST_PARAM_NAMES or ann.rsplit(".", 1)[-1] in ("Request", "HttpRequest"):
            names.add(name)
    return frozenset(names)


def raw_read(node: cst.Attribute, ctx: FileContext, req_names: frozenset[str]) -> str | None:
    """`request.json` -> "request.json" when `node` reads raw client data, else None."""
    attr = node.attr.value
    if attr not in RAW_ATTRS:
        return None
    base = node.value
    if isinstance(base, cst.Name):
        if base.value in req_names:
            return f"{base.value}.{attr}"
        if (ctx.imports.resolve(base) or "") in GLOBAL_REQUESTS:
            return f"request.{attr}"
        return None
    if (
        isinstance(base, cst.Attribute)
        and base.attr.value == "request"
        and isinstance(base.value, cst.Name)
        and base.value.value == "self"
    ):
        return f"self.request.{attr}"
    return None


def validator_call(call: cst.Call, ctx: FileContext) -> str | None:
    """The validator a call runs (`OrderSchema().load`, `Item.model_validate`), else None.

    Constructors of project classes are judged later with the project's class table
    (`is_validator_class`); here only names and well-known functions decide.
    """
    name = ctx.resolve(call.func) or ""
    if name in NOT_VALIDATORS:
        return None
    if name in VALIDATOR_FUNCS:
        return name
    if isinstance(call.func, cst.Attribute):
        method = call.func.attr.value
        if method in VALIDATOR_METHODS:
            return code_of(call.func)
    last = name.rsplit(".", 1)[-1]
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    positional = any(a.keyword is None and not a.star for a in call.args)
    form = _form_protocol(call)
    if form and (positional or "data" in keywords):
        return form
    if "formdata" in keywords:
        return last or "formdata="  # WTForms: Form(formdata=request.form) validates on validate()
    if last == "get_serializer" and "data" in keywords:
        return last  # DRF GenericAPIView.get_serializer(data=...): the view's serializer_class
    if not last[:1].isupper():
        return None
    if last.endswith("Serializer") and "data" in keywords:
        return last  # Serializer(instance) only serializes output
    if last.endswith("Form") and (positional or "data" in keywords):
        return last
    return None


# Django's FormMixin protocol: `self.form_class(data)`, `self.get_form(data)`,
# `self.get_form_class()(data)` build the view's form, which validates its data.
FORM_FACTORIES = frozenset({"form_class", "formset_class", "get_form", "get_formset"})
FORM_CLASS_GETTERS = frozenset({"get_form_class", "get_formset_class"})


def _form_protocol(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Call):
        inner = dotted_name(func.func) or ""
        return inner if inner.rsplit(".", 1)[-1] in FORM_CLASS_GETTERS else None
    name = dotted_name(func) or ""
    last = name.rsplit(".", 1)[-1]
    if last in FORM_FACTORIES or last.endswith(("_form_class", "_formset_class")):
        return name  # `create_form_class = self.get_create_form_class()`
    return None


def validated_args(call: cst.Call) -> list[cst.BaseExpression]:
    """The arguments a validator call checks (`data=` of a serializer, else every argument)."""
    data = [a.value for a in call.args if a.keyword is not None and a.keyword.value == "data"]
    return data or [a.value for a in call.args]


def is_validator_class(qualname: str, bases: dict[str, tuple[str, ...]], depth: int = 0) -> bool:
    """True when the class `qualname` derives (through project classes) from a schema base."""
    if depth > 8:
        return False
    if qualname.startswith(VALIDATOR_BASES) or qualname in VALIDATOR_BASES:
        return True
    return any(is_validator_class(b, bases, depth + 1) for b in bases.get(qualname, ()))


def call_evidence(call: cst.Call, ctx: FileContext) -> tuple[str, str] | None:
    """("authentication"|"authorization", what) when a call checks identity or permissions."""
    name = ctx.resolve(call.func) or ""
    last = name.rsplit(".", 1)[-1]
    if name in AUTH_CALLS or last in AUTH_CALL_TAILS:
        return ("authentication", last)
    if last in AUTHZ_CALL_TAILS:
        return ("authorization", last)
    if last in AUTH_EXCEPTIONS:
        return ("authentication", last)
    if last in AUTHZ_EXCEPTIONS:
        return ("authorization", last)
    if last == "HttpResponseForbidden":
        return ("authorization", last)
    if last in ("needs_refresh", "unauthorized") and (
        ".login_manager." in f".{name}" or name.startswith("flask_login.")
    ):
        # Flask-Login's LoginManager answers an anonymous or stale session with a redirect to
        # its login (refresh) view, else 401 (https://flask-login.readthedocs.io/en/latest/
        # #flask_login.LoginManager.unauthorized, #flask_login.LoginManager.needs_refresh)
        return ("authentication", f"login_manager.{last}")
    if last == "redirect_to_login":  # django.contrib.auth.views.redirect_to_login
        return ("authentication", "redirect to login")
    if last == "handle_no_permission":  # AccessMixin: redirect to login, or 403 when logged in
        return ("authentication", "handle_no_permission")
    if last in (
        "abort",
        "HTTPException",
        "JSONResponse",
        "JsonResponse",
        "HttpResponse",
        "Response",
        "make_response",
        "jsonify",
        "json_response",  # aiohttp.web.json_response(data, status=HTTPStatus.UNAUTHORIZED)
    ):
        status = " ".join(code_of(a.value) for a in call.args)
        match = _STATUS.search(status)
        if match:
            is_401 = "401" in match.group(0) or "UNAUTHORIZED" in match.group(0)
            return ("authentication" if is_401 else "authorization", f"{last}({match.group(0)})")
    if (
        (last == "redirect" or "Redirect" in last or last in _REDIRECTS)
        and call.args
        and any(_login_url(a.value) for a in call.args)
    ):
        return ("authentication", "redirect to login")
    if last in ("get", "getheader") and call.args:
        first = call.args[0].value
        if isinstance(first, cst.SimpleString):
            value = first.evaluated_value
            if isinstance(value, str) and AUTH_HEADERS.match(value):
                return ("authentication", f"{value} header")
    return None


# where an anonymous caller is sent: the login view, or the registration view (CTFd's
# `registered_only` redirects to `auth.register`)
_LOGIN_ENDPOINT = re.compile(
    r"(^|[._:-])(login|log_in|signin|sign_in|authenticate|register|signup|sign_up)$", re.I
)


# aiohttp's redirect exceptions (https://docs.aiohttp.org/en/stable/web_exceptions.html)
_REDIRECTS = frozenset({"HTTPFound", "HTTPSeeOther", "HTTPTemporaryRedirect"})
_LOGIN_PATH = re.compile(r"^/?(?:[\w-]+/)*(login|log-in|signin|sign-in)/?(\?.*)?$", re.I)


def _login_url(expr: cst.BaseExpression) -> bool:
    """`url_for(".authenticate", ...)`, `reverse("accounts:login")`, a route name or path given
    to a redirect helper (`redirect(router, "login")`, `HTTPFound("/login")`): the login view."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return isinstance(value, str) and bool(
            _LOGIN_ENDPOINT.search(value) or _LOGIN_PATH.match(value)
        )
    if not isinstance(expr, cst.Call) or not expr.args:
        return False
    func = (dotted_name(expr.func) or "").rsplit(".", 1)[-1]
    first = expr.args[0].value
    return (
        func in ("url_for", "reverse", "resolve_url")
        and isinstance(first, cst.SimpleString)
        and bool(_LOGIN_ENDPOINT.search(str(first.evaluated_value)))
    )


def attribute_evidence(node: cst.Attribute) -> tuple[str, str] | None:
    attr = node.attr.value
    if attr in AUTH_ATTRS:
        return ("authentication", attr)
    if attr in AUTHZ_ATTRS:
        return ("authorization", attr)
    return None


def subscript_evidence(node: cst.Subscript) -> tuple[str, str] | None:
    """`request.headers["Authorization"]` is a credential check."""
    for element in node.slice:
        if isinstance(element.slice, cst.Index) and isinstance(
            element.slice.value, cst.SimpleString
        ):
            value = element.slice.value.evaluated_value
            if isinstance(value, str) and AUTH_HEADERS.match(value):
                return ("authentication", f"{value} header")
    return None


def is_object_load(call: cst.Call, ctx: FileContext) -> bool:
    """`Model.objects.get(pk=...)`, `get_object_or_404(...)`, `session.get(M, id)`, ..."""
    name = ctx.resolve(call.func) or ""
    last = name.rsplit(".", 1)[-1]
    if last not in LOAD_TAILS or not call.args:
        return False
    if last == "get":
        func = call.func
        if not isinstance(func, cst.Attribute):
            return False
        receiver = dotted_name(func.value) or ""
        if isinstance(func.value, cst.Call):
            return (dotted_name(func.value.func) or "").endswith(
                ("filter", "filter_by", "select_related", "prefetch_related", "all")
            )
        # dict.get / request.args.get / os.environ.get / cache.get are not object loads, nor is
        # a module constant's (`SCOPES.get(provider, [])`: a mapping written in the code)
        last_part = receiver.rsplit(".", 1)[-1]
        constant = last_part.isupper() and any(c.isalpha() for c in last_part)
        return bool(receiver) and not NOT_LOADERS.search(receiver) and not constant
    return True


def names_in(node: cst.CSTNode) -> frozenset[str]:
    """Every bare name mentioned in a small expression (the node itself included)."""
    return frozenset(n.value for n in walk(node) if type(n) is cst.Name)


def mentions_user(node: cst.CSTNode, extra_user_names: frozenset[str] = frozenset()) -> bool:
    """True when an expression mentions the current user (an ownership filter or check)."""
    text = code_of(node)
    if USER_REF.search(text):
        return True
    return bool(extra_user_names & names_in(node))


def qualified(expr: cst.BaseExpression, ctx: FileContext) -> str:
    return qualify(expr, ctx.imports) or ""


def raw_context(ctx: FileContext) -> tuple[str, str, str]:
    """For the raw read at the top of `ctx.stack`: (variable it is assigned to, validator it is
    passed into, the nearest class-like constructor it is passed into: a schema model only the
    project knows). `request.args.get("page", type=int)` converts, so it counts as validated."""
    var = ""
    ctor = ""
    stack = ctx.stack
    for position in range(len(stack) - 2, -1, -1):
        node = stack[position]
        if isinstance(node, cst.FunctionDef):
            break
        if isinstance(node, cst.Call):
            validator = validator_call(node, ctx)
            if validator:
                return var, validator, ctor
            if any(a.keyword is not None and a.keyword.value == "type" for a in node.args):
                return var, "type=", ctor
            callee = dotted_name(node.func) or ""
            if not ctor and callee.rsplit(".", 1)[-1][:1].isupper():
                ctor = qualify(node.func, ctx.imports) or callee
        if isinstance(node, cst.Assign) and not var:
            target = node.targets[0].target
            if isinstance(target, cst.Name):
                var = target.value
        if isinstance(node, cst.AnnAssign | cst.AugAssign) and isinstance(node.target, cst.Name):
            var = var or node.target.value
    return var, "", ctor


# A refusal (403 response or exception) is authorization only when what decides it is a property
# of the current user: a role/permission/admin flag, or the user's identity compared with an
# object's owner. A 403 on a feature flag, a setting or an expired invitation turns away every
# caller alike (OWASP ASVS V4 access control: decisions on the subject's attributes).
_REFUSAL = re.compile(r"^\w+\((?:403|HTTP_403)\)$")
REFUSALS = AUTHZ_EXCEPTIONS | {"HttpResponseForbidden"}
ROLE_NAME = re.compile(
    r"(^|_)(roles?|permissions?|perms?|admin|owner|staff|superuser|scopes?)(_|$)", re.I
)
_OWNERSHIP_OPS = (cst.Equal, cst.NotEqual, cst.In, cst.NotIn)
# what an authentication step attaches to the request for the caller: the user, or the tenant
# or project an API key belongs to (healthchecks' `request.project`)
PRINCIPAL_REF = re.compile(
    r"\b(?:request|req)\.(?:user|auser|auth|project|tenant|organization|org|account|team|"
    r"workspace|principal|identity)\b"
)


def is_refusal(evidence: str) -> bool:
    """Evidence (as call_evidence writes it) that answers 403 by itself."""
    return evidence in REFUSALS or bool(_REFUSAL.match(evidence))


Condition = tuple[cst.BaseExpression, bool]  # (test, holds negated: the else branch)


def refusal_conditions(stack: list[cst.CSTNode]) -> list[Condition]:
    """The tests of the branches (if/elif/else, while, conditional expression, except clause)
    that enclose the node at the top of `stack`, within its function; an else branch holds
    the test negated."""
    tests: list[Condition] = []
    for position in range(len(stack) - 2, -1, -1):
        node = stack[position]
        if isinstance(node, cst.FunctionDef | cst.Lambda):
            break
        child = stack[position + 1]
        if isinstance(node, cst.If | cst.While | cst.IfExp) and child is not node.test:
            tests.append((node.test, child is node.orelse))
        elif isinstance(node, cst.ExceptHandler):
            tests.append((node.type or cst.Name("BaseException"), False))
    return tests


def login_condition(tests: list[Condition]) -> bool:
    """Some branch condition reads whether the caller is logged in (`user.is_authenticated`,
    `user.is_anonymous`) and the branch runs for the anonymous caller: a refusal there is the
    anonymous caller's. The inverted test (`if request.user.is_authenticated: return
    HttpResponseForbidden()` on a sign-up view) turns signed-in users away and lets anonymous
    callers in: no authentication guard."""
    found: set[str] = set()
    for test, negated in tests:
        found |= _login_polarity(test, negated)
    return "anonymous" in found and "user" not in found


def read_for_signed_in_branch(stack: list[cst.CSTNode]) -> bool:
    """The login read at the top of `stack` is the test of an `if` with no else that runs for
    signed-in callers (`if current_user.is_authenticated: return redirect(...)`): the anonymous
    caller falls through, so the read guards nothing (FlaskBB's `anonymous_required`, a home
    page that shows signed-in users their dashboard)."""
    for position in range(len(stack) - 2, -1, -1):
        node = stack[position]
        if isinstance(node, cst.FunctionDef | cst.Lambda | cst.SimpleStatementLine):
            return False
        if isinstance(node, cst.If | cst.IfExp):
            if stack[position + 1] is not node.test:
                return False
            if node.orelse is not None or _login_polarity(node.test, False) != {"user"}:
                return False
            block = stack[position - 1] if position else None
            body = getattr(block, "body", ())
            after = (
                body[body.index(node) + 1 :] if isinstance(body, Sequence) and node in body else ()
            )
            # `if user.is_authenticated: return view(); abort(403)`: the others are refused
            return not any(_REFUSES.search(code_of(stmt)) for stmt in after)
    return False


def calls_wrapped_view_unchecked(call: cst.Call, stack: list[cst.CSTNode]) -> bool:
    """`call` (at the top of `stack`) runs the view a decorator wraps (a parameter of the
    function around the wrapper) on a path that checks nothing about the caller: no enclosing
    branch test and no earlier statement on the way reads the user, the session, the request
    or calls anything. CTFd's `check_score_visibility` returns `f(...)` when a setting says
    "public": on that configuration anonymous callers reach the view, so the decorator is no
    authentication guard, whatever its other branches check."""
    if not isinstance(call.func, cst.Name):
        return False
    functions = [n for n in stack if isinstance(n, cst.FunctionDef)]
    if len(functions) < 2:
        return False
    outer = functions[-2]
    params = {p.name.value for p in (*outer.params.params, *outer.params.posonly_params)}
    if call.func.value not in params:
        return False
    wrapper = functions[-1]
    inside = stack[stack.index(wrapper) :]
    for position, node in enumerate(inside[:-1]):
        child = inside[position + 1]
        if (
            isinstance(node, cst.If | cst.While | cst.IfExp)
            and child is not node.test
            and _reads_the_caller(node.test)
        ):
            return False
        body = getattr(node, "body", None)
        if isinstance(body, Sequence) and child in body:
            for earlier in body[: body.index(child)]:
                checks = not isinstance(earlier, cst.If) or _reads_the_caller(earlier.test)
                if checks and not _is_plain_assignment(earlier):
                    return False
    return True


_CALLER_WORDS = re.compile(r"user|session|auth|login|request|token|\bg\.|key|permission|role", re.I)


def _reads_the_caller(test: cst.BaseExpression) -> bool:
    """A test that may depend on who calls: it calls something or names the caller."""
    return any(isinstance(n, cst.Call) for n in walk(test)) or bool(
        _CALLER_WORDS.search(code_of(test))
    )


def _is_plain_assignment(stmt: cst.BaseStatement) -> bool:
    """`v = get_config(...)` and the like: a setting read, not a check of the caller."""
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    return all(
        isinstance(small, cst.Assign | cst.AnnAssign) and not _CALLER_WORDS.search(code_of(small))
        for small in stmt.body
    )


_REFUSES = re.compile(r"\babort\(|\braise\b|\b40[13]\b|[Uu]nauthori[sz]ed|login", re.I)


def turns_users_away(node: cst.If) -> bool:
    """`if request.user.is_authenticated:` whose branch logs the caller out or refuses (400,
    403): the view is a step of the login or sign-up flow, made for anonymous callers, so its
    own redirects to the login page (a stale two-factor session, a bad login link) send them
    back to the start of the flow, they guard nothing. A branch that redirects signed-in
    callers elsewhere (`return redirect(url_for("admin.statistics"))`) serves them: the
    redirect of the others to login stays a guard."""
    if _login_polarity(node.test, False) != {"user"}:
        return False
    for sub in walk(node.body):
        if isinstance(sub, cst.Call):
            last = (dotted_name(sub.func) or "").rsplit(".", 1)[-1]
            if "logout" in last.lower():
                return True
    return answers_with(node.body, _TURNED_AWAY)


def answers_with(block: cst.CSTNode, pattern: re.Pattern[str]) -> bool:
    """Some `return` or `raise` in `block` answers with what `pattern` finds in its code
    (`HttpResponseForbidden()`, `abort(404)`, `PermissionDenied`)."""
    for node in walk(block):
        value: cst.BaseExpression | None = None
        if isinstance(node, cst.Return):
            value = node.value
        elif isinstance(node, cst.Raise):
            value = node.exc
        if value is not None and pattern.search(code_of(value)):
            return True
    return False


_TURNED_AWAY = re.compile(r"BadRequest|Forbidden|PermissionDenied|\b40[03]\b")


_LOGIN_ATTRS = {"is_authenticated": "user", "is_anonymous": "anonymous"}
_FLIP = {"user": "anonymous", "anonymous": "user"}


def _login_polarity(test: cst.BaseExpression, negated: bool) -> set[str]:
    """Who the branch runs for when `test` holds (the else branch: `negated`): "user" (a
    signed-in caller), "anonymous", both or neither, by the login reads in the test."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _login_polarity(test.expression, not negated)
    if isinstance(test, cst.BooleanOperation):
        return _login_polarity(test.left, negated) | _login_polarity(test.right, negated)
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and not test.args:
        test = test.func  # `user.is_authenticated()` (Django < 1.10)
    if isinstance(test, cst.Attribute) and test.attr.value in _LOGIN_ATTRS:
        who = _LOGIN_ATTRS[test.attr.value]
        return {_FLIP[who] if negated else who}
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        value = code_of(target.comparator)
        if value in ("True", "False") and isinstance(
            target.operator, cst.Is | cst.Equal | cst.IsNot | cst.NotEqual
        ):
            flip = (value == "False") != isinstance(target.operator, cst.IsNot | cst.NotEqual)
            return _login_polarity(test.left, negated != flip)
    if any(type(n) is cst.Attribute and n.attr.value in _LOGIN_ATTRS for n in walk(test)):
        return {"anonymous"}  # read in a way not followed: as before, the anonymous caller's
    return set()


def user_condition(tests: list[Condition], user_names: frozenset[str]) -> bool:
    """True when the branch conditions around a refusal (all must hold) read a role/permission
    of the current user or compare the user's identity with something. In
    `not is_admin() and not verified` (or the else of `if is_admin() or verified:`), the admin
    part only exempts admins: the others are refused on what remains."""
    parts: list[Condition] = []
    for test, negated in tests:
        if negated and isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
            parts += [(p, True) for p in _disjuncts(test)]  # not (a or b) = not a and not b
        elif negated:
            parts.append((test, True))
        else:
            for p in _conjuncts(test):
                options = _disjuncts(p)
                if len(options) > 1 and any(
                    _role_test(o) and not _negated_role(o) for o in options
                ):
                    continue  # `if is_admin() or not_set_up:` lets admins and others in alike
                parts.append((p, False))
    if len(parts) > 1:
        kept = [
            (p, negated)
            for p, negated in parts
            if not (_role_test(p) and not _negated_role(p) if negated else _negated_role(p))
        ]
        parts = kept or parts
    return any(
        _role_test(p) or _ownership_test(p, user_names) or _permission_error(p) for p, _ in parts
    )


_PERMISSION_ERRORS = re.compile(r"Permission|Forbidden|AccessDenied|NotAllowed", re.I)


def _permission_error(test: cst.BaseExpression) -> bool:
    """`except PermissionError:` turns a permission check made elsewhere into the 403."""
    return any(
        type(n) is cst.Name and _PERMISSION_ERRORS.search(n.value) for n in walk(test)
    ) or any(
        isinstance(n, cst.Attribute) and _PERMISSION_ERRORS.search(n.attr.value) for n in walk(test)
    )


def _disjuncts(test: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return [*_disjuncts(test.left), *_disjuncts(test.right)]
    return [test]


def is_exemption(stack: list[cst.CSTNode]) -> bool:
    """The role read at the top of `stack` is an admin exemption: a negated role test joined by
    `and` to other conditions of an `if`/`while` (`if not is_admin() and not verified:`), or a
    role test joined by `or` to others (`if ctftime() or is_admin(): return view()`): admins
    pass, everyone else is judged on the rest."""
    for position in range(len(stack) - 2, -1, -1):
        node = stack[position]
        if isinstance(node, cst.If | cst.While) and stack[position + 1] is node.test:
            inner = stack[position + 1 :]
            parts = _conjuncts(node.test)
            if len(parts) > 1 and any(p in inner and _negated_role(p) for p in parts):
                return True
            options = _disjuncts(node.test)
            return len(options) > 1 and any(
                p in inner and _role_test(p) and not _negated_role(p) for p in options
            )
        if isinstance(node, cst.FunctionDef | cst.Lambda):
            break
    return False


def _conjuncts(test: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return [*_conjuncts(test.left), *_conjuncts(test.right)]
    return [test]


def _negated_role(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _role_test(test.expression)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.operator, cst.Is | cst.Equal) and code_of(target.comparator) in (
            "False",
            "None",
        ):
            return _role_test(test.left)
    return False


def _role_test(test: cst.CSTNode) -> bool:
    for node in walk(test):
        if isinstance(node, cst.Attribute) and node.attr.value in AUTHZ_ATTRS:
            return True
        if isinstance(node, cst.Call):
            last = (dotted_name(node.func) or "").rsplit(".", 1)[-1]
            if last in AUTHZ_ATTRS or last in AUTHZ_CALL_TAILS:
                return True
        if type(node) is cst.Name and ROLE_NAME.search(node.value):
            return True
    return False


def _ownership_test(test: cst.CSTNode, user_names: frozenset[str]) -> bool:
    for node in walk(test):
        if not isinstance(node, cst.Comparison):
            continue
        sides = [node.left, *(c.comparator for c in node.comparisons)]
        if not any(isinstance(c.operator, _OWNERSHIP_OPS) for c in node.comparisons):
            continue
        user_sides = [
            mentions_user(s, user_names) or bool(PRINCIPAL_REF.search(code_of(s))) for s in sides
        ]
        others = [s for s, is_user in zip(sides, user_sides, strict=True) if not is_user]
        if any(user_sides) and any(not _constant(s) for s in others):
            return True
    return False


def _constant(expr: cst.BaseExpression) -> bool:
    return isinstance(
        expr, cst.SimpleString | cst.Integer | cst.Float | cst.ConcatenatedString
    ) or code_of(expr) in ("None", "True", "False")
