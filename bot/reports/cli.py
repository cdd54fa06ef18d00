"""`nabovagt burglaries|report`: burglary figures per area and the monthly hotspot report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.core.cli import area_ids_by_name, fail, with_db
from bot.core.settings import Settings
from storage.db import Database

burglaries_cli = typer.Typer(help="Burglary figures per area.", no_args_is_help=True)
report_cli = typer.Typer(help="Reports for coordinators.", no_args_is_help=True)


@burglaries_cli.command("import")
def burglaries_import(file: Path) -> None:
    """Import CSV date,area[,address,kind]; bad rows are named by line and nothing is imported."""
    from bot.reports.hotspots import BurglaryFileError, read_burglary_csv
    from storage.areas import list_areas
    from storage.burglaries import add_burglaries

    if not file.is_file():
        raise fail(f"{file}: no such file")
    text = file.read_text(encoding="utf-8-sig")

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            try:
                rows = read_burglary_csv(text, await list_areas(session=session))
            except BurglaryFileError as exc:
                for problem in exc.problems:
                    typer.echo(f"nabovagt: {file}: {problem}", err=True)
                typer.echo("nabovagt: nothing was imported", err=True)
                raise typer.Exit(2) from None
            added = await add_burglaries(session=session, rows=rows)
        typer.echo(f"imported {added} burglaries")

    with_db(work)


@burglaries_cli.command("add")
def burglaries_add(
    day: Annotated[str, typer.Option("--date", help="YYYY-MM-DD")],
    area: Annotated[str, typer.Option()],
    address: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add one burglary."""
    from bot.reports.hotspots import parse_day
    from storage.burglaries import BurglaryRow, add_burglaries

    parsed = parse_day(day)
    if parsed is None:
        raise fail(f"{day!r} is not a date like 2026-11-03")

    async def work(db: Database, _: Settings) -> None:
        ids = await area_ids_by_name(db, [area])
        if ids is None:
            raise fail("choose one area")
        async with db.session() as session:
            await add_burglaries(session=session, rows=[BurglaryRow(parsed, ids[0], address, kind)])
        typer.echo(f"burglary on {parsed} in {area} added")

    with_db(work)


@report_cli.command("monthly")
def report_monthly(
    out: Annotated[Path, typer.Option(help="Where to write the PNG chart.")],
    month: Annotated[str | None, typer.Option(help="YYYY-MM; default last month.")] = None,
) -> None:
    """The monthly hotspot report as a PNG chart, with its text printed."""
    from bot.reports.hotspots import build_report, previous_month, render_png, report_text

    async def work(db: Database, settings: Settings) -> None:
        if month is None:
            first = previous_month(datetime.now(UTC), settings.tz)
        else:
            try:
                first = date.fromisoformat(f"{month}-01")
            except ValueError:
                raise fail(f"month {month!r} must look like 2026-11") from None
        async with db.session() as session:
            report = await build_report(session=session, month=first, tz=settings.tz)
        out.write_bytes(render_png(report))
        typer.echo(report_text(report))
        typer.echo(f"\nchart written to {out}")

    with_db(work)
