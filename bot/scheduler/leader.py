"""Leader election by a lease with liveness: a leader that stops renewing is replaced in seconds.

The lease is one row (storage.leadership) timed by the database's clock. The holder renews it
every `renew_every` seconds and counts it as surely its own until `ttl - margin` after the start
of its last successful renewal, measured on its own clock; past that it stops sending by itself.
That is how a process waking from SIGSTOP fences itself off before it sends anything: by then
another instance may lead under a higher epoch, and every delivery row is marked only by the
epoch that claimed it.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import leadership
from storage.db import Database, DatabaseUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

# Counts the time a machine was suspended too (a paused VM's lease ran out meanwhile).
_BOOTTIME = getattr(time, "CLOCK_BOOTTIME", None)


def local_clock() -> float:
    """Seconds on this machine's clock that never jumps back (and keeps counting in SIGSTOP)."""
    return time.clock_gettime(_BOOTTIME) if _BOOTTIME is not None else time.monotonic()


@dataclass(frozen=True)
class LeaseTimes:
    """How leadership is timed; a leader that stops renewing is replaced within
    ttl + follow_every (7 s with these numbers)."""

    ttl: float = 6.0  # the database counts a lease as held this long after its last renewal
    margin: float = 1.0  # the holder counts it as its own this much less (clock rates, latency)
    renew_every: float = 1.5
    follow_every: float = 1.0  # followers try to take over this often
    # PostgreSQL: a holder whose connection is gone and that did not renew for this long (it
    # was killed) is replaced without waiting for the whole ttl.
    stale_after: float = 2.0
    # Stop sending when no database write succeeded for this long: at 30/s that is at most
    # 60 sends whose outcome may be unrecorded, which a new leader would send again.
    write_window: float = 2.0


async def bounded(awaitable: Awaitable[T], seconds: float) -> T:
    """Await with a deadline. Past it the call is abandoned rather than awaited (its cleanup can
    hang on a black-holed socket) and DatabaseUnavailable is raised."""
    task = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        task.cancel()
        _ABANDONED.add(task)
        task.add_done_callback(_forget)
        raise DatabaseUnavailable(f"the database did not answer within {seconds:g} s")
    return task.result()


_ABANDONED: set[asyncio.Future[Any]] = set()


def _forget(task: asyncio.Future[Any]) -> None:
    _ABANDONED.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: an abandoned call's error was already reported as a timeout


class Fence(Protocol):
    """What the dispatcher asks before it sends and tells after it wrote."""

    @property
    def epoch(self) -> int: ...

    def may_send(self) -> bool: ...

    def wrote(self, started: float) -> None: ...

    def lose(self) -> None: ...

    async def holds(self, session: AsyncSession) -> bool: ...


class Unfenced:
    """A dispatcher on its own (tests, a one-off drain): always allowed, epoch 0."""

    epoch = 0

    def may_send(self) -> bool:
        return True

    def wrote(self, started: float) -> None:
        pass

    def lose(self) -> None:
        pass

    async def holds(self, session: AsyncSession) -> bool:
        return True


class Renewal(enum.Enum):
    RENEWED = "renewed"
    LOST = "lost"  # another process holds the lease now
    UNKNOWN = "unknown"  # the database did not answer


