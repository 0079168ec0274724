"""Native rules: data access (N+1 queries)."""
