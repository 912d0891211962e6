"""Channel adapters: provider payload -> InboundMessage, OutboundMessage -> provider.

Each adapter is a pure normaliser with injected I/O (see ``channels.adapter``) and registers
itself with ``@channels.registry.register``. ``ADAPTER_MODULES`` is the single list of modules
that hold adapters: adding a channel is adding its sub-package and one line here, nothing
outside ``channels/``. ``channels.registry.load()`` imports them all and fails start-up if one
cannot be imported or registers nothing (a broken channel is never skipped silently).

Importing ``channels`` itself imports no adapter and does no I/O.
"""

ADAPTER_MODULES: tuple[str, ...] = (
    "channels.email.adapter",
    "channels.meta.adapter",
    "channels.x.adapter",
    "channels.webchat.adapter",
)
