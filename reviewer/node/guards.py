"""What an Express middleware does, judged by its code and by the library it comes from.

A guard is recognised by behaviour, never by its name:
- authentication: `passport.authenticate(...)` (not with `failureRedirect`/`successRedirect`:
  that is the login flow itself, open to anonymous visitors); express-jwt's `expressjwt(...)` (unless
  `credentialsRequired: false`, which lets anonymous requests through); a middleware function
  whose body answers 401/403 (`res.status(401)`, `res.sendStatus(403)`, `createError(401)`,
  an object with `status: 401`), calls `next(error)` on a failed check of the request, or
  verifies a token (`jsonwebtoken.verify`) — and that lets the request on with `next()`.
  A middleware factory (`requireRole("admin")`) is judged by the function it returns.
- authorization: such a rejecting middleware whose check reads a role or permission.
- rate limit: express-rate-limit's `rateLimit(...)`, express-slow-down, rate-limiter-flexible,
  hono-rate-limiter, koa-ratelimit.
- Fastify: @fastify/sensible's `reply.unauthorized()` / `reply.forbidden()` answer 401/403
  (https://github.com/fastify/fastify-sensible#readme).
- Hono: hono/jwt `jwt()`, hono/jwk `jwk()`, hono/bearer-auth `bearerAuth()`, hono/basic-auth
  `basicAuth()` answer 401 without valid credentials; `createMiddleware(fn)` (hono/factory) is
  judged by `fn`. Koa: koa-jwt `jwt()` (unless `passthrough: true`, which lets anonymous
  requests through), koa-passport's `passport.authenticate`, `ctx.throw(401)` middleware.
- validation: celebrate's `celebrate(...)`, express-validator chains (`body("email")...`,
  `checkSchema`), express-joi-validation, and any middleware or handler that validates the
  request with zod/joi/yup/ajv style calls (`schema.parse(req.body)`, `.validate(...)`).

References: https://www.passportjs.org/concepts/authentication/middleware/,
https://github.com/auth0/express-jwt#readme, https://express-validator.github.io/docs/,
https://github.com/express-rate-limit/express-rate-limit#readme,
https://expressjs.com/en/guide/writing-middleware.html,
https://hono.dev/docs/middleware/builtin/jwt, https://hono.dev/docs/middleware/builtin/bearer-auth,
https://hono.dev/docs/middleware/builtin/basic-auth, https://hono.dev/docs/guides/validation,
https://hono.dev/docs/helpers/factory#createmiddleware, https://github.com/koajs/jwt#readme,
https://github.com/rkusa/koa-passport#readme
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import tree_sitter as ts

from reviewer.node.modules import External, Param, Program, Resolved, Value
from reviewer.node.syntax import (
    FUNCTIONS,
    arguments,
    callee_path,
    number_value,
    text,
    unwrap,
    walk,
)
from reviewer.node.unless import NOTHING, Unless, unless_of

AUTHENTICATION = "authentication"
AUTHORIZATION = "authorization"
RATE_LIMIT = "rate-limit"
VALIDATION = "validation"

AUTH_PACKAGES = ("express-jwt", "express-oauth2-jwt-bearer", "express-openid-connect")
LIMIT_PACKAGES: tuple[str, ...] = (
    "express-rate-limit",
    "express-slow-down",
    "rate-limiter-flexible",
)
LIMIT_PACKAGES += ("hono-rate-limiter", "koa-ratelimit", "koa2-ratelimit")
VALIDATION_PACKAGES: tuple[str, ...] = ("celebrate", "express-validator", "express-joi-validation")
VALIDATION_PACKAGES += ("@hono/zod-validator", "@hono/valibot-validator", "@hono/typebox-validator")
# hono's built-in middleware that rejects a request without valid credentials (401)
HONO_AUTH = ("jwt", "jwk", "bearerAuth", "basicAuth")
VALIDATE_METHODS: tuple[str, ...] = ("parse", "parseAsync", "safeParse", "safeParseAsync")
VALIDATE_METHODS += ("validate", "validateAsync", "validateSync", "isValid", "assert")
REQUEST_PARTS = ("body", "query", "params", "headers", "cookies")
_ROLE = re.compile(r"role|permission|scope|admin|isStaff|can\(|ability", re.I)
# `req.user`, `(req as AuthRequest).user`, `req.headers.authorization`, `req.session`
_REQUEST_CHECK = re.compile(
    r"\b(req|request|ctx)\b(\s+as\s+\w+\)|\))?\??\."
    r"(user|session|headers|cookies|auth|token|isAuthenticated\(|isUnauthenticated\()"
    r"|\bctx\.(state\.(user|auth|session|jwt)|get\(|request\.header)|\bgetCookie\("
)
# what a Hono or Koa middleware reads of its context parameter (named by the middleware):
# the request's headers or cookies, or what an earlier middleware stored (`c.get("user")`)
_CONTEXT_READS = r"\.(req\.(header|raw\.headers|cookie)|get\(|var\.|state\.(user|auth|session|jwt)|request\.header|headers|cookies)"
# the condition of a branch taken when nobody is logged in: `!req.user`, `!req.isAuthenticated()`,
# `req.session.userId == null`, `req.isUnauthenticated()`
_ANONYMOUS = re.compile(
    r"!\s*\(?\s*(req|request)\b(\s+as\s+\w+\)|\))?\??\.(user|session|isAuthenticated\()"
    r"|\b(req|request)\.(user|session)[\w.?]*\s*={2,3}\s*(null|undefined)"
    r"|\b(req|request)\.isUnauthenticated\("
    r"|!\s*\(?\s*ctx\.(state\.user|isAuthenticated\()|\bctx\.isUnauthenticated\("
)
_LOGIN_REDIRECT = re.compile(
    r"redirect\(\s*(\d+\s*,\s*)?['\"`][^'\"`]*(login|signin|sign-in|auth)", re.I
)


@dataclass(frozen=True)
class Kinds:
    kinds: frozenset[str]
    name: str
    unless: Unless = NOTHING  # the requests `guard.unless({...})` lets through


NONE = Kinds(frozenset(), "")


class Guards:
    """Memoized classification of middleware expressions of one program."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self._seen: dict[tuple[str, int, int], Kinds] = {}

    def classify(self, file: str, node: ts.Node) -> Kinds:
        """The kinds of protection the middleware expression `node` (in `file`) gives."""
        key = (file, node.start_byte, node.end_byte)
        if key not in self._seen:
            self._seen[key] = NONE  # a recursive definition protects nothing more
            found = self._classify(file, node, 0)
            if found.kinds:
                found = replace(found, unless=unless_of(self.program, file, node))
            self._seen[key] = found
        return self._seen[key]

    def _classify(self, file: str, node: ts.Node, depth: int) -> Kinds:
        node = unwrap(node) or node
        name = _shown(node)
        if node.type == "array":  # app.use([auth, limiter])
            found: set[str] = set()
            names = []
            for item in node.named_children:
                kinds = self.classify(file, item)
                found |= kinds.kinds
                if kinds.kinds:
                    names.append(kinds.name)
            return Kinds(frozenset(found), ", ".join(names))
        value = self.program.resolve(file, node)
        return Kinds(self._kinds(value, depth), name)

    def _kinds(self, value: Resolved, depth: int) -> frozenset[str]:
        if depth > 8 or value is None or isinstance(value, Param):
            return frozenset()
        if isinstance(value, External):
            return _package_kinds(value, None)
        target = unwrap(value.node)
        if target is None:
            return frozenset()
        if target.type == "variable_declarator":
            inner = target.child_by_field_name("value")
            if inner is None:
                return frozenset()
            return self._kinds(self.program.resolve(value.file, inner), depth + 1)
        if target.type in ("call_expression", "new_expression"):
            return self._call_kinds(value.file, target, depth)
        if target.type in FUNCTIONS or target.type in ("function_declaration",):
            return function_kinds(self.program, value.file, target)
        return frozenset()

    def _call_kinds(self, file: str, call: ts.Node, depth: int) -> frozenset[str]:
        callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
        root = _chain_root(callee)
        resolved = self.program.resolve(file, root if root is not None else callee)
        if isinstance(resolved, External):
            if resolved.module == "hono" and resolved.names[-1:] == ("createMiddleware",):
                inner = unwrap(arguments(call)[0]) if arguments(call) else None
                if inner is not None and inner.type in FUNCTIONS:  # hono/factory
                    return function_kinds(self.program, file, inner)
            return _package_kinds(resolved, call)
        if isinstance(resolved, Value):
            function = unwrap(resolved.node)
            if function is not None and function.type == "variable_declarator":
                function = unwrap(function.child_by_field_name("value"))
            if function is not None and (function.type in FUNCTIONS):
                returned = _returned_function(function)
                if returned is not None:  # a middleware factory: judge what it returns
                    return function_kinds(self.program, resolved.file, returned)
        return frozenset()


