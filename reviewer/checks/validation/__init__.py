"""Input validation checks on route handlers."""
