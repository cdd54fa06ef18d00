"""Sending the outbox (the dispatcher in bot/scheduler only): claims and marks, fenced by epoch.

claim_due(session=, channel, now, limit, lease, epoch, quiet=False) -> list[Claimed]
    Leases due rows (status sending) and stamps them with the leader's `epoch`.
record(session=, epoch, marks, now) -> int
    Writes what became of many deliveries at once (one UPDATE per outcome), touching only
    rows still `sending` under `epoch`; returns how many it touched. Fewer than asked means
    another leader took the rows: this process no longer leads.
requeue_stale(session=, epoch, now) -> int
    A new leader's first step (and its sweep): every row in flight under another epoch, or
    whose lease ran out, goes back to the queue; those are exactly the unrecorded ones.
requeue_mine(session=, epoch, now, keep=()) -> int
    Stopping: this leader's claimed-but-unsent rows go back to the queue at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, case, false, literal, or_, text, update
from sqlalchemy.types import TypeEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select
from sqlmodel.sql.sqltypes import UTCDateTime

from storage.broadcast_models import Broadcast, Delivery
from storage.models import Contact
from storage.outbox import (
    BROADCAST_KINDS,
    CONTACT_FLAGS,
    QUEUED,
    SENDING,
    SENT,
    active_contact,
    mark_contacts,
)

# Rows per statement: a few hundred bound values stay far below every driver's limit.
CHUNK = 100
# PostgreSQL ends a claim or mark transaction left idle this long (its client vanished in a
# network black hole), so its row locks do not outlive it by the hours TCP takes to notice.
IDLE_IN_TRANSACTION = "10s"


@dataclass(frozen=True)
class Claimed:
    """A delivery the dispatcher now holds a lease on."""

    id: int
    broadcast_id: int
    urn: str
    channel: str
    lang: str
    attempts: int
    skip: bool  # the address stopped, was blocked or forgotten since the row was written


@dataclass(frozen=True)
class Mark:
    """What became of one claimed delivery: SENT, QUEUED (again at `due_at`) or a final status."""

    id: int
    status: str
    urn: str
    provider_id: str | None = None
    error: str | None = None
    due_at: datetime | None = None


async def _bound_idle(session: AsyncSession) -> None:
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        await conn.execute(
            text(f"SET LOCAL idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION}'")
        )


async def claim_due(
    *,
    session: AsyncSession,
    channel: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    epoch: int,
    quiet: bool = False,
) -> list[Claimed]:
    """Lease up to `limit` due deliveries of `channel` for `epoch`, most urgent first; count the
    attempt."""
    await _bound_idle(session)
    due = [
        col(Delivery.status) == QUEUED,
        col(Delivery.channel) == channel,
        col(Delivery.due_at) <= now,
    ]
    if quiet:
        due.append(col(Delivery.respect_quiet) == false())
    pick = (
        select(Delivery.id)
        .where(*due)
        .order_by(col(Delivery.priority), col(Delivery.due_at), col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list((await session.exec(pick)).all())
    if not ids:
        return []
    await session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_(ids))
        .values(
            status=SENDING,
            attempts=Delivery.attempts + 1,
            lease_until=now + lease,
            claimed_epoch=epoch,
            updated_at=now,
        )
    )
    # Select() itself: sqlmodel's select() is typed for at most four columns.
    details = (
        Select[int, int, str, str, str, int, str, int | None, bool](
            col(Delivery.id),
            col(Delivery.broadcast_id),
            col(Delivery.urn),
            col(Delivery.channel),
            col(Delivery.lang),
            col(Delivery.attempts),
            col(Broadcast.kind),
            col(Contact.id),
            active_contact(),
        )
        .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
        .outerjoin(Contact, col(Contact.urn) == col(Delivery.urn))
        .where(col(Delivery.id).in_(ids))
        .order_by(col(Delivery.priority), col(Delivery.due_at), col(Delivery.id))
    )
    claimed = []
    for did, bid, urn, chan, lang, attempts, kind, contact_id, ok in (
        await session.exec(details)
    ).all():
        gone = contact_id is None and kind in BROADCAST_KINDS
        stopped = contact_id is not None and not ok
        claimed.append(Claimed(did, bid, urn, chan, lang, attempts, gone or stopped))
    return claimed


def _per_row(marks: Sequence[Mark], attr: str, type_: TypeEngine[Any]) -> ColumnElement[Any]:
    """One value for every row, or a CASE on the id when the rows differ."""
    values = [getattr(m, attr) for m in marks]
    if all(v == values[0] for v in values):
        return literal(values[0], type_)
    whens = {m.id: literal(v, type_) for m, v in zip(marks, values, strict=True)}
    return case(whens, value=col(Delivery.id))


async def record(*, session: AsyncSession, epoch: int, marks: Sequence[Mark], now: datetime) -> int:
    """Write many deliveries' outcomes, one UPDATE per outcome; how many rows `epoch` still held."""
    await _bound_idle(session)
    error = String(300)
    touched = 0
    for start in range(0, len(marks), CHUNK):
        groups: dict[str, list[Mark]] = defaultdict(list)
        for mark in marks[start : start + CHUNK]:
            groups[mark.status].append(mark)
        for status, rows in groups.items():
            values: dict[str, Any] = {"status": status, "lease_until": None, "updated_at": now}
            if status == SENT:
                values |= {"sent_at": now, "provider_id": _per_row(rows, "provider_id", String(64))}
            elif status == QUEUED:
                # The attempt stays counted; a queued row belongs to no leader.
                values |= {
                    "due_at": _per_row(rows, "due_at", UTCDateTime()),
                    "error": _per_row(rows, "error", error),
                    "claimed_epoch": None,
                }
            else:
                values["error"] = _per_row(rows, "error", error)
            result = await session.exec(
                update(Delivery)
                .where(
                    col(Delivery.id).in_([m.id for m in rows]),
                    col(Delivery.status) == SENDING,
                    col(Delivery.claimed_epoch) == epoch,
                )
                .values(values)
            )
            touched += max(int(result.rowcount or 0), 0)
            if status in CONTACT_FLAGS:
                # What the provider said about the address holds whoever leads now.
                await mark_contacts(
                    session=session, status=status, urns=[m.urn for m in rows], now=now
                )
    return touched


async def requeue_stale(*, session: AsyncSession, epoch: int, now: datetime) -> int:
    """Rows in flight under another epoch (or whose lease ran out) go back to the queue."""
    await _bound_idle(session)
    stale = or_(
        col(Delivery.claimed_epoch).is_(None),
        col(Delivery.claimed_epoch) != epoch,
        col(Delivery.lease_until).is_(None),
        col(Delivery.lease_until) < now,
    )
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.status) == SENDING, stale)
        .values(status=QUEUED, lease_until=None, claimed_epoch=None, updated_at=now)
    )
    return int(result.rowcount or 0)


async def requeue_mine(
    *, session: AsyncSession, epoch: int, now: datetime, keep: Collection[int] = ()
) -> int:
    """This leader's claimed rows, except `keep`, back to the queue; the unsent attempt is not
    counted."""
    where = [col(Delivery.status) == SENDING, col(Delivery.claimed_epoch) == epoch]
    if keep:
        where.append(col(Delivery.id).not_in(list(keep)))
    result = await session.exec(
        update(Delivery)
        .where(*where)
        .values(
            status=QUEUED,
            attempts=Delivery.attempts - 1,
            lease_until=None,
            claimed_epoch=None,
            updated_at=now,
        )
    )
    return int(result.rowcount or 0)
