"""Event, invitation, reminder and walk-observation queries; reminders are claimed atomically."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.broadcast_models import Delivery, TopicPreference
from storage.event_models import (
    AnswerTally,
    Event,
    EventArea,
    Invitation,
    Observation,
    Reminder,
)
from storage.models import Area, Contact, Membership, Resident

ATTENDING = "yes"
DECLINED = "no"
WAITING = "waiting"
INVITED = "invited"


@dataclass(frozen=True)
class Counts:
    invited: int
    yes: int
    no: int
    waiting: int
    unanswered: int


async def create_event(*, session: AsyncSession, event: Event, area_ids: list[int]) -> Event:
    session.add(event)
    await session.flush()
    for area_id in dict.fromkeys(area_ids):
        assert event.id is not None
        session.add(EventArea(event_id=event.id, area_id=area_id))
    await session.flush()
    return event


async def get_event(*, session: AsyncSession, event_id: int, lock: bool = False) -> Event | None:
    query = select(Event).where(Event.id == event_id)
    if lock:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def list_events(
    *, session: AsyncSession, since: datetime | None = None, until: datetime | None = None
) -> list[Event]:
    query = select(Event).order_by(col(Event.starts_at), col(Event.id))
    if since is not None:
        query = query.where(Event.starts_at >= since)
    if until is not None:
        query = query.where(Event.starts_at < until)
    return list((await session.exec(query)).all())


async def event_areas(*, session: AsyncSession, event_id: int) -> list[Area]:
    query = (
        select(Area)
        .join(EventArea, col(EventArea.area_id) == col(Area.id))
        .where(EventArea.event_id == event_id)
        .order_by(col(Area.name))
    )
    return list((await session.exec(query)).all())


async def residents_in(
    *, session: AsyncSession, area_ids: list[int] | None
) -> list[tuple[Resident, list[Contact]]]:
    """Residents of the areas (None: every area) with their contacts that still receive."""
    members = select(Membership.resident_id)
    if area_ids is not None:
        members = members.where(col(Membership.area_id).in_(area_ids))
    query = (
        select(Resident, Contact)
        .join(Contact, col(Contact.resident_id) == col(Resident.id))
        .where(
            col(Resident.id).in_(members),
            col(Contact.stopped_at).is_(None),
            col(Contact.blocked_at).is_(None),
            col(Contact.invalid_at).is_(None),
        )
        .order_by(col(Resident.id), col(Contact.id))
    )
    found: dict[int, tuple[Resident, list[Contact]]] = {}
    for resident, contact in (await session.exec(query)).all():
        assert resident.id is not None
        found.setdefault(resident.id, (resident, []))[1].append(contact)
    return list(found.values())


async def opted_out(*, session: AsyncSession, resident_ids: list[int], topic: str) -> set[int]:
    """Those of `resident_ids` who turned an opt-out topic off."""
    if not resident_ids:
        return set()
    query = select(TopicPreference.resident_id).where(
        col(TopicPreference.resident_id).in_(resident_ids),
        col(TopicPreference.topic) == topic,
        col(TopicPreference.enabled).is_(False),
    )
    return set((await session.exec(query)).all())


async def add_invitation(
    *, session: AsyncSession, event_id: int, resident_id: int, urn: str
) -> Invitation:
    row = Invitation(event_id=event_id, resident_id=resident_id, urn=urn)
    session.add(row)
    await session.flush()
    return row


async def invitations(
    *, session: AsyncSession, event_id: int, statuses: tuple[str, ...] | None = None
) -> list[Invitation]:
    query = select(Invitation).where(Invitation.event_id == event_id)
    if statuses is not None:
        query = query.where(col(Invitation.status).in_(statuses))
    query = query.order_by(col(Invitation.answered_at), col(Invitation.id))
    return list((await session.exec(query)).all())


async def invitation_of(
    *, session: AsyncSession, event_id: int, resident_id: int
) -> Invitation | None:
    query = select(Invitation).where(
        Invitation.event_id == event_id, Invitation.resident_id == resident_id
    )
    return (await session.exec(query)).first()


async def open_invitations(
    *, session: AsyncSession, resident_id: int, now: datetime
) -> list[tuple[Invitation, Event]]:
    """Invitations of a resident to events not cancelled and not begun, newest first."""
    query = (
        select(Invitation, Event)
        .join(Event, col(Event.id) == col(Invitation.event_id))
        .where(
            Invitation.resident_id == resident_id,
            col(Event.cancelled_at).is_(None),
            Event.starts_at > now,
        )
        .order_by(col(Invitation.invited_at).desc(), col(Invitation.id).desc())
    )
    return [(i, e) for i, e in (await session.exec(query)).all()]


async def counts(*, session: AsyncSession, event_id: int) -> Counts:
    query = (
        select(Invitation.status, func.count())
        .where(Invitation.event_id == event_id)
        .group_by(Invitation.status)
    )
    by = {status: int(n) for status, n in (await session.exec(query)).all()}
    # Answers of people who asked to be forgotten still count.
    kept = select(AnswerTally).where(AnswerTally.event_id == event_id)
    for tally in (await session.exec(kept)).all():
        by[tally.status] = by.get(tally.status, 0) + tally.count
    return Counts(
        invited=sum(by.values()),
        yes=by.get(ATTENDING, 0),
        no=by.get(DECLINED, 0),
        waiting=by.get(WAITING, 0),
        unanswered=by.get(INVITED, 0),
    )


async def save(*, session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def add_reminder(
    *, session: AsyncSession, event_id: int, offset_minutes: int, audience: str, due_at: datetime
) -> Reminder:
    row = Reminder(
        event_id=event_id, offset_minutes=offset_minutes, audience=audience, due_at=due_at
    )
    session.add(row)
    await session.flush()
    return row


async def reminders_of(*, session: AsyncSession, event_id: int) -> list[Reminder]:
    query = select(Reminder).where(Reminder.event_id == event_id).order_by(col(Reminder.due_at))
    return list((await session.exec(query)).all())


async def cancel_event(*, session: AsyncSession, event: Event, now: datetime) -> int:
    """Mark the event cancelled and every pending reminder cancelled; return how many."""
    event.cancelled_at = now
    session.add(event)
    result = await session.exec(
        update(Reminder)
        .where(col(Reminder.event_id) == event.id, col(Reminder.status) == "pending")
        .values(status="cancelled")
    )
    await session.flush()
    return int(result.rowcount or 0)


async def claim_due_reminders(*, session: AsyncSession, now: datetime) -> list[Reminder]:
    """Atomically move due pending reminders to `sent` and return them.

    The conditional UPDATE is the claim: on PostgreSQL a concurrent transaction blocks on the
    row lock and then finds status no longer pending; on SQLite writers are serialised. Because
    the caller enqueues the messages in this same transaction, a crash rolls back both.
    """
    result = await session.exec(
        update(Reminder)
        .where(col(Reminder.status) == "pending", col(Reminder.due_at) <= now)
        .values(status="sent", fired_at=now)
        .returning(col(Reminder.id))
    )
    ids = [row[0] for row in result.all()]
    if not ids:
        return []
    query = select(Reminder).where(col(Reminder.id).in_(ids)).order_by(col(Reminder.due_at))
    rows = list((await session.exec(query.execution_options(populate_existing=True))).all())
    return rows


async def attendance_between(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[Event, int]]:
    """Events (not cancelled) that started in [start, end), with how many said yes."""
    query = (
        select(Event)
        .where(Event.starts_at >= start, Event.starts_at < end, col(Event.cancelled_at).is_(None))
        .order_by(col(Event.starts_at))
    )
    out = []
    for event in (await session.exec(query)).all():
        assert event.id is not None
        c = await counts(session=session, event_id=event.id)
        out.append((event, c.yes))
    return out


async def channels_of(*, session: AsyncSession, urns: list[str]) -> dict[str, str]:
    """Address -> channel, for the addresses that have a contact row."""
    if not urns:
        return {}
    query = select(Contact.urn, Contact.channel).where(col(Contact.urn).in_(urns))
    return dict((await session.exec(query)).all())


async def languages_of(*, session: AsyncSession, resident_ids: list[int]) -> dict[int, str]:
    """Resident id -> chosen language."""
    if not resident_ids:
        return {}
    query = select(Resident.id, Resident.language).where(col(Resident.id).in_(resident_ids))
    return {rid: lang for rid, lang in (await session.exec(query)).all() if rid is not None}


async def delivered_urns(*, session: AsyncSession, broadcast_ids: list[int]) -> list[str]:
    """The addresses the outbox wrote a delivery row for (reachable ones only)."""
    if not broadcast_ids:
        return []
    query = select(Delivery.urn).where(col(Delivery.broadcast_id).in_(broadcast_ids))
    return list((await session.exec(query)).all())


async def attendee_names(*, session: AsyncSession, event_id: int) -> list[str]:
    """Names of those coming who agreed to be listed, alphabetically."""
    query = (
        select(Resident.display_name)
        .join(Invitation, col(Invitation.resident_id) == col(Resident.id))
        .where(
            Invitation.event_id == event_id,
            Invitation.status == ATTENDING,
            col(Invitation.share_name).is_(True),
        )
        .order_by(col(Resident.display_name))
    )
    return [n for n in (await session.exec(query)).all() if n]


# --- safety walks --------------------------------------------------------------------------------

WALK_KIND = "tryghedsvandring"


async def walks_started_between(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[Event]:
    """Safety walks, not cancelled, that started after `start` and no later than `end`."""
    query = (
        select(Event)
        .where(
            Event.kind == WALK_KIND,
            col(Event.cancelled_at).is_(None),
            Event.starts_at <= end,
            Event.starts_at > start,
        )
        .order_by(col(Event.id))
    )
    return list((await session.exec(query)).all())


async def invited_event_ids(*, session: AsyncSession, resident_id: int) -> set[int]:
    query = select(Invitation.event_id).where(Invitation.resident_id == resident_id)
    return set((await session.exec(query)).all())


async def add_observation(*, session: AsyncSession, observation: Observation) -> Observation:
    session.add(observation)
    await session.flush()
    return observation


async def observations_of(*, session: AsyncSession, event_id: int) -> list[Observation]:
    """A walk's observations in the order they were sent."""
    query = (
        select(Observation)
        .where(Observation.event_id == event_id)
        .order_by(col(Observation.created_at))
    )
    return list((await session.exec(query)).all())


