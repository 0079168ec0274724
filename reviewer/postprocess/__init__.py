"""From raw findings to the report's findings: normalize, dedupe, suppress, fingerprint."""
