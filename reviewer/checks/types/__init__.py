"""Type annotation checks on handlers and services."""
