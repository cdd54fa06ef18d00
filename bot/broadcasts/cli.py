"""CLI for broadcasts: `broadcast`, `broadcasts list|show`, `tips-library` (prevention tips)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.broadcasts import prevention, services
from bot.broadcasts.render import (
    progress_text,
    report_text,
    sms_version,
    summary,
    warning_texts,
)
from bot.core.actors import OPERATOR
from bot.core.cli import fail, with_db
from bot.core.settings import Settings
from storage import outbox
from storage.db import Database

broadcasts_cli = typer.Typer(help="Broadcasts sent and being sent.", no_args_is_help=True)
prevention_tips_cli = typer.Typer(help="Prevention tips for the weekly tip.", no_args_is_help=True)

PRIORITIES = {"urgent": outbox.URGENT, "normal": outbox.NORMAL}


def broadcast(
    kind: Annotated[str, typer.Option(help="alert, tip or announcement.")],
    area: Annotated[list[str] | None, typer.Option(help="Area name; repeat for several.")] = None,
    all_areas: Annotated[bool, typer.Option("--all", help="Every area.")] = False,
    text: Annotated[str | None, typer.Option(help="The message.")] = None,
    file: Annotated[Path | None, typer.Option(help="Read the message from a file.")] = None,
    priority: Annotated[str, typer.Option(help="urgent or normal.")] = "normal",
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Follow progress until done.")] = False,
) -> None:
    """Write a broadcast into the outbox; the running `nabovagt run` delivers it."""
    if kind not in services.KINDS:
        raise fail(f"--kind must be one of {', '.join(services.KINDS)}")
    if priority not in PRIORITIES:
        raise fail("--priority must be urgent or normal")
    if bool(area) == all_areas:
        raise fail("give --area NAME (one or more) or --all")
    if (text is None) == (file is None):
        raise fail("give --text or --file")
    if file is not None:
        if not file.is_file():
            raise fail(f"{file}: no such file")
        text = file.read_text(encoding="utf-8")
    assert text is not None
    if not text.strip():
        raise fail("the message is empty")
    body = text.strip()

    async def work(db: Database, settings: Settings) -> None:
        lang = settings.default_language
        async with db.session() as session:
            ids = None
            if area:
                found, missing = await services.find_areas(session=session, names=area)
                if missing:
                    raise fail(f"unknown area {', '.join(missing)}: see `nabovagt areas list`")
                ids = [a.id for a in found if a.id is not None]
            shown = await services.preview(
                session=session, kind=kind, text=body, area_ids=ids, lang=lang
            )
        typer.echo(shown.rendered["telegram"])
        typer.echo("———")
        typer.echo(sms_version(shown.rendered["sms"], shown.sms_segments, lang))
        typer.echo("———")
        typer.echo(summary(shown.recipients, shown.sms_segments, shown.sms_cost, lang))
        for warning in warning_texts(shown.warnings, lang):
            typer.echo(warning)
        if not yes and not typer.confirm(
            f"Send to {shown.total} recipients ({recipients_line(shown.recipients)})?",
            default=False,
        ):
            raise fail("nothing was sent", 1)
        async with db.session() as session:
            sent = await services.queue_broadcast(
                session=session,
                actor=OPERATOR,
                kind=kind,
                text=body,
                area_ids=ids,
                priority=PRIORITIES[priority],
            )
        typer.echo(f"broadcast {sent.id} queued for {sent.total} recipients")
        if wait and sent.total:
            assert sent.id is not None
            await follow(db, sent.id, lang)

    with_db(work)


def recipients_line(recipients: dict[str, int]) -> str:
    return ", ".join(f"{n} on {channel}" for channel, n in sorted(recipients.items())) or "nobody"


async def follow(db: Database, broadcast_id: int, lang: str) -> None:
    """Print progress until every delivery is settled (needs a running `nabovagt run`)."""
    typer.echo("waiting for the running nabovagt to deliver (Ctrl-C stops waiting, not sending)")
    last = ""
    while True:
        async with db.session() as session:
            found = await services.broadcast_status(session=session, broadcast_id=broadcast_id)
        assert found is not None
        line = progress_text(lang, found.counts, found.broadcast.total)
        if line != last:
            typer.echo(line)
            last = line
        if found.finished:
            break
        await asyncio.sleep(1)
    await show_report(db, broadcast_id, lang)


async def status_with_reasons(db: Database, broadcast_id: int) -> services.BroadcastStatus:
    async with db.session() as session:
        found = await services.broadcast_status(
            session=session, broadcast_id=broadcast_id, with_reasons=True
        )
    if found is None:
        raise fail(f"no broadcast {broadcast_id}", 1)
    return found


def echo_report(found: services.BroadcastStatus, lang: str) -> None:
    typer.echo(
        report_text(
            lang,
            broadcast_id=found.id,
            kind=found.broadcast.kind,
            area_names=found.area_names,
            counts=found.counts,
            reasons=found.reasons,
        )
    )


async def show_report(db: Database, broadcast_id: int, lang: str) -> None:
    echo_report(await status_with_reasons(db, broadcast_id), lang)


@broadcasts_cli.command("list")
def broadcasts_list(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
) -> None:
    """Recent broadcasts with status and progress."""

    async def work(db: Database, settings: Settings) -> None:
        lang = settings.default_language
        async with db.session() as session:
            found = await services.recent_broadcasts(session=session, limit=limit)
        for one in found:
            row = one.broadcast
            when = row.created_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
            typer.echo(
                f"{row.id}\t{when}\t{row.kind}\t{'urgent' if row.priority == 0 else 'normal'}"
                f"\t{', '.join(one.area_names) if one.area_names else 'all'}\t{one.status}"
                f"\t{progress_text(lang, one.counts, row.total)}"
            )
        if not found:
            typer.echo("no broadcasts yet")

    with_db(work)


@broadcasts_cli.command("show")
def broadcasts_show(broadcast_id: int) -> None:
    """One broadcast: its text and the delivery report per channel with reasons."""

    async def work(db: Database, settings: Settings) -> None:
        lang = settings.default_language
        found = await status_with_reasons(db, broadcast_id)
        row = found.broadcast
        typer.echo(
            f"created {row.created_at.astimezone(settings.tz):%Y-%m-%d %H:%M} by {row.created_by}"
        )
        typer.echo(row.text)
        typer.echo("———")
        typer.echo(progress_text(lang, found.counts, row.total))
        echo_report(found, lang)

    with_db(work)


@prevention_tips_cli.command("list")
def prevention_tips_list() -> None:
    """The tips the weekly tip rotates through."""

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            library = await prevention.list_prevention_tips(session=session)
        for prevention_tip in library:
            typer.echo(f"{prevention_tip.id}\t{prevention_tip.theme or '-'}\t{prevention_tip.text}")
        if not library:
            typer.echo('no tips: nabovagt tips-library add "…" --theme "…"')

    with_db(work)


@prevention_tips_cli.command("add")
def prevention_tips_add(
    text: str, theme: Annotated[str, typer.Option(help="Short theme, e.g. Lås.")] = ""
) -> None:
    """Add a tip to the library."""
    if not text.strip():
        raise fail("the tip is empty")

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            prevention_tip = await prevention.add_prevention_tip(
                session=session, text=text, theme=theme
            )
        typer.echo(f"tip {prevention_tip.id} added")

    with_db(work)


@prevention_tips_cli.command("remove")
def prevention_tips_remove(tip_id: int) -> None:  # `tip_id` is the TIP_ID users see in --help
    """Remove a tip from the library."""

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            removed = await prevention.remove_prevention_tip(
                session=session, prevention_tip_id=tip_id
            )
        if not removed:
            raise fail(f"no tip {tip_id}", 1)
        typer.echo(f"tip {tip_id} removed")

    with_db(work)