# `passport.authenticate(strategy, { failureRedirect })`: the browser login flow (a local
# login form's POST, an OAuth provider's callback) that signs a visitor in and redirects,
# rather than a guard that rejects requests without a signed-in user. Passport's docs:
# https://www.passportjs.org/concepts/authentication/middleware/ (redirects), and
# https://www.passportjs.org/concepts/delegated-authorization/ (OAuth callbacks).
_LOGIN_STEP = re.compile(r"\b(failureRedirect|successRedirect|successReturnToOrRedirect)\s*:")


def _package_kinds(value: External, call: ts.Node | None) -> frozenset[str]:
    module, names = value.module, value.names
    if module in ("passport", "koa-passport") and names[-1:] == ("authenticate",):
        if call is not None and _LOGIN_STEP.search(text(call)):
            return frozenset()  # a login step (form post, OAuth callback): open to anonymous
        return frozenset({AUTHENTICATION})
    if module == "hono" and names[-1:] and names[-1] in HONO_AUTH:
        return frozenset({AUTHENTICATION})
    if module == "hono" and names[-1:] == ("validator",):  # hono/validator
        return frozenset({VALIDATION})
    if module == "koa-jwt":
        if call is not None and re.search(r"passthrough\s*:\s*true", text(call)):
            return frozenset()  # anonymous requests pass (koa-jwt docs)
        return frozenset({AUTHENTICATION})
    if module in AUTH_PACKAGES:
        if call is not None and re.search(r"credentialsRequired\s*:\s*false", text(call)):
            return frozenset()  # anonymous requests pass (express-jwt docs)
        if module == "express-openid-connect" and names[-1:] != ("requiresAuth",):
            return frozenset()  # auth() with authRequired defaulting to... the app decides
        return frozenset({AUTHENTICATION})
    if module in LIMIT_PACKAGES:
        return frozenset({RATE_LIMIT})
    if module in VALIDATION_PACKAGES:
        return frozenset({VALIDATION})
    return frozenset()


