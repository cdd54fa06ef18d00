"""Events in conversation: answering invitations (buttons, JA/NEJ) and the organisers' /event flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.callbacks import Pattern
from bot.core.conversation import Router, Turn
from bot.core.i18n import t, tn_channel
from bot.core.keywords import register_keyword
from bot.core.messages import Button, Reply
from bot.events import drafting, services
from bot.events.timing import EventError
from bot.events.wording import EventValues, ics_for, values, when_text
from storage.event_models import Event
from storage.events import ATTENDING, WAITING

EV_CANCEL_CHECK = "event_cancel_check"

RSVP_ANSWER = Pattern("rsvp:{event:id}:{answer:yes|no}")
RSVP_FILE = Pattern("rsvp:{event:id}:ics")
RSVP_NAME = Pattern("rsvp:{event:id}:name")
EV_SHOW = Pattern("ev:show:{event:id}")
EV_CANCEL = Pattern("ev:cancel:{event:id}")
# Cancelling tells everyone invited, so it takes a second, explicit yes.
EV_CANCEL_YES = Pattern("ev:cancel:{event:id}:yes")
EV_KEEP = Pattern("ev:keep:{event:id}")
EV_PATTERNS = (EV_SHOW, *drafting.PATTERNS, EV_CANCEL, EV_CANCEL_YES, EV_KEEP)


def _now() -> datetime:
    return datetime.now(UTC)


async def may_organise(turn: Turn) -> bool:
    """Coordinators and area representatives create events and see attendance."""
    return await turn.is_staff()


def _values(turn: Turn, event: Event) -> EventValues:
    return values(event, turn.settings.tz, turn.lang)


def _label(turn: Turn, event: Event) -> str:
    return f"{event.title}, {when_text(event.starts_at, turn.settings.tz, turn.lang)}"


# --- answering invitations ---------------------------------------------------------------------


async def _reply_to_answer(turn: Turn, event_id: int, coming: bool) -> None:
    if turn.resident is None or turn.resident.id is None:
        turn.say("not_registered")
        return
    result = await services.answer(
        session=turn.session,
        settings=turn.settings,
        event_id=event_id,
        actor=await turn.actor(),
        coming=coming,
        now=_now(),
    )
    if result is None or result.status == "gone":
        turn.say("event.gone")
        return
    shown = _values(turn, result.event)
    if result.status == WAITING:
        turn.say("event.rsvp_waiting", position=result.position, **shown)
    elif result.status == ATTENDING:
        buttons = []
        if turn.traits.buttons:
            share = RSVP_NAME.data(event=event_id)
            buttons = [[turn.button("btn.event_share_name", share)]]
        turn.replies.append(
            Reply(
                turn.text("event.rsvp_yes", **shown),
                buttons,
                attachment=ics_for(result.event) if turn.traits.buttons else None,
            )
        )
    else:
        turn.say("event.rsvp_no", **shown)


async def _yes_or_no(turn: Turn, coming: bool) -> None:
    """JA/NEJ by text: the open invitation it answers, or a numbered question if several."""
    if turn.resident is None or turn.resident.id is None:
        turn.say("not_registered")
        return
    candidates = await services.open_to_answer(
        session=turn.session, resident_id=turn.resident.id, now=_now()
    )
    if not candidates:
        turn.say("event.no_open")
        return
    if len(candidates) == 1:
        assert candidates[0].id is not None
        await _reply_to_answer(turn, candidates[0].id, coming)
        return
    word = "yes" if coming else "no"
    rows = [
        [Button(_label(turn, e), RSVP_ANSWER.data(event=e.id, answer=word))] for e in candidates
    ]
    turn.say("event.rsvp_pick", buttons=rows)


async def rsvp_button(turn: Turn) -> None:
    """rsvp:ID:yes|no|ics|name from an invitation or a reminder: one's own invitation only."""
    pressed = turn.pressed
    event_id = pressed.id("event")
    if turn.resident is None:
        turn.say("not_registered")
        return
    if pressed.is_(RSVP_ANSWER):
        await turn.clear_state()
        await _reply_to_answer(turn, event_id, pressed.word("answer") == "yes")
        return
    actor = await turn.actor()
    if pressed.is_(RSVP_FILE):
        event = await services.invited_event(session=turn.session, event_id=event_id, actor=actor)
        if event is None:
            turn.say("event.gone")
            return
        turn.replies.append(
            Reply(turn.text("event.ics_caption", title=event.title), attachment=ics_for(event))
        )
        return
    shared = await services.share_name(session=turn.session, event_id=event_id, actor=actor)
    if shared is None:
        turn.say("event.gone")
        return
    turn.say("event.name_shared", title=shared.title)


async def yes_command(turn: Turn) -> None:
    await _yes_or_no(turn, True)


async def no_command(turn: Turn) -> None:
    await _yes_or_no(turn, False)


# --- the organisers' flow ----------------------------------------------------------------------


