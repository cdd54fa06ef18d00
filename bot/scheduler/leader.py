"""Leader election: one process dispatches and schedules, chosen by a PostgreSQL advisory lock."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncConnection

from storage import leadership
from storage.db import Database

log = logging.getLogger(__name__)

# Any fixed 64-bit number; all Nabovagt processes on one database contend for it.
LOCK_KEY = 0x4E61626F76616774  # "Nabovagt"


class Leadership:
    """Holds the session-level advisory lock on a dedicated connection while leader.

    PostgreSQL frees the lock when that connection closes, so a killed leader's lock is released
    as soon as the server notices the dropped socket. SQLite has a single process: always leader.
    """

    def __init__(self, db: Database, key: int = LOCK_KEY) -> None:
        self.db = db
        self.key = key
        self._conn: AsyncConnection | None = None
        self.is_leader = False

    async def try_acquire(self) -> bool:
        """Become leader if nobody else is; True when this process leads."""
        if self.is_leader:
            return await self.still_leader()
        if not self.db.is_postgres:
            self.is_leader = True
            return True
        conn = await self.db.engine.connect()
        try:
            got = await leadership.try_lock(conn=conn, key=self.key)
        except Exception:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        self.is_leader = True
        log.info("this process is now the leader")
        return True

    async def still_leader(self) -> bool:
        """Check the lock connection is alive; losing it means losing the lead."""
        if not self.is_leader:
            return False
        if self._conn is None:
            return True
        try:
            await leadership.check_alive(conn=self._conn)
            return True
        except Exception:
            log.warning("lost the leader connection; stepping down")
            await self._drop()
            return False

    async def release(self) -> None:
        if self._conn is not None:
            try:
                await leadership.unlock(conn=self._conn, key=self.key)
            except Exception:
                log.info("unlock failed; the lock goes with the connection")
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self.is_leader = False
        if conn is not None:
            # Invalidate, never return it to the pool: if it still held the advisory lock, a pooled
            # connection would keep this process "leader" without it leading.
            try:
                await conn.invalidate()
            except Exception:
                log.info("dropping the leader connection failed; it goes with the pool")