class Leadership:
    """This process's claim on the leader lease, and the fence its dispatcher sends behind."""

    def __init__(self, db: Database, times: LeaseTimes | None = None, *, timeout: float = 5.0):
        self.db = db
        self.times = times or LeaseTimes()
        # A renewal that lands after the lease's own margin is of no use; give up on it before.
        self.timeout = min(timeout, self.times.ttl / 2)
        self.holder = f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._epoch: int | None = None
        self.valid_until = 0.0
        self.last_write = -math.inf
        self._conn: AsyncConnection | None = None
        self._failing = False  # report a run of failed renewals once, not every try

    @property
    def epoch(self) -> int:
        assert self._epoch is not None, "not the leader"
        return self._epoch

    @property
    def is_leader(self) -> bool:
        """Holds an epoch (renewed or not); see locally_valid for whether it may act on it."""
        return self._epoch is not None

    def locally_valid(self) -> bool:
        return self._epoch is not None and local_clock() < self.valid_until

    def may_send(self) -> bool:
        """The lease is surely ours and the database took a write within the write window."""
        now = local_clock()
        return (
            self._epoch is not None
            and now < self.valid_until
            and now - self.last_write < self.times.write_window
        )

    def wrote(self, started: float) -> None:
        self.last_write = max(self.last_write, started)

    def lose(self) -> None:
        """The database names another holder: stop acting now; the next renewal confirms it."""
        self.valid_until = 0.0

    async def holds(self, session: AsyncSession) -> bool:
        if self._epoch is None:
            return False
        return await leadership.holds(session=session, holder=self.holder, epoch=self._epoch)

    async def try_acquire(self) -> bool:
        """Take the lease if it is free; True when this process now leads (a new epoch)."""
        started = local_clock()
        times = self.times
        epoch = await self._on_conn(
            lambda conn: leadership.acquire(
                conn=conn,
                holder=self.holder,
                ttl=timedelta(seconds=times.ttl),
                stale_after=timedelta(seconds=times.stale_after),
            )
        )
        if epoch is None:
            return False
        self._epoch = epoch
        self._renewed(started)
        log.info("this process is now the leader (epoch %d, %s)", epoch, self.holder)
        return True

    async def ping(self) -> None:
        """Raise while the database does not answer (a follower's check before it competes)."""
        await self._on_conn(lambda conn: leadership.ping(conn=conn))

    async def renew(self) -> Renewal:
        if self._epoch is None:
            return Renewal.LOST
        started, epoch = local_clock(), self._epoch
        try:
            held = await self._on_conn(
                lambda conn: leadership.renew(
                    conn=conn,
                    holder=self.holder,
                    epoch=epoch,
                    ttl=timedelta(seconds=self.times.ttl),
                )
            )
        except Exception as exc:
            if not self._failing:
                log.warning("renewing the leader lease failed: %s", exc or type(exc).__name__)
            self._failing = True
            return Renewal.UNKNOWN
        if self._failing:
            log.info("the database answers again")
            self._failing = False
        if not held:
            log.warning("another process took over the lead; epoch %d is over", epoch)
            self._epoch = None
            self.valid_until = 0.0
            return Renewal.LOST
        self._renewed(started)
        return Renewal.RENEWED

    def _renewed(self, started: float) -> None:
        self.valid_until = started + self.times.ttl - self.times.margin
        self.wrote(started)

    async def release(self) -> None:
        """Let the lease run out now (SIGTERM), so the next instance takes over at once."""
        if self._epoch is not None:
            epoch, self._epoch = self._epoch, None
            self.valid_until = 0.0
            try:
                await self._on_conn(
                    lambda conn: leadership.release(conn=conn, holder=self.holder, epoch=epoch)
                )
                log.info("gave up the lead (epoch %d)", epoch)
            except Exception:
                log.info("could not give the lease back; it runs out within %g s", self.times.ttl)
        await self._drop()

    async def _on_conn(self, query: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `query` on this process's lease connection (AUTOCOMMIT), within the timeout.

        On PostgreSQL the connection's backend is what tells followers this process is alive,
        so it stays open while leading; any failure drops it and the next call reconnects.
        """

        async def run() -> T:
            if self._conn is None:
                conn = await self.db.engine.connect()
                self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            return await query(self._conn)

        try:
            return await bounded(run(), self.timeout)
        except BaseException:
            await self._drop()
            raise

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await bounded(conn.invalidate(), 1.0)
            except Exception:
                log.debug("dropping the lease connection failed; it goes with the pool")
