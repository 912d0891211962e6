"""Adapters by channel name: ``register`` (a class decorator) and ``get``; the packages'
set-ups (settings section and factory) with ``setups``.

The adapters carry their channel names themselves and this registry is the only list: the
service's ``Channel`` enum (``router.models.channels``) is made from ``names()``, its
settings check their sections against ``setups()``, and its running adapters are built by
the set-ups' factories.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TypeVar, cast

import channels
from channels.adapter import ChannelAdapter
from channels.errors import AdapterLoadError, UnknownChannel
from channels.setup import Setup

A = TypeVar("A", bound=type[ChannelAdapter])


class Registry:
    """Channel name -> adapter class, filled by importing the adapter modules."""

    def __init__(self, modules: Iterable[str], setups: Iterable[str] = ()) -> None:
        self._modules = tuple(modules)
        self._setup_modules = tuple(setups)
        self._adapters: dict[str, type[ChannelAdapter]] = {}
        self._loaded = False

    def register(self, adapter: A) -> A:
        name = getattr(adapter, "channel", None)
        if not isinstance(name, str) or not name:
            raise AdapterLoadError(f"{adapter.__qualname__} has no channel name")
        known = self._adapters.get(name)
        if known is not None and known is not adapter:
            raise AdapterLoadError(
                f"channel {name!r} registered twice: {known.__qualname__}"
                f" and {adapter.__qualname__}"
            )
        self._adapters[name] = adapter
        return adapter

    def load(self) -> None:
        """Import every adapter module; any failure stops start-up with the module named."""
        if self._loaded:
            return
        for module in self._modules:
            try:
                importlib.import_module(module)
            except Exception as exc:  # any import failure must name the module
                raise AdapterLoadError(f"channel module {module} failed to import: {exc}") from exc
            if not any(a.__module__ == module for a in self._adapters.values()):
                raise AdapterLoadError(f"channel module {module} registered no adapter")
        self._loaded = True

    def get(self, name: str) -> type[ChannelAdapter]:
        self.load()
        try:
            return self._adapters[name]
        except KeyError:
            raise UnknownChannel(
                f"no adapter for channel {name!r}; known: {', '.join(self.names())}"
            ) from None

    def names(self) -> tuple[str, ...]:
        self.load()
        return tuple(sorted(self._adapters))

    def setups(self) -> tuple[Setup, ...]:
        """Each channel package's set-up module; a missing one stops start-up, named."""
        found = []
        for module in self._setup_modules:
            try:
                setup = importlib.import_module(module)
            except Exception as exc:  # any import failure must name the module
                raise AdapterLoadError(f"channel module {module} failed to import: {exc}") from exc
            if not hasattr(setup, "SECTION") or not callable(getattr(setup, "wire", None)):
                raise AdapterLoadError(f"channel module {module} declares no SECTION and wire()")
            found.append(cast(Setup, setup))
        return tuple(found)


#: The registry of this process, over ``channels.PACKAGES``.
default = Registry(channels.ADAPTER_MODULES, channels.SETUP_MODULES)
register = default.register
load = default.load
get = default.get
names = default.names
setups = default.setups
