"""Helpers for the inbound tests: a database that goes away and comes back, what was stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import InboundSeen
from tests.conftest import free_port


async def _refuse() -> object:
    raise ConnectionRefusedError("the database refuses connections (test)")


@contextmanager
def database_down(db: Database) -> Iterator[None]:
    """Every new session of `db` fails to connect (refused port, unopenable file) until exit."""
    if db.is_postgres:
        engine = Database(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/gone").engine
    else:
        # A file database is never "unreachable"; a refused connection is what a server gives.
        engine = create_async_engine("sqlite+aiosqlite://", async_creator=_refuse)
    real = db.engine, db._sessions
    db.engine = engine
    db._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    try:
        yield
    finally:
        db.engine, db._sessions = real


@contextmanager
def drops_once_at(db: Database, statement_start: str) -> Iterator[list[str]]:
    """The first statement of `db` starting with `statement_start` fails as if the database went
    away just then (its transaction rolls back); the list it yields holds that statement."""
    dropped: list[str] = []

    def drop(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not dropped and statement.lstrip().upper().startswith(statement_start.upper()):
            dropped.append(statement)
            raise ConnectionRefusedError("the database went away (test)")

    event.listen(db.engine.sync_engine, "before_cursor_execute", drop)
    try:
        yield dropped
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", drop)


async def seen_keys(db: Database) -> list[str]:
    async with db.session() as session:
        return sorted(row.key for row in (await session.exec(select(InboundSeen))).all())
