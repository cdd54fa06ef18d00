"""The `nabovagt` command line: run, demo, database, areas and coordinators."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.broadcasts.cli import broadcast, broadcasts_cli, roles_cli, tips_library_cli
from bot.core.cli import fail, with_db
from bot.core.settings import Settings, load_settings
from bot.events.cli import burglaries_cli, events_cli, report_cli, walks_cli
from bot.tips.cli import tips_cli
from storage.db import Database

cli = typer.Typer(
    help="Nabovagt: neighbour-watch chatbot for Telegram and SMS.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
areas_cli = typer.Typer(help="Local areas residents join.", no_args_is_help=True)
coordinators_cli = typer.Typer(help="Coordinators (contact URNs).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(areas_cli, name="areas")
cli.add_typer(coordinators_cli, name="coordinators")
cli.command("broadcast")(broadcast)
cli.add_typer(broadcasts_cli, name="broadcasts")
cli.add_typer(tips_library_cli, name="tips-library")
cli.add_typer(roles_cli, name="roles")
cli.add_typer(events_cli, name="events")
cli.add_typer(walks_cli, name="walks")
cli.add_typer(burglaries_cli, name="burglaries")
cli.add_typer(report_cli, name="report")
cli.add_typer(tips_cli, name="tips")


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
    from bot.app.application import NabovagtApp, run_until_signalled
    from bot.app.logs import setup_logging

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
    from bot.app.demo import run_demo

    lines = None
    if script is not None:
        if not script.is_file():
            raise fail(f"{script}: no such file", 2)
        lines = script.read_text(encoding="utf-8").splitlines()
    raise typer.Exit(asyncio.run(run_demo(lines, database)))


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""

    async def work(db: Database, _: Settings) -> None:
        typer.echo("database is up to date")

    with_db(work)


@areas_cli.command("add")
def areas_add(
    name: str,
    postcode: Annotated[str | None, typer.Option(help="Four-digit postcode.")] = None,
) -> None:
    """Add an area (or update its postcode)."""
    from storage.areas import add_area

    if postcode is not None and not (postcode.isdigit() and len(postcode) == 4):
        raise fail(f"postcode {postcode!r} must be four digits", 2)
    if not name.strip():
        raise fail("area name is empty", 2)

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            area = await add_area(session=session, name=name, postcode=postcode)
        typer.echo(f"area {area.name} ({area.postcode or '-'}) saved")

    with_db(work)


@areas_cli.command("list")
def areas_list() -> None:
    """List areas with postcode and whether they have a polygon."""
    from storage.areas import list_areas

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            found = await list_areas(session=session)
        for area in found:
            polygon = "polygon" if area.polygon_wkt else "no polygon"
            typer.echo(f"{area.id}\t{area.name}\t{area.postcode or '-'}\t{polygon}")
        if not found:
            typer.echo("no areas yet: nabovagt areas add NAME --postcode 3520")

    with_db(work)


@areas_cli.command("import")
def areas_import(file: Path) -> None:
    """Import areas from GeoJSON (name, postcode properties) or CSV name,postcode; all or nothing."""
    from bot.core.area_files import AreaFileError, read_area_file
    from storage.areas import add_area

    if not file.exists():
        raise fail(f"{file}: no such file", 2)
    try:
        rows = read_area_file(file)
    except AreaFileError as exc:
        raise fail(f"{file}: {exc}; nothing was imported", 2) from None

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            for row in rows:
                await add_area(
                    session=session,
                    name=row.name,
                    postcode=row.postcode,
                    polygon_wkt=row.polygon_wkt,
                )
        typer.echo(f"imported {len(rows)} areas")

    with_db(work)


@coordinators_cli.command("add")
def coordinators_add(urn: str) -> None:
    """Make telegram:<id> or tel:+45… a coordinator."""
    from bot.core.urns import InvalidURN, parse_urn
    from storage import roles

    try:
        normalised = parse_urn(urn)
    except InvalidURN as exc:
        raise fail(str(exc), 2) from None

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            await roles.grant(session=session, urn=normalised, role=roles.COORDINATOR)
        typer.echo(f"{normalised} is a coordinator")

    with_db(work)


@coordinators_cli.command("list")
def coordinators_list() -> None:
    """List coordinators from the database and from COORDINATORS."""
    from storage import roles

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            granted = await roles.list_roles(session=session, role=roles.COORDINATOR)
        for row in granted:
            typer.echo(f"{row.urn}\tdatabase")
        for urn in settings.coordinator_urns:
            typer.echo(f"{urn}\tCOORDINATORS setting")
        if not granted and not settings.coordinator_urns:
            typer.echo("no coordinators yet: nabovagt coordinators add telegram:<id>")

    with_db(work)


def main() -> None:
    cli()
