"""The channels a message can come from: every registered adapter, and ``api`` (REST)."""

from enum import StrEnum
from typing import TYPE_CHECKING

from channels import registry

#: Messages posted by integrators over REST have no adapter of their own.
API = "api"

if TYPE_CHECKING:

    class Channel(StrEnum):
        """Statically an open string enum; its members come from the registry at run time."""

else:
    Channel = StrEnum("Channel", [(name, name) for name in (*registry.names(), API)])
