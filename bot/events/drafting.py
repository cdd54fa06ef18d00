"""The organisers' new-event flow: kind, title, a time echoed back, place, areas, places, preview."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.actors import NotAllowed
from bot.core.areas import toggle_rows
from bot.core.callbacks import Pattern, Pressed
from bot.core.conversation import PHOTO, TEXT, Router, Turn
from bot.core.i18n import datetime_text, t, tn
from bot.core.keywords import parse_keyword
from bot.core.messages import Button
from bot.core.when import parse_when
from bot.events import services
from bot.events.timing import EventError, format_offset
from bot.events.wording import invitation_text
from storage import areas as area_store
from storage.event_models import KINDS, Event

EV_TITLE, EV_TIME, EV_TIME_CHECK, EV_PLACE, EV_CAPACITY, EV_AREAS, EV_PREVIEW = (
    "event_title",
    "event_time",
    "event_time_check",
    "event_place",
    "event_capacity",
    "event_areas",
    "event_preview",
)
EV_NEW = Pattern("ev:new")
EV_KIND = Pattern(f"ev:kind:{{kind:{'|'.join(KINDS)}}}")
# Several areas at once: SMS numbered picks "1 3" merge into "ev:area:4,7".
EV_AREA = Pattern("ev:area:{areas:ids}")
EV_AREA_ALL = Pattern("ev:area:all")
EV_AREA_DONE = Pattern("ev:area:done")
EV_SEND = Pattern("ev:send")
EV_ABORT = Pattern("ev:abort")
EV_TIME_OK = Pattern("ev:time:ok")
EV_TIME_FIX = Pattern("ev:time:fix")
PATTERNS = (
    EV_NEW,
    EV_KIND,
    EV_AREA,
    EV_AREA_ALL,
    EV_AREA_DONE,
    EV_SEND,
    EV_ABORT,
    EV_TIME_OK,
    EV_TIME_FIX,
)


def _now() -> datetime:
    return datetime.now(UTC)


async def draft_button(turn: Turn, pressed: Pressed) -> bool:
    """A press in the new-event flow; False when it is not one (or no longer fits the step)."""
    if pressed.is_(EV_NEW):
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
    elif pressed.is_(EV_TIME_OK) and turn.state == EV_TIME_CHECK:
        await _time_confirmed(turn)
    elif pressed.is_(EV_TIME_FIX) and turn.state == EV_TIME_CHECK:
        await _ask_time(turn)
    else:
        return False
    return True


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


def _offsets(minutes: list[int]) -> str:
    return ", ".join(format_offset(m) for m in minutes)


async def _preview(turn: Turn) -> None:
    """The invitation as residents will read it, who gets it per channel, which reminders go."""
    data, lang = turn.data, turn.lang
    draft = _draft_event(turn)
    area_ids = None if data.get("areas") == "all" else list(data.get("areas") or [])
    if area_ids is None:
        names = t("event.all_areas", lang)
    else:
        chosen = await area_store.list_areas(session=turn.session)
        names = ", ".join(a.name for a in chosen if a.id in area_ids)
    plan = await services.invitation_preview(
        session=turn.session,
        settings=turn.settings,
        area_ids=area_ids,
        starts_at=draft.starts_at,
        now=_now(),
    )
    total = sum(plan.recipients.values())
    recipients = tn("event.recipients", lang, total)
    if total:
        per_channel = [
            t("event.recipients_on", lang, count=n, channel=t(f"event.channel.{c}", lang))
            for c, n in sorted(plan.recipients.items(), key=lambda item: item[0] != "telegram")
        ]
        recipients += f" ({', '.join(per_channel)})"
    warning = "" if total else t("event.no_recipients", lang)
    reminders = _offsets(plan.reminders) or t("event.none", lang)
    if plan.past_reminders and plan.reminders:
        reminders += t("event.reminders_some_past", lang, past=_offsets(plan.past_reminders))
    elif plan.past_reminders:
        warning += t("event.reminders_all_past", lang, past=_offsets(plan.past_reminders))
    turn.say(
        "event.preview",
        buttons=[
            [
                turn.button("btn.event_send", EV_SEND.spec),
                turn.button("btn.event_abort", EV_ABORT.spec),
            ]
        ],
        invitation=invitation_text(draft, turn.settings.tz, lang, "telegram"),
        areas=names,
        recipients=recipients,
        capacity=draft.capacity or t("event.unlimited", lang),
        reminders=reminders,
        warning=warning,
    )


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


def _complete(data: dict[str, object]) -> bool:
    """A draft that has everything the invitation needs (the flow's data is ours, but old)."""
    return all(isinstance(data.get(k), str) for k in ("kind", "title", "starts_at", "place"))


async def typed_title(turn: Turn) -> None:
    title = turn.inbound.text.strip()[:200]
    if not title:
        await turn.reprompt("event.ask_title")
        return
    await turn.set_state(EV_TIME, **(turn.data | {"title": title}))
    turn.say("event.ask_time")


def _without(turn: Turn, *keys: str) -> dict[str, object]:
    """The draft so far, without what only the last question needed (its JA/NEJ, its buttons)."""
    drop = {"on_yes", "on_no", "choices", *keys}
    return {k: v for k, v in turn.data.items() if k not in drop}


async def _ask_time(turn: Turn) -> None:
    await turn.set_state(EV_TIME, **_without(turn, "starts_at"))
    turn.say("event.ask_time")


async def _time_confirmed(turn: Turn) -> None:
    await turn.set_state(EV_PLACE, **_without(turn))
    turn.say("event.ask_place")


async def typed_time(turn: Turn) -> None:
    """A day and time as people say it, echoed back in full for a yes before it is used."""
    starts = parse_when(turn.inbound.text, now=_now(), tz=turn.settings.tz)
    if starts is None:
        await turn.reprompt("event.bad_time")
        return
    await turn.set_state(
        EV_TIME_CHECK,
        **(
            _without(turn)
            | {
                "starts_at": starts.isoformat(),
                "on_yes": EV_TIME_OK.spec,
                "on_no": EV_TIME_FIX.spec,
            }
        ),
    )
    local = starts.astimezone(turn.settings.tz)
    when = datetime_text(local, turn.lang, t("event.confirm_format", turn.lang))
    buttons = [
        [
            turn.button("btn.event_time_ok", EV_TIME_OK.spec),
            turn.button("btn.event_time_fix", EV_TIME_FIX.spec),
        ]
    ]
    turn.say(
        "event.confirm_time",
        buttons=buttons if turn.traits.buttons else None,
        when=when[:1].upper() + when[1:],
    )


async def typed_time_check(turn: Turn) -> None:
    """At "is that right?": yes goes on, no asks again, a new time is echoed back in its turn."""
    answer, _ = parse_keyword(turn.inbound.text)
    if answer == "yes":
        await _time_confirmed(turn)
    elif answer == "no":
        await _ask_time(turn)
    else:
        await typed_time(turn)


async def typed_place(turn: Turn) -> None:
    place = turn.inbound.text.strip()[:300]
    if not place:
        await turn.reprompt("event.ask_place")
        return
    await turn.set_state(EV_AREAS, **(turn.data | {"place": place}))
    await _area_picker(turn, [])


async def typed_capacity(turn: Turn) -> None:
    raw = turn.inbound.text.strip()
    if not raw.isdigit():
        await turn.reprompt("event.ask_capacity")
        return
    await turn.set_state(EV_PREVIEW, **(turn.data | {"capacity": int(raw)}))
    await _preview(turn)


def register_states(router: Router) -> None:
    """The steps that wait for typed text."""
    router.state(EV_TITLE, accepts=(TEXT, PHOTO))(typed_title)
    router.state(EV_TIME, accepts=(TEXT, PHOTO))(typed_time)
    router.state(EV_TIME_CHECK, accepts=(TEXT, PHOTO))(typed_time_check)
    router.state(EV_PLACE, accepts=(TEXT, PHOTO))(typed_place)
    router.state(EV_CAPACITY, accepts=(TEXT, PHOTO))(typed_capacity)
