"""SQLModel tables: residents, contact addresses, areas, memberships (and past ones), roles, flow state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC; SQLModel's UTCDateTime stores it the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC)


class Area(SQLModel, table=True):
    """A local area (lokalområde) residents join; polygon as WKT in WGS84 lon/lat."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    key: str = Field(unique=True, index=True, max_length=120)
    postcode: str | None = Field(default=None, index=True, max_length=10)
    polygon_wkt: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Resident(SQLModel, table=True):
    """A person who consented; created only at consent so nothing is kept before it."""

    id: int | None = Field(default=None, primary_key=True)
    display_name: str | None = Field(default=None, max_length=200)
    language: str = Field(default="da", max_length=5)
    consent_at: datetime
    created_at: datetime = Field(default_factory=utcnow)


class Contact(SQLModel, table=True):
    """One address of a resident on one channel (telegram:<id> or tel:<E.164>)."""

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("resident.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    urn: str = Field(unique=True, index=True, max_length=64)
    channel: str = Field(max_length=16)
    stopped_at: datetime | None = None
    blocked_at: datetime | None = None
    invalid_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Membership(SQLModel, table=True):
    """A resident is a neighbour helper in an area."""

    resident_id: int = Field(
        sa_column=Column(Integer, ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True)
    )
    area_id: int = Field(
        sa_column=Column(Integer, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True)
    )
    joined_at: datetime = Field(default_factory=utcnow)


class PastMembership(SQLModel, table=True):
    """A membership that ended when its resident left the area, kept for past months' counts.

    Membership holds only today's helpers; without this a helper who moved to another area in
    December would vanish from November's report. Gone with the resident (/forget) or the area.
    """

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("resident.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    area_id: int = Field(
        sa_column=Column(Integer, ForeignKey("area.id", ondelete="CASCADE"), nullable=False)
    )
    joined_at: datetime
    left_at: datetime = Field(default_factory=utcnow)


class Role(SQLModel, table=True):
    """Coordinator or area representative, keyed by URN so it can exist before registration."""

    __table_args__ = (UniqueConstraint("urn", "role", "area_id"),)

    id: int | None = Field(default=None, primary_key=True)
    urn: str = Field(index=True, max_length=64)
    role: str = Field(max_length=32)
    area_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("area.id", ondelete="CASCADE"), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow)


class FlowState(SQLModel, table=True):
    """Where a multi-step conversation stands, per contact URN, for every channel."""

    urn: str = Field(primary_key=True, max_length=64)
    state: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class InboundSeen(SQLModel, table=True):
    """Provider message ids already handled, so retried webhooks are processed once."""

    key: str = Field(primary_key=True, max_length=128)
    # Indexed: the hourly prune deletes by age.
    seen_at: datetime = Field(default_factory=utcnow, index=True)


class Departure(SQLModel, table=True):
    """Anonymous tally of stops and deletions, so the KPI survives /forget."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    at: datetime = Field(default_factory=utcnow, index=True)
