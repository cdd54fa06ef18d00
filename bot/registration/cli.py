"""`nabovagt areas|coordinators|roles`: the local areas people join and who may do staff work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.core.area_files import AreaFileError, read_area_file
from bot.core.cli import fail, with_db
from bot.core.settings import Settings
from bot.core.urns import InvalidURN
from bot.registration import services
from storage import roles
from storage.areas import AreaReach
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
    try:
        services.check_area(name, postcode)
    except services.BadPostcode:
        raise fail(f"postcode {postcode!r} must be four digits", 2) from None
    except services.EmptyAreaName:
        raise fail("area name is empty", 2) from None

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            area = await services.add_area(session=session, name=name, postcode=postcode)
        typer.echo(f"area {area.name} ({area.postcode or '-'}) saved")

    with_db(work)


@areas_cli.command("list")
def areas_list() -> None:
    """List areas with postcode and whether they have a polygon."""

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            found = await services.list_areas(session=session)
        for area in found:
            polygon = "polygon" if area.polygon_wkt else "no polygon"
            typer.echo(f"{area.id}\t{area.name}\t{area.postcode or '-'}\t{polygon}")
        if not found:
            typer.echo("no areas yet: nabovagt areas add NAME --postcode 3520")

    with_db(work)


@areas_cli.command("import")
def areas_import(file: Path) -> None:
    """Import areas from GeoJSON (name, postcode properties) or CSV name,postcode; all or nothing."""
    if not file.exists():
        raise fail(f"{file}: no such file", 2)
    try:
        rows = read_area_file(file)
    except AreaFileError as exc:
        raise fail(f"{file}: {exc}; nothing was imported", 2) from None

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            imported = await services.import_areas(session=session, rows=rows)
        typer.echo(f"imported {imported} areas")

    with_db(work)


@areas_cli.command("remove")
def areas_remove(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask; remove at once.")] = False,
) -> None:
    """Remove an area: first says who and what loses it, then asks (unless --yes)."""

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            try:
                area, reach = await services.removal_reach(session=session, name=name)
            except services.UnknownArea:
                raise fail(f"unknown area {name}: see `nabovagt areas list`", 2) from None
        typer.echo(removal_consequence(area.name, reach))
        if not yes and not typer.confirm(f"Remove {area.name}?", default=False):
            raise fail("nothing was removed", 1)
        assert area.id is not None
        async with db.session() as session:
            await services.remove_area(session=session, area_id=area.id)
        typer.echo(f"area {area.name} removed")

    with_db(work)


def removal_consequence(name: str, reach: AreaReach) -> str:
    """ "12 neighbour helpers lose Farum (3 of them get no more alerts), ..." """
    lines = [
        f"{reach.helpers} neighbour helpers lose {name}"
        + (
            f" ({reach.only_area} of them have no other area and get no more alerts)"
            if reach.only_area
            else ""
        )
    ]
    if reach.representatives:
        lines.append(f"{reach.representatives} area representative roles for {name} end")
    if reach.events:
        lines.append(f"{reach.events} events no longer invite {name}'s helpers")
    if reach.burglaries:
        lines.append(f"{reach.burglaries} recorded burglaries in {name} leave the reports")
    return "Removing an area cannot be undone:\n" + "\n".join(f"- {line}" for line in lines)


@coordinators_cli.command("add")
def coordinators_add(urn: str) -> None:
    """Make telegram:<id> or tel:+45… a coordinator."""
    normalised = _checked_grant(urn, roles.COORDINATOR, None)

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            await services.grant_role(session=session, urn=normalised, role=roles.COORDINATOR)
        typer.echo(f"{normalised} is a coordinator")

    with_db(work)


@coordinators_cli.command("list")
def coordinators_list() -> None:
    """List coordinators from the database and from COORDINATORS."""

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            granted = await services.list_roles(session=session, role=roles.COORDINATOR)
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
    normalised = _checked_grant(urn, role, area)

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            try:
                await services.grant_role(session=session, urn=normalised, role=role, area=area)
            except services.UnknownArea:
                raise fail(f"unknown area {area}: see `nabovagt areas list`") from None
        typer.echo(f"{normalised} is {role}" + (f" for {area}" if area else ""))

    with_db(work)


@roles_cli.command("list")
def roles_list() -> None:
    """Every granted role."""

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            granted = await services.list_roles(session=session)
        for row in granted:
            typer.echo(f"{row.urn}\t{row.role}\t{row.area or '-'}")
        if not granted:
            typer.echo("no roles yet")

    with_db(work)


def _checked_grant(urn: str, role: str, area: str | None) -> str:
    """The normalised URN, or exit 2 saying what is wrong, before the database is opened."""
    try:
        return services.check_grant(urn, role, area)
    except InvalidURN as exc:
        raise fail(str(exc)) from None
    except services.UnknownRole:
        raise fail("ROLE must be coordinator or representative") from None
    except services.AreaNeeded:
        raise fail("a representative needs --area NAME") from None
