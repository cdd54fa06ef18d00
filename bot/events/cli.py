"""`nabovagt events`: create, list, show and cancel meetings and safety walks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.core.actors import OPERATOR
from bot.core.cli import area_ids_by_name, fail, with_db
from bot.core.settings import Settings
from bot.events import services
from bot.events.timing import EventError, parse_local, parse_offsets
from bot.events.wording import when_text
from storage.db import Database

events_cli = typer.Typer(help="Meetings, safety walks and other events.", no_args_is_help=True)


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

    async def work(db: Database, settings: Settings) -> None:
        tz = settings.tz
        try:
            starts = parse_local(at, tz)
            ends = parse_local(end, tz) if end else None
            parse_offsets(reminders)
        except EventError as exc:
            raise fail(str(exc)) from None
        naive = datetime.strptime(
            starts.astimezone(tz).strftime("%Y-%m-%d %H:%M"), "%Y-%m-%d %H:%M"
        )
        if at.strip()[-5:] != naive.strftime("%H:%M"):
            typer.echo(f"note: {at} does not exist locally (clock change); using {naive:%H:%M}")
        area_ids = await area_ids_by_name(db, area)
        if not yes:
            typer.echo(f"{kind}: {title}, {when_text(starts, tz, 'da')}, {place}")
            if not typer.confirm("Send the invitation?"):
                raise typer.Exit(1)
        async with db.session() as session:
            try:
                event, invited = await services.create_event(
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
                    actor=OPERATOR,
                )
            except EventError as exc:
                raise fail(str(exc)) from None
        typer.echo(f"event {event.id} created; invitation queued for {invited} neighbour helpers")

    with_db(work)


@events_cli.command("list")
def events_list(
    all_: Annotated[bool, typer.Option("--all", help="Include past events.")] = False,
) -> None:
    """List upcoming events (with --all: every event)."""

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            since = None if all_ else datetime.now(UTC)
            found = await services.event_summaries(session=session, since=since)
        for e, c in found:
            state = "cancelled" if e.cancelled_at else f"{c.yes} coming"
            typer.echo(
                f"{e.id}\t{e.kind}\t{when_text(e.starts_at, settings.tz, 'da')}\t{e.title}\t{state}"
            )
        if not found:
            typer.echo("no upcoming events: nabovagt events add --help")

    with_db(work)


@events_cli.command("show")
def events_show(event_id: int) -> None:
    """An event with its areas, answers, waiting list and reminders."""

    async def work(db: Database, settings: Settings) -> None:
        tz = settings.tz
        async with db.session() as session:
            overview = await services.event_overview(
                session=session, event_id=event_id, actor=OPERATOR
            )
        if overview is None:
            raise fail(f"no event {event_id}", 1)
        e, c = overview.event, overview.counts
        typer.echo(f"{e.kind}: {e.title}" + (" (CANCELLED)" if e.cancelled_at else ""))
        typer.echo(f"when: {when_text(e.starts_at, tz, 'da')}")
        typer.echo(f"place: {e.place}")
        typer.echo(f"areas: {'all' if e.all_areas else ', '.join(overview.areas)}")
        cap = f"/{e.capacity}" if e.capacity else ""
        typer.echo(
            f"invited {c.invited}, coming {c.yes}{cap}, waiting {c.waiting}, "
            f"not coming {c.no}, no answer {c.unanswered}"
        )
        typer.echo(f"listed attendees: {', '.join(overview.names) or '-'}")
        for r in overview.reminders:
            due = r.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
            typer.echo(f"reminder {r.offset_minutes} min before ({r.audience}): {due} {r.status}")

    with_db(work)


@events_cli.command("cancel")
def events_cancel(
    event_id: int,
    yes: Annotated[bool, typer.Option("--yes", help="Cancel without asking.")] = False,
) -> None:
    """Cancel an event: everyone invited is told, and no reminder is sent. Asks first, naming
    how many will be told, unless --yes."""

    async def work(db: Database, settings: Settings) -> None:
        if not yes:
            async with db.session() as session:
                try:
                    event, reach = await services.cancel_reach(
                        session=session, event_id=event_id, actor=OPERATOR
                    )
                except EventError as exc:
                    raise fail(str(exc), 1) from None
            when = when_text(event.starts_at, settings.tz, "da")
            typer.echo(f"{event.title}, {when}: {reach} invited will be told of the cancellation.")
            if not typer.confirm("Cancel the event?"):
                typer.echo("not cancelled; nobody was told anything")
                raise typer.Exit(1)
        async with db.session() as session:
            try:
                event, notified = await services.cancel_event(
                    session=session,
                    settings=settings,
                    event_id=event_id,
                    now=datetime.now(UTC),
                    actor=OPERATOR,
                )
            except EventError as exc:
                raise fail(str(exc), 1) from None
        typer.echo(f"event {event.id} cancelled; {notified} invited get notice")

    with_db(work)
