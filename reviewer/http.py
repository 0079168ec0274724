"""HTTP vocabulary the route model, the rules and taint share: methods and path templates.

One definition each, so the copies cannot disagree:

- Safe methods (RFC 9110 §9.2.1) are GET, HEAD, OPTIONS and TRACE: read-only by definition.
  Every other method may change state (POST, PUT, DELETE; PATCH, RFC 5789; and any method a
  framework lets a view declare). `*` is not a method: it marks a route that accepts every
  method (a Django view without a method decorator), and each caller decides what it implies.
- Content-submitting methods are POST, PUT and PATCH: the ones whose request content has
  defined semantics (RFC 9110 §9.3.3-9.3.4, RFC 5789). A DELETE's content has none (§9.3.5),
  so a DELETE route is state-changing but does not take a submitted form or credentials.
- Implicit methods are HEAD and OPTIONS: Werkzeug adds HEAD to every rule that serves GET and
  Flask answers OPTIONS for every rule; Starlette adds HEAD to GET routes. A route's label and
  the PR route comparison leave them out, since the code never chose them.
- Path templates: `<name>`, `<converter:name>` and `<converter(args):name>` (Werkzeug/Flask,
  Django `path()`), `{name}` and `{name:converter}` (Starlette/FastAPI; aiohttp, where the part
  after `:` is a regex), `(?P<name>regex)` and unnamed `(regex)` groups (Django `re_path()`).

References:
- https://www.rfc-editor.org/rfc/rfc9110#section-9.2.1
- https://www.rfc-editor.org/rfc/rfc5789
- https://werkzeug.palletsprojects.com/en/stable/routing/#rule-format
- https://werkzeug.palletsprojects.com/en/stable/routing/#werkzeug.routing.Rule
- https://flask.palletsprojects.com/en/stable/api/#flask.Flask.add_url_rule
- https://docs.djangoproject.com/en/5.2/topics/http/urls/#path-converters
- https://www.starlette.io/routing/#path-parameters
- https://docs.aiohttp.org/en/stable/web_quickstart.html#variable-resources
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH"})
ANY_METHOD = "*"
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})
# The order routes list their methods in (reports, the inventory): reads first.
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", ANY_METHOD)


def changes_state(methods: Iterable[str]) -> bool:
    """Some method is unsafe (RFC 9110 §9.2.1). `*` does not count: see the module docstring."""
    return any(m != ANY_METHOD and m.upper() not in SAFE_METHODS for m in methods)


def submits_content(methods: Iterable[str]) -> bool:
    """Some method carries request content with defined semantics (POST, PUT, PATCH)."""
    return any(m.upper() in SUBMIT_METHODS for m in methods)


def shown_methods(methods: Iterable[str]) -> str:
    """`POST,PUT`: the methods a route's code chose (implicit ones left out), or `ANY`."""
    return ",".join(m for m in methods if m.upper() not in IMPLICIT_METHODS) or "ANY"


def method_rank(method: str) -> int:
    """The position of `method` in METHOD_ORDER; unknown methods sort last."""
    upper = method.upper()
    return METHOD_ORDER.index(upper) if upper in METHOD_ORDER else len(METHOD_ORDER)


@dataclass(frozen=True)
class PathParam:
    """One parameter of a route path template."""

    name: str  # "" for an unnamed regex group
    converter: str  # `int`, `path`, `uuid`; a regex for aiohttp/re_path; "" when none
    start: int  # its span in the template
    end: int


_PARAM = re.compile(
    r"\(\?P<(?P<group>\w+)>(?P<group_re>(?:[^()]|\([^()]*\))*)\)"  # (?P<name>regex)
    r"|<(?:(?P<conv>\w+)(?:\([^)]*\))?:)?(?P<angle>\w+)>"  # <name>, <conv:name>, <conv(a):name>
    r"|\{(?P<brace>[^{}:]*)(?::(?P<spec>(?:[^{}]|\{[^{}]*\})*))?\}"  # {name}, {name:conv}, {}
    r"|\((?P<unnamed>(?:[^()]|\([^()]*\))*)\)"  # (regex)
)


def path_parameters(template: str) -> tuple[PathParam, ...]:
    """The parameters of a route path template, in order, in any supported framework's syntax."""
    found = []
    for m in _PARAM.finditer(template):
        if m.group("group") is not None:
            name, converter = m.group("group"), m.group("group_re")
        elif m.group("angle") is not None:
            name, converter = m.group("angle"), m.group("conv") or ""
        elif m.group("brace") is not None:
            name, converter = m.group("brace"), m.group("spec") or ""
        else:
            name, converter = "", m.group("unnamed")
        found.append(PathParam(name, converter, m.start(), m.end()))
    return tuple(found)


def path_params(template: str) -> frozenset[str]:
    """The names of a route path template's parameters (`/users/<int:uid>` -> {"uid"})."""
    return frozenset(p.name for p in path_parameters(template) if p.name)
