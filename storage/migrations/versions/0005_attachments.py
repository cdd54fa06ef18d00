"""broadcast attachments: a file sent with the text where the channel can (an event's .ics)

Revision ID: 0005_attachments
Revises: 0004_events
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005_attachments"
down_revision = "0004_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "attachment_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True
            )
        )
        batch_op.add_column(sa.Column("attachment", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_column("attachment")
        batch_op.drop_column("attachment_name")
