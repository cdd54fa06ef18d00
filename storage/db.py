"""Async engine, sessions and migrations for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def alembic_config() -> Config:
    """Alembic config pointing at the packaged migrations (works from an installed copy)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _at_head(sync_conn: Connection, cfg: Config) -> bool:
    """True when the database's recorded revisions are exactly the migrations' heads."""
    current = set(MigrationContext.configure(sync_conn).get_current_heads())
    return current == set(ScriptDirectory.from_config(cfg).get_heads())


class Database:
    """The engine plus a session factory; one per process, passed down explicitly."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self._sessions() as session, session.begin():
            yield session

    async def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to `revision`; a database already at head is left alone."""

        def _run(sync_conn: Connection) -> None:
            cfg = alembic_config()
            # One cheap SELECT on alembic_version instead of Alembic's full upgrade machinery:
            # every CLI command and every start calls this, and nearly always nothing is due.
            if revision == "head" and _at_head(sync_conn, cfg):
                return
            cfg.attributes["connection"] = sync_conn
            command.upgrade(cfg, revision)

        async with self.engine.begin() as conn:
            await conn.run_sync(_run)

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
