"""dashboard tokens: one-time login links and browser sessions for coordinators, as hashes

Revision ID: 0006_dashboard
Revises: 0005_attachments
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006_dashboard"
down_revision = "0005_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboardtoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("urn", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dashboardtoken_token_hash", "dashboardtoken", ["token_hash"], unique=True)
    op.create_index("ix_dashboardtoken_urn", "dashboardtoken", ["urn"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dashboardtoken_urn", table_name="dashboardtoken")
    op.drop_index("ix_dashboardtoken_token_hash", table_name="dashboardtoken")
    op.drop_table("dashboardtoken")
