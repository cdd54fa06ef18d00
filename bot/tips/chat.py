"""Tips from residents: the guided /tip flow, SMS TIP with one category question, urgency guard."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.areas import area_at
from bot.core.conversation import LOCATION, Router, Turn
from bot.core.i18n import t, t_channel
from bot.core.keywords import register_keyword
from bot.core.messages import Button
from bot.tips import texts as tips_texts
from storage import areas as area_store
from storage import residents
from storage import tips as tip_store
from storage.folding import fold
from storage.models import utcnow
from storage.tip_models import Tip

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_PHOTOS = 5
MAX_PER_HOUR = 10
SMS_CATEGORY_WINDOW = timedelta(minutes=10)

CATEGORY = "tip_category"
TEXT = "tip_text"
EXTRAS = "tip_extras"
CONTACT = "tip_contact"
CONFIRM = "tip_confirm"
SMS_CATEGORY = "tip_sms_category"
DRAFT_STATES = (CATEGORY, TEXT, EXTRAS, CONTACT, CONFIRM)
DRAFT_KEYS = ("cat", "text", "urgent", "photos", "lat", "lon", "area", "contact")
CONTACT_MODES = ("anonymous", "updates", "open")

# Cues that something is happening now or someone is in danger, folded like fold() does.
URGENT_CUES = [
    fold(cue)
    for cue in (
        "lige nu",
        "i gang",
        "igang",
        "bryder ind",
        "bryde ind",
        "brænder",
        "ild",
        "brand",
        "kniv",
        "våben",
        "pistol",
        "overfald",
        "overfalder",
        "røveri",
        "slås",
        "slagsmål",
        "happening now",
        "right now",
        "breaking in",
        "break in",
        "fire",
        "burning",
        "knife",
        "gun",
        "weapon",
        "attack",
        "attacking",
        "robbery",
        "fighting",
    )
]
_URGENT = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in URGENT_CUES) + r")\b")


def is_urgent(text: str) -> bool:
    """True when the text suggests an ongoing crime or danger (Danish or English cues)."""
    return _URGENT.search(fold(text)) is not None


async def category_choices(session: Any, lang: str, channel: str) -> list[tuple[str, str]]:
    """(key, label) for every category: built-ins, then coordinators' own, "other" last."""
    builtin = [(k, t_channel(f"tipcat.{k}", lang, channel)) for k in tips_texts.CATEGORIES]
    custom = [
        (c.key, c.label_en if lang == "en" else c.label_da)
        for c in await tip_store.custom_categories(session=session)
    ]
    return builtin[:-1] + custom + builtin[-1:]


async def category_label(session: Any, key: str, lang: str) -> str:
    if key in tips_texts.CATEGORIES:
        return t(f"tipcat.{key}", lang)
    for c in await tip_store.custom_categories(session=session):
        if c.key == key:
            return c.label_en if lang == "en" else c.label_da
    return key


def _draft(turn: Turn) -> dict[str, Any]:
    return {k: v for k, v in turn.data.items() if k in DRAFT_KEYS}


async def _area_name(turn: Turn, area_id: int | None) -> str:
    area = await area_store.get_area(session=turn.session, area_id=area_id) if area_id else None
    return area.name if area else t("tip.no_area", turn.lang)


async def _resident_area_ids(turn: Turn) -> list[int]:
    assert turn.resident is not None and turn.resident.id is not None
    found = await residents.areas_of(session=turn.session, resident_id=turn.resident.id)
    return [a.id for a in found if a.id is not None]


async def _over_limit(turn: Turn) -> bool:
    assert turn.resident is not None and turn.resident.id is not None
    count = await tip_store.tips_in_last_hour(
        session=turn.session, resident_id=turn.resident.id, now=utcnow()
    )
    return count >= MAX_PER_HOUR


