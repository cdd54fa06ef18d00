"""Tip services for residents: limits, submitting (guided or by SMS), categorising, photos.

Triage actions live in bot.tips.handling, categories in bot.tips.categories.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.areas import area_at
from bot.core.settings import Settings
from bot.tips.categories import is_urgent
from bot.tips.handling import notify_triagers
from bot.tips.texts import OTHER
from storage import areas as area_store
from storage import residents
from storage import tips as tip_store
from storage.models import utcnow
from storage.tip_models import Tip

MAX_TEXT = 2000
MAX_PHOTOS = 5
MAX_PER_HOUR = 10
SMS_CATEGORY_WINDOW = timedelta(minutes=10)
# anonymous: nothing back; updates: status notices; open: the triagers see who sent it.
CONTACT_MODES = ("anonymous", "updates", "open")


async def over_limit(*, session: AsyncSession, resident_id: int) -> bool:
    """True when the resident has sent MAX_PER_HOUR tips in the last hour."""
    count = await tip_store.tips_in_last_hour(
        session=session, resident_id=resident_id, now=utcnow()
    )
    return count >= MAX_PER_HOUR


async def resident_area_ids(*, session: AsyncSession, resident_id: int) -> list[int]:
    """The areas the resident joined, in their order (the first is a tip's default area)."""
    found = await residents.areas_of(session=session, resident_id=resident_id)
    return [a.id for a in found if a.id is not None]


async def area_name(*, session: AsyncSession, area_id: int | None) -> str | None:
    area = await area_store.get_area(session=session, area_id=area_id) if area_id else None
    return area.name if area else None


async def area_at_point(*, session: AsyncSession, latitude: float, longitude: float) -> int | None:
    """The area a shared location lies in, if any."""
    found = area_at(await area_store.list_areas(session=session), latitude, longitude)
    return found.id if found is not None else None


async def submit_tip(
    *,
    session: AsyncSession,
    settings: Settings,
    channel: str,
    resident_id: int | None,
    contact_id: int | None,
    category: str,
    text: str,
    area_id: int | None,
    latitude: float | None = None,
    longitude: float | None = None,
    urgent: bool = False,
    contact_mode: str = "anonymous",
    photo_paths: list[str] | None = None,
) -> Tip:
    """Store a confirmed tip and alert its triagers; `contact_mode` is one of CONTACT_MODES."""
    tip = await tip_store.create_tip(
        session=session,
        channel=channel,
        category=category,
        text=text,
        resident_id=resident_id,
        contact_id=contact_id,
        area_id=area_id,
        latitude=latitude,
        longitude=longitude,
        urgent=urgent,
        may_contact=contact_mode == "open",
        notify_status=contact_mode in ("updates", "open"),
        photo_paths=photo_paths,
    )
    await notify_triagers(session=session, settings=settings, tip=tip)
    return tip


async def record_sms_tip(
    *,
    session: AsyncSession,
    settings: Settings,
    channel: str,
    resident_id: int,
    contact_id: int | None,
    text: str,
) -> Tip:
    """An SMS tip, stored at once as "other" in the resident's first area, urgency from its text."""
    own = await resident_area_ids(session=session, resident_id=resident_id)
    return await submit_tip(
        session=session,
        settings=settings,
        channel=channel,
        resident_id=resident_id,
        contact_id=contact_id,
        category=OTHER,
        text=text,
        area_id=own[0] if own else None,
        urgent=is_urgent(text),
    )


async def get_tip(*, session: AsyncSession, tip_id: int) -> Tip | None:
    return await tip_store.get_tip(session=session, tip_id=tip_id)


async def set_category(
    *, session: AsyncSession, tip: Tip, key: str, actor: str = "tipster"
) -> None:
    """File the tip under `key` (the tipster's answer to the SMS category question)."""
    await tip_store.set_category(session=session, tip=tip, category=key, actor=actor)


async def save_photo(*, media_dir: str, data: bytes) -> str:
    """Keep a downloaded photo under MEDIA_DIR; return its path relative to it."""
    relative = f"tips/{uuid.uuid4().hex}.jpg"
    target = Path(media_dir) / relative

    def write() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    await asyncio.to_thread(write)
    return relative


def delete_media(media_dir: str, paths: list[str]) -> None:
    """Remove stored photos (a cancelled draft's, or anonymised tips')."""
    for relative in paths:
        (Path(media_dir) / relative).unlink(missing_ok=True)
