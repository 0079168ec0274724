"""GitHub integration: REST client, event context, PR review flow and SARIF upload."""
