"""Native rules: error handling (central handlers, leaked internals, swallowed exceptions)."""
