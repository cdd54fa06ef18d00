"""`nabovagt areas|coordinators|roles`: the local areas people join and who may do staff work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.core.cli import fail, with_db
from bot.core.settings import Settings
from storage.db import Database

areas_cli = typer.Typer(help="Local areas residents join.", no_args_is_help=True)
coordinators_cli = typer.Typer(help="Coordinators (contact URNs).", no_args_is_help=True)
roles_cli = typer.Typer(help="Roles: coordinators and area representatives.", no_args_is_help=True)


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


@roles_cli.command("grant")
def roles_grant(
    urn: str,
    role: Annotated[str, typer.Argument(help="coordinator or representative.")],
    area: Annotated[str | None, typer.Option(help="The area a representative speaks for.")] = None,
) -> None:
    """Grant a role; representatives send to their own areas only."""
    from bot.core.urns import InvalidURN, parse_urn
    from storage import areas as area_store
    from storage import roles

    try:
        normalised = parse_urn(urn)
    except InvalidURN as exc:
        raise fail(str(exc)) from None
    if role not in (roles.COORDINATOR, roles.REPRESENTATIVE):
        raise fail("ROLE must be coordinator or representative")
    if role == roles.REPRESENTATIVE and not area:
        raise fail("a representative needs --area NAME")

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            area_id = None
            if area:
                found = await area_store.find_by_name(session=session, name=area)
                if found is None:
                    raise fail(f"unknown area {area}: see `nabovagt areas list`")
                area_id = found.id
            await roles.grant(session=session, urn=normalised, role=role, area_id=area_id)
        typer.echo(f"{normalised} is {role}" + (f" for {area}" if area else ""))

    with_db(work)


@roles_cli.command("list")
def roles_list() -> None:
    """Every granted role."""
    from storage import areas as area_store
    from storage import roles

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            granted = await roles.list_roles(session=session)
            names = {a.id: a.name for a in await area_store.list_areas(session=session)}
        for row in granted:
            typer.echo(f"{row.urn}\t{row.role}\t{names.get(row.area_id, '-')}")  # type: ignore[arg-type]
        if not granted:
            typer.echo("no roles yet")

    with_db(work)
