"""The channels a message can come from."""

from enum import StrEnum


class Channel(StrEnum):
    email = "email"
    chat = "chat"
    messenger = "messenger"
    instagram = "instagram"
    whatsapp = "whatsapp"
    x = "x"
    api = "api"
