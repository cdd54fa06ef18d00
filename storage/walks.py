"""Safety-walk follow-up queries: observations by id and status, counts, and the walkers to tell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import and_, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.event_models import Event, Invitation, Observation
from storage.models import Contact, Resident

OPEN, FIXED, WONT_FIX = "open", "fixed", "wont_fix"
STATUSES = (OPEN, FIXED, WONT_FIX)
ATTENDING = "yes"


@dataclass(frozen=True)
class Tally:
    """Observations by outcome; `overdue` are the open ones past their deadline."""

    open: int = 0
    overdue: int = 0
    fixed: int = 0
    wont_fix: int = 0
    recorded: int = 0  # in a period: recorded in it (0 when counting everything now)


async def get_observation(
    *, session: AsyncSession, observation_id: int, lock: bool = False
) -> Observation | None:
    query = select(Observation).where(Observation.id == observation_id)
    if lock:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def save_observation(*, session: AsyncSession, observation: Observation) -> Observation:
    session.add(observation)
    await session.flush()
    return observation


async def open_observations(
    *, session: AsyncSession, limit: int = 50
) -> list[tuple[Observation, Event]]:
    """Open observations with their walk: soonest deadline first, those without one last."""
    query = (
        select(Observation, Event)
        .join(Event, col(Event.id) == col(Observation.event_id))
        .where(Observation.status == OPEN)
        .order_by(
            col(Observation.due_on).is_(None),
            col(Observation.due_on),
            col(Observation.created_at),
            col(Observation.id),
        )
        .limit(limit)
    )
    return [(o, e) for o, e in (await session.exec(query)).all()]


async def tally_now(*, session: AsyncSession, today: date) -> Tally:
    """Every observation by status, and the open ones whose deadline was before `today`."""
    query = select(Observation.status, func.count()).group_by(Observation.status)
    by = {status: int(n) for status, n in (await session.exec(query)).all()}
    overdue = select(func.count()).where(
        Observation.status == OPEN, col(Observation.due_on) < today
    )
    return Tally(
        open=by.get(OPEN, 0),
        overdue=int((await session.exec(overdue)).one()),
        fixed=by.get(FIXED, 0),
        wont_fix=by.get(WONT_FIX, 0),
    )


async def tally_between(
    *, session: AsyncSession, start: datetime, end: datetime, end_day: date
) -> Tally:
    """A period [start, end) as it was: recorded and settled in it, open (and overdue) at its end.

    Open at the end means recorded before the end and not settled before it, whatever happened
    after; overdue at the end means that, with a deadline before `end_day`.
    """

    async def count(*conditions: object) -> int:
        query = select(func.count()).select_from(Observation).where(*conditions)  # type: ignore[arg-type]
        return int((await session.exec(query)).one())

    open_at_end = and_(
        col(Observation.created_at) < end,
        or_(col(Observation.resolved_at).is_(None), col(Observation.resolved_at) >= end),
    )
    settled_in = and_(col(Observation.resolved_at) >= start, col(Observation.resolved_at) < end)
    return Tally(
        open=await count(open_at_end),
        overdue=await count(open_at_end, col(Observation.due_on) < end_day),
        fixed=await count(settled_in, Observation.status == FIXED),
        wont_fix=await count(settled_in, Observation.status == WONT_FIX),
        recorded=await count(
            col(Observation.created_at) >= start, col(Observation.created_at) < end
        ),
    )


async def walks_settled_untold(*, session: AsyncSession) -> list[int]:
    """Walks whose observations are all settled, with some not yet told to the walkers."""
    untold = select(Observation.event_id).where(col(Observation.told_settled_at).is_(None))
    still_open = select(Observation.event_id).where(Observation.status == OPEN)
    query = (
        select(Observation.event_id)
        .where(col(Observation.event_id).in_(untold), col(Observation.event_id).not_in(still_open))
        .distinct()
        .order_by(col(Observation.event_id))
    )
    return list((await session.exec(query)).all())


async def walks_past_deadline_untold(*, session: AsyncSession, today: date) -> list[int]:
    """Walks with something still open after their latest deadline (before `today`), not told."""
    untold_open = select(Observation.event_id).where(
        Observation.status == OPEN, col(Observation.told_open_at).is_(None)
    )
    query = (
        select(Observation.event_id)
        .where(col(Observation.event_id).in_(untold_open))
        .group_by(col(Observation.event_id))
        .having(func.max(Observation.due_on) < today)
        .order_by(col(Observation.event_id))
    )
    return list((await session.exec(query)).all())


async def claim_told(
    *, session: AsyncSession, event_id: int, what: Literal["settled", "open"], now: datetime
) -> int:
    """Mark the walk's observations as told (all settled, or still open at the deadline).

    The conditional UPDATE is the claim, as for reminders: of two leaders only one finds rows
    still untold; the caller queues the message in the same transaction. Returns how many rows.
    """
    column = Observation.told_settled_at if what == "settled" else Observation.told_open_at
    result = await session.exec(
        update(Observation)
        .where(col(Observation.event_id) == event_id, col(column).is_(None))
        .values({column: now})
        .returning(col(Observation.id))
    )
    return len(result.all())


async def observations_of(*, session: AsyncSession, event_id: int) -> list[Observation]:
    query = (
        select(Observation)
        .where(Observation.event_id == event_id)
        .order_by(col(Observation.created_at), col(Observation.id))
    )
    return list((await session.exec(query)).all())


async def walkers(*, session: AsyncSession, event_id: int) -> list[tuple[str, str, str]]:
    """(address, channel, language) of each who said yes to the walk or sent an observation.

    One address per person: the one they were invited at, else their first that still receives.
    """
    yes = select(Invitation.resident_id).where(
        Invitation.event_id == event_id, Invitation.status == ATTENDING
    )
    observed = select(Observation.resident_id).where(
        Observation.event_id == event_id, col(Observation.resident_id).is_not(None)
    )
    query = (
        select(Contact, Resident.language, Invitation.urn)
        .join(Resident, col(Resident.id) == col(Contact.resident_id))
        .outerjoin(
            Invitation,
            and_(
                col(Invitation.event_id) == event_id,
                col(Invitation.resident_id) == col(Contact.resident_id),
            ),
        )
        .where(
            or_(col(Contact.resident_id).in_(yes), col(Contact.resident_id).in_(observed)),
            col(Contact.stopped_at).is_(None),
            col(Contact.blocked_at).is_(None),
            col(Contact.invalid_at).is_(None),
        )
        .order_by(col(Contact.resident_id), col(Contact.id))
    )
    contacts: dict[int, list[tuple[str, str, str]]] = {}
    invited: dict[int, str | None] = {}
    for contact, lang, invited_urn in (await session.exec(query)).all():
        contacts.setdefault(contact.resident_id, []).append((contact.urn, contact.channel, lang))
        invited[contact.resident_id] = invited_urn
    return [
        next((c for c in found if c[0] == invited[rid]), found[0])
        for rid, found in contacts.items()
    ]