def function_kinds(program: Program, file: str, function: ts.Node) -> frozenset[str]:
    """What a middleware function does to a request it does not like."""
    body = function.child_by_field_name("body")
    if body is None:
        return frozenset()
    found: set[str] = set()
    body_text = text(body)
    rejects = False
    for node in walk(body):
        if node.type == "call_expression":
            path = callee_path(node.child_by_field_name("function"))
            args = arguments(node)
            if any(number_value(a) in (401, 403) for a in args):
                rejects = True
            resolved = program.resolve(file, node.child_by_field_name("function"))
            if isinstance(resolved, External):
                if resolved.module == "jsonwebtoken" and resolved.names[-1:] == ("verify",):
                    rejects = True
                found |= _package_kinds(resolved, node) - {RATE_LIMIT}
            if path[-1:] == ["jwtVerify"] and not _swallowed(node):
                found.add(AUTHENTICATION)  # @fastify/jwt: throws 401 when the token is bad
            if path and path[-1] in VALIDATE_METHODS and _reads_request(node):
                found.add(VALIDATION)
            if path == ["next"] and args and _inside_request_check(node):
                rejects = True
            if len(path) >= 2 and path[-1] in ("unauthorized", "forbidden"):
                rejects = True  # @fastify/sensible: reply.unauthorized(), httpErrors.forbidden()
        elif node.type == "pair" and text(node.child_by_field_name("key")) in (
            "status",
            "statusCode",
        ):
            if number_value(node.child_by_field_name("value")) in (401, 403):
                rejects = True
        elif node.type == "new_expression" and (
            any(number_value(a) in (401, 403) for a in arguments(node))
            or _error_status(program, file, node) in (401, 403)
        ):
            rejects = True
    if _LOGIN_REDIRECT.search(body_text) and _REQUEST_CHECK.search(body_text):
        rejects = True
    context = _first_parameter(function)
    reads = _REQUEST_CHECK.search(body_text) or (
        context and re.search(r"\b" + re.escape(context) + _CONTEXT_READS, body_text)
    )
    if rejects and (reads or "verify" in body_text):
        found.add(AUTHENTICATION)
        if _ROLE.search(body_text):
            found.add(AUTHORIZATION)
    return frozenset(found)


