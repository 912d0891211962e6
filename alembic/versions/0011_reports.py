"""team KPIs: each team's service-level target, and the indexes the live and interval
reports read (conversations a team was offered, first acceptance, advisors' status history)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_CHANGE = sa.text("type = 'advisor.status_changed'")


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("service_level_seconds", sa.Integer(), nullable=False, server_default="60")
        )
        batch_op.add_column(
            sa.Column("service_level_percent", sa.Integer(), nullable=False, server_default="80")
        )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_team_created", ["queue_team_id", "created_at"])
        batch_op.create_index("ix_conversation_assignee_created", ["assignee_id", "created_at"])
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_conversation_accepted", ["conversation_id", "accepted_at"]
        )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_advisor_status",
            ["advisor_id", "created_at"],
            sqlite_where=STATUS_CHANGE,
            postgresql_where=STATUS_CHANGE,
        )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_advisor_status")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_conversation_accepted")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_assignee_created")
        batch_op.drop_index("ix_conversation_team_created")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("service_level_percent")
        batch_op.drop_column("service_level_seconds")
