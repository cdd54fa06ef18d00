"""Events in conversation: answering invitations (buttons, JA/NEJ) and the organisers' /event flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.areas import toggle_rows
from bot.core.conversation import PHOTO, TEXT, Router, Turn
from bot.core.i18n import t
from bot.core.messages import Button, Reply
from bot.events import services
from bot.events.timing import DEFAULT_REMINDERS, EventError, parse_local
from bot.events.wording import EventValues, ics_for, invitation_text, values, when_text
from storage import areas as area_store
from storage.event_models import KINDS, Event
from storage.events import ATTENDING, WAITING

EV_TITLE, EV_TIME, EV_PLACE, EV_CAPACITY, EV_AREAS, EV_PREVIEW = (
    "event_title",
    "event_time",
    "event_place",
    "event_capacity",
    "event_areas",
    "event_preview",
)


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
        resident_id=turn.resident.id,
        urn=turn.inbound.urn,
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
            buttons = [[turn.button("btn.event_share_name", f"rsvp:{event_id}:name")]]
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
    rows = [[Button(_label(turn, e), f"rsvp:{e.id}:{word}")] for e in candidates]
    turn.say("event.rsvp_pick", buttons=rows)


async def rsvp_button(turn: Turn) -> None:
    """rsvp:ID:yes|no|ics|name from an invitation or a reminder."""
    _, event_id, action = (turn.inbound.callback or "").split(":", 2)
    if action in ("yes", "no"):
        await turn.clear_state()
        await _reply_to_answer(turn, int(event_id), action == "yes")
        return
    event = await services.get_event(session=turn.session, event_id=int(event_id))
    if event is None or event.id is None:
        turn.say("event.gone")
        return
    if action == "ics":
        turn.replies.append(
            Reply(turn.text("event.ics_caption", title=event.title), attachment=ics_for(event))
        )
    elif action == "name" and turn.resident is not None and turn.resident.id is not None:
        await services.share_name(
            session=turn.session, event_id=event.id, resident_id=turn.resident.id
        )
        turn.say("event.name_shared", title=event.title)
    else:
        turn.say("expired_button")


async def yes_command(turn: Turn) -> None:
    await _yes_or_no(turn, True)


async def no_command(turn: Turn) -> None:
    await _yes_or_no(turn, False)


# --- the organisers' flow ----------------------------------------------------------------------


async def _menu(turn: Turn) -> None:
    upcoming = await services.upcoming_events(
        session=turn.session, since=_now() - timedelta(hours=3)
    )
    rows = [
        [
            Button(
                _label(turn, e) + (t("event.cancelled_mark", turn.lang) if e.cancelled_at else ""),
                f"ev:show:{e.id}",
            )
        ]
        for e in upcoming[:8]
    ]
    rows.append([turn.button("btn.event_new", "ev:new")])
    turn.say("event.menu", buttons=rows)


async def _show(turn: Turn, event_id: int) -> None:
    overview = await services.event_overview(session=turn.session, event_id=event_id)
    if overview is None:
        turn.say("expired_button")
        return
    event, c = overview.event, overview.counts
    shown = _values(turn, event)
    if event.cancelled_at:
        shown["title"] += t("event.cancelled_mark", turn.lang)
    buttons = None
    if event.cancelled_at is None and event.starts_at > _now():
        buttons = [[turn.button("btn.event_cancel_event", f"ev:cancel:{event_id}")]]
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


async def _area_picker(turn: Turn, selected: list[int], *, edit: bool = False) -> None:
    all_areas = await area_store.list_areas(session=turn.session)
    rows = toggle_rows(all_areas, selected, lambda a: f"ev:area:{a.id}")
    rows.append([turn.button("btn.event_all_areas", "ev:area:all")])
    rows.append([turn.button("btn.done", "ev:area:done")])
    await turn.set_state(EV_AREAS, **(turn.data | {"areas": selected}))
    turn.say("event.ask_areas", buttons=rows, edit=edit)


def _draft_event(turn: Turn) -> Event:
    data = turn.data
    return Event(
        id=0,
        kind=data["kind"],
        title=data["title"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
        place=data["place"],
        capacity=data.get("capacity") or None,
    )


async def _preview(turn: Turn) -> None:
    data = turn.data
    draft = _draft_event(turn)
    if data.get("areas") == "all":
        names = t("event.all_areas", turn.lang)
    else:
        chosen = await area_store.list_areas(session=turn.session)
        names = ", ".join(a.name for a in chosen if a.id in data.get("areas", []))
    turn.say(
        "event.preview",
        buttons=[
            [
                turn.button("btn.event_send", "ev:send"),
                turn.button("btn.event_abort", "ev:abort"),
            ]
        ],
        invitation=invitation_text(draft, turn.settings.tz, turn.lang, "telegram"),
        areas=names,
        capacity=draft.capacity or t("event.unlimited", turn.lang),
        reminders=DEFAULT_REMINDERS,
    )


async def event_command(turn: Turn) -> None:
    if not await may_organise(turn):
        turn.say("coordinators_only")
        return
    await turn.clear_state()
    await _menu(turn)


async def _area_toggled(turn: Turn, arg: str) -> None:
    selected = list(turn.data.get("areas") or [])
    if arg == "all":
        await turn.set_state(EV_CAPACITY, **(turn.data | {"areas": "all"}))
        turn.say("event.ask_capacity")
    elif arg == "done":
        if not selected:
            await _area_picker(turn, [])
            return
        await turn.set_state(EV_CAPACITY, **turn.data)
        turn.say("event.ask_capacity")
    else:
        toggled = int(arg)
        selected = (
            [a for a in selected if a != toggled] if toggled in selected else [*selected, toggled]
        )
        await _area_picker(turn, selected, edit=True)


async def _send(turn: Turn) -> None:
    data = turn.data
    areas = None if data.get("areas") == "all" else list(data.get("areas") or [])
    try:
        event, count = await services.create_event(
            session=turn.session,
            settings=turn.settings,
            kind=data["kind"],
            title=data["title"],
            starts_at=datetime.fromisoformat(data["starts_at"]),
            place=data["place"],
            area_ids=areas,
            capacity=data.get("capacity") or None,
            created_by=turn.inbound.urn,
            now=_now(),
        )
    except EventError:
        await turn.clear_state()
        turn.say("event.bad_time")
        return
    await turn.clear_state()
    turn.say("event.created", title=event.title, count=count)


async def _cancel(turn: Turn, event_id: int) -> None:
    try:
        event, count = await services.cancel_event(
            session=turn.session, settings=turn.settings, event_id=event_id, now=_now()
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
    parts = (turn.inbound.callback or "").split(":")
    action, arg = parts[1], (parts[2] if len(parts) > 2 else "")
    if action == "show":
        await _show(turn, int(arg))
    elif action == "new":
        rows = [[Button(t(f"event.kind.{k}", turn.lang), f"ev:kind:{k}")] for k in KINDS]
        turn.say("event.ask_kind", buttons=rows)
    elif action == "kind" and arg in KINDS:
        await turn.set_state(EV_TITLE, kind=arg)
        turn.say("event.ask_title")
    elif action == "area" and turn.state == EV_AREAS:
        await _area_toggled(turn, arg)
    elif action == "send" and "place" in turn.data:
        await _send(turn)
    elif action == "abort":
        await turn.clear_state()
        turn.say("event.aborted")
    elif action == "cancel":
        await _cancel(turn, int(arg))
    else:
        turn.say("expired_button")


async def typed_title(turn: Turn) -> None:
    await turn.set_state(EV_TIME, **(turn.data | {"title": turn.inbound.text.strip()[:200]}))
    turn.say("event.ask_time")


async def typed_time(turn: Turn) -> None:
    try:
        starts = parse_local(turn.inbound.text, turn.settings.tz)
    except EventError:
        turn.say("event.bad_time")
        return
    if starts <= _now():
        turn.say("event.bad_time")
        return
    await turn.set_state(EV_PLACE, **(turn.data | {"starts_at": starts.isoformat()}))
    turn.say("event.ask_place")


async def typed_place(turn: Turn) -> None:
    await turn.set_state(EV_AREAS, **(turn.data | {"place": turn.inbound.text.strip()[:300]}))
    await _area_picker(turn, [])


async def typed_capacity(turn: Turn) -> None:
    raw = turn.inbound.text.strip()
    if not raw.isdigit():
        turn.say("event.ask_capacity")
        return
    await turn.set_state(EV_PREVIEW, **(turn.data | {"capacity": int(raw)}))
    await _preview(turn)


def register(router: Router) -> None:
    """Attach invitation answers and the /event flow to the router."""
    router.callback("rsvp")(rsvp_button)
    router.command("yes")(yes_command)
    router.command("no")(no_command)
    router.command("event")(event_command)
    router.callback("ev")(event_button)
    router.state(EV_TITLE, accepts=(TEXT, PHOTO))(typed_title)
    router.state(EV_TIME, accepts=(TEXT, PHOTO))(typed_time)
    router.state(EV_PLACE, accepts=(TEXT, PHOTO))(typed_place)
    router.state(EV_CAPACITY, accepts=(TEXT, PHOTO))(typed_capacity)