def _swallowed(call: ts.Node) -> bool:
    """Whether the error `call` throws is caught and dropped: it sits in a `try` block whose
    `catch` neither throws, returns, nor calls anything (`catch (err) { /* optional */ }`),
    so a request that fails the check goes on, as an optional authentication."""
    node: ts.Node | None = call
    while node is not None and node.type not in FUNCTIONS:
        parent = node.parent
        if (
            parent is not None
            and parent.type == "try_statement"
            and node == parent.child_by_field_name("body")
        ):
            handler = parent.child_by_field_name("handler")
            body = handler.child_by_field_name("body") if handler is not None else None
            if body is None:
                return False
            return not any(
                n.type in ("throw_statement", "return_statement", "call_expression")
                for n in walk(body)
            )
        node = parent
    return False


def _error_status(program: Program, file: str, new: ts.Node) -> int | None:
    """The HTTP status an error class of the target carries: `this.status = 401` or
    `this.statusCode = 403` in its body, or `super(401, ...)` (http-errors style), following
    `extends` to the target's own base classes (`new AuthenticationError()`)."""
    return _class_status(program, file, new.child_by_field_name("constructor"), 0)


def _class_status(program: Program, file: str, name: ts.Node | None, depth: int) -> int | None:
    value = program.resolve(file, name)
    if not isinstance(value, Value) or depth > 4:
        return None
    cls = unwrap(value.node)
    if cls is None or cls.type not in ("class_declaration", "class"):
        return None
    for node in walk(cls):
        if node.type == "assignment_expression":
            left = callee_path(node.child_by_field_name("left"))
            if left in (["this", "status"], ["this", "statusCode"]):
                return number_value(node.child_by_field_name("right"))
        elif (
            node.type == "call_expression" and text(node.child_by_field_name("function")) == "super"
        ):
            first = arguments(node)[:1]
            if first and number_value(first[0]) is not None:
                return number_value(first[0])
    heritage = next((c for c in cls.named_children if c.type == "class_heritage"), None)
    base = heritage.named_children[0] if heritage is not None and heritage.named_children else None
    return _class_status(program, value.file, base, depth + 1) if base is not None else None


def _first_parameter(function: ts.Node) -> str:
    params = function.child_by_field_name("parameters")
    if params is None:
        return text(function.child_by_field_name("parameter"))
    first = params.named_children[0] if params.named_children else None
    target = first.child_by_field_name("pattern") if first is not None else None
    node = target or first
    return text(node) if node is not None and node.type == "identifier" else ""


