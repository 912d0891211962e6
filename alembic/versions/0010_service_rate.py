"""a queue's recent service rate (the estimated wait) read by index: assignments by channel
and acceptance time

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 19:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index("ix_assignment_channel_accepted", ["channel", "accepted_at"])


def downgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_channel_accepted")
