"""What the monthly report reads besides burglaries: tips, meetings, recipients' languages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import events
from storage.broadcast_models import Broadcast
from storage.models import Contact, Resident
from storage.tip_models import Tip


@dataclass
class TipSummary:
    """Tips created in a period: how many per category, and each acknowledged one's wait."""

    by_category: dict[str, int] = field(default_factory=dict)
    waits: list[timedelta] = field(default_factory=list)


async def tips_between(*, session: AsyncSession, start: datetime, end: datetime) -> TipSummary:
    """Tips with created_at in [start, end)."""
    query = select(col(Tip.category), col(Tip.created_at), col(Tip.acknowledged_at)).where(
        col(Tip.created_at) >= start, col(Tip.created_at) < end
    )
    summary = TipSummary()
    for category, created, acknowledged in (await session.exec(query)).all():
        summary.by_category[category] = summary.by_category.get(category, 0) + 1
        if acknowledged is not None:
            summary.waits.append(acknowledged - created)
    return summary


async def meetings_held(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[str, int]]:
    """(title, how many said yes) for events not cancelled that started in [start, end)."""
    held = await events.attendance_between(session=session, start=start, end=end)
    return [(event.title, yes) for event, yes in held]


async def queued_with_key_prefix(*, session: AsyncSession, prefix: str) -> bool:
    """Whether any broadcast was queued under a dedupe key starting with `prefix`."""
    query = select(col(Broadcast.id)).where(col(Broadcast.dedupe_key).startswith(prefix))
    return (await session.exec(query.limit(1))).first() is not None


async def languages_by_urn(*, session: AsyncSession, urns: list[str]) -> dict[str, str]:
    """The language of each known contact's resident; unknown URNs are left out."""
    if not urns:
        return {}
    query = (
        select(col(Contact.urn), col(Resident.language))
        .join(Resident, col(Resident.id) == col(Contact.resident_id))
        .where(col(Contact.urn).in_(urns))
    )
    return dict((await session.exec(query)).all())
