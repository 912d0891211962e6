"""routing engine: offers, exclusions, waiting classes, care for advisors, alerts, config

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:00:00

Waiting conversations written before this revision get their queue class from the waiting
room's next round (router.routing.escalation), which files every waiting row without one.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)
OPEN_BEFORE = sa.text("status IN ('waiting', 'assigned')")
OPEN_NOW = sa.text("status IN ('waiting', 'offered', 'assigned')")
PENDING_OFFER = sa.text("accepted_at IS NULL AND ended_at IS NULL")
UNDELIVERED = sa.text("delivered_at IS NULL AND next_attempt_at IS NOT NULL")
META_WINDOW = {"seconds": 86400, "ramp_seconds": 14400, "points": 30}


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("offer_mode", sa.String(length=10), nullable=False, server_default="auto")
        )
        batch_op.add_column(
            sa.Column("offer_timeout_seconds", sa.Integer(), nullable=False, server_default="30")
        )
    with op.batch_alter_table("advisor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_intense_ended_at", UTC_DATETIME, nullable=True))
    _conversation()
    _assignment()
    _exclusions_and_alerts()
    _config()


def _conversation() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emotion", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("emotion_intensity", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("intense", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )
        batch_op.add_column(
            sa.Column("urgency_points", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("handover_note", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("transferred_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("queue_class", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("urgency_due_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(
            sa.Column("emotion_trail", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.drop_index("ix_conversation_queue")
        batch_op.create_index("ix_conversation_waiting", ["status", "waiting_since", "id"])
        batch_op.create_index(
            "ix_conversation_class", ["status", "queue_class", "waiting_since", "id"]
        )
        batch_op.create_index("ix_conversation_urgency", ["status", "urgency_due_at"])
        # An offered conversation is open too: still one open conversation per customer.
        batch_op.drop_index(
            "uq_conversation_open_customer", sqlite_where=OPEN_BEFORE, postgresql_where=OPEN_BEFORE
        )
        batch_op.create_index(
            "uq_conversation_open_customer",
            ["customer_id"],
            unique=True,
            sqlite_where=OPEN_NOW,
            postgresql_where=OPEN_NOW,
        )


def _assignment() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("expires_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(
            sa.Column("intense", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )
        batch_op.create_index("ix_assignment_advisor_assigned", ["advisor_id", "assigned_at"])
        batch_op.create_index(
            "ix_assignment_offer_due",
            ["expires_at"],
            sqlite_where=PENDING_OFFER,
            postgresql_where=PENDING_OFFER,
        )
        batch_op.create_index(
            "ix_assignment_intense",
            ["assigned_at"],
            sqlite_where=sa.text("intense"),
            postgresql_where=sa.text("intense"),
        )
    # Every assignment made so far was accepted when made (there were no offers).
    op.execute("UPDATE assignment SET accepted_at = assigned_at WHERE accepted_at IS NULL")


def _exclusions_and_alerts() -> None:
    op.create_table(
        "routing_exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["advisor_id"], ["advisor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_routing_exclusion_conversation", "routing_exclusion", ["conversation_id", "expires_at"]
    )
    op.create_index(
        "ix_routing_exclusion_advisor", "routing_exclusion", ["advisor_id", "expires_at"]
    )
    op.create_table(
        "alert",
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("delivered_at", UTC_DATETIME, nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["advisor_id"], ["advisor.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["supervisor_id"], ["advisor.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_team", "alert", ["team_id", "id"])
    op.create_index("ix_alert_supervisor", "alert", ["supervisor_id", "id"])
    op.create_index(
        "ix_alert_undelivered",
        "alert",
        ["next_attempt_at"],
        sqlite_where=UNDELIVERED,
        postgresql_where=UNDELIVERED,
    )


def _config() -> None:
    config = op.create_table(
        "routing_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ageing_points_per_minute", sa.Float(), nullable=False),
        sa.Column("reply_windows", JSON, nullable=False),
        sa.Column("intense_emotions", JSON, nullable=False),
        sa.Column("intense_threshold", sa.Float(), nullable=False),
        sa.Column("cooldown_seconds", sa.Integer(), nullable=False),
        sa.Column("max_intense", sa.Integer(), nullable=False),
        sa.Column("anger_messages", sa.Integer(), nullable=False),
        sa.Column("anger_threshold", sa.Float(), nullable=False),
        sa.Column("exclusion_seconds", sa.Integer(), nullable=False),
        sa.Column("day_timezone", sa.String(length=60), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The one row of tunables (router.models.routing.RoutingConfigWrite has the same defaults).
    op.bulk_insert(
        config,
        [
            {
                "id": 1,
                "ageing_points_per_minute": 1.0,
                "reply_windows": dict.fromkeys(("whatsapp", "messenger", "instagram"), META_WINDOW),
                "intense_emotions": ["anger", "frustration"],
                "intense_threshold": 0.6,
                "cooldown_seconds": 600,
                "max_intense": 1,
                "anger_messages": 3,
                "anger_threshold": 0.6,
                "exclusion_seconds": 900,
                "day_timezone": "UTC",
                "updated_at": datetime.now(UTC),
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("routing_config")
    op.drop_index("ix_alert_undelivered", table_name="alert")
    op.drop_index("ix_alert_supervisor", table_name="alert")
    op.drop_index("ix_alert_team", table_name="alert")
    op.drop_table("alert")
    op.drop_index("ix_routing_exclusion_advisor", table_name="routing_exclusion")
    op.drop_index("ix_routing_exclusion_conversation", table_name="routing_exclusion")
    op.drop_table("routing_exclusion")
    op.execute(  # pending offers end: the old schema could not tell them from assignments
        "UPDATE assignment SET ended_at = CURRENT_TIMESTAMP, end_reason = 'downgraded' "
        "WHERE accepted_at IS NULL AND ended_at IS NULL"
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_intense")
        batch_op.drop_index("ix_assignment_offer_due")
        batch_op.drop_index("ix_assignment_advisor_assigned")
        batch_op.drop_column("intense")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("accepted_at")
    # Offered conversations go back to the queue (the old schema has no such status).
    op.execute(
        "UPDATE conversation SET status = 'waiting', assignee_id = NULL WHERE status = 'offered'"
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_conversation_open_customer", sqlite_where=OPEN_NOW, postgresql_where=OPEN_NOW
        )
        batch_op.create_index(
            "uq_conversation_open_customer",
            ["customer_id"],
            unique=True,
            sqlite_where=OPEN_BEFORE,
            postgresql_where=OPEN_BEFORE,
        )
        batch_op.drop_index("ix_conversation_urgency")
        batch_op.drop_index("ix_conversation_class")
        batch_op.drop_index("ix_conversation_waiting")
        batch_op.create_index("ix_conversation_queue", ["status", "priority", "waiting_since"])
        for column in (
            "emotion_trail",
            "urgency_due_at",
            "queue_class",
            "transferred_at",
            "handover_note",
            "urgency_points",
            "intense",
            "emotion_intensity",
            "emotion",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("advisor", schema=None) as batch_op:
        batch_op.drop_column("last_intense_ended_at")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("offer_timeout_seconds")
        batch_op.drop_column("offer_mode")
