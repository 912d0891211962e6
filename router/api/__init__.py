"""HTTP API: thin handlers that validate, call one use case and return a schema."""
