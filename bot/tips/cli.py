"""CLI for tips: `tips list|export|keep|retention` and `tips categories add|list`."""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.cli import fail, with_db
from bot.core.settings import Settings
from bot.tips.categories import CategoryError, add_category, category_choices
from bot.tips.export import (
    STATUSES,
    UnknownArea,
    export_csv,
    local_time,
    redact,
    select_tips,
    view_tips,
)
from bot.tips.retention import anonymise_expired_tips, keep_tip
from storage import tips as tip_store
from storage.db import Database
from storage.models import utcnow
from storage.tip_models import Tip

tips_cli = typer.Typer(
    help="Tips from residents: triage lists, exports, retention.", no_args_is_help=True
)
categories_cli = typer.Typer(help="Tip categories (built-in plus your own).", no_args_is_help=True)
tips_cli.add_typer(categories_cli, name="categories")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except Exception:
        return "cli"


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).astimezone()
    except ValueError:
        raise fail(f"--since {value!r} must be a date like 2026-11-01") from None


def _check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise fail(f"--status must be one of {', '.join(STATUSES)}")


async def _select(
    session: AsyncSession,
    area: str | None,
    category: str | None,
    status: str | None,
    since: datetime | None,
) -> list[Tip]:
    try:
        return await select_tips(
            session=session, area=area, category=category, status=status, since=since
        )
    except UnknownArea:
        raise fail(f"no area called {area!r}") from None


@tips_cli.command("list")
def tips_list(
    area: Annotated[str | None, typer.Option(help="Area name.")] = None,
    category: Annotated[str | None, typer.Option(help="Category key, e.g. moped.")] = None,
    status: Annotated[
        str | None, typer.Option(help="new, acknowledged, forwarded, resolved or open.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only tips from this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """List tips, newest first (the viewing is recorded in the audit log)."""
    _check_status(status)
    start = _since(since)

    async def work(db: Database, settings: Settings) -> None:
        async with db.session() as session:
            found = await _select(session, area, category, status, start)
            names = await tip_store.area_names(session=session)
            for tip in found:
                snippet = redact(tip.text).replace("\n", " ")[:60]
                fields = [
                    tip.reference or "",
                    local_time(tip.created_at, settings),
                    names.get(tip.area_id, "-") if tip.area_id else "-",
                    tip.category,
                    tip.status,
                    "URGENT" if tip.urgent else "",
                    snippet,
                ]
                typer.echo("\t".join(fields))
            await view_tips(session=session, tips=found, actor=_actor())
            if not found:
                typer.echo("no tips match")

    with_db(work)


@tips_cli.command("export")
def tips_export(
    format: Annotated[str, typer.Option("--format", help="csv")] = "csv",
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of stdout.")
    ] = None,
    with_contact: Annotated[
        bool,
        typer.Option(
            "--with-contact", help="Add contact and position where the tipster allowed it."
        ),
    ] = False,
    area: Annotated[str | None, typer.Option(help="Area name.")] = None,
    category: Annotated[str | None, typer.Option(help="Category key.")] = None,
    status: Annotated[str | None, typer.Option(help="Status or open.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only tips from this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Export tips as CSV; no personal data unless --with-contact."""
    if format != "csv":
        raise fail("--format must be csv")
    _check_status(status)
    start = _since(since)

    async def work(db: Database, settings: Settings) -> str:
        async with db.session() as session:
            found = await _select(session, area, category, status, start)
            return await export_csv(
                session, settings, found, with_contact=with_contact, actor=_actor()
            )

    text = with_db(work)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@tips_cli.command("keep")
def tips_keep(reference: str) -> None:
    """Keep a tip's text for statistics when retention anonymises it."""

    async def work(db: Database, _: Settings) -> str | None:
        async with db.session() as session:
            tip = await keep_tip(session=session, reference=reference, actor=_actor())
            if tip is None:
                raise fail(f"no tip {reference}", 1)
            return tip.reference

    kept = with_db(work)
    typer.echo(f"{kept}: text kept for statistics after retention")


@tips_cli.command("retention")
def tips_retention() -> None:
    """Anonymise tips older than TIP_RETENTION_DAYS now (the scheduler also does it hourly)."""

    async def work(db: Database, settings: Settings) -> int:
        return await anonymise_expired_tips(db, settings, utcnow())

    typer.echo(f"anonymised {with_db(work)} tips")


@categories_cli.command("list")
def categories_list() -> None:
    """List categories: key and Danish label."""

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            for key, label in await category_choices(
                session=session, lang="da", channel="telegram"
            ):
                typer.echo(f"{key}\t{label}")

    with_db(work)


CATEGORY_REFUSALS = {
    "key": ("key must be 2-32 lower-case letters, digits or _", 2),
    "builtin": ("{key} is a built-in category", 2),
    "exists": ("category {key} exists already", 1),
}


@categories_cli.command("add")
def categories_add(
    key: str,
    label: Annotated[str, typer.Argument(help="Danish label.")],
    english: Annotated[str | None, typer.Option("--en", help="English label.")] = None,
) -> None:
    """Add a category residents can choose (before "Andet")."""

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            try:
                await add_category(session=session, key=key, label_da=label, label_en=english)
            except CategoryError as refused:
                message, code = CATEGORY_REFUSALS[refused.reason]
                raise fail(message.format(key=key), code) from None

    with_db(work)
    typer.echo(f"category {key} added")
