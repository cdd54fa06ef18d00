"""The queries authorization needs: whose addresses, which roles, which invitations and areas."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.event_models import Event, EventArea, Invitation
from storage.models import Area, Contact, Membership, Role
from storage.roles import COORDINATOR, REPRESENTATIVE
from storage.tip_models import Tip


async def addresses_of(*, session: AsyncSession, resident_id: int) -> list[str]:
    """Every contact address of a resident (roles are granted per address)."""
    query = select(Contact.urn).where(Contact.resident_id == resident_id).order_by(col(Contact.id))
    return list((await session.exec(query)).all())


async def granted_roles(*, session: AsyncSession, urns: list[str]) -> tuple[bool, set[int]]:
    """(holds the coordinator role, ids of the areas represented) for these addresses."""
    if not urns:
        return False, set()
    query = select(Role.role, Role.area_id).where(col(Role.urn).in_(urns))
    coordinator, areas = False, set()
    for role, area_id in (await session.exec(query)).all():
        if role == COORDINATOR:
            coordinator = True
        elif role == REPRESENTATIVE and area_id is not None:
            areas.add(area_id)
    return coordinator, areas


async def existing_area_ids(*, session: AsyncSession, area_ids: list[int]) -> set[int]:
    """Those of `area_ids` that name an area, so an unknown id never reaches a foreign key."""
    if not area_ids:
        return set()
    query = select(Area.id).where(col(Area.id).in_(area_ids))
    return {a for a in (await session.exec(query)).all() if a is not None}


async def event_scope(*, session: AsyncSession, event_id: int) -> tuple[Event, set[int]] | None:
    """The event with the ids of its areas (an all-areas event has none listed), if it exists."""
    event = await session.get(Event, event_id)
    if event is None:
        return None
    query = select(EventArea.area_id).where(EventArea.event_id == event_id)
    return event, set((await session.exec(query)).all())


async def holds_invitation(*, session: AsyncSession, event_id: int, resident_id: int) -> bool:
    """Whether the resident was invited to the event (answers and walk observations need it)."""
    query = select(Invitation.id).where(
        Invitation.event_id == event_id, Invitation.resident_id == resident_id
    )
    return (await session.exec(query)).first() is not None


async def member_area_ids(*, session: AsyncSession, resident_id: int) -> set[int]:
    """The areas the resident is a neighbour helper in."""
    query = select(Membership.area_id).where(Membership.resident_id == resident_id)
    return set((await session.exec(query)).all())


async def tip_exists(*, session: AsyncSession, tip_id: int) -> bool:
    query = select(Tip.id).where(Tip.id == tip_id)
    return (await session.exec(query)).first() is not None
