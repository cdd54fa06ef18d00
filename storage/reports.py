"""What the monthly report reads besides burglaries: helpers, tips, meetings, languages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import events
from storage.broadcast_models import Broadcast
from storage.dashboard import membership_spans
from storage.models import Contact, Resident
from storage.tip_models import Tip


@dataclass
class HelperCounts:
    """One area's neighbour helpers over a period: at its end, joined in it, stopped in it."""

    at_end: int = 0
    joined: int = 0
    stopped: int = 0


async def helpers_between(
    *, session: AsyncSession, start: datetime, end: datetime
) -> dict[int, HelperCounts]:
    """Per area id: helpers as they were at `end`, and who joined or stopped in [start, end).

    A past month is counted from the membership history (joined_at, and when the resident's
    last address stopped), not from today's helpers: someone who joined after `end` is not
    counted, someone who stopped after `end` still is.
    """
    counts: dict[int, HelperCounts] = {}
    for span in await membership_spans(session=session):
        if span.joined_at >= end:
            continue
        area = counts.setdefault(span.area_id, HelperCounts())
        left = span.left_at
        if left is None or left >= end:
            area.at_end += 1
        if span.joined_at >= start:
            area.joined += 1
        if left is not None and start <= left < end:
            area.stopped += 1
    return counts


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


async def queued_chart(*, session: AsyncSession, name: str) -> bytes | None:
    """The chart file a monthly report went out with under this name, newest first."""
    query = (
        select(col(Broadcast.attachment))
        .where(Broadcast.kind == "report", Broadcast.attachment_name == name)
        .where(col(Broadcast.attachment).is_not(None))
        .order_by(col(Broadcast.id).desc())
        .limit(1)
    )
    return (await session.exec(query)).first()


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
