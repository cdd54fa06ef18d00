"""CLI for tips: `tips list|export|keep|retention` and `tips categories add|list`."""

from __future__ import annotations

import csv
import getpass
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.core.cli import fail, with_db
from bot.core.settings import Settings
from bot.tips.chat import category_label
from storage import tips as tip_store
from storage.db import Database
from storage.folding import fold
from storage.models import utcnow
from storage.tip_models import Tip

tips_cli = typer.Typer(
    help="Tips from residents: triage lists, exports, retention.", no_args_is_help=True
)
categories_cli = typer.Typer(help="Tip categories (built-in plus your own).", no_args_is_help=True)
tips_cli.add_typer(categories_cli, name="categories")

STATUSES = ("new", "acknowledged", "forwarded", "resolved", "open")
# Phone numbers and e-mail addresses a tipster may have typed into the text.
_PHONE = re.compile(r"(?:\+?\d[\d \-]{6,}\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
EXPORT_COLUMNS = [
    "reference",
    "created_at",
    "area",
    "category",
    "status",
    "urgent",
    "channel",
    "photos",
    "acknowledged_at",
    "minutes_to_acknowledge",
    "forwarded_to",
    "resolved_at",
    "text",
]


def redact(text: str) -> str:
    return _EMAIL.sub("[e-mail]", _PHONE.sub("[nummer]", text))


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except Exception:
        return "cli"


def _local(moment: datetime | None, settings: Settings) -> str:
    return moment.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M") if moment else ""


async def select_tips(
    session: Any,
    *,
    area: str | None,
    category: str | None,
    status: str | None,
    since: datetime | None,
) -> list[Tip]:
    """Tips matching the CLI filters (area by name, status "open" for everything unresolved)."""
    area_ids = None
    if area is not None:
        names = await tip_store.area_names(session=session)
        area_ids = [i for i, name in names.items() if fold(name) == fold(area)]
        if not area_ids:
            raise fail(f"no area called {area!r}")
    statuses = tip_store.OPEN_STATUSES if status == "open" else (status,) if status else None
    return await tip_store.list_tips(
        session=session, statuses=statuses, area_ids=area_ids, category=category, since=since
    )


async def export_csv(
    session: Any, settings: Settings, found: list[Tip], *, with_contact: bool, actor: str
) -> str:
    """CSV of tips; contact and coordinates only with `with_contact`, and only where allowed."""
    names = await tip_store.area_names(session=session)
    out = io.StringIO()
    columns = EXPORT_COLUMNS + (["contact", "latitude", "longitude"] if with_contact else [])
    writer = csv.writer(out)
    writer.writerow(columns)
    for tip in found:
        photos = await tip_store.photos_of(session=session, tip_id=tip.id)  # type: ignore[arg-type]
        minutes = (
            round((tip.acknowledged_at - tip.created_at).total_seconds() / 60)
            if tip.acknowledged_at
            else ""
        )
        row: list[object] = [
            tip.reference,
            _local(tip.created_at, settings),
            names.get(tip.area_id, "") if tip.area_id else "",
            await category_label(session, tip.category, "da"),
            tip.status,
            "ja" if tip.urgent else "nej",
            tip.channel,
            len(photos),
            _local(tip.acknowledged_at, settings),
            minutes,
            tip.forwarded_to or "",
            _local(tip.resolved_at, settings),
            redact(tip.text),
        ]
        if with_contact:
            contact = await tip_store.tipster_contact(session=session, tip=tip)
            allowed = tip.may_contact and contact is not None
            row += [
                contact.urn if allowed and contact else "",
                tip.latitude if allowed and tip.latitude is not None else "",
                tip.longitude if allowed and tip.longitude is not None else "",
            ]
        writer.writerow(row)
        await tip_store.log_event(
            session=session,
            tip_id=tip.id,  # type: ignore[arg-type]
            actor=actor,
            action="exported",
            detail="with contact" if with_contact else None,
        )
    return out.getvalue()


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
            found = await select_tips(
                session, area=area, category=category, status=status, since=start
            )
            names = await tip_store.area_names(session=session)
            actor = _actor()
            for tip in found:
                snippet = redact(tip.text).replace("\n", " ")[:60]
                typer.echo(
                    "\t".join(
                        [
                            tip.reference or "",
                            _local(tip.created_at, settings),
                            names.get(tip.area_id, "-") if tip.area_id else "-",
                            tip.category,
                            tip.status,
                            "URGENT" if tip.urgent else "",
                            snippet,
                        ]
                    )
                )
                await tip_store.log_event(
                    session=session, tip_id=tip.id, actor=actor, action="viewed"
                )  # type: ignore[arg-type]
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
            found = await select_tips(
                session, area=area, category=category, status=status, since=start
            )
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

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            tip = await tip_store.find_by_reference(session=session, reference=reference)
            if tip is None:
                raise fail(f"no tip {reference}", 1)
            tip.keep_for_stats = True
            session.add(tip)
            await tip_store.log_event(session=session, tip_id=tip.id, actor=_actor(), action="kept")  # type: ignore[arg-type]
        typer.echo(f"{tip.reference}: text kept for statistics after retention")

    with_db(work)


@tips_cli.command("retention")
def tips_retention() -> None:
    """Anonymise tips older than TIP_RETENTION_DAYS now (the scheduler also does it hourly)."""
    from bot.tips.retention import anonymise_expired_tips

    async def work(db: Database, settings: Settings) -> int:
        return await anonymise_expired_tips(db, settings, utcnow())

    typer.echo(f"anonymised {with_db(work)} tips")


@categories_cli.command("list")
def categories_list() -> None:
    """List categories: key and Danish label."""
    from bot.tips.chat import category_choices

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            for key, label in await category_choices(session, "da", "telegram"):
                typer.echo(f"{key}\t{label}")

    with_db(work)


@categories_cli.command("add")
def categories_add(
    key: str,
    label: Annotated[str, typer.Argument(help="Danish label.")],
    english: Annotated[str | None, typer.Option("--en", help="English label.")] = None,
) -> None:
    """Add a category residents can choose (before "Andet")."""
    from bot.tips.texts import CATEGORIES

    if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", key):
        raise fail("key must be 2-32 lower-case letters, digits or _")
    if key in CATEGORIES:
        raise fail(f"{key} is a built-in category")

    async def work(db: Database, _: Settings) -> None:
        async with db.session() as session:
            if any(c.key == key for c in await tip_store.custom_categories(session=session)):
                raise fail(f"category {key} exists already", 1)
            await tip_store.add_category(
                session=session, key=key, label_da=label, label_en=english or label
            )
        typer.echo(f"category {key} added")

    with_db(work)
