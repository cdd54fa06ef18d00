"""Safety walks in conversation: /obs (SMS: OBS) collects an observation; Gem (SMS: GEM) saves it.

The rule, told in every prompt: after the kind, photos, a position and a description come in
any order, each acknowledged with what the observation now holds, and only Gem saves it (a
photo or a typed line never does). Everything sent meanwhile belongs to the observation: a
shared position is its place, never an area sign-up. SMS has no photos: the kind by number,
the description, the place in words if wanted, then GEM.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from babel.lists import format_list

import bot.walks.texts  # noqa: F401  (registers this feature's texts)
from bot.core.actors import NotAllowed
from bot.core.callbacks import Pattern
from bot.core.conversation import EXPIRED, Router, Turn
from bot.core.i18n import LOCALES, t, tn
from bot.core.keywords import register_keyword
from bot.core.messages import Button
from bot.walks import services
from bot.walks.services import WALK_KINDS
from storage.folding import fold

log = logging.getLogger(__name__)

DRAFT = "walk_draft"
DRAFT_KEYS = ("event_id", "kind", "photos", "lat", "lon", "note", "place")
WALK_KIND = Pattern(f"walk:{{event:id}}:{{kind:{'|'.join(WALK_KINDS)}}}")
WALK_SAVE = Pattern("walk:save")
WALK_DROP = Pattern("walk:drop")
# Typed instead of pressing Gem (SMS has no buttons); folded, so "GEM", "Gem." and "færdig" count.
SAVE_WORDS = {"gem", "save", "done", "faerdig"}
MAX_PHOTOS = 10


def _now() -> datetime:
    return datetime.now(UTC)


def _draft(turn: Turn) -> dict[str, Any]:
    return {k: v for k, v in turn.data.items() if k in DRAFT_KEYS}


def _has_content(draft: dict[str, Any]) -> bool:
    return bool(draft.get("photos") or draft.get("note") or draft.get("place")) or (
        draft.get("lat") is not None
    )


def holds(draft: dict[str, Any], lang: str) -> str:
    """What the observation holds so far: "2 fotos, en position og en beskrivelse"."""
    parts = []
    if draft.get("photos"):
        parts.append(tn("walk.holds.photos", lang, len(draft["photos"])))
    if draft.get("lat") is not None:
        parts.append(t("walk.holds.location", lang))
    if draft.get("place"):
        parts.append(t("walk.holds.place", lang))
    if draft.get("note"):
        parts.append(t("walk.holds.note", lang))
    if not parts:
        return t("walk.holds.nothing", lang)
    return str(format_list(parts, locale=LOCALES.get(lang, LOCALES["da"])))


def _draft_buttons(turn: Turn) -> list[list[Button]]:
    if not turn.traits.buttons:
        return []  # SMS: the prompt names GEM; a numbered list would compete with the note
    return [
        [turn.button("walk.btn.save", WALK_SAVE.spec), turn.button("walk.btn.drop", WALK_DROP.spec)]
    ]


async def _save_photo(turn: Turn, event_id: int, ref: str) -> str | None:
    """One photo of this message, kept on disk; None if the channel could not deliver it."""
    fetch = turn.inbound.fetch_media
    if fetch is None:
        return None
    try:
        content = await fetch(ref)
    except Exception as exc:  # the channel's download failed: the rest still counts
        log.warning("fetching a walk photo failed: %s", type(exc).__name__)
        return None
    return services.save_photo(
        media_dir=turn.settings.media_dir, event_id=event_id, content=content
    )


async def _save(turn: Turn, draft: dict[str, Any]) -> bool:
    """Store the draft as an observation; False (and the draft discarded) once the walk is over."""
    photos = [str(p) for p in draft.get("photos", [])]
    lat, lon = draft.get("lat"), draft.get("lon")
    try:
        await services.record_observation(
            session=turn.session,
            actor=await turn.actor(),
            event_id=int(draft["event_id"]),
            kind=str(draft["kind"]),
            note=str(draft.get("note", "")),
            now=_now(),
            photo_path=photos[0] if photos else None,
            more_photos=photos[1:],
            place=str(draft.get("place", "")),
            latitude=float(lat) if isinstance(lat, int | float) else None,
            longitude=float(lon) if isinstance(lon, int | float) else None,
        )
    except NotAllowed:
        services.delete_photos(photos)
        await turn.clear_state()
        return False
    await turn.clear_state()
    return True


def _valid(draft: dict[str, Any]) -> bool:
    return isinstance(draft.get("event_id"), int) and draft.get("kind") in WALK_KINDS


async def obs_command(turn: Turn) -> None:
    """/obs: an observation still being collected is saved first (and said so), then the kinds."""
    draft = _draft(turn)
    if turn.state == DRAFT and _valid(draft) and _has_content(draft):
        what = holds(draft, turn.lang)
        turn.say(
            "walk.saved_previous" if await _save(turn, draft) else "walk.walk_over", holds=what
        )
    walk = await services.current_walk(session=turn.session, actor=await turn.actor(), now=_now())
    if walk is None:
        turn.say("walk.no_walk")
        return
    rows = [
        [Button(t(f"walk.kind.{k}", turn.lang), WALK_KIND.data(event=walk.id, kind=k))]
        for k in WALK_KINDS
    ]
    turn.say("walk.ask_kind", buttons=rows)


async def walk_button(turn: Turn) -> None:
    """walk:EVENT:KIND starts (or re-labels) an observation; walk:save saves it; walk:drop drops it."""
    pressed = turn.pressed
    draft = _draft(turn)
    if pressed.is_(WALK_KIND):
        await kind_chosen(turn, pressed.id("event"), pressed.word("kind"), draft)
        return
    if turn.state != DRAFT or not _valid(draft):
        turn.say("expired_button")
        return
    if pressed.is_(WALK_DROP):
        services.delete_photos([str(p) for p in draft.get("photos", [])])
        await turn.clear_state()
        turn.say("walk.dropped")
        return
    await _save_pressed(turn, draft)


async def _save_pressed(turn: Turn, draft: dict[str, Any]) -> None:
    if not _has_content(draft):
        turn.say("walk.nothing_yet", buttons=_draft_buttons(turn))
        return
    what = holds(draft, turn.lang)
    turn.say("walk.saved" if await _save(turn, draft) else "walk.walk_over", holds=what)


async def kind_chosen(turn: Turn, event_id: int, kind: str, draft: dict[str, Any]) -> None:
    """The kind (by a participant of that walk); what was collected for this walk is kept."""
    await services.walk_for_observation(
        session=turn.session, actor=await turn.actor(), event_id=event_id, now=_now()
    )
    label = t(f"walk.kind.{kind}", turn.lang)
    if turn.state == DRAFT and draft.get("event_id") == event_id and _has_content(draft):
        await turn.set_state(DRAFT, **(draft | {"kind": kind}))
        turn.say(
            "walk.kind_changed",
            buttons=_draft_buttons(turn),
            kind=label,
            holds=holds(draft, turn.lang),
        )
        return
    await turn.set_state(DRAFT, event_id=event_id, kind=kind, photos=[])
    turn.say("walk.ask_details", buttons=_draft_buttons(turn), kind=label)


async def in_draft(turn: Turn) -> None:
    """Anything sent while an observation is open belongs to it: photos, a position, text."""
    draft = _draft(turn)
    if not _valid(draft):
        await turn.clear_state()
        turn.say("expired_button")
        return
    event_id = int(draft["event_id"])
    # Checked before a photo is kept on disk, so a refusal leaves nothing behind.
    await services.walk_for_observation(
        session=turn.session, actor=await turn.actor(), event_id=event_id, now=_now()
    )
    text = turn.inbound.text.strip()
    if text and fold(text) in SAVE_WORDS and not turn.inbound.photos:
        await _save_pressed(turn, draft)
        return
    said: list[str] = []
    if turn.inbound.location is not None:
        draft["lat"] = turn.inbound.location.latitude
        draft["lon"] = turn.inbound.location.longitude
        said.append(t("walk.got_location", turn.lang))
    photos = list(draft.get("photos", []))
    for ref in turn.inbound.photos:
        if len(photos) >= MAX_PHOTOS:
            said.append(t("walk.too_many_photos", turn.lang, count=MAX_PHOTOS))
            break
        path = await _save_photo(turn, event_id, ref)
        if path is None:
            said.append(t("walk.photo_failed", turn.lang))
            continue
        photos.append(path)
        said.append(t("walk.got_photo", turn.lang, number=len(photos)))
    draft["photos"] = photos
    if text:
        said.append(_take_text(turn, draft, text))
    await turn.set_state(DRAFT, **draft)
    turn.say(
        _next_key(turn, draft),
        buttons=_draft_buttons(turn),
        said=" ".join(said),
        holds=holds(draft, turn.lang),
    )


def _take_text(turn: Turn, draft: dict[str, Any], text: str) -> str:
    """Typed text is the description; on SMS the line after it is the place (and more adds)."""
    if not turn.traits.buttons and draft.get("note") and not draft.get("place"):
        draft["place"] = text[:300]
        return t("walk.got_place", turn.lang)
    note = str(draft.get("note", ""))
    draft["note"] = f"{note}\n{text}"[:2000] if note else text[:2000]
    return t("walk.note_added" if note else "walk.got_note", turn.lang)


def _next_key(turn: Turn, draft: dict[str, Any]) -> str:
    """What to say next: on SMS first the place is offered, then GEM; on Telegram: more or Gem."""
    if not turn.traits.buttons and draft.get("note") and not draft.get("place"):
        return "walk.ack_ask_place"
    return "walk.ack"


async def left_draft(turn: Turn, reason: str) -> str | None:
    """/cancel or a second stray answer drops the draft and its photos; expiry keeps what was
    collected, because a walker who forgot Gem still saw what they described."""
    draft = _draft(turn)
    if reason == EXPIRED and _valid(draft) and _has_content(draft):
        what = holds(draft, turn.lang)
        if await _save(turn, draft):
            turn.say("walk.saved_on_expiry", holds=what)
            return ""
        return None
    services.delete_photos([str(p) for p in draft.get("photos", [])])
    return None


def register(router: Router) -> None:
    """Attach /obs (SMS: OBS), its buttons and the open observation to the router."""
    register_keyword("obs", "obs", "observation", "observe")
    router.command("obs")(obs_command)
    router.callback("walk", WALK_KIND, WALK_SAVE, WALK_DROP)(walk_button)
    router.state(DRAFT)(in_draft)
    router.on_leave(DRAFT)(left_draft)
    # A walk takes an hour or two, and a walker may look around long before adding the next photo.
    router.expire_after(timedelta(hours=3), DRAFT)
