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
from storage.db import Database

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
    if settings.telegram_token is None:
        typer.echo("nabovagt: TELEGRAM_TOKEN is not set; only the HTTP server runs", err=True)
    app = NabovagtApp(settings, report_to_representatives=representatives)
    asyncio.run(run_until_signalled(app))


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
    # The whole command line, for the demo's `:cli` lines.
    raise typer.Exit(asyncio.run(run_demo(lines, database, commands=cli)))


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""

    async def work(db: Database, _: Settings) -> None:
        typer.echo("database is up to date")

    with_db(work)


def main() -> None:
    cli()
