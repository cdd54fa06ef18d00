"""Safety walks as a service: which walk is going on, recording observations, the report's data."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import events as store
from storage.event_models import Event, Observation

WALK_KINDS = ("belysning", "beplantning", "laase", "haervaerk", "andet")
WALK_HOURS = 3
# A walk that started longer ago than this is not looked at, whatever its end.
LOOK_BACK = timedelta(hours=24)


def walk_window(event: Event) -> tuple[datetime, datetime]:
    """Observations count from the start until three hours after it (or the end, if later)."""
    end = event.starts_at + timedelta(hours=WALK_HOURS)
    if event.ends_at is not None and event.ends_at > end:
        end = event.ends_at
    return event.starts_at, end


async def current_walk(
    *,
    session: AsyncSession,
    resident_id: int | None,
    now: datetime,
    may_organise: Callable[[], Awaitable[bool]],
) -> Event | None:
    """The walk going on now that this person was invited to (any walk for organisers).

    `may_organise` is asked only when no walk of their own is going on.
    """
    started = await store.walks_started_between(session=session, start=now - LOOK_BACK, end=now)
    walks = [e for e in started if walk_window(e)[1] >= now]
    if resident_id is not None:
        invited = await store.invited_event_ids(session=session, resident_id=resident_id)
        mine = [e for e in walks if e.id in invited]
        if mine:
            return mine[-1]
    if walks and await may_organise():
        return walks[-1]
    return None


def save_photo(*, media_dir: str, event_id: int, content: bytes) -> str:
    """Keep a walk photo under MEDIA_DIR/walks/EVENT_ID; return its path."""
    folder = Path(media_dir) / "walks" / str(event_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.jpg"
    path.write_bytes(content)
    return str(path)


async def record_observation(
    *,
    session: AsyncSession,
    event_id: int,
    resident_id: int | None,
    kind: str,
    note: str,
    photo_path: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Observation:
    """Save one observation of a walk (the note is cut to what the table holds)."""
    return await store.add_observation(
        session=session,
        observation=Observation(
            event_id=event_id,
            resident_id=resident_id,
            kind=kind,
            note=note.strip()[:2000],
            photo_path=photo_path,
            latitude=latitude,
            longitude=longitude,
        ),
    )


@dataclass
class WalkReport:
    """What the report shows: the walk, its areas, who took part, observations by kind."""

    event: Event
    areas: list[str]
    participants: int
    observations: list[Observation]
    by_kind: dict[str, list[Observation]] = field(default_factory=dict)


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