async def _menu(turn: Turn) -> None:
    """The events this organiser may look into (their areas'; all for coordinators)."""
    upcoming = await services.visible_events(
        session=turn.session, since=_now() - timedelta(hours=3), actor=await turn.actor()
    )
    rows = [
        [
            Button(
                _label(turn, e) + (t("event.cancelled_mark", turn.lang) if e.cancelled_at else ""),
                EV_SHOW.data(event=e.id),
            )
        ]
        for e, _ in upcoming[:8]
    ]
    rows.append([turn.button("btn.event_new", "ev:new")])
    turn.say("event.menu", buttons=rows)


async def _show(turn: Turn, event_id: int) -> None:
    overview = await services.event_overview(
        session=turn.session, event_id=event_id, actor=await turn.actor()
    )
    if overview is None:
        turn.say("expired_button")
        return
    event, c = overview.event, overview.counts
    shown = _values(turn, event)
    if event.cancelled_at:
        shown["title"] += t("event.cancelled_mark", turn.lang)
    buttons = None
    if overview.may_cancel and event.cancelled_at is None and event.starts_at > _now():
        buttons = [[turn.button("btn.event_cancel_event", EV_CANCEL.data(event=event_id))]]
    turn.say(
        "event.details",
        buttons=buttons,
        invited=c.invited,
        yes=c.yes,
        capacity=f"/{event.capacity}" if event.capacity else "",
        waiting=c.waiting,
        no=c.no,
        unanswered=c.unanswered,
        names=", ".join(overview.names) or t("event.none", turn.lang),
        **shown,
    )


async def event_command(turn: Turn) -> None:
    if not await may_organise(turn):
        turn.say("coordinators_only")
        return
    await turn.clear_state()
    await _menu(turn)


async def _ask_cancel(turn: Turn, event_id: int) -> None:
    """The second step: what cancelling will do, and an explicit yes or no."""
    try:
        event, count = await services.cancel_reach(
            session=turn.session, event_id=event_id, actor=await turn.actor()
        )
    except EventError:
        turn.say("event.gone")
        return
    yes, keep = EV_CANCEL_YES.data(event=event_id), EV_KEEP.data(event=event_id)
    await turn.set_state(EV_CANCEL_CHECK, event=event_id, on_yes=yes, on_no=keep)
    buttons = [
        [turn.button("btn.event_cancel_yes", yes), turn.button("btn.event_cancel_keep", keep)]
    ]
    text = tn_channel(
        "event.cancel_confirm", turn.lang, turn.inbound.channel, count, **_values(turn, event)
    )
    turn.say_text(text, buttons=buttons if turn.traits.buttons else None)


def _cancel_confirmed(turn: Turn, event_id: int) -> bool:
    """A yes to this very question: a stale button or a second tap does not cancel."""
    return turn.state == EV_CANCEL_CHECK and turn.data.get("event") == event_id


async def _keep(turn: Turn, event_id: int) -> None:
    await turn.clear_state()
    event = await services.invited_event(
        session=turn.session, event_id=event_id, actor=await turn.actor()
    )
    turn.say("event.cancel_kept", title=event.title if event else "")


async def _cancel(turn: Turn, event_id: int) -> None:
    await turn.clear_state()
    try:
        event, count = await services.cancel_event(
            session=turn.session,
            settings=turn.settings,
            event_id=event_id,
            now=_now(),
            actor=await turn.actor(),
        )
    except EventError:
        turn.say("event.gone")
        return
    turn.say("event.cancel_done", title=event.title, count=count)


async def event_button(turn: Turn) -> None:
    """ev:ACTION[:ARG] in the organisers' flow."""
    if not await may_organise(turn):
        turn.say("coordinators_only")
        return
    pressed = turn.pressed
    if pressed.is_(EV_SHOW):
        await _show(turn, pressed.id("event"))
    elif pressed.is_(EV_CANCEL):
        await _ask_cancel(turn, pressed.id("event"))
    elif pressed.is_(EV_CANCEL_YES) and _cancel_confirmed(turn, pressed.id("event")):
        await _cancel(turn, pressed.id("event"))
    elif pressed.is_(EV_KEEP) and _cancel_confirmed(turn, pressed.id("event")):
        await _keep(turn, pressed.id("event"))
    elif not await drafting.draft_button(turn, pressed):
        turn.say("expired_button")


def register(router: Router) -> None:
    """Attach invitation answers and the /event flow to the router."""
    router.callback("rsvp", RSVP_ANSWER, RSVP_FILE, RSVP_NAME)(rsvp_button)
    router.command("yes")(yes_command)
    router.command("no")(no_command)
    # SMS organisers open the same flow by keyword; its buttons become numbered choices.
    register_keyword("event", "arrangement", "arrangementer", "event", "events")
    router.command("event")(event_command)
    router.callback("ev", *EV_PATTERNS)(event_button)
    drafting.register_states(router)
    router.on_leave(EV_CANCEL_CHECK)(_left_cancel_check)


async def _left_cancel_check(turn: Turn, reason: str) -> str | None:
    """/cancel at "cancel the event?" keeps the event: say so, not just "nothing was saved"."""
    return "event.cancel_left" if reason == "cancelled" else None
