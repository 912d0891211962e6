"""Web chat: signed visitor session tokens and the widget's message shapes (the REST and
WebSocket endpoints that carry them belong to the API)."""
