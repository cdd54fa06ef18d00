"""Tables for events, invitations, answer tallies, reminders, walk observations and burglaries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow

KINDS = ("borgermøde", "miniborgermøde", "tryghedsvandring", "tryghedsdag", "andet")


class Event(SQLModel, table=True):
    """A gathering residents are invited to; times are stored in UTC, shown in TIMEZONE."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    starts_at: datetime = Field(index=True)
    ends_at: datetime | None = None
    place: str = Field(max_length=300)
    description: str = Field(default="", max_length=2000)
    capacity: int | None = None
    all_areas: bool = False
    reminders: str = Field(default="7d,1d,2h", max_length=200)
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None


class EventArea(SQLModel, table=True):
    """An area whose neighbour helpers are invited to an event."""

    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    )
    area_id: int = Field(
        sa_column=Column(Integer, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True)
    )


class Invitation(SQLModel, table=True):
    """One resident invited to one event, at one address, and their answer."""

    __table_args__ = (UniqueConstraint("event_id", "resident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("event.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    resident_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("resident.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    urn: str = Field(index=True, max_length=64)
    # invited (no answer yet), yes, no, waiting (said yes while the event was full)
    status: str = Field(default="invited", max_length=16)
    share_name: bool = False  # consented to appear on the attendee list the organisers see
    invited_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None


class AnswerTally(SQLModel, table=True):
    """Answers of invitees who have since been forgotten, kept only as counts per event."""

    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    )
    status: str = Field(primary_key=True, max_length=16)
    count: int = 0


class Reminder(SQLModel, table=True):
    """A reminder due at an exact moment; `status` moves pending -> sent|skipped|cancelled once."""

    __table_args__ = (UniqueConstraint("event_id", "offset_minutes"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("event.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    offset_minutes: int
    audience: str = Field(max_length=16)  # "unanswered" or "attending"
    due_at: datetime = Field(index=True)
    status: str = Field(default="pending", index=True, max_length=16)
    fired_at: datetime | None = None
    recipients: int = 0


class Observation(SQLModel, table=True):
    """Something noticed on a safety walk, and its follow-up.

    A kind, a note, photos (the first in `photo_path`, any more in `more_photos`), a position or
    a place in words; then who fixes it (`owner`, a key), by when (`due_on`, a local date), and
    the outcome: `status` open -> fixed | wont_fix with a note. `told_settled_at` and
    `told_open_at` record that the walkers were told (all settled / still open at the deadline),
    so each message goes once.
    """

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("event.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    resident_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("resident.id", ondelete="SET NULL"), index=True, nullable=True
        ),
    )
    kind: str = Field(max_length=32)
    note: str = Field(default="", max_length=2000)
    photo_path: str | None = Field(default=None, max_length=500)
    latitude: float | None = None
    longitude: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    place: str = Field(default="", max_length=300)
    more_photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    owner: str | None = Field(default=None, max_length=32)
    due_on: date | None = None
    status: str = Field(default="open", index=True, max_length=16)
    resolution_note: str = Field(default="", max_length=2000)
    resolved_at: datetime | None = None
    told_settled_at: datetime | None = None
    told_open_at: datetime | None = None


class Burglary(SQLModel, table=True):
    """One reported burglary (from police figures), counted per area and month."""

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    area_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("area.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    address: str | None = Field(default=None, max_length=300)
    kind: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
