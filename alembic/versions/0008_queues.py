"""queues advisors pull from: team routing modes (offer_mode folds into routing_mode), claim
limits, the return timer, answered assignments, waiting alerts and abandonment

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)
UNANSWERED = sa.text("answered_at IS NULL AND ended_at IS NULL")
INTENSE_WAITING = sa.text("status = 'waiting' AND intense AND wait_alerted_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("routing_mode", sa.String(10), nullable=False, server_default="push")
        )
        batch_op.add_column(sa.Column("push_limit", sa.Integer, nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("push_after_seconds", sa.Integer, nullable=True))
        batch_op.add_column(sa.Column("pick_limit", sa.Integer, nullable=True))
        batch_op.add_column(sa.Column("return_after_seconds", sa.Integer, nullable=True))
    op.execute("UPDATE team SET routing_mode = 'offer' WHERE offer_mode = 'offer'")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("offer_mode")

    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_at", UTC_DATETIME, nullable=True))
        batch_op.create_index(
            "ix_assignment_unanswered",
            ["accepted_at"],
            sqlite_where=UNANSWERED,
            postgresql_where=UNANSWERED,
        )
    # Live assignments already answered: their advisor replied since they took it.
    op.execute(
        "UPDATE assignment SET answered_at = assigned_at WHERE ended_at IS NULL AND EXISTS ("
        "SELECT 1 FROM message m WHERE m.conversation_id = assignment.conversation_id "
        "AND m.direction = 'outbound' AND m.received_at >= assignment.assigned_at)"
    )

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wait_alerted_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("abandoned_at", UTC_DATETIME, nullable=True))
        batch_op.create_index(
            "ix_conversation_intense_waiting",
            ["waiting_since"],
            sqlite_where=INTENSE_WAITING,
            postgresql_where=INTENSE_WAITING,
        )

    with op.batch_alter_table("routing_config", schema=None) as batch_op:
        for name, kind, default in (
            ("intense_boost_points", sa.Integer, "30"),
            ("intense_wait_alert_seconds", sa.Integer, "180"),
            ("first_message_alert_threshold", sa.Float, "0.85"),
            ("offline_grace_seconds", sa.Integer, "120"),
        ):
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=default))
    # Intense conversations waiting now get the boost: the waiting-room round files again
    # those without a class.
    op.execute("UPDATE conversation SET queue_class = NULL WHERE status = 'waiting' AND intense")


def downgrade() -> None:
    with op.batch_alter_table("routing_config", schema=None) as batch_op:
        for name in (
            "offline_grace_seconds",
            "first_message_alert_threshold",
            "intense_wait_alert_seconds",
            "intense_boost_points",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_intense_waiting")
        batch_op.drop_column("abandoned_at")
        batch_op.drop_column("wait_alerted_at")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_unanswered")
        batch_op.drop_column("answered_at")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("offer_mode", sa.String(10), nullable=False, server_default="auto")
        )
    op.execute("UPDATE team SET offer_mode = 'offer' WHERE routing_mode = 'offer'")
    with op.batch_alter_table("team", schema=None) as batch_op:
        for name in (
            "return_after_seconds",
            "pick_limit",
            "push_after_seconds",
            "push_limit",
            "routing_mode",
        ):
            batch_op.drop_column(name)
