"""Native rules: tests that exercise the routes."""
