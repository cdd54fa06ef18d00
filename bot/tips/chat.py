"""Tips from residents in chat: the guided /tip flow, SMS TIP with one category question."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.core.callbacks import Pattern
from bot.core.conversation import LOCATION, Router, Turn
from bot.core.i18n import t
from bot.core.keywords import register_keyword
from bot.core.messages import Button
from bot.tips import services
from bot.tips.categories import category_choices, category_label, is_urgent
from bot.tips.notices import coordinates
from bot.tips.services import CONTACT_MODES, MAX_PHOTOS, MAX_TEXT, SMS_CATEGORY_WINDOW
from bot.tips.texts import OTHER
from storage.models import utcnow
from storage.tip_models import Tip

log = logging.getLogger(__name__)

CATEGORY = "tip_category"
TEXT = "tip_text"
EXTRAS = "tip_extras"
CONTACT = "tip_contact"
CONFIRM = "tip_confirm"
SMS_CATEGORY = "tip_sms_category"
DRAFT_STATES = (CATEGORY, TEXT, EXTRAS, CONTACT, CONFIRM)
DRAFT_KEYS = ("cat", "text", "urgent", "photos", "lat", "lon", "area", "contact")

TIP_NEW = Pattern("tip:new")
TIP_CANCEL = Pattern("tip:cancel")
TIP_CATEGORY = Pattern("tip:cat:{cat:key}")
TIP_AREA = Pattern("tip:area:{area:id}")
TIP_NEXT = Pattern("tip:next")
TIP_CONTACT = Pattern(f"tip:contact:{{mode:{'|'.join(CONTACT_MODES)}}}")
TIP_SEND = Pattern("tip:send")
TIP_PATTERNS = (TIP_NEW, TIP_CANCEL, TIP_CATEGORY, TIP_AREA, TIP_NEXT, TIP_CONTACT, TIP_SEND)
SMS_CATEGORY_PICK = Pattern("tipcat:{tip:id}:{cat:key}")


def _draft(turn: Turn) -> dict[str, Any]:
    return {k: v for k, v in turn.data.items() if k in DRAFT_KEYS}


def _resident_id(turn: Turn) -> int:
    assert turn.resident is not None and turn.resident.id is not None
    return turn.resident.id


async def _area_name(turn: Turn, area_id: int | None) -> str:
    name = await services.area_name(session=turn.session, area_id=area_id)
    return name if name is not None else t("tip.no_area", turn.lang)


async def _own_areas(turn: Turn) -> list[int]:
    return await services.resident_area_ids(session=turn.session, resident_id=_resident_id(turn))


async def _choices(turn: Turn) -> list[tuple[str, str]]:
    return await category_choices(
        session=turn.session, lang=turn.lang, channel=turn.inbound.channel
    )


async def _save_photo(turn: Turn, ref: str) -> str | None:
    """Download a photo through the channel (the link expires) and keep it under MEDIA_DIR."""
    if turn.inbound.fetch_media is None:
        return None
    try:
        data = await turn.inbound.fetch_media(ref)
    except Exception:
        log.exception("fetching a tip photo failed")
        return None
    return await services.save_photo(media_dir=turn.settings.media_dir, data=data)


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
    return [turn.button("btn.cancel", TIP_CANCEL.spec)]


async def ask_category(turn: Turn, draft: dict[str, Any]) -> None:
    await turn.set_state(CATEGORY, **draft)
    rows = [[Button(label, TIP_CATEGORY.data(cat=key))] for key, label in await _choices(turn)]
    turn.say("tip.choose_category", buttons=[*rows, _cancel_row(turn)])


async def ask_text(turn: Turn, draft: dict[str, Any]) -> None:
    await turn.set_state(TEXT, **draft)
    turn.say("tip.ask_text", buttons=[_cancel_row(turn)])


async def show_extras(turn: Turn, draft: dict[str, Any], *, edit: bool = False) -> None:
    await turn.set_state(EXTRAS, **draft)
    rows: list[list[Button]] = []
    own = await _own_areas(turn)
    if len(own) > 1:
        for area_id in own:
            mark = "✅ " if area_id == draft.get("area") else ""
            label = mark + await _area_name(turn, area_id)
            rows.append([Button(label, TIP_AREA.data(area=area_id))])
    rows.append([turn.button("btn.tip_next", TIP_NEXT.spec), *_cancel_row(turn)])
    area = await _area_name(turn, draft.get("area"))
    turn.say("tip.extras", buttons=rows, edit=edit, area=area)


async def start_tip(turn: Turn, text: str = "") -> None:
    """/tip (or TIP on SMS, or the help button): check who and how often, then begin."""
    if turn.resident is None:
        turn.say("tip.not_registered")
        return
    if await services.over_limit(session=turn.session, resident_id=_resident_id(turn)):
        turn.say("tip.too_many")
        return
    if not turn.traits.buttons:
        await sms_tip(turn, text)
        return
    own = await _own_areas(turn)
    draft: dict[str, Any] = {"area": own[0] if own else None}
    if text:
        _accept_text(turn, draft, text)
    await ask_category(turn, draft)


async def sms_tip(turn: Turn, text: str) -> None:
    """Record at once (category "other"), then ask the category by number for ten minutes."""
    if not text:
        turn.say("tip.usage")
        return
    if len(text) > MAX_TEXT:
        turn.say("tip.too_long", length=len(text))
        return
    assert turn.contact is not None
    tip = await services.record_sms_tip(
        session=turn.session,
        settings=turn.settings,
        channel=turn.inbound.channel,
        resident_id=_resident_id(turn),
        contact_id=turn.contact.id,
        text=text,
    )
    until = (utcnow() + SMS_CATEGORY_WINDOW).isoformat()
    await turn.set_state(SMS_CATEGORY, tip=tip.id, until=until)
    rows = [
        [Button(label, SMS_CATEGORY_PICK.data(tip=tip.id, cat=key))]
        for key, label in await _choices(turn)
    ]
    thanks = turn.text("tip.thanks", reference=tip.reference)
    if tip.urgent:
        thanks = f"{turn.text('tip.urgent')}\n{thanks}"
    turn.say_text(thanks, buttons=rows)


async def submit(turn: Turn) -> None:
    """Store the confirmed draft, thank the tipster with the reference (triagers are alerted)."""
    draft = _draft(turn)
    assert turn.contact is not None
    if await services.over_limit(session=turn.session, resident_id=_resident_id(turn)):
        turn.say("tip.too_many")
        return
    tip = await services.submit_tip(
        session=turn.session,
        settings=turn.settings,
        channel=turn.inbound.channel,
        resident_id=_resident_id(turn),
        contact_id=turn.contact.id,
        category=str(draft.get("cat", OTHER)),
        text=str(draft.get("text", "")),
        area_id=draft.get("area"),
        latitude=draft.get("lat"),
        longitude=draft.get("lon"),
        urgent=bool(draft.get("urgent")),
        contact_mode=str(draft.get("contact", "anonymous")),
        photo_paths=list(draft.get("photos", [])),
    )
    await turn.clear_state()
    turn.say("tip.thanks", edit=True, reference=tip.reference)


async def _summary(turn: Turn, draft: dict[str, Any]) -> None:
    mode = draft.get("contact", "anonymous")
    location = (
        ", ".join(coordinates(draft["lat"], draft["lon"]))
        if draft.get("lat") is not None
        else t("tip.no", turn.lang)
    )
    turn.say(
        "tip.summary",
        buttons=[[turn.button("btn.tip_send", TIP_SEND.spec), *_cancel_row(turn)]],
        edit=True,
        category=await category_label(
            session=turn.session, key=str(draft.get("cat")), lang=turn.lang
        ),
        area=await _area_name(turn, draft.get("area")),
        text=draft.get("text", ""),
        photos=len(draft.get("photos", [])),
        location=location,
        contact=t(f"tip.contact.{mode}", turn.lang),
    )


async def tip_command(turn: Turn) -> None:
    await start_tip(turn, turn.inbound.args.strip())


async def tip_button(turn: Turn) -> None:
    """The draft's buttons: category, area, next, contact mode, send, cancel (and tip:new)."""
    pressed = turn.pressed
    if pressed.is_(TIP_NEW):
        await start_tip(turn)
        return
    if turn.resident is None or turn.state not in DRAFT_STATES:
        turn.say("expired_button")
        return
    draft = _draft(turn)
    if pressed.is_(TIP_CANCEL):
        services.delete_media(turn.settings.media_dir, list(draft.get("photos", [])))
        await turn.clear_state()
        turn.say("tip.cancelled", edit=True)
    elif pressed.is_(TIP_CATEGORY) and pressed.word("cat") in dict(await _choices(turn)):
        draft["cat"] = pressed.word("cat")
        if draft.get("text"):
            await show_extras(turn, draft)
        else:
            await ask_text(turn, draft)
    elif pressed.is_(TIP_AREA) and pressed.id("area") in await _own_areas(turn):
        draft["area"] = pressed.id("area")
        await show_extras(turn, draft, edit=True)
    elif pressed.is_(TIP_NEXT) and draft.get("text"):
        await turn.set_state(CONTACT, **draft)
        rows = [[turn.button(f"tip.contact.{m}", TIP_CONTACT.data(mode=m))] for m in CONTACT_MODES]
        turn.say("tip.ask_contact", buttons=[*rows, _cancel_row(turn)])
    elif pressed.is_(TIP_CONTACT) and turn.state in (CONTACT, CONFIRM):
        draft["contact"] = pressed.word("mode")
        await turn.set_state(CONFIRM, **draft)
        await _summary(turn, draft)
    elif pressed.is_(TIP_SEND) and turn.state == CONFIRM:
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
        await ask_text(turn, draft)


