"""Customers and the channel identities (email address, phone, social id) that point to them."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from router.store.types import UTCDateTime, utcnow


# Fields a client may see of a customer.
class CustomerBase(SQLModel):
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, index=True)
    phone: str | None = Field(default=None, max_length=40, index=True)
    tier: str = Field(default="standard", max_length=40)


# The table: one person, whatever channel they write on.
class Customer(CustomerBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set when this record was merged into another one: everything it had moved there.
    merged_into_id: int | None = Field(default=None, foreign_key="customer.id")


# The table: "this sender on this channel is that customer".
class ChannelIdentity(SQLModel, table=True):
    __tablename__ = "channel_identity"
    __table_args__ = (UniqueConstraint("channel", "address", name="uq_identity_channel_address"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    channel: str = Field(max_length=20)
    address: str = Field(max_length=320)
    display_name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Returned by GET /v1/customers/{id}/identities.
class IdentityPublic(SQLModel):
    id: int = Field(description="identity id")
    channel: str = Field(description="channel of this identity")
    address: str = Field(
        description="the customer's address on that channel (e-mail address, phone number, "
        "page-scoped id, handle)"
    )
    display_name: str | None = Field(description="the name shown on that channel; null when none")
    created_at: datetime = Field(description="when it was first seen (UTC)")
