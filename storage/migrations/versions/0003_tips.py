"""tips from residents: tips, photos, audit log, categories

Revision ID: 0003_tips
Revises: 0002_broadcasts
Create Date: 2026-11-24 18:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0003_tips"
down_revision = "0002_broadcasts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("may_contact", sa.Boolean(), nullable=False),
        sa.Column("notify_status", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("forwarded_to", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("resolution_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("keep_for_stats", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("forwarded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("anonymised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("tip", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_tip_resident_created", ["resident_id", "created_at"], unique=False
        )

    op.create_table(
        "tipphoto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tipphoto", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tipphoto_tip_id"), ["tip_id"], unique=False)

    op.create_table(
        "tipevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tipevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tipevent_tip_id"), ["tip_id"], unique=False)

    op.create_table(
        "tipcategory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("label_da", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("label_en", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("tipcategory")
    with op.batch_alter_table("tipevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tipevent_tip_id"))
    op.drop_table("tipevent")
    with op.batch_alter_table("tipphoto", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tipphoto_tip_id"))
    op.drop_table("tipphoto")
    with op.batch_alter_table("tip", schema=None) as batch_op:
        batch_op.drop_index("ix_tip_resident_created")
        batch_op.drop_index(batch_op.f("ix_tip_created_at"))
        batch_op.drop_index(batch_op.f("ix_tip_status"))
        batch_op.drop_index(batch_op.f("ix_tip_category"))
    op.drop_table("tip")
