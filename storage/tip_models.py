"""Tip tables: tips from residents, their photos, the audit log and coordinator-added categories."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class Tip(SQLModel, table=True):
    """One tip about a situation (never a register of named persons); contact links are nullable."""

    __table_args__ = (Index("ix_tip_resident_created", "resident_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, unique=True, max_length=16)
    # Both links become NULL when the tipster uses "forget me" (ON DELETE SET NULL).
    resident_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("resident.id", ondelete="SET NULL"), nullable=True),
    )
    contact_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="SET NULL"), nullable=True),
    )
    area_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("area.id", ondelete="SET NULL"), nullable=True),
    )
    channel: str = Field(max_length=16)
    category: str = Field(max_length=32, index=True)
    text: str = Field(default="", max_length=2000)
    latitude: float | None = None
    longitude: float | None = None
    urgent: bool = False
    may_contact: bool = False
    notify_status: bool = False
    status: str = Field(default="new", max_length=16, index=True)
    forwarded_to: str | None = Field(default=None, max_length=80)
    resolution_note: str | None = Field(default=None, max_length=1000)
    keep_for_stats: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)
    acknowledged_at: datetime | None = None
    forwarded_at: datetime | None = None
    resolved_at: datetime | None = None
    anonymised_at: datetime | None = None


class TipPhoto(SQLModel, table=True):
    """A photo the bot downloaded and keeps under MEDIA_DIR (path relative to it)."""

    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("tip.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    path: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


class TipEvent(SQLModel, table=True):
    """Audit log: who created, viewed, acknowledged, forwarded, resolved or answered a tip."""

    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("tip.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    actor: str = Field(max_length=64)
    action: str = Field(max_length=24)
    detail: str | None = Field(default=None, max_length=2000)
    at: datetime = Field(default_factory=utcnow)


class TipCategory(SQLModel, table=True):
    """A category a coordinator added next to the built-in ones."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=32)
    label_da: str = Field(max_length=80)
    label_en: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
