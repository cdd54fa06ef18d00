"""Safety walks in conversation: /obs (SMS: OBS) and its steps, kind, position or photo, note."""

from __future__ import annotations

from datetime import UTC, datetime

import bot.walks.texts  # noqa: F401  (registers this feature's texts)
from bot.core.conversation import Router, Turn
from bot.core.i18n import t
from bot.core.keywords import register_keyword
from bot.core.messages import Button
from bot.walks import services
from bot.walks.services import WALK_KINDS

NOTE_STATE = "walk_note"


def _now() -> datetime:
    return datetime.now(UTC)


async def _save_photo(turn: Turn, event_id: int) -> str | None:
    """The last photo sent with this message, kept on disk; None if there is none."""
    photos, fetch = turn.inbound.photos, turn.inbound.fetch_media
    if not photos or fetch is None:
        return None
    content = await fetch(photos[-1])
    return services.save_photo(
        media_dir=turn.settings.media_dir, event_id=event_id, content=content
    )


async def obs_command(turn: Turn) -> None:
    walk = await services.current_walk(
        session=turn.session,
        resident_id=turn.resident.id if turn.resident else None,
        now=_now(),
        may_organise=turn.is_staff,
    )
    if walk is None:
        turn.say("walk.no_walk")
        return
    rows = [[Button(t(f"walk.kind.{k}", turn.lang), f"walk:{walk.id}:{k}")] for k in WALK_KINDS]
    turn.say("walk.ask_kind", buttons=rows)


async def kind_chosen(turn: Turn) -> None:
    """walk:EVENT:KIND: the kind is chosen, the note comes next."""
    _, event_id, kind = (turn.inbound.callback or "").split(":", 2)
    if kind not in WALK_KINDS:
        turn.say("expired_button")
        return
    await turn.set_state(NOTE_STATE, event_id=int(event_id), kind=kind)
    turn.say("walk.ask_note")


async def note(turn: Turn) -> None:
    """A shared position is kept for the note; the note (with any photo) saves the observation."""
    if turn.inbound.location is not None:
        loc = turn.inbound.location
        await turn.set_state(
            NOTE_STATE, **(turn.data | {"lat": loc.latitude, "lon": loc.longitude})
        )
        turn.say("walk.location_noted")
        return
    data = turn.data
    event_id = int(data["event_id"])
    photo = await _save_photo(turn, event_id) or data.get("photo")
    await services.record_observation(
        session=turn.session,
        event_id=event_id,
        resident_id=turn.resident.id if turn.resident else None,
        kind=str(data["kind"]),
        note=turn.inbound.text,
        photo_path=photo,
        latitude=data.get("lat"),
        longitude=data.get("lon"),
    )
    await turn.clear_state()
    turn.say("walk.saved")


def register(router: Router) -> None:
    """Attach /obs (SMS: OBS) and its steps to the router."""
    register_keyword("obs", "obs", "observation", "observe")
    router.command("obs")(obs_command)
    router.callback("walk")(kind_chosen)
    router.state(NOTE_STATE)(note)
