"""tickets: pending and closed statuses, notes, tags, reply templates, SLA policies and due
times, satisfaction surveys, full-text search (SQLite FTS5 / PostgreSQL tsvector)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)
OPEN_BEFORE = sa.text("status IN ('waiting', 'offered', 'assigned')")
OPEN_NOW = sa.text("status IN ('waiting', 'offered', 'assigned', 'pending')")

# Full text, both languages at once: a query matches French and English stems alike.
PG_VECTOR = "to_tsvector('english'::regconfig, {text}) || to_tsvector('french'::regconfig, {text})"
MESSAGE_TEXT = "coalesce(subject, '') || ' ' || text"
SQLITE_FTS = [
    # rowid = message id for messages, minus the note id for notes.
    "CREATE VIRTUAL TABLE search_index USING fts5(body, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO search_index(rowid, body) SELECT id, coalesce(subject, '') || ' ' || text "
    "FROM message",
    "CREATE TRIGGER search_message_insert AFTER INSERT ON message BEGIN "
    "INSERT INTO search_index(rowid, body) VALUES (new.id, coalesce(new.subject, '') || ' ' "
    "|| new.text); END",
    "CREATE TRIGGER search_message_update AFTER UPDATE OF text, subject ON message BEGIN "
    "UPDATE search_index SET body = coalesce(new.subject, '') || ' ' || new.text "
    "WHERE rowid = new.id; END",
    "CREATE TRIGGER search_message_delete AFTER DELETE ON message BEGIN "
    "DELETE FROM search_index WHERE rowid = old.id; END",
    "CREATE TRIGGER search_note_insert AFTER INSERT ON note BEGIN "
    "INSERT INTO search_index(rowid, body) VALUES (-new.id, new.text); END",
    "CREATE TRIGGER search_note_update AFTER UPDATE OF text ON note BEGIN "
    "UPDATE search_index SET body = new.text WHERE rowid = -new.id; END",
    "CREATE TRIGGER search_note_delete AFTER DELETE ON note BEGIN "
    "DELETE FROM search_index WHERE rowid = -old.id; END",
]


def upgrade() -> None:
    _sla_policy()
    _conversation()
    _notes_and_tags()
    _reply_template()
    _csat_survey()
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        _postgres_search()


def _sla_policy() -> None:
    op.create_table(
        "sla_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("min_priority", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("first_response_seconds", sa.Integer(), nullable=True),
        sa.Column("resolution_seconds", sa.Integer(), nullable=True),
        sa.Column("warning_ratio", sa.Float(), nullable=False),
        sa.Column("business_hours", JSON, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def _conversation() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_conversation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("first_response_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("pending_since", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("closed_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("status_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("sla_policy_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("first_response_due_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("resolution_due_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("first_response_sla", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("resolution_sla", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("sla_next_check_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("sla_clock", JSON, nullable=True))
        batch_op.create_foreign_key(
            "fk_conversation_previous",
            "conversation",
            ["previous_conversation_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            "fk_conversation_sla_policy",
            "sla_policy",
            ["sla_policy_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_conversation_customer", ["customer_id", "id"])
        batch_op.create_index("ix_conversation_sla_check", ["sla_next_check_at"])
        # A pending conversation is still the customer's open one.
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


def _notes_and_tags() -> None:
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["advisor.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_note_conversation", "note", ["conversation_id", "id"])
    op.create_table(
        "conversation_tag",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["advisor.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("conversation_id", "tag"),
    )
    op.create_index("ix_conversation_tag_tag", "conversation_tag", ["tag", "conversation_id"])


def _reply_template() -> None:
    op.create_table(
        "reply_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("intent", sa.String(length=60), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("variants", JSON, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_reply_template_intent", "reply_template", ["intent"])


def _csat_survey() -> None:
    op.create_table(
        "csat_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("answered_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["advisor_id"], ["advisor.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_csat_team_answered", "csat_survey", ["team_id", "answered_at"])
    op.create_index("ix_csat_conversation", "csat_survey", ["conversation_id", "id"])


def _postgres_search() -> None:
    for table, text in (("message", MESSAGE_TEXT), ("note", "text")):
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({PG_VECTOR.format(text=text)}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_index")  # its triggers go with their tables' rows
        for name in ("message_insert", "message_update", "message_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{name}")
    else:
        op.execute("ALTER TABLE message DROP COLUMN search_vector")
    op.drop_index("ix_csat_conversation", table_name="csat_survey")
    op.drop_index("ix_csat_team_answered", table_name="csat_survey")
    op.drop_table("csat_survey")
    op.drop_index("ix_reply_template_intent", table_name="reply_template")
    op.drop_table("reply_template")
    op.drop_index("ix_conversation_tag_tag", table_name="conversation_tag")
    op.drop_table("conversation_tag")
    op.drop_index("ix_note_conversation", table_name="note")
    op.drop_table("note")
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
        batch_op.drop_index("ix_conversation_sla_check")
        batch_op.drop_index("ix_conversation_customer")
        batch_op.drop_constraint("fk_conversation_sla_policy", type_="foreignkey")
        batch_op.drop_constraint("fk_conversation_previous", type_="foreignkey")
        for column in (
            "sla_clock",
            "sla_next_check_at",
            "resolution_sla",
            "first_response_sla",
            "resolution_due_at",
            "first_response_due_at",
            "sla_policy_id",
            "status_reason",
            "closed_at",
            "pending_since",
            "first_response_at",
            "previous_conversation_id",
        ):
            batch_op.drop_column(column)
    op.drop_table("sla_policy")
