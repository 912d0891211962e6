"""returns and abandonment: when a web chat visitor left their waiting conversation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)
VISITOR_LEFT = sa.text("status = 'waiting' AND visitor_left_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visitor_left_at", UTC_DATETIME, nullable=True))
        batch_op.create_index(
            "ix_conversation_visitor_left",
            ["visitor_left_at"],
            sqlite_where=VISITOR_LEFT,
            postgresql_where=VISITOR_LEFT,
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_visitor_left")
        batch_op.drop_column("visitor_left_at")
