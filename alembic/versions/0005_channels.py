"""channels: outbound messages, originals and attachments, provider receipts, merges

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("advisor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recipient_address", sa.String(length=320), nullable=True))
        batch_op.add_column(
            sa.Column("provider_message_id", sa.String(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("next_attempt_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("last_attempt_at", UTC_DATETIME, nullable=True))
        batch_op.create_foreign_key(
            "fk_message_advisor_id_advisor", "advisor", ["advisor_id"], ["id"]
        )
        batch_op.create_index("ix_message_provider", ["channel", "provider_message_id"])
        batch_op.create_index("ix_message_recipient", ["channel", "recipient_address", "id"])
        batch_op.create_index("ix_message_outbound_due", ["status", "channel", "next_attempt_at"])

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_customer_merged_into_id_customer", "customer", ["merged_into_id"], ["id"]
        )

    op.create_table(
        "message_original",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("omitted", sa.String(length=300), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_table(
        "message_attachment",
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("provider_ref", sa.String(length=200), nullable=True),
        sa.Column("content_id", sa.String(length=300), nullable=True),
        sa.Column("omitted", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_message_attachment_message_id", "message_attachment", ["message_id"], unique=False
    )
    op.create_table(
        "channel_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("provider_event_id", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("recipient_address", sa.String(length=320), nullable=False),
        sa.Column("provider_message_ids", JSON, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=True),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "provider_event_id", name="uq_receipt_channel_event"),
    )


def downgrade() -> None:
    op.drop_table("channel_receipt")
    op.drop_index("ix_message_attachment_message_id", table_name="message_attachment")
    op.drop_table("message_attachment")
    op.drop_table("message_original")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_constraint("fk_customer_merged_into_id_customer", type_="foreignkey")
        batch_op.drop_column("merged_into_id")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_outbound_due")
        batch_op.drop_index("ix_message_recipient")
        batch_op.drop_index("ix_message_provider")
        batch_op.drop_constraint("fk_message_advisor_id_advisor", type_="foreignkey")
        for column in (
            "last_attempt_at",
            "next_attempt_at",
            "attempts",
            "provider_message_id",
            "recipient_address",
            "advisor_id",
            "review_reason",
        ):
            batch_op.drop_column(column)
