"""Taint-tracked sinks: request data reaching commands, files, URLs, templates, parsers."""
