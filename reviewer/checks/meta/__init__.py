"""Native rules, reviewer meta: what could not be reviewed."""
