"""CLI for broadcasts: `broadcast`, `broadcasts list|show`, `tips-library`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.broadcasts.render import calm_warnings, progress_text, render_text, report_text, summary
from bot.core.cli import fail, with_db
from bot.core.settings import Settings
from storage.db import Database

broadcasts_cli = typer.Typer(help="Broadcasts sent and being sent.", no_args_is_help=True)
tips_library_cli = typer.Typer(help="Prevention tips for the weekly tip.", no_args_is_help=True)

KINDS = ("alert", "tip", "announcement")
PRIORITIES = {"urgent": 0, "normal": 1}


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
    from storage import areas as area_store
    from storage import outbox

    if kind not in KINDS:
        raise fail(f"--kind must be one of {', '.join(KINDS)}")
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
        async with db.session() as session:
            ids = None
            names = None
            if area:
                found = [await area_store.find_by_name(session=session, name=n) for n in area]
                missing = [n for n, a in zip(area, found, strict=True) if a is None]
                if missing:
                    raise fail(f"unknown area {', '.join(missing)}: see `nabovagt areas list`")
                ids = [a.id for a in found if a is not None]
                names = sorted(a.name for a in found if a is not None)
            counts = await outbox.count_recipients(
                session=session, area_ids=ids, topic=outbox.KIND_TOPIC[kind]
            )
        lang = settings.default_language
        typer.echo(render_text(kind, body, lang, names))
        typer.echo("———")
        typer.echo(summary(counts, kind, body, lang, names))
        for warning in calm_warnings(body, lang):
            typer.echo(warning)
        if not yes and not typer.confirm("Send?", default=False):
            raise fail("nothing was sent", 1)
        async with db.session() as session:
            sent = await outbox.enqueue_broadcast(
                session=session,
                kind=kind,
                text=body,
                created_by="cli",
                area_ids=ids,
                priority=PRIORITIES[priority],
            )
        typer.echo(f"broadcast {sent.id} queued for {sent.total} recipients")
        if wait and sent.total:
            await _follow(db, sent.id, lang)  # type: ignore[arg-type]

    with_db(work)


async def _follow(db: Database, broadcast_id: int, lang: str) -> None:
    """Print progress until every delivery is settled (needs a running `nabovagt run`)."""
    from storage import broadcasts

    typer.echo("waiting for the running nabovagt to deliver (Ctrl-C stops waiting, not sending)")
    last = ""
    while True:
        async with db.session() as session:
            row = await broadcasts.get_broadcast(session=session, broadcast_id=broadcast_id)
            counts = await broadcasts.counts(session=session, broadcast_id=broadcast_id)
        assert row is not None
        line = progress_text(lang, counts, row.total)
        if line != last:
            typer.echo(line)
            last = line
        if broadcasts.is_finished(counts):
            break
        await asyncio.sleep(1)
    await _show(db, broadcast_id, lang)


async def _show(db: Database, broadcast_id: int, lang: str) -> None:
    from storage import broadcasts

    async with db.session() as session:
        row = await broadcasts.get_broadcast(session=session, broadcast_id=broadcast_id)
        if row is None:
            raise fail(f"no broadcast {broadcast_id}", 1)
        counts = await broadcasts.counts(session=session, broadcast_id=broadcast_id)
        reasons = await broadcasts.failure_reasons(session=session, broadcast_id=broadcast_id)
        names = await broadcasts.area_names(session=session, area_ids=row.area_ids)
    typer.echo(
        report_text(
            lang,
            broadcast_id=broadcast_id,
            kind=row.kind,
            area_names=names,
            counts=counts,
            reasons=reasons,
        )
    )


@broadcasts_cli.command("list")
def broadcasts_list(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
) -> None:
    """Recent broadcasts with status and progress."""
    from storage import broadcasts

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            rows = await broadcasts.list_broadcasts(session=session, limit=limit)
            for row in rows:
                counts = await broadcasts.counts(session=session, broadcast_id=row.id)  # type: ignore[arg-type]
                names = await broadcasts.area_names(session=session, area_ids=row.area_ids)
                when = row.created_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
                status = "done" if broadcasts.is_finished(counts) else row.status
                typer.echo(
                    f"{row.id}\t{when}\t{row.kind}\t{'urgent' if row.priority == 0 else 'normal'}"
                    f"\t{', '.join(names) if names else 'all'}\t{status}"
                    f"\t{progress_text(settings.default_language, counts, row.total)}"
                )
        if not rows:
            typer.echo("no broadcasts yet")

    with_db(work)


@broadcasts_cli.command("show")
def broadcasts_show(broadcast_id: int) -> None:
    """One broadcast: its text and the delivery report per channel with reasons."""
    from storage import broadcasts

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            row = await broadcasts.get_broadcast(session=session, broadcast_id=broadcast_id)
            if row is None:
                raise fail(f"no broadcast {broadcast_id}", 1)
            counts = await broadcasts.counts(session=session, broadcast_id=broadcast_id)
        typer.echo(
            f"created {row.created_at.astimezone(settings.tz):%Y-%m-%d %H:%M} by {row.created_by}"
        )
        typer.echo(row.text)
        typer.echo("———")
        typer.echo(progress_text(settings.default_language, counts, row.total))
        await _show(db, broadcast_id, settings.default_language)

    with_db(work)


@tips_library_cli.command("list")
def tips_list() -> None:
    """The tips the weekly tip rotates through."""
    from storage import tip_library

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            tips = await tip_library.list_tips(session=session)
        for tip in tips:
            typer.echo(f"{tip.id}\t{tip.theme or '-'}\t{tip.text}")
        if not tips:
            typer.echo('no tips: nabovagt tips-library add "…" --theme "…"')

    with_db(work)


@tips_library_cli.command("add")
def tips_add(
    text: str, theme: Annotated[str, typer.Option(help="Short theme, e.g. Lås.")] = ""
) -> None:
    """Add a tip to the library."""
    from storage import tip_library

    if not text.strip():
        raise fail("the tip is empty")

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            tip = await tip_library.add_tip(session=session, text=text, theme=theme)
        typer.echo(f"tip {tip.id} added")

    with_db(work)


@tips_library_cli.command("remove")
def tips_remove(tip_id: int) -> None:
    """Remove a tip from the library."""
    from storage import tip_library

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            removed = await tip_library.remove_tip(session=session, tip_id=tip_id)
        if not removed:
            raise fail(f"no tip {tip_id}", 1)
        typer.echo(f"tip {tip_id} removed")

    with_db(work)
