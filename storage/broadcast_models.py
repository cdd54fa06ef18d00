"""Outbox tables: broadcasts, one delivery row per address, topic preferences, prevention tips."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class Broadcast(SQLModel, table=True):
    """One message to many: an alert, prevention tip, announcement, or a direct notice to a few URNs."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    topic: str | None = Field(default=None, max_length=16)
    priority: int = Field(default=1)
    text: str
    buttons: list[list[list[str]]] | None = Field(default=None, sa_column=Column(JSON))
    area_ids: list[int] | None = Field(default=None, sa_column=Column(JSON))
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    not_before: datetime | None = None
    respect_quiet: bool = True
    status: str = Field(default="queued", max_length=16, index=True)
    total: int = 0
    dedupe_key: str | None = Field(default=None, unique=True, max_length=64)
    progress_urn: str | None = Field(default=None, max_length=64)
    progress_ref: str | None = Field(default=None, max_length=64)
    finished_at: datetime | None = None
    # A file sent with the text where the channel can (an event's .ics on Telegram).
    attachment_name: str | None = Field(default=None, max_length=128)
    attachment: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Delivery(SQLModel, table=True):
    """One address to reach for one broadcast; the dispatcher claims due rows with a lease."""

    __table_args__ = (
        UniqueConstraint("broadcast_id", "urn"),
        Index("ix_delivery_due", "status", "channel", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("broadcast.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    urn: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    lang: str = Field(default="da", max_length=5)
    priority: int = Field(default=1)
    respect_quiet: bool = True
    status: str = Field(default="queued", max_length=16)
    attempts: int = 0
    due_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    # The leader epoch that claimed the row: only that leader may mark it (fenced delivery).
    claimed_epoch: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    provider_id: str | None = Field(default=None, index=True, max_length=64)
    provider_status: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, max_length=300)
    sent_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class TopicPreference(SQLModel, table=True):
    """A resident's choice for one topic: opted out of alerts, or opted in to the weekly prevention tip."""

    resident_id: int = Field(
        sa_column=Column(Integer, ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True)
    )
    topic: str = Field(primary_key=True, max_length=16)
    enabled: bool
    updated_at: datetime = Field(default_factory=utcnow)


class PreventionTip(SQLModel, table=True):
    """A prevention tip in the library the weekly tip rotates through."""

    id: int | None = Field(default=None, primary_key=True)
    theme: str = Field(default="", max_length=60)
    text: str
    created_at: datetime = Field(default_factory=utcnow)
