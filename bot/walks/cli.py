"""`nabovagt walks`: the walk protocol (HTML or PDF), open observations, owners, deadlines, outcomes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.core.actors import OPERATOR, NotAllowed
from bot.core.cli import fail, with_db
from bot.core.i18n import LANGUAGES, t
from bot.core.settings import Settings
from bot.walks import followup
from bot.walks.followup import FIXED, OPEN, OWNERS, WONT_FIX, FollowupError
from bot.walks.pdf import render_pdf
from bot.walks.report import render_html
from bot.walks.services import build_walk_report
from storage.db import Database
from storage.models import utcnow

walks_cli = typer.Typer(help="Safety walks (tryghedsvandringer).", no_args_is_help=True)


def _language(lang: str | None, settings: Settings) -> str:
    if lang is not None and lang not in LANGUAGES:
        raise fail(f"--lang must be one of {', '.join(LANGUAGES)}")
    return lang or settings.default_language


@walks_cli.command("report")
def walks_report(
    event_id: int,
    out: Annotated[Path, typer.Option(help="protocol.html, or protocol.pdf for a PDF")],
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="da or en (default: DEFAULT_LANGUAGE)."),
    ] = None,
) -> None:
    """The walk's protocol for the association: HTML, or PDF by file name (photos, map, follow-up)."""
    if lang is not None and lang not in LANGUAGES:
        raise fail(f"--lang must be one of {', '.join(LANGUAGES)}")

    async def work(db: Database, settings: Settings) -> None:
        language = _language(lang, settings)
        async with db.session() as session:
            report = await build_walk_report(session=session, event_id=event_id)
        if report is None:
            raise fail(f"no event {event_id}", 1)
        if not out.parent.is_dir():
            raise fail(f"folder {out.parent} does not exist")
        if out.suffix.casefold() == ".pdf":
            out.write_bytes(render_pdf(report, settings, language))
        else:
            out.write_text(render_html(report, settings, language), encoding="utf-8")
        photos = sum(len(report.photos(o)) for o in report.observations)
        typer.echo(
            f"{len(report.observations)} observation(s), {photos} photo(s); protocol written to {out}"
        )

    with_db(work)


@walks_cli.command("open")
def walks_open() -> None:
    """Open observations of every walk, soonest deadline first, with their ids."""

    async def work(db: Database, settings: Settings) -> None:
        lang = settings.default_language
        async with db.session() as session:
            items = await followup.open_items(session=session, actor=OPERATOR, limit=200)
        if not items:
            typer.echo("no open observations")
        for item in items:
            o = item.observation
            owner = t(f"walk.owner.{o.owner}", lang) if o.owner else "-"
            due = o.due_on.isoformat() if o.due_on else "-"
            note = o.note.replace("\n", " ")[:60] or "-"
            typer.echo(f"{item.id}\t{item.walk.title}\t{o.kind}\t{owner}\t{due}\t{note}")

    with_db(work)


@walks_cli.command("assign")
def walks_assign(
    observation_id: int,
    owner: Annotated[
        str | None, typer.Option("--owner", help=f"Who fixes it: {', '.join(OWNERS)}.")
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="Deadline, e.g. 2026-12-31 or 31-12-2026.")
    ] = None,
) -> None:
    """Set an observation's owner and/or deadline."""
    if owner is None and due is None:
        raise fail("give --owner and/or --due")
    if owner is not None and owner not in OWNERS:
        raise fail(f"--owner must be one of {', '.join(OWNERS)}")

    async def work(db: Database, settings: Settings) -> None:
        today = datetime.now(settings.tz).date()
        try:
            due_on = followup.parse_due(due, today) if due is not None else None
        except FollowupError as exc:
            raise fail(f"--due: {exc}") from None
        async with db.session() as session:
            try:
                o = await followup.assign(
                    session=session,
                    actor=OPERATOR,
                    observation_id=observation_id,
                    owner=owner,
                    due_on=due_on,
                )
            except NotAllowed:
                raise fail(f"no observation {observation_id}", 1) from None
        shown_due = o.due_on.isoformat() if o.due_on else "-"
        typer.echo(f"observation {observation_id}: owner {o.owner or '-'}, due {shown_due}")

    with_db(work)


@walks_cli.command("resolve")
def walks_resolve(
    observation_id: int,
    fixed: Annotated[bool, typer.Option("--fixed", help="It has been fixed.")] = False,
    wont_fix: Annotated[bool, typer.Option("--wont-fix", help="It will not be fixed.")] = False,
    reopen: Annotated[bool, typer.Option("--reopen", help="Open it again.")] = False,
    note: Annotated[str, typer.Option("--note", help="What happened (shown to the walkers).")] = "",
) -> None:
    """Mark an observation fixed or won't fix, with a note (--reopen takes it back)."""
    chosen = [s for s, on in ((FIXED, fixed), (WONT_FIX, wont_fix), (OPEN, reopen)) if on]
    if len(chosen) != 1:
        raise fail("give exactly one of --fixed, --wont-fix, --reopen")

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            try:
                await followup.resolve(
                    session=session,
                    actor=OPERATOR,
                    observation_id=observation_id,
                    status=chosen[0],
                    note=note,
                    now=utcnow(),
                )
            except NotAllowed:
                raise fail(f"no observation {observation_id}", 1) from None
        typer.echo(f"observation {observation_id}: {chosen[0]}")

    with_db(work)
