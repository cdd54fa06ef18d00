"""Safety walks in conversation: /obs (SMS: OBS) and its steps, kind, position or photo, note."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import bot.walks.texts  # noqa: F401  (registers this feature's texts)
from bot.core.callbacks import Pattern
from bot.core.conversation import Router, Turn
from bot.core.i18n import t
from bot.core.keywords import register_keyword
from bot.core.messages import Button
from bot.walks import services
from bot.walks.services import WALK_KINDS

log = logging.getLogger(__name__)

NOTE_STATE = "walk_note"
WALK_KIND = Pattern(f"walk:{{event:id}}:{{kind:{'|'.join(WALK_KINDS)}}}")


def _now() -> datetime:
    return datetime.now(UTC)


async def _save_photo(turn: Turn, event_id: int) -> str | None:
    """The last photo sent with this message, kept on disk; None if there is none."""
    photos, fetch = turn.inbound.photos, turn.inbound.fetch_media
    if not photos or fetch is None:
        return None
    try:
        content = await fetch(photos[-1])
    except Exception as exc:  # the channel's download failed: the note still counts
        log.warning("fetching a walk photo failed: %s", type(exc).__name__)
        return None
    return services.save_photo(
        media_dir=turn.settings.media_dir, event_id=event_id, content=content
    )


async def obs_command(turn: Turn) -> None:
    walk = await services.current_walk(session=turn.session, actor=await turn.actor(), now=_now())
    if walk is None:
        turn.say("walk.no_walk")
        return
    rows = [
        [Button(t(f"walk.kind.{k}", turn.lang), WALK_KIND.data(event=walk.id, kind=k))]
        for k in WALK_KINDS
    ]
    turn.say("walk.ask_kind", buttons=rows)


async def kind_chosen(turn: Turn) -> None:
    """walk:EVENT:KIND: the kind is chosen (by a participant of that walk), the note comes next."""
    event_id, kind = turn.pressed.id("event"), turn.pressed.word("kind")
    await services.walk_for_observation(
        session=turn.session, actor=await turn.actor(), event_id=event_id, now=_now()
    )
    await turn.set_state(NOTE_STATE, event_id=event_id, kind=kind)
    turn.say("walk.ask_note")


async def note(turn: Turn) -> None:
    """A shared position is kept for the note; the note (with any photo) saves the observation."""
    data = turn.data
    event_id, kind = data.get("event_id"), data.get("kind")
    if not isinstance(event_id, int) or kind not in WALK_KINDS:
        await turn.clear_state()
        turn.say("expired_button")
        return
    actor = await turn.actor()
    # Checked before a photo is kept on disk, so a refusal leaves nothing behind.
    await services.walk_for_observation(
        session=turn.session, actor=actor, event_id=event_id, now=_now()
    )
    if turn.inbound.location is not None:
        loc = turn.inbound.location
        await turn.set_state(NOTE_STATE, **(data | {"lat": loc.latitude, "lon": loc.longitude}))
        turn.say("walk.location_noted")
        return
    photo = await _save_photo(turn, event_id) or data.get("photo")
    lat, lon = data.get("lat"), data.get("lon")
    await services.record_observation(
        session=turn.session,
        actor=actor,
        event_id=event_id,
        kind=str(kind),
        note=turn.inbound.text,
        now=_now(),
        photo_path=photo if isinstance(photo, str) else None,
        latitude=float(lat) if isinstance(lat, int | float) else None,
        longitude=float(lon) if isinstance(lon, int | float) else None,
    )
    await turn.clear_state()
    turn.say("walk.saved")


def register(router: Router) -> None:
    """Attach /obs (SMS: OBS) and its steps to the router."""
    register_keyword("obs", "obs", "observation", "observe")
    router.command("obs")(obs_command)
    router.callback("walk", WALK_KIND)(kind_chosen)
    router.state(NOTE_STATE)(note)
