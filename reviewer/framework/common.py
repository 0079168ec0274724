"""Turn a handler function's facts plus the guards found around it into a `Route`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reviewer.framework import guards as g
from reviewer.framework.body import VALIDATOR_BASES
from reviewer.framework.capability import capability_guards
from reviewer.framework.delegation import delegated_guards
from reviewer.framework.index import Def, Index
from reviewer.framework.values import is_call, ref, tail
from reviewer.http import method_rank, path_params
from reviewer.service import AUTHENTICATION, AUTHORIZATION, RATE_LIMIT, Guard, Param, Route

VALIDATION_DECORATORS = ("use_args", "use_kwargs", "arguments", "validate", "expects", "input")
UNTYPED_BODY = frozenset({"dict", "Dict", "Any", "list", "List", "object", "Mapping", "JSON"})
_SIMPLE = frozenset({"int", "str", "float", "bool", "UUID", "uuid.UUID", "date", "datetime"})


def guards_from_decorators(
    index: Index, decorators: Sequence[Any], level: str, file: str, line: int
) -> tuple[list[Guard], set[str]]:
    """Guards of a decorator list (already cut to the effective ones) and flags."""
    found: list[Guard] = []
    flags: set[str] = set()
    for dec in decorators:
        kinds, shown = g.decorator_kinds(index, dec)
        for kind in sorted(kinds):
            if kind in ("public", "csrf-exempt"):
                flags.add(kind)
            else:
                found.append(Guard(shown, kind, level, file, line))
    return found, flags


def is_validator_type(index: Index, name: str) -> bool:
    canonical = index.canonical(name)
    if canonical.startswith(VALIDATOR_BASES):
        return True
    return any(a.startswith(VALIDATOR_BASES) for a in index.ancestors(canonical))


# Kind prefix of a guard installed only on one branch of an `if` (apps._only_if): listed in
# the route's notes, never counted as authentication or authorization.
CONDITIONAL = "conditional "


def make_route(
    index: Index,
    framework: str,
    methods: Iterable[str],
    path: str,
    func: Def | None,
    guards: Iterable[Guard],
    *,
    file: str = "",
    module: str = "",
    handler: str = "",
    line: int = 0,
    view_class: str = "",
    action: str = "",
    flags: Iterable[str] = (),
    response_model: str = "",
    validation: Iterable[str] = (),
    notes: Iterable[str] = (),
    dependency_params: Mapping[str, str] | None = None,
) -> Route:
    guards = list(guards)
    flags = set(flags)
    params: list[Param] = []
    raw: list[str] = []
    valid: list[str] = list(validation)
    returns = ""
    is_async = False
    if func is not None:
        record = func.record
        file, module, handler, line = func.file, func.module, record["qualname"], record["line"]
        returns = record["returns_text"]
        is_async = record["async"]
        in_path = path_params(path)
        for p in record["params"]:
            param = _param(index, framework, p, in_path)
            if dependency_params and p["name"] in dependency_params:
                param = Param(
                    param.name, param.annotation, "dependency", dependency_params[p["name"]]
                )
            params.append(param)
        valid.extend(_validated_by(index, record))
        raw.extend(_raw_reads(index, record))
        for p, fact in zip(params, record["params"], strict=False):
            if p.source != "body":
                continue
            if not p.annotation or _untyped(p.annotation):
                raw.append(f"{p.name}: {p.annotation or 'untyped'}")
            elif is_validator_type(index, ref(fact["annotation"]) or p.annotation):
                valid.append(p.annotation)
        guards.extend(delegated_guards(index, func, in_path))
        for kind, items in (
            (AUTHENTICATION, _in_body_auth(record["auth"], handler, record)),
            (AUTHORIZATION, record["authz"]),
        ):
            for item in dict.fromkeys(items):
                guards.append(Guard(f"in-body {item}", kind, "route", file, line))
        session = any(x.kind == AUTHENTICATION and not x.capability for x in guards)
        guards.extend(capability_guards(index, func, path, in_path, session))
    public = bool(flags & {"public"}) or _configured_public(index, path, handler, module)
    auth = _unique(x for x in guards if x.kind == AUTHENTICATION)
    authz = _unique(x for x in guards if x.kind == AUTHORIZATION)
    rate = _unique(x for x in guards if x.kind == RATE_LIMIT)
    notes = [
        *notes,
        *(
            f"{x.name} ({x.kind.removeprefix(CONDITIONAL)}) is installed only on one branch of"
            f" an `if` ({x.file}:{x.line}), so it is not counted"
            for x in _unique(x for x in guards if x.kind.startswith(CONDITIONAL))
        ),
    ]
    return Route(
        framework=framework,
        methods=tuple(sorted(set(methods), key=method_rank)),
        path=path,
        handler=handler,
        module=module,
        file=file,
        line=line,
        view_class=view_class,
        action=action,
        auth=auth,
        authorization=authz,
        rate_limits=rate,
        validation=tuple(dict.fromkeys(valid)),
        raw_input=tuple(dict.fromkeys(raw)),
        params=tuple(params),
        returns=returns,
        response_model=response_model,
        is_async=is_async,
        public=public,
        csrf_exempt="csrf-exempt" in flags,
        notes=tuple(notes),
    )


# In a view body these reject nobody by themselves: they look the user up or verify the
# password a login form submitted (the login view is reachable without a user by design).
LOOKUPS_ONLY = frozenset(
    {
        "get_current_user",
        "authorized_userid",
        "is_authenticated",
        "is_anonymous",
        "get_jwt_identity",
        "verify_password",
        "check_password",
        "authenticate",
    }
)


def _in_body_auth(evidence: list[str], handler: str, record: Mapping[str, Any]) -> list[str]:
    """A view's own authentication evidence, or none when all of it only looks the user up.
    The login view's redirect to the login page sends the caller back to itself, and so does
    that of a view which turns signed-in callers away (body.turns_users_away)."""
    if LOGIN_VIEW.search(tail(handler)) or record.get("for_anonymous"):
        evidence = [item for item in evidence if item != "redirect to login"]
    return evidence if any(item not in LOOKUPS_ONLY for item in evidence) else []


LOGIN_VIEW = re.compile(r"^(login|log_in|signin|sign_in)$", re.I)


def _unique(guards: Iterable[Guard]) -> tuple[Guard, ...]:
    return tuple(dict.fromkeys(guards))


def _untyped(annotation: str) -> bool:
    base = annotation.split("[", 1)[0].rsplit(".", 1)[-1]
    return base in UNTYPED_BODY


def _param(index: Index, framework: str, p: dict[str, Any], in_path: frozenset[str]) -> Param:
    name = p["name"]
    ann = p["ann_text"]
    dep = g.param_dependency(p)
    if name in ("self", "cls"):
        return Param(name, ann, "self")
    if dep is not None:
        return Param(name, ann, "dependency", index.canonical(ref(dep[0])) if ref(dep[0]) else "")
    if name in in_path:
        return Param(name, ann, "path")
    last = ann.rsplit(".", 1)[-1]
    if last in ("Request", "HttpRequest", "WebSocket") or name in ("request", "req"):
        return Param(name, ann, "request")
    if framework == "litestar":
        return _litestar_param(name, ann)
    if framework != "fastapi":
        return Param(name, ann, "other")
    default = p.get("default")
    marker = tail(ref(default)) if is_call(default) else ""
    if marker in ("Body", "Form", "File"):
        return Param(name, ann, "body")
    if marker in ("Query", "Header", "Cookie", "Path"):
        return Param(name, ann, marker.lower())
    base = ann.split("[", 1)[0]
    if not ann or base in _SIMPLE or base.startswith(("Optional", "Literal")) or "|" in ann:
        return Param(name, ann, "query")
    if p["kind"] == "star":
        return Param(name, ann, "other")
    return Param(name, ann, "body")


def _litestar_param(name: str, ann: str) -> Param:
    """Litestar: the request body is the parameter named `data`, `socket` is the WebSocket, and
    a simple-typed parameter no path, dependency or reserved name claims is a query parameter
    (https://docs.litestar.dev/2/usage/requests.html,
    https://docs.litestar.dev/2/usage/routing/parameters.html)."""
    if name == "data":
        return Param(name, ann, "body")
    if name == "socket":
        return Param(name, ann, "request")
    base = ann.split("[", 1)[0]
    if not ann or base in _SIMPLE or base.startswith(("Optional", "Literal")) or "|" in ann:
        return Param(name, ann, "query")
    return Param(name, ann, "other")


def _validated_by(index: Index, record: dict[str, Any]) -> list[str]:
    found = list(dict.fromkeys(record["validators"]))
    for dec in record["decorators"]:
        name = ref(dec)
        if name and tail(name) in VALIDATION_DECORATORS:
            found.append(tail(name))
    raw_vars = {raw[1] for raw in record["raw"] if raw[1]}
    for callee, names in record["ctor_calls"]:
        if _model_ctor(index, callee) and raw_vars & set(names):
            found.append(tail(callee))
    return found


def _model_ctor(index: Index, callee: str) -> bool:
    """`Model(**data)` validates for schema models; `Serializer(obj)` only serializes output."""
    return not tail(callee).endswith(("Serializer", "Form")) and is_validator_type(index, callee)


def _raw_reads(index: Index, record: dict[str, Any]) -> list[str]:
    validated = set(record["validated_names"])
    for callee, names in record["ctor_calls"]:
        if _model_ctor(index, callee):
            validated |= set(names)
    return [
        what
        for what, var, inside, ctor in record["raw"]
        if not inside and var not in validated and not (ctor and _model_ctor(index, ctor))
    ]


def _configured_public(index: Index, path: str, handler: str, module: str) -> bool:
    from fnmatch import fnmatchcase

    for pattern in index.config.public_routes:
        if pattern in (handler, f"{module}.{handler}", tail(handler)):
            return True
        if pattern.startswith("/") and (fnmatchcase(path, pattern) or path == pattern):
            return True
    return False


def join_flask(prefix: str, rule: str) -> str:
    if not prefix:
        return rule or "/"
    if not rule:
        return prefix  # `@bp.route("")` serves exactly the prefix
    return "/".join((prefix.rstrip("/"), rule.lstrip("/")))
