"""Safety walks as a service: which walk is going on, recording observations, the report's data.

Observations come only from participants of a walk in progress: residents invited to it, and
organisers who may look into it (coordinators, representatives of one of its areas).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

import bot.walks.followup_texts  # noqa: F401  (registers the follow-up texts)
from bot.core.actors import Actor, NotAllowed
from bot.core.i18n import t
from bot.events.access import event_areas, may_see_people
from bot.events.timing import EventError
from storage import access
from storage import events as store
from storage import walks as walk_store
from storage.event_models import Event, Observation
from storage.walks import Tally

WALK_KINDS = ("belysning", "beplantning", "laase", "haervaerk", "andet")
WALK_HOURS = 3
# Walkers gather before the start, and some begin early: observations count from this before it.
EARLY = timedelta(minutes=30)
# A walk that started longer ago than this is not looked at, whatever its end.
LOOK_BACK = timedelta(hours=24)


def walk_window(event: Event) -> tuple[datetime, datetime]:
    """Observations count from half an hour before the start until three hours after it (or
    the end, if later)."""
    end = event.starts_at + timedelta(hours=WALK_HOURS)
    if event.ends_at is not None and event.ends_at > end:
        end = event.ends_at
    return event.starts_at - EARLY, end


def in_progress(event: Event, now: datetime) -> bool:
    start, end = walk_window(event)
    return event.cancelled_at is None and start <= now <= end


async def is_participant(*, session: AsyncSession, actor: Actor, event: Event) -> bool:
    """Invited to the walk, or an organiser who may look into it."""
    assert event.id is not None
    if actor.resident_id is not None and await access.holds_invitation(
        session=session, event_id=event.id, resident_id=actor.resident_id
    ):
        return True
    if not actor.is_staff:
        return False
    try:
        _, area_ids = await event_areas(session=session, event_id=event.id)
    except EventError:
        return False
    return may_see_people(actor, area_ids)


async def current_walk(*, session: AsyncSession, actor: Actor, now: datetime) -> Event | None:
    """The walk going on now that the actor takes part in: their own invitation first."""
    started = await store.walks_started_between(
        session=session, start=now - LOOK_BACK, end=now + EARLY
    )
    walks = [e for e in started if in_progress(e, now)]
    if actor.resident_id is not None:
        invited = await store.invited_event_ids(session=session, resident_id=actor.resident_id)
        mine = [e for e in walks if e.id in invited]
        if mine:
            return mine[-1]
    for walk in reversed(walks):
        if await is_participant(session=session, actor=actor, event=walk):
            return walk
    return None


async def walk_for_observation(
    *, session: AsyncSession, actor: Actor, event_id: int, now: datetime
) -> Event:
    """The walk `event_id` when it is in progress and the actor takes part; else NotAllowed."""
    event = await store.get_event(session=session, event_id=event_id)
    allowed = (
        event is not None
        and event.kind == store.WALK_KIND
        and in_progress(event, now)
        and await is_participant(session=session, actor=actor, event=event)
    )
    if not allowed or event is None:
        raise NotAllowed(f"{actor.urn} may not observe on {event_id}", key="walk.not_participant")
    return event


def save_photo(*, media_dir: str, event_id: int, content: bytes) -> str:
    """Keep a walk photo under MEDIA_DIR/walks/EVENT_ID; return its path."""
    folder = Path(media_dir) / "walks" / str(event_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.jpg"
    path.write_bytes(content)
    return str(path)


def delete_photos(paths: list[str]) -> None:
    """Photos of an observation that was discarded before it was saved."""
    for path in paths:
        Path(path).unlink(missing_ok=True)


async def record_observation(
    *,
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    kind: str,
    note: str,
    now: datetime,
    photo_path: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    more_photos: list[str] | None = None,
    place: str = "",
) -> Observation:
    """Save one observation of a walk in progress the actor takes part in (else NotAllowed);
    the note and place are cut to what the table holds, a position off the globe is dropped."""
    await walk_for_observation(session=session, actor=actor, event_id=event_id, now=now)
    if kind not in WALK_KINDS:
        raise ValueError(f"unknown observation kind {kind!r}")
    if not _on_globe(latitude, longitude):
        latitude = longitude = None
    return await store.add_observation(
        session=session,
        observation=Observation(
            event_id=event_id,
            resident_id=actor.resident_id,
            kind=kind,
            note=note.strip()[:2000],
            photo_path=photo_path,
            more_photos=list(more_photos or []),
            place=place.strip()[:300],
            latitude=latitude,
            longitude=longitude,
        ),
    )


def _on_globe(latitude: float | None, longitude: float | None) -> bool:
    if latitude is None or longitude is None:
        return False
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


@dataclass
class WalkReport:
    """What the report shows: the walk, its areas, who took part, observations by kind."""

    event: Event
    areas: list[str]
    participants: int
    observations: list[Observation]
    by_kind: dict[str, list[Observation]] = field(default_factory=dict)

    def photos(self, observation: Observation) -> list[str]:
        """The observation's photos that are still on disk."""
        return [p for p in photos_of(observation) if Path(p).is_file()]

    def number(self, observation: Observation) -> int:
        """The observation's number in the protocol (its place in the order they were sent)."""
        return next(n for n, o in enumerate(self.observations, start=1) if o is observation)


async def build_walk_report(*, session: AsyncSession, event_id: int) -> WalkReport | None:
    """The report's data; participants are those who said yes or sent an observation."""
    event = await store.get_event(session=session, event_id=event_id)
    if event is None:
        return None
    areas = [a.name for a in await store.event_areas(session=session, event_id=event_id)]
    rows = await store.observations_of(session=session, event_id=event_id)
    counts = await store.counts(session=session, event_id=event_id)
    observers = {o.resident_id for o in rows if o.resident_id is not None}
    yes = {
        i.resident_id
        for i in await store.invitations(
            session=session, event_id=event_id, statuses=(store.ATTENDING,)
        )
    }
    report = WalkReport(event, areas, max(len(yes | observers), counts.yes), rows)
    for kind in WALK_KINDS:
        found = [o for o in rows if o.kind == kind]
        if found:
            report.by_kind[kind] = found
    return report


def photos_of(observation: Observation) -> list[str]:
    """The observation's photos, first to last."""
    return [p for p in (observation.photo_path, *(observation.more_photos or [])) if p]


async def followup_counts(
    *, session: AsyncSession, start: datetime, end: datetime, tz: tzinfo = UTC
) -> Tally:
    """For a report of [start, end): observations recorded, fixed and won't fix in it, and the
    open (and overdue) ones as they were at its end, whatever happened since."""
    end_day = end.astimezone(tz).date()
    return await walk_store.tally_between(session=session, start=start, end=end, end_day=end_day)


async def counts_now(*, session: AsyncSession, today: date) -> Tally:
    """Every observation now: open, overdue (deadline before `today`), fixed, won't fix."""
    return await walk_store.tally_now(session=session, today=today)


def followup_line(tally: Tally, lang: str) -> str | None:
    """The monthly report's line on walk observations; None when there were none to tell of."""
    if not (tally.recorded or tally.open or tally.fixed or tally.wont_fix):
        return None
    return t(
        "walk.monthly",
        lang,
        recorded=tally.recorded,
        fixed=tally.fixed,
        wont_fix=tally.wont_fix,
        open=tally.open,
        overdue=tally.overdue,
    )
