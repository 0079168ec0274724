"""Authentication and authorization checks on the route inventory."""
