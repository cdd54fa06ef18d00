"""Coordinator broadcasts in chat (/alert, /announce, /tip_send) and residents' topic choices."""

from __future__ import annotations

from bot.broadcasts import services
from bot.broadcasts.render import sms_version, summary, warning_texts
from bot.core.areas import toggle_rows
from bot.core.callbacks import Pattern
from bot.core.conversation import PHOTO, Router, Turn
from bot.core.conversation import TEXT as TEXT_INPUT
from bot.core.i18n import t
from bot.core.keywords import register_keyword
from bot.core.messages import Button, Reply
from bot.core.quiet import has_quiet_hours
from storage import outbox

PRIORITY, AREAS, TEXT, PREVIEW = "bc_priority", "bc_areas", "bc_text", "bc_preview"
# The /tip_send command and the "tip" kind send a prevention tip (not a resident's tip-off).
COMMAND_KIND = {"alert": "alert", "announce": "announcement", "tip_send": "tip"}

BC_PRIORITY = Pattern(f"bc:prio:{{priority:{outbox.URGENT}|{outbox.NORMAL}}}")
# Several areas at once: SMS numbered picks "1 3" merge into "bc:a:4,7".
BC_AREA = Pattern("bc:a:{areas:ids}")
BC_ACTION = Pattern("bc:{action:all|done|cancel|edit|send}")
TOPIC = Pattern(f"topic:{{topic:{'|'.join(services.ALL_TOPICS)}}}")


async def allowed_areas(turn: Turn) -> list[int] | None:
    """None: may send anywhere (coordinator); else the areas this person represents."""
    return services.allowed_areas(await turn.actor())


async def start(turn: Turn, kind: str) -> None:
    if await allowed_areas(turn) == []:
        granted = await services.has_any_role(session=turn.session, urns=[turn.inbound.urn])
        turn.say("bc.no_areas_allowed" if granted else "bc.not_allowed")
        return
    if kind == "alert":
        await turn.set_state(PRIORITY, kind=kind)
        turn.say(
            "bc.choose_priority",
            buttons=[
                [
                    turn.button("bc.btn.urgent", BC_PRIORITY.data(priority=outbox.URGENT)),
                    turn.button("bc.btn.normal", BC_PRIORITY.data(priority=outbox.NORMAL)),
                ]
            ],
        )
        return
    await pick_areas(turn, kind=kind, priority=outbox.NORMAL, selected=[])


async def alert_command(turn: Turn) -> None:
    await start(turn, COMMAND_KIND["alert"])


async def announce_command(turn: Turn) -> None:
    await start(turn, COMMAND_KIND["announce"])


async def tip_send_command(turn: Turn) -> None:
    await start(turn, COMMAND_KIND["tip_send"])


async def pick_areas(
    turn: Turn, *, kind: str, priority: int, selected: list[int], edit: bool = False
) -> None:
    allowed = await allowed_areas(turn)
    shown = await services.pickable_areas(session=turn.session, allowed=allowed)
    rows = toggle_rows(shown, selected, lambda a: BC_AREA.data(areas=[a.id]))
    if allowed is None:
        rows.append([turn.button("bc.btn.all", "bc:all")])
    rows.append([turn.button("btn.done", "bc:done"), turn.button("btn.cancel", "bc:cancel")])
    await turn.set_state(AREAS, kind=kind, priority=priority, selected=selected)
    turn.say("bc.choose_areas", buttons=rows, edit=edit, your=t(f"bc.your.{kind}", turn.lang))


async def ask_text(turn: Turn) -> None:
    data = turn.data
    await turn.set_state(TEXT, **{k: v for k, v in data.items() if k != "choices"})
    kind = str(data["kind"])
    if kind == "alert":
        turn.say("bc.ask_text.alert")
    else:
        turn.say("bc.ask_text", your=t(f"bc.your.{kind}", turn.lang))


def targets(data: dict[str, object]) -> list[int] | None:
    """The chosen areas from the flow's data; None when the coordinator chose all."""
    if data.get("all"):
        return None
    selected = data.get("selected", [])
    return [int(x) for x in selected] if isinstance(selected, list) else []


async def show_preview(turn: Turn, text: str) -> None:
    data = {k: v for k, v in turn.data.items() if k != "choices"}
    kind = str(data["kind"])
    shown = await services.preview(
        session=turn.session, kind=kind, text=text, area_ids=targets(data), lang=turn.lang
    )
    lines = [
        t(
            "bc.preview",
            turn.lang,
            your=t(f"bc.your.{kind}", turn.lang),
            body=shown.rendered["telegram"],
            sms=sms_version(shown.rendered["sms"], shown.sms_segments, turn.lang),
            summary=summary(shown.recipients, shown.sms_segments, shown.sms_cost, turn.lang),
        )
    ]
    lines += warning_texts(shown.warnings, turn.lang)
    if shown.respects_quiet and has_quiet_hours(turn.settings.quiet_hours):
        lines.append(t("bc.warn.quiet", turn.lang, quiet=turn.settings.quiet_hours))
    await turn.set_state(PREVIEW, **(data | {"text": text}))
    buttons = [
        [
            turn.button("bc.btn.send", "bc:send"),
            turn.button("bc.btn.edit", "bc:edit"),
            turn.button("btn.cancel", "bc:cancel"),
        ]
    ]
    turn.replies.append(Reply("\n\n".join(lines), buttons))


