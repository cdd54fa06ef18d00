"""`nabovagt walks`: the safety-walk report for the homeowners' association."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.core.cli import fail, with_db
from bot.core.i18n import LANGUAGES
from bot.core.settings import Settings
from bot.walks.report import render_html, render_pdf
from bot.walks.services import build_walk_report
from storage.db import Database

walks_cli = typer.Typer(help="Safety walks (tryghedsvandringer).", no_args_is_help=True)


@walks_cli.command("report")
def walks_report(
    event_id: int,
    out: Annotated[Path, typer.Option(help="report.html (or .pdf)")],
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="da or en (default: DEFAULT_LANGUAGE)."),
    ] = None,
) -> None:
    """The safety-walk report for the homeowners' association: HTML, or PDF by file name."""
    if lang is not None and lang not in LANGUAGES:
        raise fail(f"--lang must be one of {', '.join(LANGUAGES)}")

    async def work(db: Database, settings: Settings) -> None:
        language = lang or settings.default_language
        async with db.session() as session:
            report = await build_walk_report(session=session, event_id=event_id)
        if report is None:
            raise fail(f"no event {event_id}", 1)
        if out.suffix.casefold() == ".pdf":
            out.write_bytes(render_pdf(report, settings, language))
        else:
            out.write_text(render_html(report, settings, language), encoding="utf-8")
        typer.echo(f"{len(report.observations)} observations; report written to {out}")

    with_db(work)
