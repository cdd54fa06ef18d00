"""Leader lease queries: take, renew, give back and check the one-row lease.

Run `acquire`, `renew` and `release` on an AUTOCOMMIT connection: each is one statement, so a
connection that vanishes mid-way never leaves the lease row locked. PostgreSQL times the lease
with its own clock (statement_timestamp()), so the instances' clocks do not matter; SQLite has one
process and uses this one's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, column, exists, func, literal, or_, table, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.sqltypes import UTCDateTime

from storage.leadership_models import LeaderLease
from storage.models import utcnow

LEASE_ID = 1
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
_activity = table("pg_stat_activity", column("pid"))


def _postgres(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "postgresql"


def _now(conn: AsyncConnection) -> ColumnElement[datetime]:
    if _postgres(conn):
        return func.statement_timestamp(type_=UTCDateTime())
    return literal(utcnow(), UTCDateTime())


def _expiry(conn: AsyncConnection, ttl: timedelta) -> ColumnElement[datetime]:
    if _postgres(conn):
        return _now(conn) + ttl
    return literal(utcnow() + ttl, UTCDateTime())  # SQLite has no datetime arithmetic


def _backend_pid(conn: AsyncConnection) -> ColumnElement[int] | None:
    return func.pg_backend_pid() if _postgres(conn) else None


async def _ensure_row(conn: AsyncConnection) -> None:
    """The lease row exists from the first election on (an emptied table gets it back)."""
    insert = pg_insert if _postgres(conn) else sqlite_insert
    values = {"id": LEASE_ID, "holder": "", "epoch": 0, "expires_at": LONG_AGO}
    await conn.execute(insert(LeaderLease).values(values).on_conflict_do_nothing())


async def ping(*, conn: AsyncConnection) -> None:
    """One round trip: raises while the database does not answer."""
    await conn.execute(select(literal(1)))


async def acquire(
    *, conn: AsyncConnection, holder: str, ttl: timedelta, stale_after: timedelta
) -> int | None:
    """Take the lease if it ran out; the new epoch, or None while someone else holds it.

    On PostgreSQL a lease whose holder's connection is gone (the process was killed) and that has
    not been renewed for `stale_after` is free too: a crashed leader is replaced in seconds,
    while one that merely lost its connection for a moment reconnects and renews first.
    """
    await _ensure_row(conn)
    now = _now(conn)
    free: ColumnElement[bool] = col(LeaderLease.expires_at) < now
    if _postgres(conn):
        alive = exists().where(_activity.c.pid == col(LeaderLease.backend_pid))
        gone = and_(
            col(LeaderLease.backend_pid).is_not(None),
            ~alive,
            col(LeaderLease.expires_at) < now + (ttl - stale_after),
        )
        free = or_(free, gone)
    taken = await conn.execute(
        update(LeaderLease)
        .where(col(LeaderLease.id) == LEASE_ID, free)
        .values(
            holder=holder,
            epoch=col(LeaderLease.epoch) + 1,
            expires_at=_expiry(conn, ttl),
            backend_pid=_backend_pid(conn),
        )
        .returning(col(LeaderLease.epoch))
    )
    epoch = taken.scalar()
    await conn.commit()
    return int(epoch) if epoch is not None else None


async def renew(*, conn: AsyncConnection, holder: str, epoch: int, ttl: timedelta) -> bool:
    """Extend the lease `holder` took as `epoch`; False when another process has taken it since.

    Succeeds even after the lease ran out if nobody took it meanwhile: a leader that lost the
    database for a moment keeps its epoch, and with it the deliveries it claimed.
    """
    renewed = await conn.execute(
        update(LeaderLease)
        .where(
            col(LeaderLease.id) == LEASE_ID,
            col(LeaderLease.holder) == holder,
            col(LeaderLease.epoch) == epoch,
        )
        .values(expires_at=_expiry(conn, ttl), backend_pid=_backend_pid(conn))
        .returning(col(LeaderLease.id))
    )
    found = renewed.first() is not None
    await conn.commit()
    return found


async def release(*, conn: AsyncConnection, holder: str, epoch: int) -> None:
    """Let the lease run out now, so the next instance takes over at its next try."""
    await conn.execute(
        update(LeaderLease)
        .where(
            col(LeaderLease.id) == LEASE_ID,
            col(LeaderLease.holder) == holder,
            col(LeaderLease.epoch) == epoch,
        )
        .values(expires_at=LONG_AGO, backend_pid=None)
    )
    await conn.commit()


async def holds(*, session: AsyncSession, holder: str, epoch: int) -> bool:
    """Does the lease still name `holder` with `epoch` (expired or not: nobody took it over)?"""
    query = select(col(LeaderLease.id)).where(
        col(LeaderLease.id) == LEASE_ID,
        col(LeaderLease.holder) == holder,
        col(LeaderLease.epoch) == epoch,
    )
    return (await session.exec(query)).first() is not None
