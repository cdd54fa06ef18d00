"""Safety walks that lead to fixes: each observation's owner, deadline and outcome, and counts.

Coordinators and representatives of one of the walk's areas follow an observation up (the
same people who may look into the walk); anyone else is refused before anything changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import get_month_names
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.actors import Actor, NotAllowed
from bot.events.access import event_areas, may_see_people
from bot.events.timing import EventError
from storage import events as store
from storage import walks as walk_store
from storage.event_models import Event, Observation
from storage.walks import FIXED, OPEN, STATUSES, WONT_FIX

OWNERS = (
    "kommune_veje",
    "kommune_parker",
    "boligselskab",
    "grundejerforening",
    "politi",
    "andet",
)
__all__ = ["FIXED", "OPEN", "OWNERS", "STATUSES", "WONT_FIX", "FollowupError"]
SETTLED = (FIXED, WONT_FIX)
# The deadline buttons: in one week, two weeks, a month.
DUE_IN_DAYS = (7, 14, 30)
DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%y", "%d/%m/%y")
SHORT_DATE = re.compile(r"^\s*(\d{1,2})\s*[./-]\s*(\d{1,2})\s*\.?\s*$")
# "31. december 2026", "31 dec", "December 31, 2026"
NAMED_DATE = re.compile(
    r"^\s*(?:(\d{1,2})\.?\s+([^\W\d_]+)\.?|([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?)"
    r",?\s*(\d{4})?\s*$"
)
MONTHS = {
    str(name).casefold().rstrip("."): number
    for lang in ("da", "en")
    for width in ("wide", "abbreviated")
    for number, name in get_month_names(width, locale=lang).items()
}


class FollowupError(ValueError):
    """Input that cannot be a follow-up (an unknown owner, a past date); shown to the person."""


@dataclass(frozen=True)
class OpenItem:
    observation: Observation
    walk: Event

    @property
    def id(self) -> int:
        assert self.observation.id is not None
        return self.observation.id


async def _may_follow_up(session: AsyncSession, actor: Actor, event: Event) -> bool:
    if not actor.is_staff or event.id is None:
        return False
    try:
        _, area_ids = await event_areas(session=session, event_id=event.id)
    except EventError:
        return False
    return may_see_people(actor, area_ids)


async def observation_for_followup(
    *, session: AsyncSession, actor: Actor, observation_id: int, lock: bool = False
) -> tuple[Observation, Event]:
    """The observation and its walk, when the actor may follow it up; else NotAllowed."""
    found = await walk_store.get_observation(
        session=session, observation_id=observation_id, lock=lock
    )
    event = await store.get_event(session=session, event_id=found.event_id) if found else None
    if found is None or event is None:
        raise NotAllowed(f"no observation {observation_id}", key="expired_button")
    if not await _may_follow_up(session, actor, event):
        raise NotAllowed(f"{actor.urn} may not follow up observation {observation_id}")
    return found, event


async def open_items(*, session: AsyncSession, actor: Actor, limit: int = 30) -> list[OpenItem]:
    """Open observations the actor may follow up, soonest deadline first; NotAllowed if none may."""
    actor.require(actor.is_staff, "follow-up is for organisers")
    items = []
    for observation, walk in await walk_store.open_observations(session=session, limit=200):
        if await _may_follow_up(session, actor, walk):
            items.append(OpenItem(observation, walk))
    return items[:limit]


async def assign(
    *,
    session: AsyncSession,
    actor: Actor,
    observation_id: int,
    owner: str | None = None,
    due_on: date | None = None,
) -> Observation:
    """Set who fixes the observation and/or by when."""
    if owner is not None and owner not in OWNERS:
        raise FollowupError(f"owner must be one of {', '.join(OWNERS)}")
    observation, _ = await observation_for_followup(
        session=session, actor=actor, observation_id=observation_id, lock=True
    )
    if owner is not None:
        observation.owner = owner
    if due_on is not None:
        observation.due_on = due_on
    return await walk_store.save_observation(session=session, observation=observation)


async def resolve(
    *,
    session: AsyncSession,
    actor: Actor,
    observation_id: int,
    status: str,
    note: str,
    now: datetime,
) -> Observation:
    """Mark the observation fixed or won't fix, with a note; `open` takes it back."""
    if status not in STATUSES:
        raise FollowupError(f"status must be one of {', '.join(STATUSES)}")
    observation, _ = await observation_for_followup(
        session=session, actor=actor, observation_id=observation_id, lock=True
    )
    observation.status = status
    observation.resolution_note = note.strip()[:2000]
    observation.resolved_at = None if status == OPEN else now
    return await walk_store.save_observation(session=session, observation=observation)


def _named(text: str, today: date) -> date | None:
    found = NAMED_DATE.match(text.casefold())
    if not found:
        return None
    day, month = (found[1], found[2]) if found[1] else (found[4], found[3])
    number = MONTHS.get(month.rstrip("."))
    if number is None:
        return None
    year = int(found[5]) if found[5] else today.year
    try:
        when = date(year, number, int(day))
    except ValueError:
        return None
    return when.replace(year=year + 1) if not found[5] and when < today else when


def _short(text: str, today: date) -> date | None:
    found = SHORT_DATE.match(text)
    if not found:
        return None
    try:
        when = date(today.year, int(found[2]), int(found[1]))
    except ValueError:
        return None
    return when.replace(year=today.year + 1) if when < today else when


def parse_due(text: str, today: date) -> date:
    """A deadline as people type it: 31-12-2026, 31/12, 31. december, 31 dec 2026, December 31.

    A date without a year is the next one to come; a date before today is refused.
    """
    cleaned = text.strip()
    found: date | None = None
    for fmt in DATE_FORMATS:
        try:
            found = datetime.strptime(cleaned, fmt).date()
            break
        except ValueError:
            continue
    found = found or _short(cleaned, today) or _named(cleaned, today)
    if found is None:
        raise FollowupError(f"{text!r} is not a date like 31-12-2026")
    if found < today:
        raise FollowupError(f"{found.isoformat()} is in the past")
    return found


def due_in(today: date, days: int) -> date:
    """One of the deadline buttons: a week or two from today, or a month (same day next month)."""
    if days == 30:
        month = today.month % 12 + 1
        year = today.year + (today.month == 12)
        for day in (today.day, 30, 29, 28):
            try:
                return date(year, month, day)
            except ValueError:
                continue
    return today + timedelta(days=days)


def is_overdue(observation: Observation, today: date) -> bool:
    return (
        observation.status == OPEN and observation.due_on is not None and observation.due_on < today
    )
