"""Async engine, sessions and migrations for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, make_url, text
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"

# Any fixed 64-bit number, not the leader's: instances starting together migrate one at a time.
MIGRATION_LOCK_KEY = 0x4E61626F6D696772  # "Nabomigr"


class DatabaseUnavailable(Exception):
    """The database cannot be reached right now (refused, dropped, timed out); try again later."""


class DatabaseInUse(Exception):
    """Another process already runs on this SQLite file, which serves only one."""


class MigrationError(Exception):
    """A migration target that does not exist or does not fit the database's revision."""


# SQLSTATEs that mean "no database right now" rather than a bug: connection exceptions (class
# 08), the server shutting down or starting (57P01-57P03), too many connections (53300), and a
# database that is not accepting connections (55000 with ALLOW_CONNECTIONS false).
UNAVAILABLE_SQLSTATES = {"53300", "57P01", "57P02", "57P03", "55000"}
UNAVAILABLE_NAMES = {
    "ConnectionDoesNotExistError",
    "InterfaceError",
    "CannotConnectNowError",
    "ConnectionFailureError",
    "AdminShutdownError",
    "TooManyConnectionsError",
    "ObjectNotInPrerequisiteStateError",
}


def is_unavailable(exc: BaseException) -> bool:
    """Does `exc` mean the database is unreachable, rather than a bug or a constraint?"""
    for cause in _causes(exc):
        if isinstance(cause, DatabaseUnavailable | OSError | TimeoutError):
            return True
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, InterfaceError):
            return True
        # asyncpg's errors carry the server's SQLSTATE and do not subclass OSError.
        sqlstate = str(getattr(cause, "sqlstate", "") or "")
        if sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES:
            return True
        if type(cause).__name__ in UNAVAILABLE_NAMES:
            return True
        # sqlite3: a locked or unopenable file (a constraint or a bug is another class).
        if type(cause).__module__ == "sqlite3" and type(cause).__name__ == "OperationalError":
            message = str(cause)
            return "locked" in message or "unable to open" in message or "disk I/O" in message
    return False


def safe_url(url: str) -> str:
    """The database URL as it may be printed: the password replaced by ***."""
    return make_url(url).render_as_string(hide_password=True)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException):
            current = orig
        else:
            current = current.__cause__ or current.__context__


def describe_unavailable(exc: BaseException, timeout: float) -> str:
    """Why the database cannot be reached, in a few words an operator can act on."""
    for cause in _causes(exc):
        if isinstance(cause, TimeoutError):
            return f"no answer within {timeout:g} s"
        if isinstance(cause, socket.gaierror):
            return "unknown host"
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError)
            and (cause.errno == errno.ECONNREFUSED or "Connect call failed" in str(cause))
        ):
            # asyncpg tries every address of a host name and reports them all at once.
            return "connection refused"
        if "unable to open database file" in str(cause):
            return "unable to open the database file"
    last = list(_causes(exc))[-1]
    return str(last).strip().splitlines()[0] if str(last).strip() else type(last).__name__