async def _save_photo(turn: Turn, ref: str) -> str | None:
    """Download a photo through the channel (the link expires) and keep it under MEDIA_DIR."""
    if turn.inbound.fetch_media is None:
        return None
    try:
        data = await turn.inbound.fetch_media(ref)
    except Exception:
        log.exception("fetching a tip photo failed")
        return None
    relative = f"tips/{uuid.uuid4().hex}.jpg"
    target = Path(turn.settings.media_dir) / relative

    def write() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    await asyncio.to_thread(write)
    return relative


def delete_media(media_dir: str, paths: list[str]) -> None:
    for relative in paths:
        (Path(media_dir) / relative).unlink(missing_ok=True)


async def _add_photos(turn: Turn, draft: dict[str, Any]) -> None:
    photos = list(draft.get("photos", []))
    for ref in turn.inbound.photos:
        if len(photos) >= MAX_PHOTOS:
            turn.say("tip.too_many_photos")
            break
        path = await _save_photo(turn, ref)
        if path is None:
            turn.say("tip.photo_failed")
            continue
        photos.append(path)
        turn.say("tip.photo_added", count=len(photos))
    draft["photos"] = photos


def _accept_text(turn: Turn, draft: dict[str, Any], text: str) -> bool:
    """Add typed text to the draft; the urgency guard answers before anything else."""
    combined = f"{draft['text']}\n{text}" if draft.get("text") else text
    if len(combined) > MAX_TEXT:
        turn.say("tip.too_long", length=len(combined))
        return False
    draft["text"] = combined
    if is_urgent(text) and not draft.get("urgent"):
        turn.say("tip.urgent")
    draft["urgent"] = bool(draft.get("urgent")) or is_urgent(text)
    return True


def _cancel_row(turn: Turn) -> list[Button]:
    return [turn.button("btn.cancel", "tip:cancel")]


async def ask_category(turn: Turn, draft: dict[str, Any]) -> None:
    await turn.set_state(CATEGORY, **draft)
    choices = await category_choices(turn.session, turn.lang, turn.inbound.channel)
    rows = [[Button(label, f"tip:cat:{key}")] for key, label in choices]
    turn.say("tip.choose_category", buttons=[*rows, _cancel_row(turn)])


async def show_extras(turn: Turn, draft: dict[str, Any], *, edit: bool = False) -> None:
    await turn.set_state(EXTRAS, **draft)
    rows: list[list[Button]] = []
    own = await _resident_area_ids(turn)
    if len(own) > 1:
        for area_id in own:
            mark = "✅ " if area_id == draft.get("area") else ""
            rows.append([Button(mark + await _area_name(turn, area_id), f"tip:area:{area_id}")])
    rows.append([turn.button("btn.tip_next", "tip:next"), *_cancel_row(turn)])
    area = await _area_name(turn, draft.get("area"))
    turn.say("tip.extras", buttons=rows, edit=edit, area=area)


async def start_tip(turn: Turn, text: str = "") -> None:
    """/tip (or TIP on SMS, or the help button): check who and how often, then begin."""
    if turn.resident is None:
        turn.say("tip.not_registered")
        return
    if await _over_limit(turn):
        turn.say("tip.too_many")
        return
    if not turn.traits.buttons:
        await sms_tip(turn, text)
        return
    own = await _resident_area_ids(turn)
    draft: dict[str, Any] = {"area": own[0] if own else None}
    if text:
        _accept_text(turn, draft, text)
    await ask_category(turn, draft)


async def sms_tip(turn: Turn, text: str) -> None:
    """Record at once (category "other"), then ask the category by number for ten minutes."""
    from bot.tips import triage as tips_triage

    if not text:
        turn.say("tip.usage")
        return
    if len(text) > MAX_TEXT:
        turn.say("tip.too_long", length=len(text))
        return
    assert turn.resident is not None and turn.contact is not None
    own = await _resident_area_ids(turn)
    tip = await tip_store.create_tip(
        session=turn.session,
        channel=turn.inbound.channel,
        category=tips_texts.OTHER,
        text=text,
        resident_id=turn.resident.id,
        contact_id=turn.contact.id,
        area_id=own[0] if own else None,
        urgent=is_urgent(text),
    )
    await tips_triage.notify_triagers(turn.session, turn.settings, tip)
    until = (utcnow() + SMS_CATEGORY_WINDOW).isoformat()
    await turn.set_state(SMS_CATEGORY, tip=tip.id, until=until)
    choices = await category_choices(turn.session, turn.lang, turn.inbound.channel)
    rows = [[Button(label, f"tipcat:{tip.id}:{key}")] for key, label in choices]
    thanks = turn.text("tip.thanks", reference=tip.reference)
    if tip.urgent:
        thanks = f"{turn.text('tip.urgent')}\n{thanks}"
    turn.say_text(thanks, buttons=rows)


