"""What every CLI command shares: one-line failures and a migrated database to work on."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys
import traceback
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TypeVar

import typer
import typer.main

from bot.core.areas import match_areas
from bot.core.settings import Settings, load_settings
from storage.areas import list_areas
from storage.db import Database, DatabaseUnavailable

T = TypeVar("T")


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `nabovagt: message` to stderr; raise the returned Exit (2: bad input, 1: not found)."""
    typer.echo(f"nabovagt: {message}", err=True)
    return typer.Exit(code)


def with_db(work: Callable[[Database, Settings], Awaitable[T]], *, migrate: bool = True) -> T:
    """Load settings, migrate (unless told not to), run `work` against the database, dispose.

    A database that cannot be reached is one line on stderr and exit code 2.
    """
    settings = load_settings()

    async def go() -> T:
        db = Database(settings.database_url, timeout=settings.db_timeout)
        try:
            if migrate:
                await db.upgrade()
            return await work(db, settings)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except DatabaseUnavailable as exc:
        raise fail(str(exc)) from None


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
        area_id = found[0].id
        assert area_id is not None  # stored areas have ids
        ids.append(area_id)
    return ids


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def invoke(commands: typer.Typer, args: list[str], *, env: Mapping[str, str]) -> tuple[int, str]:
    """Run one `nabovagt ARGS` in this thread with `env` set: its exit code and its output.

    Like a child process with stderr joined to stdout and nothing on stdin (a question is
    answered by end-of-input), minus the seconds it takes to start one. Commands call
    `asyncio.run`, so call this from a thread without a running event loop.
    """
    output = io.StringIO()
    stdin, sys.stdin = sys.stdin, io.StringIO("")
    try:
        with (
            _environment(env),
            contextlib.redirect_stdout(output),
            contextlib.redirect_stderr(output),
        ):
            try:
                command = typer.main.get_command(commands)
                command.main(args, prog_name="nabovagt", standalone_mode=True)
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        sys.stdin = stdin
    return code, output.getvalue()
