"""The one definition of HTTP methods and route path templates (reviewer/http.py)."""

from __future__ import annotations

import pytest

from reviewer.checks.architecture._handlers import route_label
from reviewer.framework.test_match import path_matches
from reviewer.http import (
    changes_state,
    method_rank,
    path_parameters,
    path_params,
    shown_methods,
    submits_content,
)
from reviewer.route_changes import route_key
from reviewer.service import Route


def test_rfc9110_safe_methods_do_not_change_state() -> None:
    for method in ("GET", "HEAD", "OPTIONS", "TRACE", "get"):
        assert not changes_state([method])
    for method in ("POST", "PUT", "PATCH", "DELETE", "delete", "PROPPATCH"):
        assert changes_state([method])
    assert changes_state(["GET", "POST"])
    assert not changes_state(["*"])  # every method: the caller decides (lookup.writes)


def test_delete_changes_state_but_submits_no_content() -> None:
    """The copies disagreed on DELETE: the route model and DRF guards called it state-changing,
    the rate-limit rule's credential methods left it out. Both were right about different things."""
    assert changes_state(["DELETE"])
    assert not submits_content(["DELETE"])
    assert submits_content(["put"])


def test_method_order_sorts_unknown_methods_last() -> None:
    methods = ["*", "PROPFIND", "DELETE", "GET"]
    assert sorted(methods, key=method_rank) == ["GET", "DELETE", "*", "PROPFIND"]


@pytest.mark.parametrize(
    ("template", "names"),
    [
        ("/users/<uid>", {"uid"}),  # Werkzeug, Django path()
        ("/users/<int:uid>/files/<path:rest>", {"uid", "rest"}),
        ("/pick/<any(a, b):choice>", {"choice"}),  # a converter with arguments
        ("/items/{item_id}", {"item_id"}),  # Starlette, FastAPI, aiohttp
        # the framework copy read `{name:convertor}` as a parameter named after the convertor
        ("/items/{item_id:int}", {"item_id"}),
        (r"/n/{num:\d{3}}", {"num"}),  # aiohttp regex with a quantifier
        (r"^users/(?P<pk>[^/.]+)/$", {"pk"}),  # Django re_path()
        (r"^archive/(\d{4})/$", set()),  # an unnamed group has no name
        ("/health", set()),
    ],
)
def test_path_params_in_every_framework_syntax(template: str, names: set[str]) -> None:
    assert path_params(template) == names


def test_path_parameters_give_converter_and_span() -> None:
    template = "/u/<int(signed=True):uid>/{rest:path}"
    first, second = path_parameters(template)
    assert (first.name, first.converter) == ("uid", "int")
    assert template[first.start : first.end] == "<int(signed=True):uid>"
    assert (second.name, second.converter) == ("rest", "path")


@pytest.mark.parametrize(
    ("template", "tested", "matches"),
    [
        ("/files/{rest:path}", "/files/a/b.txt", True),  # a path convertor spans segments
        ("/files/{name}", "/files/a/b.txt", False),
        (r"^archive/(\d{4})/$", "/archive/2024/", True),
        ("/items/{item_id:int}", "/items/{}", True),
    ],
)
def test_test_requests_match_templates_through_the_one_parser(
    template: str, tested: str, matches: bool
) -> None:
    assert path_matches(template, tested) is matches


def test_implicit_methods_are_left_out_of_every_route_label() -> None:
    """Werkzeug adds HEAD (and Flask OPTIONS) by itself: the label, the architecture rules'
    wording and the PR route comparison all name only the methods the code chose."""
    flask = Route("flask", ("GET", "HEAD", "OPTIONS"), "/x", "view", "app", "app.py", 3)
    only_implicit = Route("flask", ("OPTIONS",), "/y", "opts", "app", "app.py", 9)
    assert shown_methods(flask.methods) == "GET"
    assert flask.label() == "GET /x (view)"
    assert only_implicit.label() == "ANY /y (opts)"
    assert route_label((flask,), "view") == "`view` (GET /x)"
    assert route_key(flask) == (("GET",), "/x")
