"""PostgreSQL advisory-lock queries for leader election, run on one dedicated connection."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def try_lock(*, conn: AsyncConnection, key: int) -> bool:
    """Take the session-level advisory lock `key` without waiting; True when this connection has it."""
    got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})).scalar()
    await conn.commit()
    return bool(got)


async def check_alive(*, conn: AsyncConnection) -> None:
    """Round-trip a trivial query; raises when the connection (and so the lock) is gone."""
    await conn.execute(text("SELECT 1"))
    await conn.commit()


async def unlock(*, conn: AsyncConnection, key: int) -> None:
    """Give the advisory lock `key` back while keeping the connection."""
    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    await conn.commit()
