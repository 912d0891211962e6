"""Channel adapters: provider payload -> InboundMessage, OutboundMessage -> provider.

Each adapter is a pure normaliser with injected I/O (see ``channels.adapter``) and registers
itself with ``@channels.registry.register``. ``PACKAGES`` is the single list of channel
packages: each holds an ``adapter`` module and a ``setup`` module (its settings section and
factory, see ``channels.setup``). Adding a channel is adding its sub-package and one line
here; the service derives its channel enum, settings and running adapters from this list.
``channels.registry.load()`` imports them all and fails start-up if one cannot be imported
or registers nothing (a broken channel is never skipped silently).

Importing ``channels`` itself imports no adapter and does no I/O.
"""

PACKAGES: tuple[str, ...] = (
    "channels.email",
    "channels.meta",
    "channels.x",
    "channels.webchat",
)
ADAPTER_MODULES: tuple[str, ...] = tuple(f"{package}.adapter" for package in PACKAGES)
SETUP_MODULES: tuple[str, ...] = tuple(f"{package}.setup" for package in PACKAGES)
