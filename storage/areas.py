"""Area queries: list, add, import, and what removing one would take away."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.event_models import Burglary, EventArea
from storage.folding import fold
from storage.models import Area, Membership, PastMembership, Role


@dataclass(frozen=True)
class AreaReach:
    """What removing an area takes away: every one of these goes with it."""

    helpers: int  # neighbour helpers who lose the area
    only_area: int  # of them, those left with no area (no more alerts)
    representatives: int  # roles tied to the area
    events: int  # events that invited the area
    burglaries: int  # recorded burglaries (the monthly reports' figures)


async def list_areas(*, session: AsyncSession) -> list[Area]:
    """All areas by name, sorted in Python so SQLite and PostgreSQL collations agree."""
    return sorted((await session.exec(select(Area))).all(), key=lambda a: a.name)


async def get_area(*, session: AsyncSession, area_id: int) -> Area | None:
    return await session.get(Area, area_id)


async def find_by_name(*, session: AsyncSession, name: str) -> Area | None:
    return (await session.exec(select(Area).where(Area.key == fold(name)))).first()


async def add_area(
    *, session: AsyncSession, name: str, postcode: str | None = None, polygon_wkt: str | None = None
) -> Area:
    """Insert an area, or update postcode/polygon of the one with the same name."""
    area = await find_by_name(session=session, name=name)
    if area is None:
        area = Area(name=name.strip(), key=fold(name))
    if postcode is not None:
        area.postcode = postcode
    if polygon_wkt is not None:
        area.polygon_wkt = polygon_wkt
    session.add(area)
    await session.flush()
    return area


async def removal_reach(*, session: AsyncSession, area_id: int) -> AreaReach:
    """Counts of what `delete_area` would remove with the area."""
    members = set(
        (
            await session.exec(select(Membership.resident_id).where(Membership.area_id == area_id))
        ).all()
    )
    elsewhere = set(
        (
            await session.exec(
                select(Membership.resident_id).where(
                    col(Membership.resident_id).in_(members), Membership.area_id != area_id
                )
            )
        ).all()
    )
    roles = await session.exec(
        select(func.count()).select_from(Role).where(Role.area_id == area_id)
    )
    events = await session.exec(
        select(func.count()).select_from(EventArea).where(EventArea.area_id == area_id)
    )
    burglaries = await session.exec(
        select(func.count()).select_from(Burglary).where(Burglary.area_id == area_id)
    )
    return AreaReach(
        helpers=len(members),
        only_area=len(members - elsewhere),
        representatives=roles.one(),
        events=events.one(),
        burglaries=burglaries.one(),
    )


async def delete_area(*, session: AsyncSession, area_id: int) -> None:
    """Remove the area and everything tied to it (explicitly: SQLite may not cascade)."""
    await session.exec(delete(Membership).where(col(Membership.area_id) == area_id))
    await session.exec(delete(PastMembership).where(col(PastMembership.area_id) == area_id))
    await session.exec(delete(Role).where(col(Role.area_id) == area_id))
    await session.exec(delete(EventArea).where(col(EventArea.area_id) == area_id))
    await session.exec(delete(Burglary).where(col(Burglary.area_id) == area_id))
    await session.exec(delete(Area).where(col(Area.id) == area_id))