_THIS_REQUEST = re.compile(r"\bthis\.(user|session|headers|cookies|jwtVerify\(|raw\.headers)")


def request_method_kinds(program: Program, file: str, function: ts.Node) -> frozenset[str]:
    """A request decorator (`this` is the request): authentication when it rejects an
    anonymous request, authorization when the check reads a role; a role check that assumes a
    user (`this.session.user.roles`) is authorization only."""
    body = text(function.child_by_field_name("body"))
    found = set(function_kinds(program, file, function))
    rejects = re.search(r"\b40[13]\b", body) or re.search(r"\.(unauthorized|forbidden)\(", body)
    if rejects and _THIS_REQUEST.search(body):
        found.add(AUTHORIZATION if _ROLE.search(body) else AUTHENTICATION)
    return frozenset(found)


def handler_kinds(program: Program, file: str, function: ts.Node) -> frozenset[str]:
    """What a route handler itself checks: authentication only when a branch taken for an
    anonymous caller rejects it (401/403, a redirect to a login page, an error); validation
    when it validates the request. A handler that merely reads `req.user` protects nothing."""
    found = set(function_kinds(program, file, function) & {VALIDATION})
    body = function.child_by_field_name("body")
    if body is None:
        return frozenset(found)
    for node in walk(body):
        if node.type != "if_statement":
            continue
        condition = node.child_by_field_name("condition")
        consequence = node.child_by_field_name("consequence")
        if condition is None or consequence is None or not _ANONYMOUS.search(text(condition)):
            continue
        branch = text(consequence)
        if (
            re.search(r"\b40[13]\b", branch)
            or _LOGIN_REDIRECT.search(branch)
            or re.search(r"\bthrow\b|\bnext\(\s*\w", branch)
        ):
            found.add(AUTHENTICATION)
    return frozenset(found)


def _reads_request(call: ts.Node) -> bool:
    return any(
        re.search(r"\b(req|request)\.(" + "|".join(REQUEST_PARTS) + ")", text(a))
        for a in arguments(call)
    ) or bool(re.search(r"\b(req|request)\b", text(call)))


def _inside_request_check(node: ts.Node) -> bool:
    current = node.parent
    while current is not None and current.type not in FUNCTIONS:
        if current.type == "if_statement":
            condition = current.child_by_field_name("condition")
            if condition is not None and _REQUEST_CHECK.search(text(condition)):
                return True
        if current.type == "catch_clause":
            return True  # next(err) when verifying the request threw
        current = current.parent
    return False


def _returned_function(function: ts.Node) -> ts.Node | None:
    body = function.child_by_field_name("body")
    if body is None:
        return None
    if body.type in FUNCTIONS:  # (role) => (req, res, next) => ...
        return body
    for node in body.named_children:
        if node.type == "return_statement" and node.named_children:
            returned = unwrap(node.named_children[0])
            if returned is not None and returned.type in FUNCTIONS:
                return returned
    return None


def _chain_root(callee: ts.Node | None) -> ts.Node | None:
    """`body("email").isEmail().normalizeEmail` -> the `body` identifier (a validator chain)."""
    node = unwrap(callee)
    while node is not None:
        if node.type == "member_expression":
            obj = unwrap(node.child_by_field_name("object"))
            if obj is not None and obj.type == "call_expression":
                node = unwrap(obj.child_by_field_name("function"))
                continue
            return node
        return node
    return None


def _shown(node: ts.Node) -> str:
    """How a reviewer names the middleware: `requireAuth`, `passport.authenticate`."""
    node = unwrap(node) or node
    if node.type == "call_expression":
        callee = node.child_by_field_name("function")
        return text(_chain_root(callee) or callee)[:60]
    if node.type in FUNCTIONS:
        return text(node.child_by_field_name("name")) or "inline middleware"
    return text(node)[:60]