async def send(turn: Turn) -> None:
    data = turn.data
    if turn.state != PREVIEW or "text" not in data:
        turn.say("expired_button")
        return
    try:
        sent = await services.queue_broadcast(
            session=turn.session,
            actor=await turn.actor(),
            kind=str(data["kind"]),
            text=str(data["text"]),
            area_ids=targets(data),
            priority=int(data.get("priority", outbox.NORMAL)),
            progress_urn=turn.inbound.urn,
            require_recipients=True,
        )
    except services.NotAllowed:
        # Refused: nothing changes, not even the flow.
        turn.say("bc.not_allowed")
        return
    except services.NoRecipients:
        await turn.clear_state()
        turn.say("bc.no_recipients", edit=True)
        return
    await turn.clear_state()
    turn.say("bc.queued", edit=True, total=sent.total, id=sent.id)


async def _toggle_areas(turn: Turn, picked: list[int]) -> None:
    """Tick or untick areas; only those this sender may send to (others are refused)."""
    data = turn.data
    allowed = await allowed_areas(turn)
    pickable = {a.id for a in await services.pickable_areas(session=turn.session, allowed=allowed)}
    if not set(picked) <= pickable:
        turn.say("bc.not_allowed")
        return
    selected = [int(x) for x in data.get("selected", [])]
    for area_id in picked:
        selected = (
            [x for x in selected if x != area_id] if area_id in selected else [*selected, area_id]
        )
    await pick_areas(
        turn,
        kind=str(data["kind"]),
        priority=int(data["priority"]),
        selected=selected,
        edit=True,
    )


async def broadcast_button(turn: Turn) -> None:
    pressed = turn.pressed
    action = pressed.word("action") if pressed.is_(BC_ACTION) else ""
    data = turn.data
    if action == "cancel":
        await turn.clear_state()
        turn.say("bc.cancelled", edit=True)
    elif pressed.is_(BC_PRIORITY) and turn.state == PRIORITY:
        priority = int(pressed.word("priority"))
        await pick_areas(turn, kind="alert", priority=priority, selected=[], edit=True)
    elif pressed.is_(BC_AREA) and turn.state == AREAS:
        await _toggle_areas(turn, pressed.ids("areas"))
    elif action == "all" and turn.state == AREAS and await allowed_areas(turn) is None:
        await turn.set_state(AREAS, **(data | {"all": True}))
        await ask_text(turn)
    elif action == "done" and turn.state == AREAS:
        if not data.get("selected"):
            turn.say("pick_at_least_one")
            return
        await ask_text(turn)
    elif action == "edit" and turn.state == PREVIEW:
        await ask_text(turn)
    elif action == "send":
        await send(turn)
    else:
        turn.say("expired_button")


async def typed_text(turn: Turn) -> None:
    text = turn.inbound.text.strip()
    if not text:
        turn.say("bc.empty_text")
        return
    await show_preview(turn, text)


async def show_topics(turn: Turn, *, edit: bool = False) -> None:
    if turn.resident is None:
        turn.say("not_registered")
        return
    assert turn.resident.id is not None
    choices = await services.topic_choices(session=turn.session, resident_id=turn.resident.id)
    rows = [
        [Button(f"{'✅' if on else '✖'} {t(f'topic.{topic}', turn.lang)}", f"topic:{topic}")]
        for topic, on in choices.items()
    ]
    turn.say("topics.choose", buttons=rows, edit=edit)


async def topics_command(turn: Turn) -> None:
    await show_topics(turn)


async def topic_button(turn: Turn) -> None:
    topic = turn.pressed.word("topic")
    if turn.resident is None or not services.is_topic(topic):
        turn.say("expired_button")
        return
    assert turn.resident.id is not None
    enabled = await services.toggle_topic(
        session=turn.session, resident_id=turn.resident.id, topic=topic
    )
    if turn.traits.buttons:
        await show_topics(turn, edit=True)
    else:
        turn.say(
            "topics.saved",
            topic=t(f"topic.{topic}", turn.lang),
            state=t("topic.on" if enabled else "topic.off", turn.lang),
        )


def register(router: Router) -> None:
    """Attach the broadcast flows and the topic choices to the router."""
    register_keyword("topics", "emner", "topics", "emne")
    router.command("alert")(alert_command)
    router.command("announce")(announce_command)
    router.command("tip_send")(tip_send_command)
    router.callback("bc", BC_PRIORITY, BC_AREA, BC_ACTION)(broadcast_button)
    router.state(TEXT, accepts=(TEXT_INPUT, PHOTO))(typed_text)
    router.state(PREVIEW, accepts=(TEXT_INPUT, PHOTO))(typed_text)
    router.command("topics")(topics_command)
    router.callback("topic", TOPIC)(topic_button)
