"""The terminal route table prints names from the reviewed code as written."""

from __future__ import annotations

from reviewer.reporters.routes import render_routes
from reviewer.service import Guard, Route


def test_names_that_look_like_rich_markup_are_printed_as_written() -> None:
    route = Route(
        framework="express",
        methods=("GET",),
        path="/[bold]x[/bold]",
        handler="[red]handler",
        module="app",
        file="app.js",
        line=3,
        auth=(Guard(name="[app.authenticate]", kind="authentication", level="route"),),
    )
    text = render_routes([route], "table")
    assert "[app.authenticate]" in text
    assert "/[bold]x[/bold]" in text
    assert "[red]handler" in text