class _ForcedCloseNotice(logging.Filter):
    """Drop the pool's ERROR about a force-close aiosqlite 0.21 cannot do.

    aiosqlite is held below 0.22: there, closing a connection whose query was cancelled waits
    forever for a worker thread that already stopped (as in wapiti-scanner/wapiti#802; see the
    cancelled-query test in tests/test_db_ops.py), which hung the test suite and would hang
    `nabovagt run` on shutdown. With 0.21 SQLAlchemy's graceful close
    still completes; only its fallback, which 0.21 lacks, is reported with a full traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (
            isinstance(error, NotImplementedError) and "terminate_force_close" in str(error)
        )


logging.getLogger("sqlalchemy.pool.impl.AsyncAdaptedQueuePool").addFilter(_ForcedCloseNotice())


class _RollbackBeforeClose(sqlite3.Connection):
    """A SQLite connection that ends its transaction before it closes.

    SQLAlchemy closes a connection whose query was cancelled (a timeout, a shutdown) while
    aiosqlite may still hold the query's unfinished statement. sqlite3's close() then leaves the
    database open as a zombie until that statement is freed, and a write transaction it had begun
    keeps the whole file locked: every other writer waited out its busy timeout. Rolling back
    first resets the statements, so the close really closes.
    """

    def close(self) -> None:
        try:
            self.rollback()
        except sqlite3.Error:
            pass  # already closed or broken: close() reports what matters
        super().close()


def make_engine(url: str, *, timeout: float = 5.0, command_timeout: bool = True) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, a busy timeout and enforced foreign keys.

    On PostgreSQL, connecting, waiting for a pooled connection and (unless `command_timeout` is
    False) every statement give up after `timeout` seconds, so a network black hole becomes an
    error instead of a hang.
    """
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, connect_args={"timeout": 30, "factory": _RollbackBeforeClose}
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    connect_args: dict[str, float] = {"timeout": timeout}
    if command_timeout:
        connect_args["command_timeout"] = timeout
        return create_async_engine(
            url,
            pool_size=10,
            max_overflow=10,
            pool_pre_ping=True,
            pool_timeout=timeout,
            connect_args=connect_args,
        )
    return create_async_engine(url, poolclass=NullPool, connect_args=connect_args)


