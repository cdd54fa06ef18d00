"""Tips for the municipality's own records: filtered selection and a CSV without personal data."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import datetime_text, t
from bot.core.settings import Settings
from bot.tips.categories import category_label
from storage import tips as tip_store
from storage.folding import fold
from storage.tip_models import Tip

# The CSV is read by spreadsheets in Danish offices; its labels and dates stay Danish.
EXPORT_LANG = "da"
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


class UnknownArea(LookupError):
    """No area has the name a filter asked for."""


def redact(text: str) -> str:
    """The text without phone numbers and e-mail addresses."""
    return _EMAIL.sub("[e-mail]", _PHONE.sub("[nummer]", text))


def local_time(moment: datetime | None, settings: Settings) -> str:
    """A sortable local timestamp (2026-11-03 10:05), empty when there is none."""
    if moment is None:
        return ""
    return datetime_text(moment.astimezone(settings.tz), EXPORT_LANG, "yyyy-MM-dd HH:mm")


async def select_tips(
    *,
    session: AsyncSession,
    area: str | None = None,
    category: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
) -> list[Tip]:
    """Tips matching the filters (area by name, status "open" for everything unresolved)."""
    area_ids = None
    if area is not None:
        names = await tip_store.area_names(session=session)
        area_ids = [i for i, name in names.items() if fold(name) == fold(area)]
        if not area_ids:
            raise UnknownArea(area)
    statuses = tip_store.OPEN_STATUSES if status == "open" else (status,) if status else None
    return await tip_store.list_tips(
        session=session, statuses=statuses, area_ids=area_ids, category=category, since=since
    )


async def view_tips(*, session: AsyncSession, tips: list[Tip], actor: str) -> None:
    """Record in the audit log that these tips were listed."""
    for tip in tips:
        await tip_store.log_event(session=session, tip_id=tip.id, actor=actor, action="viewed")


async def export_csv(
    session: AsyncSession, settings: Settings, found: list[Tip], *, with_contact: bool, actor: str
) -> str:
    """CSV of tips; contact and coordinates only with `with_contact`, and only where allowed."""
    names = await tip_store.area_names(session=session)
    out = io.StringIO()
    columns = EXPORT_COLUMNS + (["contact", "latitude", "longitude"] if with_contact else [])
    writer = csv.writer(out)
    writer.writerow(columns)
    for tip in found:
        assert tip.id is not None
        photos = await tip_store.photos_of(session=session, tip_id=tip.id)
        minutes = (
            round((tip.acknowledged_at - tip.created_at).total_seconds() / 60)
            if tip.acknowledged_at
            else ""
        )
        row: list[object] = [
            tip.reference,
            local_time(tip.created_at, settings),
            names.get(tip.area_id, "") if tip.area_id else "",
            await category_label(session=session, key=tip.category, lang=EXPORT_LANG),
            tip.status,
            t("tip.yes" if tip.urgent else "tip.no", EXPORT_LANG),
            tip.channel,
            len(photos),
            local_time(tip.acknowledged_at, settings),
            minutes,
            tip.forwarded_to or "",
            local_time(tip.resolved_at, settings),
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
            tip_id=tip.id,
            actor=actor,
            action="exported",
            detail="with contact" if with_contact else None,
        )
    return out.getvalue()
