"""Channel adapters: provider payload -> InboundMessage, OutboundMessage -> provider.

Each adapter is a pure normaliser (its outbound HTTP client is injected); adapters arrive
with the channels issue. Until then integrators post normalised messages to /v1/messages.
"""
