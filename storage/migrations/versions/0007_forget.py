"""answer tallies: answers of forgotten invitees kept as counts per event and answer

Revision ID: 0007_forget
Revises: 0006_dashboard
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007_forget"
down_revision = "0006_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answertally",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id", "status"),
    )


def downgrade() -> None:
    op.drop_table("answertally")
