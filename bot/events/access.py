"""Who may do what with an event: organisers of its areas, coordinators, and those invited.

A representative organises in their own areas only: they create events there, and cancel or
look into (attendee names included) only events of those areas. Coordinators may do everything.
Answering, sharing one's name or fetching the calendar file needs one's own invitation.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.actors import Actor, NotAllowed
from bot.events.timing import EventError
from storage import access
from storage.event_models import Event


async def event_areas(*, session: AsyncSession, event_id: int) -> tuple[Event, set[int] | None]:
    """The event and its area ids (None: every area); EventError when there is no such event."""
    found = await access.event_scope(session=session, event_id=event_id)
    if found is None:
        raise EventError(f"no event {event_id}")
    event, area_ids = found
    return event, None if event.all_areas else area_ids


def may_manage(actor: Actor, area_ids: set[int] | None) -> bool:
    """Cancel, or create for these areas: coordinators, or a representative of all of them."""
    return actor.may_act_in(area_ids)


def may_see_people(actor: Actor, area_ids: set[int] | None) -> bool:
    """See who answered: coordinators and representatives of one of the event's areas."""
    return actor.represents_any(area_ids)


async def require_manager(*, session: AsyncSession, actor: Actor, event_id: int) -> Event:
    event, area_ids = await event_areas(session=session, event_id=event_id)
    if not may_manage(actor, area_ids):
        raise NotAllowed(f"{actor.urn} may not manage event {event_id}", key="event.not_your_area")
    return event


async def require_viewer(*, session: AsyncSession, actor: Actor, event_id: int) -> Event:
    event, area_ids = await event_areas(session=session, event_id=event_id)
    if not may_see_people(actor, area_ids):
        raise NotAllowed(f"{actor.urn} may not see event {event_id}", key="event.not_your_area")
    return event


async def require_invitation(*, session: AsyncSession, actor: Actor, event_id: int) -> int:
    """The actor's resident id, when they hold an invitation to the event; else NotAllowed."""
    invited = actor.resident_id is not None and await access.holds_invitation(
        session=session, event_id=event_id, resident_id=actor.resident_id
    )
    if not invited or actor.resident_id is None:
        raise NotAllowed(f"{actor.urn} holds no invitation to {event_id}", key="event.not_invited")
    return actor.resident_id


async def require_areas(*, session: AsyncSession, actor: Actor, area_ids: list[int] | None) -> None:
    """Areas an event is created for: they exist, and the actor organises in all of them."""
    if area_ids is not None:
        known = await access.existing_area_ids(session=session, area_ids=area_ids)
        if set(area_ids) - known:
            raise EventError(f"unknown area ids {sorted(set(area_ids) - known)}")
    if not may_manage(actor, None if area_ids is None else set(area_ids)):
        raise NotAllowed(f"{actor.urn} may not invite in {area_ids}", key="event.areas_not_yours")