async def located(turn: Turn) -> None:
    """A shared location while a draft is open: the tip's place (and area, when inside one)."""
    if turn.resident is None:
        turn.say("not_registered")
        return
    location = turn.inbound.location
    assert location is not None
    draft = _draft(turn)
    draft["lat"], draft["lon"] = location.latitude, location.longitude
    found = await services.area_at_point(
        session=turn.session, latitude=location.latitude, longitude=location.longitude
    )
    if found is not None:
        draft["area"] = found
    await turn.set_state(turn.state or EXTRAS, **draft)
    turn.say("tip.location_added", area=await _area_name(turn, draft.get("area")))


async def in_draft(turn: Turn) -> None:
    """Anything sent while the category, text or extras step waits."""
    if turn.inbound.location is not None:
        await located(turn)
    else:
        await typed(turn)


def _own_sms_tip(turn: Turn, tip: Tip | None) -> bool:
    return (
        tip is not None
        and turn.resident is not None
        and tip.resident_id == turn.resident.id
        and turn.state == SMS_CATEGORY
        and turn.data.get("tip") == tip.id
    )


async def sms_category(turn: Turn) -> None:
    """A number answering the SMS category question (within ten minutes)."""
    key = turn.pressed.word("cat")
    tip = await services.get_tip(session=turn.session, tip_id=turn.pressed.id("tip"))
    keys = dict(await _choices(turn))
    if tip is None or not _own_sms_tip(turn, tip) or key not in keys:
        turn.say("expired_button")
        return
    try:
        until = datetime.fromisoformat(str(turn.data.get("until")))
    except ValueError:
        until = utcnow()
    await turn.clear_state()
    if utcnow() > until:
        turn.say("tip.category_late", reference=tip.reference)
        return
    await services.set_category(session=turn.session, tip=tip, key=key)
    label = await category_label(session=turn.session, key=key, lang=turn.lang)
    turn.say("tip.category_set", reference=tip.reference, category=label)


def register(router: Router) -> None:
    """Attach the resident side of tips: /tip, its buttons and draft steps, the SMS category."""
    register_keyword("tip", "tip")
    router.command("tip")(tip_command)
    router.callback("tip", *TIP_PATTERNS)(tip_button)
    for state in (CATEGORY, TEXT, EXTRAS):
        router.state(state)(in_draft)
    # Later steps wait for buttons; a location still sets the tip's place.
    for state in (CONTACT, CONFIRM):
        router.state(state, accepts=(LOCATION,))(located)
    router.callback("tipcat", SMS_CATEGORY_PICK)(sms_category)
    router.on_leave(SMS_CATEGORY)(_left_sms_category)


async def _left_sms_category(turn: Turn, reason: str) -> str:
    """Leaving the category question keeps the tip, already saved: say so, not "nothing saved"."""
    return "tip.left_filed"
