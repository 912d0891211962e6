"""assignment.ended_at index: the seats a queue's estimated wait reads (held now, or ended
within the last half hour) without scanning the assignment history

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 02:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_assignment_ended", "assignment", ["ended_at"])


def downgrade() -> None:
    op.drop_index("ix_assignment_ended", table_name="assignment")
