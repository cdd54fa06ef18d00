"""Burglary figures: storing rows and counting them per area and period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.event_models import Burglary


@dataclass(frozen=True)
class BurglaryRow:
    day: date
    area_id: int
    address: str | None
    kind: str | None


async def add_burglaries(*, session: AsyncSession, rows: list[BurglaryRow]) -> int:
    for row in rows:
        session.add(Burglary(day=row.day, area_id=row.area_id, address=row.address, kind=row.kind))
    await session.flush()
    return len(rows)


async def counts_by_area(*, session: AsyncSession, start: date, end: date) -> dict[int, int]:
    """Burglaries per area id with day in [start, end)."""
    query = (
        select(col(Burglary.area_id), func.count())
        .where(col(Burglary.day) >= start, col(Burglary.day) < end)
        .group_by(col(Burglary.area_id))
    )
    return {area_id: int(n) for area_id, n in (await session.exec(query)).all()}
