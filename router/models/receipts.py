"""Provider delivery and read receipts about the messages we sent."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from router.store.types import JSONType, UTCDateTime, empty_dict, empty_list, utcnow


# The table: one receipt, stored once however often the provider retries its webhook.
class ChannelReceipt(SQLModel, table=True):
    __tablename__ = "channel_receipt"
    __table_args__ = (
        UniqueConstraint("channel", "provider_event_id", name="uq_receipt_channel_event"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    provider_event_id: str = Field(max_length=200)
    state: str = Field(max_length=20)  # channels.base.DeliveryState
    recipient_address: str = Field(max_length=320)
    provider_message_ids: list[str] = Field(default_factory=empty_list, sa_type=JSONType)
    # The outbound message it was applied to (None: not ours, or not found).
    message_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("message.id", ondelete="SET NULL"), nullable=True),
    )
    at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    detail: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSONType)
