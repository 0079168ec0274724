"""Native rules, one per module; the registry finds them by walking this package."""