def alembic_config() -> Config:
    """Alembic config pointing at the packaged migrations (works from an installed copy)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def _current(sync_conn: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(sync_conn).get_current_heads())


def _applied(script: ScriptDirectory, heads: tuple[str, ...]) -> set[str]:
    """Every revision the database has when its recorded revisions are `heads`."""
    return {s.revision for head in heads for s in script.iterate_revisions(head, "base") if s}


def _oldest_first(script: ScriptDirectory, revisions: set[str]) -> list[str]:
    every = [s.revision for s in script.walk_revisions()]  # newest first
    return [rev for rev in reversed(every) if rev in revisions]


def downgrade_target(script: ScriptDirectory, current: tuple[str, ...], revision: str) -> str:
    """`base`, a revision id (or a unique prefix) below the current one, or -N steps down."""
    if revision == "base":
        return revision
    if revision.startswith("-") and revision[1:].isdigit():
        if len(current) != 1:
            raise MigrationError("the database has several heads; name the revision")
        chain = [s.revision for s in script.iterate_revisions(current[0], "base") if s]
        steps = int(revision[1:])
        return "base" if steps >= len(chain) else chain[steps]
    try:
        found = script.get_revision(revision)
    except Exception:
        raise MigrationError(f"no migration {revision!r}") from None
    if found is None or found.revision not in _applied(script, current):
        raise MigrationError(f"{revision} is not below the database's revision")
    return found.revision


class Database:
    """The engine plus a session factory; one per process, passed down explicitly."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self.engine = make_engine(url, timeout=timeout)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        # Health probes given up on keep running to their own timeout; hold them until then.
        self._abandoned: set[asyncio.Task[None]] = set()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self._sessions() as session, session.begin():
            yield session

    async def current(self) -> tuple[str, ...]:
        """The revisions recorded in the database (empty before the first migration).

        Raises DatabaseUnavailable, with a one-line reason, when the database cannot be reached.
        """
        try:
            async with self.engine.connect() as conn:
                return await conn.run_sync(_current)
        except Exception as exc:
            # A SQLite file that cannot be opened (no such folder, no permission) is as unreachable.
            cannot_open = "unable to open database file" in str(exc)
            if not (is_unavailable(exc) or cannot_open) or isinstance(exc, DatabaseUnavailable):
                raise
            reason = describe_unavailable(exc, self.timeout)
            raise DatabaseUnavailable(
                f"database at {safe_url(self.url)} is unreachable: {reason}"
            ) from exc

    @staticmethod
    def heads() -> tuple[str, ...]:
        """The newest revisions the migrations define."""
        return tuple(_script().get_heads())

    async def upgrade(self, revision: str = "head") -> list[str]:
        """Apply Alembic migrations up to `revision`; the revisions applied, oldest first.

        One cheap SELECT on alembic_version decides first: every CLI command and every start
        calls this, and nearly always nothing is due. Otherwise the migrations run under a
        PostgreSQL advisory lock, so instances starting together migrate one after the other.
        """
        if revision == "head" and set(await self.current()) == set(self.heads()):
            return []

        def migrate(cfg: Config, before: tuple[str, ...]) -> None:
            # Another instance may have migrated while this one waited for the lock.
            if revision == "head" and set(before) == set(self.heads()):
                return
            command.upgrade(cfg, revision)

        before, after = await self._migrate(migrate)
        script = _script()
        return _oldest_first(script, _applied(script, after) - _applied(script, before))

    async def reverts(self, revision: str) -> list[str]:
        """The revisions `downgrade(revision)` would revert, newest first; raises MigrationError."""
        script = _script()
        current = await self.current()
        target = downgrade_target(script, current, revision)
        lower = _applied(script, (target,)) if target != "base" else set()
        return list(reversed(_oldest_first(script, _applied(script, current) - lower)))

    async def downgrade(self, revision: str) -> list[str]:
        """Revert migrations down to `revision`; the revisions reverted, newest first."""
        script = _script()

        def migrate(cfg: Config, before: tuple[str, ...]) -> None:
            command.downgrade(cfg, downgrade_target(script, before, revision))

        await self.current()  # a clear error when the database cannot be reached
        before, after = await self._migrate(migrate)
        return list(
            reversed(_oldest_first(script, _applied(script, before) - _applied(script, after)))
        )

    async def _migrate(
        self, migrate: Callable[[Config, tuple[str, ...]], None]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Run `migrate` in one transaction under the migration lock; revisions before and after."""

        def run(sync_conn: Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
            if sync_conn.dialect.name == "postgresql":
                # Held until this transaction ends; PostgreSQL's DDL is transactional, so the
                # next instance sees either nothing or every migration applied.
                sync_conn.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY}
                )
            before = _current(sync_conn)
            cfg = alembic_config()
            cfg.attributes["connection"] = sync_conn
            migrate(cfg, before)
            return before, _current(sync_conn)

        # Migrations (and waiting for another instance's) may take longer than one statement may.
        engine = (
            self.engine
            if not self.is_postgres
            else make_engine(self.url, timeout=self.timeout, command_timeout=False)
        )
        try:
            async with engine.begin() as conn:
                return await conn.run_sync(run)
        finally:
            if engine is not self.engine:
                await engine.dispose()

    async def ping(self, within: float | None = None) -> bool:
        """True when the database answers a trivial query within `within` s (default: its timeout).

        Returns on time even when the network swallows packets: a probe that has not answered
        is abandoned, not awaited, since even cancelling it may wait on the dead connection.
        """

        async def probe() -> None:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        task = asyncio.create_task(probe())
        done, _ = await asyncio.wait({task}, timeout=min(within or self.timeout, self.timeout))
        if not done:
            task.cancel()
            self._abandoned.add(task)
            task.add_done_callback(self._forget)
            return False
        return task.exception() is None

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._abandoned.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a probe's failure is the answer already given

    async def dispose(self) -> None:
        for task in self._abandoned:
            task.cancel()
        await self.engine.dispose()


def _sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL as written in it; None for PostgreSQL or in-memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


@contextlib.contextmanager
def single_process(url: str) -> Iterator[None]:
    """Hold `<dbfile>.lock` exclusively while the block runs; PostgreSQL needs no such lock.

    The kernel drops the lock when the process ends, however it ends (kill -9 included), so
    there is never a stale lock to clean up. Raises DatabaseInUse when another process has it.
    """
    database = _sqlite_file(url)
    if database is None:
        yield
        return
    fd = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(database) from None
        yield
    finally:
        os.close(fd)
