"""Area queries: list, add, import."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.folding import fold
from storage.models import Area


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
