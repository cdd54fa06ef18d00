"""`nabovagt burglaries|report`: burglary figures per area and the monthly hotspot report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.core.cli import area_ids_by_name, fail, with_db
from bot.core.i18n import LANGUAGES
from bot.core.settings import Settings
from bot.reports.draw import CHART_FORMATS, render_chart
from bot.reports.render import report_text
from bot.reports.services import (
    BurglaryFileError,
    add_burglary,
    build_report,
    import_burglaries,
    parse_day,
    previous_month,
)
from storage.db import Database

burglaries_cli = typer.Typer(help="Burglary figures per area.", no_args_is_help=True)
report_cli = typer.Typer(help="Reports for coordinators.", no_args_is_help=True)


@burglaries_cli.command("import")
def burglaries_import(file: Path) -> None:
    """Import CSV date,area[,address,kind]; bad rows are named by line and nothing is imported."""
    if not file.is_file():
        raise fail(f"{file}: no such file")
    text = file.read_text(encoding="utf-8-sig")

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            try:
                added = await import_burglaries(session=session, text=text)
            except BurglaryFileError as exc:
                for problem in exc.problems:
                    typer.echo(f"nabovagt: {file}: {problem}", err=True)
                typer.echo("nabovagt: nothing was imported", err=True)
                raise typer.Exit(2) from None
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
    parsed = parse_day(day)
    if parsed is None:
        raise fail(f"{day!r} is not a date like 2026-11-03")

    async def work(db: Database, _: Settings) -> None:
        ids = await area_ids_by_name(db, [area])
        if ids is None:
            raise fail("choose one area")
        async with db.session() as session:
            await add_burglary(
                session=session, day=parsed, area_id=ids[0], address=address, kind=kind
            )
        typer.echo(f"burglary on {parsed} in {area} added")

    with_db(work)


@report_cli.command("monthly")
def report_monthly(
    out: Annotated[
        Path, typer.Option(help="Where to write the chart: .png, .pdf or .svg; folders are made.")
    ],
    month: Annotated[str | None, typer.Option(help="YYYY-MM; default last month.")] = None,
    lang: Annotated[
        str | None, typer.Option(help="da or en; default the configured default language.")
    ] = None,
) -> None:
    """The monthly hotspot report as a chart (PNG, PDF or SVG by --out's suffix), its text printed."""
    if lang is not None and lang not in LANGUAGES:
        raise fail(f"language {lang!r} must be one of {', '.join(LANGUAGES)}")

    async def work(db: Database, settings: Settings) -> None:
        if month is None:
            first = previous_month(datetime.now(UTC), settings.tz)
        else:
            try:
                first = date.fromisoformat(f"{month}-01")
            except ValueError:
                raise fail(f"month {month!r} must look like 2026-11") from None
        language = lang or settings.default_language
        async with db.session() as session:
            report = await build_report(session=session, month=first, tz=settings.tz)
        chart = render_chart(report, language, CHART_FORMATS.get(out.suffix.lower(), "png"))
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(chart)
        except OSError as exc:
            raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
        typer.echo(report_text(report, language))
        typer.echo(f"\nchart written to {out}")

    with_db(work)
