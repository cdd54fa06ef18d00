"""What every CLI command shares: one-line failures and a migrated database to work on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from bot.core.settings import Settings, load_settings
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
