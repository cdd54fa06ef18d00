"""What every CLI command shares: one-line failures and a migrated database to work on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from bot.core.areas import match_areas
from bot.core.settings import Settings, load_settings
from storage.areas import list_areas
from storage.db import Database

T = TypeVar("T")


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `nabovagt: message` to stderr; raise the returned Exit (2: bad input, 1: not found)."""
    typer.echo(f"nabovagt: {message}", err=True)
    return typer.Exit(code)


def with_db(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    """Load settings, migrate, run `work` against the database, dispose."""
    settings = load_settings()

    async def go() -> T:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await work(db, settings)
        finally:
            await db.dispose()

    return asyncio.run(go())


async def area_ids_by_name(db: Database, names: list[str]) -> list[int] | None:
    """Area names (or 'all') to ids; None means every area."""
    if not names or any(n.strip().casefold() in ("all", "alle") for n in names):
        return None
    async with db.session() as session:
        known = await list_areas(session=session)
    ids = []
    for name in names:
        found = [a for a in match_areas(known, name) if a.name.casefold() == name.casefold()]
        found = found or match_areas(known, name)
        if len(found) != 1:
            raise fail(f"unknown or ambiguous area {name!r}")
        ids.append(found[0].id)
    return ids  # type: ignore[return-value]
