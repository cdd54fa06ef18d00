"""Broadcast queries: progress counts, failure reasons, listing, completion, topic preferences."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.broadcast_models import Broadcast, Delivery, TopicPreference
from storage.models import Area
from storage.outbox import OPEN_STATUSES, OPT_IN_TOPICS, TOPICS

Counts = dict[str, dict[str, int]]


async def get_broadcast(*, session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def list_broadcasts(*, session: AsyncSession, limit: int = 20) -> list[Broadcast]:
    query = select(Broadcast).order_by(col(Broadcast.id).desc()).limit(limit)
    return list((await session.exec(query)).all())


async def open_broadcasts(*, session: AsyncSession) -> list[Broadcast]:
    """Broadcasts not yet finished, oldest first."""
    query = (
        select(Broadcast)
        .where(col(Broadcast.status).in_(OPEN_STATUSES))
        .order_by(col(Broadcast.id))
    )
    return list((await session.exec(query)).all())


async def counts(*, session: AsyncSession, broadcast_id: int) -> Counts:
    """Deliveries per channel and status."""
    query = (
        select(col(Delivery.channel), col(Delivery.status), func.count())
        .where(col(Delivery.broadcast_id) == broadcast_id)
        .group_by(col(Delivery.channel), col(Delivery.status))
    )
    found: Counts = defaultdict(dict)
    for channel, status, n in (await session.exec(query)).all():
        found[channel][status] = int(n)
    return dict(found)


async def failure_reasons(*, session: AsyncSession, broadcast_id: int) -> Counts:
    """Why deliveries did not arrive, per channel: status or provider error, with counts."""
    query = (
        select(col(Delivery.channel), col(Delivery.status), col(Delivery.error), func.count())
        .where(
            col(Delivery.broadcast_id) == broadcast_id,
            col(Delivery.status).not_in(("sent", "delivered", "queued", "sending")),
        )
        .group_by(col(Delivery.channel), col(Delivery.status), col(Delivery.error))
    )
    found: Counts = defaultdict(lambda: defaultdict(int))
    for channel, status, error, n in (await session.exec(query)).all():
        reason = status if status != "failed" or not error else f"failed: {error[:60]}"
        found[channel][reason] += int(n)
    return {ch: dict(v) for ch, v in found.items()}


def is_finished(by_channel: Counts) -> bool:
    return not any(st in OPEN_STATUSES for by in by_channel.values() for st in by)


async def set_status(
    *, session: AsyncSession, broadcast_id: int, status: str, now: datetime | None = None
) -> None:
    values: dict[str, object] = {"status": status}
    if status == "done":
        values["finished_at"] = now
    await session.exec(update(Broadcast).where(col(Broadcast.id) == broadcast_id).values(**values))


async def set_progress_ref(*, session: AsyncSession, broadcast_id: int, ref: str) -> None:
    await session.exec(
        update(Broadcast).where(col(Broadcast.id) == broadcast_id).values(progress_ref=ref)
    )


async def area_names(*, session: AsyncSession, area_ids: list[int] | None) -> list[str] | None:
    """Names for a broadcast's areas (None means all areas)."""
    if area_ids is None:
        return None
    rows = (await session.exec(select(Area.name).where(col(Area.id).in_(area_ids)))).all()
    return sorted(rows)


async def topic_choices(*, session: AsyncSession, resident_id: int) -> dict[str, bool]:
    """Every topic with whether the resident gets it (opt-out topics default on)."""
    query = select(TopicPreference).where(col(TopicPreference.resident_id) == resident_id)
    chosen = {p.topic: p.enabled for p in (await session.exec(query)).all()}
    return {t: chosen.get(t, t not in OPT_IN_TOPICS) for t in (*TOPICS, *OPT_IN_TOPICS)}


async def set_topic(*, session: AsyncSession, resident_id: int, topic: str, enabled: bool) -> None:
    row = await session.get(TopicPreference, (resident_id, topic))
    if row is None:
        row = TopicPreference(resident_id=resident_id, topic=topic, enabled=enabled)
    row.enabled = enabled
    session.add(row)
    await session.flush()
