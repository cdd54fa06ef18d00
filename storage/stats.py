"""KPI queries: neighbour helpers per area, new and stopped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Area, Contact, Departure, Membership


@dataclass(frozen=True)
class AreaCount:
    area: str
    active: int
    new: int
    stopped: int


def _active_residents():  # type: ignore[no-untyped-def]
    """Residents with at least one address that still receives messages."""
    return (
        select(Contact.resident_id)
        .where(
            Contact.stopped_at.is_(None),  # type: ignore[union-attr]
            Contact.blocked_at.is_(None),  # type: ignore[union-attr]
            Contact.invalid_at.is_(None),  # type: ignore[union-attr]
        )
        .distinct()
    )


async def helpers_per_area(*, session: AsyncSession, since: datetime) -> list[AreaCount]:
    """Per area: active helpers, of those joined since `since`, and members who stopped."""
    active = Membership.resident_id.in_(_active_residents())  # type: ignore[attr-defined]
    query = (
        select(
            Area.name,
            func.sum(case((active, 1), else_=0)),
            func.sum(case((and_(active, Membership.joined_at >= since), 1), else_=0)),
            func.sum(case((active, 0), (Membership.resident_id.is_not(None), 1), else_=0)),  # type: ignore[union-attr]
        )
        .select_from(Area)
        .outerjoin(Membership, Membership.area_id == Area.id)  # type: ignore[arg-type]
        .group_by(Area.id, Area.name)
        .order_by(Area.name)
    )
    rows = (await session.exec(query)).all()  # type: ignore[call-overload]
    return [AreaCount(name, int(a or 0), int(n or 0), int(s or 0)) for name, a, n, s in rows]


async def totals(*, session: AsyncSession, since: datetime) -> tuple[int, int, int]:
    """Distinct active helpers, of those new since `since`, and departures since `since`."""
    active_ids = _active_residents().subquery()
    total = await session.scalar(select(func.count()).select_from(active_ids))
    new = await session.scalar(
        select(func.count(func.distinct(Membership.resident_id))).where(
            Membership.resident_id.in_(select(active_ids)),  # type: ignore[attr-defined]
            Membership.joined_at >= since,
        )
    )
    gone = await session.scalar(select(func.count()).where(Departure.at >= since))
    return int(total or 0), int(new or 0), int(gone or 0)
