"""inbound seen: index on seen_at, so the hourly prune of old idempotency keys stays cheap

Revision ID: 0010_inbound_seen
Revises: 0009_walk_followup
"""

from __future__ import annotations

from alembic import op

revision = "0010_inbound_seen"
down_revision = "0009_walk_followup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inboundseen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inboundseen_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inboundseen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inboundseen_seen_at"))
