"""X (Twitter) direct messages: Account Activity API webhooks in, API v2 DMs out."""