# --- what a resident left here, and forgetting it ------------------------------------------------


async def answers_of(*, session: AsyncSession, resident_id: int) -> list[tuple[Invitation, Event]]:
    """Every invitation of the resident with its event, soonest event first."""
    query = (
        select(Invitation, Event)
        .join(Event, col(Event.id) == col(Invitation.event_id))
        .where(Invitation.resident_id == resident_id)
        .order_by(col(Event.starts_at), col(Event.id))
    )
    return [(i, e) for i, e in (await session.exec(query)).all()]


async def observations_by(*, session: AsyncSession, resident_id: int) -> list[Observation]:
    query = (
        select(Observation)
        .where(Observation.resident_id == resident_id)
        .order_by(col(Observation.created_at), col(Observation.id))
    )
    return list((await session.exec(query)).all())


async def forget_invitee(*, session: AsyncSession, resident_id: int, now: datetime) -> int:
    """Delete the resident's invitations; answers to events that have begun stay as counts.

    An event still to come loses the answer: nobody can reach the person or expect them there.
    Returns how many answers were kept as counts.
    """
    kept = 0
    for invitation, event in await answers_of(session=session, resident_id=resident_id):
        if event.starts_at <= now:
            tally = await session.get(AnswerTally, (invitation.event_id, invitation.status))
            if tally is None:
                tally = AnswerTally(event_id=invitation.event_id, status=invitation.status)
            tally.count += 1
            session.add(tally)
            kept += 1
    await session.exec(delete(Invitation).where(col(Invitation.resident_id) == resident_id))
    await session.flush()
    return kept


async def forget_observer(
    *, session: AsyncSession, resident_id: int, scrub: Callable[[str], str]
) -> list[str]:
    """Keep the resident's observations without them: no link, no photo, the note scrubbed.

    Returns the paths of the photos to delete once the rows are gone.
    """
    photos = []
    for row in await observations_by(session=session, resident_id=resident_id):
        photos += [p for p in (row.photo_path, *(row.more_photos or [])) if p]
        row.resident_id, row.photo_path, row.more_photos = None, None, []
        row.note, row.place = scrub(row.note), scrub(row.place)
        session.add(row)
    await session.flush()
    return photos


async def forget_organiser(*, session: AsyncSession, urns: list[str]) -> None:
    """Events these addresses created no longer say who created them."""
    if urns:
        await session.exec(
            update(Event).where(col(Event.created_by).in_(urns)).values(created_by=None)
        )
