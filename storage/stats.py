"""KPI queries: neighbour helpers per area, new and stopped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import Area, Contact, Departure, Membership


@dataclass(frozen=True)
class AreaCount:
    area: str
    active: int
    new: int
    stopped: int


def _active_residents() -> SelectOfScalar[int]:
    """Residents with at least one address that still receives messages."""
    return (
        select(col(Contact.resident_id))
        .where(
            col(Contact.stopped_at).is_(None),
            col(Contact.blocked_at).is_(None),
            col(Contact.invalid_at).is_(None),
        )
        .distinct()
    )


async def helpers_per_area(*, session: AsyncSession, since: datetime) -> list[AreaCount]:
    """Per area: active helpers, of those joined since `since`, and members who stopped."""
    member = col(Membership.resident_id)
    active = member.in_(_active_residents())
    query = (
        select(
            col(Area.name),
            func.sum(case((active, 1), else_=0)),
            func.sum(case((and_(active, col(Membership.joined_at) >= since), 1), else_=0)),
            func.sum(case((active, 0), (member.is_not(None), 1), else_=0)),
        )
        .select_from(Area)
        .outerjoin(Membership, col(Membership.area_id) == col(Area.id))
        .group_by(col(Area.id), col(Area.name))
        .order_by(col(Area.name))
    )
    rows = (await session.exec(query)).all()
    return [AreaCount(name, int(a or 0), int(n or 0), int(s or 0)) for name, a, n, s in rows]


async def totals(*, session: AsyncSession, since: datetime) -> tuple[int, int, int]:
    """Distinct active helpers, of those new since `since`, and departures since `since`."""
    total = select(func.count()).select_from(_active_residents().subquery())
    new = select(func.count(func.distinct(col(Membership.resident_id)))).where(
        col(Membership.resident_id).in_(_active_residents()),
        col(Membership.joined_at) >= since,
    )
    gone = select(func.count()).select_from(Departure).where(col(Departure.at) >= since)
    counts = [int((await session.exec(q)).one() or 0) for q in (total, new, gone)]
    return counts[0], counts[1], counts[2]