async def submit(turn: Turn) -> None:
    """Store the confirmed draft, thank the tipster with the reference, alert the triagers."""
    from bot.tips import triage as tips_triage

    draft = _draft(turn)
    assert turn.resident is not None and turn.contact is not None
    if await _over_limit(turn):
        turn.say("tip.too_many")
        return
    mode = draft.get("contact", "anonymous")
    tip = await tip_store.create_tip(
        session=turn.session,
        channel=turn.inbound.channel,
        category=str(draft.get("cat", tips_texts.OTHER)),
        text=str(draft.get("text", "")),
        resident_id=turn.resident.id,
        contact_id=turn.contact.id,
        area_id=draft.get("area"),
        latitude=draft.get("lat"),
        longitude=draft.get("lon"),
        urgent=bool(draft.get("urgent")),
        may_contact=mode == "open",
        notify_status=mode in ("updates", "open"),
        photo_paths=list(draft.get("photos", [])),
    )
    await turn.clear_state()
    turn.say("tip.thanks", edit=True, reference=tip.reference)
    await tips_triage.notify_triagers(turn.session, turn.settings, tip)


async def _summary(turn: Turn, draft: dict[str, Any]) -> None:
    mode = draft.get("contact", "anonymous")
    location = (
        f"{draft['lat']:.5f}, {draft['lon']:.5f}"
        if draft.get("lat") is not None
        else t("tip.no", turn.lang)
    )
    turn.say(
        "tip.summary",
        buttons=[[turn.button("btn.tip_send", "tip:send"), *_cancel_row(turn)]],
        edit=True,
        category=await category_label(turn.session, str(draft.get("cat")), turn.lang),
        area=await _area_name(turn, draft.get("area")),
        text=draft.get("text", ""),
        photos=len(draft.get("photos", [])),
        location=location,
        contact=t(f"tip.contact.{mode}", turn.lang),
    )


