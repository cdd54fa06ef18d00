"""`nabovagt events|walks|burglaries|report`: events, safety-walk reports, burglary figures, reports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.core.cli import fail, with_db
from bot.core.settings import Settings
from storage.db import Database

events_cli = typer.Typer(help="Meetings, safety walks and other events.", no_args_is_help=True)
walks_cli = typer.Typer(help="Safety walks (tryghedsvandringer).", no_args_is_help=True)
burglaries_cli = typer.Typer(help="Burglary figures per area.", no_args_is_help=True)
report_cli = typer.Typer(help="Reports for coordinators.", no_args_is_help=True)


async def _area_ids(db: Database, names: list[str]) -> list[int] | None:
    """Area names (or 'all') to ids; None means every area."""
    from bot.core.areas import match_areas
    from storage.areas import list_areas

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
        ids.append(found[0].id)
    return ids  # type: ignore[return-value]


@events_cli.command("add")
def events_add(
    kind: Annotated[str, typer.Option(help="borgermøde, miniborgermøde, tryghedsvandring, ...")],
    title: Annotated[str, typer.Option()],
    at: Annotated[str, typer.Option(help='Local start, e.g. "2026-12-03 19:00".')],
    place: Annotated[str, typer.Option()],
    area: Annotated[list[str], typer.Option(help="Area name; repeat, or 'all'.")],
    end: Annotated[str | None, typer.Option(help="Local end time.")] = None,
    capacity: Annotated[int | None, typer.Option(min=1)] = None,
    description: Annotated[str, typer.Option()] = "",
    reminders: Annotated[str, typer.Option(help="Offsets, e.g. 7d,1d,2h or none.")] = "7d,1d,2h",
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking.")] = False,
) -> None:
    """Create an event and invite the neighbour helpers of its areas."""
    from bot.events import services as service

    async def work(db: Database, settings: Settings) -> None:
        tz = settings.tz
        try:
            starts = service.parse_local(at, tz)
            ends = service.parse_local(end, tz) if end else None
            service.parse_offsets(reminders)
        except service.EventError as exc:
            raise fail(str(exc)) from None
        naive = datetime.strptime(
            starts.astimezone(tz).strftime("%Y-%m-%d %H:%M"), "%Y-%m-%d %H:%M"
        )
        if at.strip()[-5:] != naive.strftime("%H:%M"):
            typer.echo(f"note: {at} does not exist locally (clock change); using {naive:%H:%M}")
        area_ids = await _area_ids(db, area)
        if not yes:
            typer.echo(f"{kind}: {title}, {service.when_text(starts, tz, 'da')}, {place}")
            if not typer.confirm("Send the invitation?"):
                raise typer.Exit(1)
        async with db.session() as session:
            try:
                event, invited = await service.create_event(
                    session=session,
                    settings=settings,
                    kind=kind,
                    title=title,
                    starts_at=starts,
                    ends_at=ends,
                    place=place,
                    area_ids=area_ids,
                    capacity=capacity,
                    description=description,
                    reminders=reminders,
                    created_by="cli",
                    now=datetime.now(UTC),
                )
            except service.EventError as exc:
                raise fail(str(exc)) from None
        typer.echo(f"event {event.id} created; invitation queued for {invited} neighbour helpers")

    with_db(work)


@events_cli.command("list")
def events_list(
    all_: Annotated[bool, typer.Option("--all", help="Include past events.")] = False,
) -> None:
    """List upcoming events (with --all: every event)."""
    from bot.events.services import when_text
    from storage import events as store

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            since = None if all_ else datetime.now(UTC)
            found = await store.list_events(session=session, since=since)
            for e in found:
                c = await store.counts(session=session, event_id=e.id)  # type: ignore[arg-type]
                state = "cancelled" if e.cancelled_at else f"{c.yes} coming"
                typer.echo(
                    f"{e.id}\t{e.kind}\t{when_text(e.starts_at, settings.tz, 'da')}\t"
                    f"{e.title}\t{state}"
                )
        if not found:
            typer.echo("no upcoming events: nabovagt events add --help")

    with_db(work)


@events_cli.command("show")
def events_show(event_id: int) -> None:
    """An event with its areas, answers, waiting list and reminders."""
    from bot.events.services import attendee_names, when_text
    from storage import events as store

    async def work(db: Database, settings: Settings) -> None:
        tz = settings.tz
        async with db.session() as session:
            e = await store.get_event(session=session, event_id=event_id)
            if e is None:
                raise fail(f"no event {event_id}", 1)
            areas = await store.event_areas(session=session, event_id=event_id)
            c = await store.counts(session=session, event_id=event_id)
            names = await attendee_names(session=session, event_id=event_id)
            reminders = await store.reminders_of(session=session, event_id=event_id)
        typer.echo(f"{e.kind}: {e.title}" + (" (CANCELLED)" if e.cancelled_at else ""))
        typer.echo(f"when: {when_text(e.starts_at, tz, 'da')}")
        typer.echo(f"place: {e.place}")
        typer.echo(f"areas: {'all' if e.all_areas else ', '.join(a.name for a in areas)}")
        cap = f"/{e.capacity}" if e.capacity else ""
        typer.echo(
            f"invited {c.invited}, coming {c.yes}{cap}, waiting {c.waiting}, "
            f"not coming {c.no}, no answer {c.unanswered}"
        )
        typer.echo(f"listed attendees: {', '.join(names) or '-'}")
        for r in reminders:
            due = r.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
            typer.echo(f"reminder {r.offset_minutes} min before ({r.audience}): {due} {r.status}")

    with_db(work)


@events_cli.command("cancel")
def events_cancel(event_id: int) -> None:
    """Cancel an event: everyone invited is told, and no reminder is sent."""
    from bot.events import services as service

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            try:
                event, notified = await service.cancel_event(
                    session=session, settings=settings, event_id=event_id, now=datetime.now(UTC)
                )
            except service.EventError as exc:
                raise fail(str(exc), 1) from None
        typer.echo(f"event {event.id} cancelled; {notified} invited get notice")

    with_db(work)


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
        ids = await _area_ids(db, [area])
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


@walks_cli.command("report")
def walks_report(
    event_id: int,
    out: Annotated[Path, typer.Option(help="report.html (or .pdf)")],
) -> None:
    """The safety-walk report for the homeowners' association: HTML, or PDF by file name."""
    from bot.walks.chat import build_walk_report, render_html, render_pdf

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            report = await build_walk_report(session=session, event_id=event_id)
        if report is None:
            raise fail(f"no event {event_id}", 1)
        if out.suffix.casefold() == ".pdf":
            out.write_bytes(render_pdf(report, settings))
        else:
            out.write_text(render_html(report, settings), encoding="utf-8")
        typer.echo(f"{len(report.observations)} observations; report written to {out}")

    with_db(work)
