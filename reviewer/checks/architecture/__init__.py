"""Native rules: layered architecture (thin controllers, module size)."""
