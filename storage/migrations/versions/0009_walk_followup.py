"""walk follow-up: observations get photos, a place, an owner, a deadline, a status and notices

Revision ID: 0009_walk_followup
Revises: 0008_fenced_delivery
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0009_walk_followup"
down_revision = "0008_fenced_delivery"
branch_labels = None
depends_on = None

COLUMNS = (
    "place",
    "more_photos",
    "owner",
    "due_on",
    "status",
    "resolution_note",
    "resolved_at",
    "told_settled_at",
    "told_open_at",
)


def upgrade() -> None:
    with op.batch_alter_table("observation") as table:
        # Observations from before follow-up are open, without owner or deadline.
        table.add_column(
            sa.Column(
                "place",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )
        table.add_column(
            sa.Column("more_photos", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        table.add_column(
            sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        table.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        table.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="open",
            )
        )
        table.add_column(
            sa.Column(
                "resolution_note",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )
        table.add_column(
            sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        table.add_column(
            sa.Column("told_settled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        table.add_column(
            sa.Column("told_open_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_index(op.f("ix_observation_status"), "observation", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_observation_status"), table_name="observation")
    with op.batch_alter_table("observation") as table:
        for name in reversed(COLUMNS):
            table.drop_column(name)
