"""The `nabovagt` command line: run, demo and db here; every feature adds its own commands."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.app import features
from bot.app.application import NabovagtApp, run_until_signalled
from bot.app.demo import run_demo
from bot.app.logs import setup_logging
from bot.core.cli import fail, with_db
from bot.core.settings import Settings, load_settings
from storage.db import (
    Database,
    DatabaseInUse,
    DatabaseUnavailable,
    MigrationError,
    single_process,
)

cli = typer.Typer(
    help="Nabovagt: neighbour-watch chatbot for Telegram and SMS.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
for feature in features.FEATURES:
    if feature.cli is not None:
        feature.cli(cli)


@cli.command()
def run(
    representatives: Annotated[
        bool,
        typer.Option(
            "--representatives", help="Send the monthly report to area representatives too."
        ),
    ] = False,
) -> None:
    """Run the bot and its HTTP server until SIGTERM/SIGINT."""
    settings = load_settings()
    setup_logging(settings)
    try:
        with single_process(settings.database_url):
            # Before anything else is said: an unreachable database is the one line to read.
            asyncio.run(reachable(settings))
            if settings.telegram_token is None:
                typer.echo(
                    "nabovagt: TELEGRAM_TOKEN is not set; only the HTTP server runs", err=True
                )
            app = NabovagtApp(settings, report_to_representatives=representatives)
            asyncio.run(run_until_signalled(app))
    except DatabaseInUse as exc:
        raise fail(already_running(str(exc))) from None
    except DatabaseUnavailable as exc:
        raise fail(str(exc)) from None


async def reachable(settings: Settings) -> None:
    """Raise DatabaseUnavailable, with its one-line reason, when the database cannot be reached."""
    db = Database(settings.database_url, timeout=settings.db_timeout)
    try:
        await db.current()
    finally:
        await db.dispose()


def already_running(database: str) -> str:
    return (
        f"another nabovagt process is already running on {database}; SQLite serves one process"
        " — use PostgreSQL (DATABASE_URL=postgresql+asyncpg://…) to run several"
    )


@cli.command()
def demo(
    script: Annotated[
        Path | None, typer.Option(help="Replay a demo script non-interactively.")
    ] = None,
    database: Annotated[
        Path | None,
        typer.Option(
            help="Keep the demo's data in this SQLite file (default: a fresh temporary one)."
        ),
    ] = None,
) -> None:
    """Try the real bot against a built-in local sandbox of Telegram and Twilio (no accounts)."""
    lines = None
    if script is not None:
        if not script.is_file():
            raise fail(f"{script}: no such file", 2)
        lines = script.read_text(encoding="utf-8").splitlines()
    # A kept demo database is a SQLite file like `run`'s: one process at a time.
    url = f"sqlite+aiosqlite:///{database}" if database is not None else "sqlite://"
    try:
        with single_process(url):
            # The whole command line, for the demo's `:cli` lines.
            code = asyncio.run(run_demo(lines, database, commands=cli))
    except DatabaseInUse as exc:
        raise fail(already_running(str(exc))) from None
    raise typer.Exit(code)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations (instances starting together take turns)."""

    async def work(db: Database, _: Settings) -> None:
        applied = await db.upgrade()
        if applied:
            typer.echo(f"applied {', '.join(applied)}")
        else:
            typer.echo(f"already up to date at {', '.join(await db.current())}")

    with_db(work, migrate=False)


@db_cli.command("current")
def db_current() -> None:
    """Print the database's migration revision."""

    async def work(db: Database, _: Settings) -> None:
        current, heads = await db.current(), db.heads()
        if not current:
            typer.echo("no migrations applied")
        for revision in current:
            typer.echo(f"{revision} (head)" if revision in heads else revision)
        if current and set(current) != set(heads):
            typer.echo(f"newest is {', '.join(heads)}: `nabovagt db upgrade` applies the rest")

    with_db(work, migrate=False)


@db_cli.command("downgrade", context_settings={"ignore_unknown_options": True})
def db_downgrade(
    revision: Annotated[
        str,
        typer.Argument(
            help="Go back to this revision: an id such as 0005_attachments, -1 for one step,"
            " or base for none."
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Revert without asking.")] = False,
) -> None:
    """Revert migrations; data in the tables and columns they drop is lost.

    Every other command (and `run`) migrates back up to the newest revision it knows, so stop
    the bot and install the older version first.
    """

    async def work(db: Database, _: Settings) -> None:
        try:
            reverting = await db.reverts(revision)
        except MigrationError as exc:
            raise fail(str(exc)) from None
        if not reverting:
            typer.echo(f"nothing to revert: the database is at {revision}")
            return
        if not yes:
            typer.echo(
                f"This reverts {', '.join(reverting)}: the data in the tables and columns"
                " they drop is lost."
            )
            if not typer.confirm(f"Downgrade to {revision}?", default=False):
                raise typer.Exit(1)
        reverted = await db.downgrade(revision)
        now = ", ".join(await db.current()) or "base (no migrations applied)"
        typer.echo(f"reverted {', '.join(reverted)}; now at {now}")

    with_db(work, migrate=False)


def main() -> None:
    cli()
