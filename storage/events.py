"""Event, invitation and reminder queries; reminders are claimed atomically so each fires once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.event_models import Event, EventArea, Invitation, Reminder
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
        session.add(EventArea(event_id=event.id, area_id=area_id))  # type: ignore[arg-type]
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
    query = select(Event).order_by(Event.starts_at, Event.id)
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
        .order_by(Area.name)
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
        .order_by(Resident.id, Contact.id)
    )
    found: dict[int, tuple[Resident, list[Contact]]] = {}
    for resident, contact in (await session.exec(query)).all():
        found.setdefault(resident.id, (resident, []))[1].append(contact)  # type: ignore[index]
    return list(found.values())


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
    query = select(Reminder).where(Reminder.event_id == event_id).order_by(Reminder.due_at)
    return list((await session.exec(query)).all())


async def cancel_event(*, session: AsyncSession, event: Event, now: datetime) -> int:
    """Mark the event cancelled and every pending reminder cancelled; return how many."""
    event.cancelled_at = now
    session.add(event)
    result = await session.exec(  # type: ignore[call-overload]
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
    result = await session.exec(  # type: ignore[call-overload]
        update(Reminder)
        .where(col(Reminder.status) == "pending", col(Reminder.due_at) <= now)
        .values(status="sent", fired_at=now)
        .returning(col(Reminder.id))
    )
    ids = [row[0] for row in result.all()]
    if not ids:
        return []
    query = select(Reminder).where(col(Reminder.id).in_(ids)).order_by(Reminder.due_at)
    rows = list((await session.exec(query.execution_options(populate_existing=True))).all())
    return rows


async def attendance_between(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[Event, int]]:
    """Events (not cancelled) that started in [start, end), with how many said yes."""
    query = (
        select(Event)
        .where(Event.starts_at >= start, Event.starts_at < end, col(Event.cancelled_at).is_(None))
        .order_by(Event.starts_at)
    )
    out = []
    for event in (await session.exec(query)).all():
        c = await counts(session=session, event_id=event.id)  # type: ignore[arg-type]
        out.append((event, c.yes))
    return out
