"""How a tip reads for its triagers: the card, its four buttons and short ages."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import number, t
from bot.core.messages import Button
from bot.core.urns import urn_path, urn_scheme
from bot.tips import texts as _texts  # noqa: F401  (registers the tip texts)
from bot.tips.categories import category_label
from storage import residents
from storage import tips as tip_store
from storage.models import utcnow
from storage.tip_models import Tip


def age(delta: timedelta, lang: str) -> str:
    """A short age: "12 min", "3 t 5 min", "2 d 4 t"."""
    total = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    values = {"d": number(days, lang), "h": number(hours, lang), "m": number(minutes, lang)}
    if days:
        return t("tip.age.days", lang, **values)
    if hours:
        return t("tip.age.hours", lang, **values)
    return t("tip.age.minutes", lang, **values)


def coordinates(latitude: float, longitude: float) -> tuple[str, str]:
    """Coordinates as GPS and map links write them (a point, in every language)."""
    return f"{latitude:.5f}", f"{longitude:.5f}"


async def _who(session: AsyncSession, tip: Tip, lang: str) -> str:
    """The tipster's contact, only when they allowed it; otherwise nothing identifying."""
    contact = await tip_store.tipster_contact(session=session, tip=tip)
    if not tip.may_contact or contact is None:
        return t("tipc.anonymous", lang)
    resident = await residents.get_resident(session=session, resident_id=contact.resident_id)
    name = resident.display_name if resident and resident.display_name else ""
    address = urn_path(contact.urn) if urn_scheme(contact.urn) == "tel" else "Telegram"
    return t("tipc.contact", lang, who=f"{name} ({address})".strip())


async def card(session: AsyncSession, tip: Tip, lang: str, key: str = "tipc.new") -> str:
    """The tip as a triager sees it: `tipc.new` in the notification, `tipc.detail` on request."""
    assert tip.id is not None
    names = await tip_store.area_names(session=session)
    extras = ""
    photos = await tip_store.photos_of(session=session, tip_id=tip.id)
    if photos:
        extras += t("tipc.photos", lang, count=number(len(photos), lang))
    if tip.latitude is not None and tip.longitude is not None:
        lat, lon = coordinates(tip.latitude, tip.longitude)
        extras += t("tipc.location", lang, lat=lat, lon=lon)
    return t(
        key,
        lang,
        urgent=t("tipc.urgent_flag", lang) if tip.urgent else "",
        reference=tip.reference,
        area=names.get(tip.area_id, "-") if tip.area_id else "-",
        category=await category_label(session=session, key=tip.category, lang=lang),
        text=tip.text or "-",
        extras=extras,
        channel="SMS" if tip.channel == "sms" else "Telegram",
        contact=await _who(session, tip, lang),
        status=t(f"tipstatus.{tip.status}", lang),
        age=age(utcnow() - tip.created_at, lang),
    )


def actions(tip: Tip, lang: str) -> list[list[Button]]:
    """Received, Forwarded, Resolved, Reply: the buttons on every tip card."""
    return [
        [
            Button(t("btn.tip_ack", lang), f"tipc:ack:{tip.id}"),
            Button(t("btn.tip_forward", lang), f"tipc:fwd:{tip.id}"),
        ],
        [
            Button(t("btn.tip_resolve", lang), f"tipc:res:{tip.id}"),
            Button(t("btn.tip_answer", lang), f"tipc:ans:{tip.id}"),
        ],
    ]
