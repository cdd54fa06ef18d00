"""past memberships: an area a resident left stays in the counts of the months they were in it

Revision ID: 0011_past_membership
Revises: 0010_inbound_seen
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0011_past_membership"
down_revision = "0010_inbound_seen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pastmembership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("left_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pastmembership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pastmembership_resident_id"), ["resident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pastmembership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pastmembership_resident_id"))
    op.drop_table("pastmembership")
