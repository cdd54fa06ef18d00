"""What `GET /metrics` reads from the database at scrape time: the outbox's depth and lag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.broadcast_models import Delivery
from storage.outbox import OPEN_STATUSES, QUEUED


@dataclass(frozen=True)
class OutboxFigures:
    """Open deliveries per (channel, status), and per channel the oldest due_at still queued."""

    depth: dict[tuple[str, str], int]
    oldest_due: dict[str, datetime]


async def outbox_figures(*, session: AsyncSession, now: datetime) -> OutboxFigures:
    """Rows not yet settled (queued, sending); a queued row counts as late once it is due."""
    depth_query = (
        select(col(Delivery.channel), col(Delivery.status), func.count())
        .where(col(Delivery.status).in_(OPEN_STATUSES))
        .group_by(col(Delivery.channel), col(Delivery.status))
    )
    depth = {(c, s): int(n) for c, s, n in (await session.exec(depth_query)).all()}
    # Rows held back on purpose (quiet hours, a reminder's time) are not late until due.
    due_query = (
        select(col(Delivery.channel), func.min(col(Delivery.due_at)))
        .where(col(Delivery.status) == QUEUED, col(Delivery.due_at) <= now)
        .group_by(col(Delivery.channel))
    )
    oldest = {c: due for c, due in (await session.exec(due_query)).all() if due is not None}
    return OutboxFigures(depth, oldest)
