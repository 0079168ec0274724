"""Native rules: consistent response envelopes."""
