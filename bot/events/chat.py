"""Events in conversation: answering invitations (buttons, JA/NEJ) and the organisers' /event flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.actors import NotAllowed
from bot.core.areas import toggle_rows
from bot.core.callbacks import Pattern
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

RSVP_ANSWER = Pattern("rsvp:{event:id}:{answer:yes|no}")
RSVP_FILE = Pattern("rsvp:{event:id}:ics")
RSVP_NAME = Pattern("rsvp:{event:id}:name")
EV_SHOW = Pattern("ev:show:{event:id}")
EV_NEW = Pattern("ev:new")
EV_KIND = Pattern(f"ev:kind:{{kind:{'|'.join(KINDS)}}}")
# Several areas at once: SMS numbered picks "1 3" merge into "ev:area:4,7".
EV_AREA = Pattern("ev:area:{areas:ids}")
EV_AREA_ALL = Pattern("ev:area:all")
EV_AREA_DONE = Pattern("ev:area:done")
EV_SEND = Pattern("ev:send")
EV_ABORT = Pattern("ev:abort")
EV_CANCEL = Pattern("ev:cancel:{event:id}")
EV_PATTERNS = (
    EV_SHOW,
    EV_NEW,
    EV_KIND,
    EV_AREA,
    EV_AREA_ALL,
    EV_AREA_DONE,
    EV_SEND,
    EV_ABORT,
    EV_CANCEL,
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


async def _pickable(turn: Turn) -> list[int]:
    """The areas this organiser may invite in: all for coordinators, else those they represent."""
    actor = await turn.actor()
    return [
        a.id
        for a in await area_store.list_areas(session=turn.session)
        if a.id is not None and (actor.coordinator or a.id in actor.areas)
    ]


async def _area_picker(turn: Turn, selected: list[int], *, edit: bool = False) -> None:
    pickable = await _pickable(turn)
    shown = [a for a in await area_store.list_areas(session=turn.session) if a.id in pickable]
    rows = toggle_rows(shown, selected, lambda a: EV_AREA.data(areas=[a.id]))
    if (await turn.actor()).coordinator:
        rows.append([turn.button("btn.event_all_areas", EV_AREA_ALL.spec)])
    rows.append([turn.button("btn.done", EV_AREA_DONE.spec)])
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
                turn.button("btn.event_send", EV_SEND.spec),
                turn.button("btn.event_abort", EV_ABORT.spec),
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


async def _area_toggled(turn: Turn) -> None:
    pressed = turn.pressed
    current = turn.data.get("areas")
    selected = [a for a in current if isinstance(a, int)] if isinstance(current, list) else []
    if pressed.is_(EV_AREA_ALL):
        if not (await turn.actor()).coordinator:
            raise NotAllowed("all areas are for coordinators", key="event.areas_not_yours")
        await turn.set_state(EV_CAPACITY, **(turn.data | {"areas": "all"}))
        turn.say("event.ask_capacity")
    elif pressed.is_(EV_AREA_DONE):
        if not selected:
            await _area_picker(turn, [])
            return
        await turn.set_state(EV_CAPACITY, **turn.data)
        turn.say("event.ask_capacity")
    else:
        pickable = await _pickable(turn)
        for toggled in pressed.ids("areas"):
            if toggled not in pickable:
                raise NotAllowed(f"area {toggled} is not pickable", key="event.areas_not_yours")
            selected = (
                [a for a in selected if a != toggled]
                if toggled in selected
                else [*selected, toggled]
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
            actor=await turn.actor(),
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
    elif pressed.is_(EV_NEW):
        rows = [[Button(t(f"event.kind.{k}", turn.lang), EV_KIND.data(kind=k))] for k in KINDS]
        turn.say("event.ask_kind", buttons=rows)
    elif pressed.is_(EV_KIND):
        await turn.set_state(EV_TITLE, kind=pressed.word("kind"))
        turn.say("event.ask_title")
    elif pressed.pattern in (EV_AREA, EV_AREA_ALL, EV_AREA_DONE) and turn.state == EV_AREAS:
        await _area_toggled(turn)
    elif pressed.is_(EV_SEND) and turn.state == EV_PREVIEW and _complete(turn.data):
        await _send(turn)
    elif pressed.is_(EV_ABORT):
        await turn.clear_state()
        turn.say("event.aborted")
    elif pressed.is_(EV_CANCEL):
        await _cancel(turn, pressed.id("event"))
    else:
        turn.say("expired_button")


def _complete(data: dict[str, object]) -> bool:
    """A draft that has everything the invitation needs (the flow's data is ours, but old)."""
    return all(isinstance(data.get(k), str) for k in ("kind", "title", "starts_at", "place"))


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
    router.callback("rsvp", RSVP_ANSWER, RSVP_FILE, RSVP_NAME)(rsvp_button)
    router.command("yes")(yes_command)
    router.command("no")(no_command)
    router.command("event")(event_command)
    router.callback("ev", *EV_PATTERNS)(event_button)
    router.state(EV_TITLE, accepts=(TEXT, PHOTO))(typed_title)
    router.state(EV_TIME, accepts=(TEXT, PHOTO))(typed_time)
    router.state(EV_PLACE, accepts=(TEXT, PHOTO))(typed_place)
    router.state(EV_CAPACITY, accepts=(TEXT, PHOTO))(typed_capacity)
