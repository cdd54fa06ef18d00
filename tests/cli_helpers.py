"""Run the `nabovagt` command line in-process, as an operator's shell would, for sync CLI tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TypeVar

from typer.testing import CliRunner, Result

from bot.app.cli import cli
from bot.core.settings import Settings
from storage.db import Database

T = TypeVar("T")

# Every setting the CLI reads, unset unless a test gives it: the developer's shell must not leak in.
UNSET_SETTINGS: dict[str, str | None] = {name.upper(): None for name in Settings.model_fields}


class Nabovagt:
    """`nabovagt ARGS` with a clean environment, run in `cwd` so no stray .env is read."""

    def __init__(self, cwd: Path, env: Mapping[str, str]) -> None:
        self.cwd = cwd
        self.env = dict(env)

    def __call__(self, *args: str, env: Mapping[str, str] | None = None, stdin: str = "") -> Result:
        full_env = UNSET_SETTINGS | self.env | dict(env or {})
        with contextlib.chdir(self.cwd):
            return CliRunner().invoke(cli, list(args), env=full_env, input=stdin)


def on_db(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` against the database at `url` in an event loop of its own (for sync tests)."""

    async def go() -> T:
        db = Database(url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(go())
