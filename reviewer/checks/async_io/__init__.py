"""Native rules: blocking calls on the event loop."""