def register(router: Router) -> None:
    """Attach the resident side of tips; call after registration (it wraps on_location)."""
    register_keyword("tip", "tip")
    from bot.tips import triage as tips_triage

    tips_triage.register(router)

    @router.command("tip")
    async def tip_command(turn: Turn) -> None:
        await start_tip(turn, turn.inbound.args.strip())

    @router.callback("tip")
    async def tip_button(turn: Turn) -> None:
        _, action, rest = ((turn.inbound.callback or "") + "::").split(":", 2)
        rest = rest.rstrip(":")
        if action == "new":
            await start_tip(turn)
            return
        if turn.resident is None or turn.state not in DRAFT_STATES:
            turn.say("expired_button")
            return
        draft = _draft(turn)
        if action == "cancel":
            delete_media(turn.settings.media_dir, list(draft.get("photos", [])))
            await turn.clear_state()
            turn.say("tip.cancelled", edit=True)
        elif action == "cat" and rest in dict(
            await category_choices(turn.session, turn.lang, turn.inbound.channel)
        ):
            draft["cat"] = rest
            if draft.get("text"):
                await show_extras(turn, draft)
            else:
                await turn.set_state(TEXT, **draft)
                turn.say("tip.ask_text", buttons=[_cancel_row(turn)])
        elif action == "area" and rest.isdigit() and int(rest) in await _resident_area_ids(turn):
            draft["area"] = int(rest)
            await show_extras(turn, draft, edit=True)
        elif action == "next" and draft.get("text"):
            await turn.set_state(CONTACT, **draft)
            rows = [[turn.button(f"tip.contact.{m}", f"tip:contact:{m}")] for m in CONTACT_MODES]
            turn.say("tip.ask_contact", buttons=[*rows, _cancel_row(turn)])
        elif action == "contact" and rest in CONTACT_MODES:
            draft["contact"] = rest
            await turn.set_state(CONFIRM, **draft)
            await _summary(turn, draft)
        elif action == "send" and turn.state == CONFIRM:
            await submit(turn)
        else:
            turn.say("expired_button")

    async def typed(turn: Turn) -> None:
        """Text and photos while a draft is open: they become the tip's text and photos."""
        draft = _draft(turn)
        if turn.inbound.photos:
            await _add_photos(turn, draft)
        text = turn.inbound.text.strip()
        if text and not _accept_text(turn, draft, text):
            await turn.set_state(turn.state or TEXT, **draft)
            return
        if not text and turn.state != CATEGORY:
            # Photos only: confirm them and keep the step's buttons at hand.
            await turn.set_state(turn.state or TEXT, **draft)
            if turn.state == EXTRAS and turn.replies:
                next_row = [turn.button("btn.tip_next", "tip:next"), *_cancel_row(turn)]
                turn.replies[-1].buttons = [next_row]
            return
        if turn.state == CATEGORY:
            await ask_category(turn, draft)
        elif draft.get("text"):
            await show_extras(turn, draft)
        else:
            await turn.set_state(TEXT, **draft)
            turn.say("tip.ask_text", buttons=[_cancel_row(turn)])

    async def located(turn: Turn) -> None:
        """A shared location while a draft is open: the tip's place (and area, when inside one)."""
        if turn.resident is None:
            turn.say("not_registered")
            return
        location = turn.inbound.location
        assert location is not None
        draft = _draft(turn)
        draft["lat"], draft["lon"] = location.latitude, location.longitude
        found = area_at(
            await area_store.list_areas(session=turn.session), location.latitude, location.longitude
        )
        if found is not None:
            draft["area"] = found.id
        await turn.set_state(turn.state or EXTRAS, **draft)
        turn.say("tip.location_added", area=await _area_name(turn, draft.get("area")))

    async def in_draft(turn: Turn) -> None:
        if turn.inbound.location is not None:
            await located(turn)
        else:
            await typed(turn)

    for state in (CATEGORY, TEXT, EXTRAS):
        router.state(state)(in_draft)
    for state in (CONTACT, CONFIRM):
        router.state(state, accepts=(LOCATION,))(located)

    @router.callback("tipcat")
    async def sms_category(turn: Turn) -> None:
        """A number answering the SMS category question (within ten minutes)."""
        _, tip_id, key = ((turn.inbound.callback or "") + "::").split(":", 2)
        key = key.rstrip(":")
        tip = await tip_store.get_tip(session=turn.session, tip_id=int(tip_id or 0))
        own = (
            tip is not None
            and turn.resident is not None
            and tip.resident_id == turn.resident.id
            and turn.state == SMS_CATEGORY
            and turn.data.get("tip") == tip.id
        )
        keys = dict(await category_choices(turn.session, turn.lang, turn.inbound.channel))
        if not own or tip is None or key not in keys:
            turn.say("expired_button")
            return
        until = datetime.fromisoformat(str(turn.data.get("until")))
        await turn.clear_state()
        if utcnow() > until:
            turn.say("tip.category_late", reference=tip.reference)
            return
        await _set_category(turn, tip, key)


async def _set_category(turn: Turn, tip: Tip, key: str) -> None:
    tip.category = key
    turn.session.add(tip)
    await tip_store.log_event(
        session=turn.session,
        tip_id=tip.id,
        actor="tipster",
        action="categorised",
        detail=key,  # type: ignore[arg-type]
    )
    label = await category_label(turn.session, key, turn.lang)
    turn.say("tip.category_set", reference=tip.reference, category=label)
