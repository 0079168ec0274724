"""Rate limiting checks on the route inventory."""
