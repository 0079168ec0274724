"""Native rules: logging (sensitive data, print in server code)."""
