"""Native rules of this category, one per module."""
