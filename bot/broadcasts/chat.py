"""Coordinator broadcasts in chat (/alert, /announce, /tip_send) and residents' topic choices."""

from __future__ import annotations

from bot.broadcasts.render import calm_warnings, render_text, summary
from bot.core.areas import toggle_rows
from bot.core.conversation import PHOTO, Router, Turn
from bot.core.conversation import TEXT as TEXT_INPUT
from bot.core.i18n import t
from bot.core.keywords import register_keyword
from bot.core.messages import Button, Reply
from storage import areas as area_store
from storage import broadcasts as store
from storage import outbox, residents, roles

PRIORITY, AREAS, TEXT, PREVIEW = "bc_priority", "bc_areas", "bc_text", "bc_preview"
COMMAND_KIND = {"alert": "alert", "announce": "announcement", "tip_send": "tip"}


async def allowed_areas(turn: Turn) -> list[int] | None:
    """None: may send anywhere (coordinator); else the areas this person represents."""
    if await turn.is_coordinator():
        return None
    urns = [turn.inbound.urn]
    if turn.resident is not None:
        contacts = await residents.contacts_of(session=turn.session, resident_id=turn.resident.id)  # type: ignore[arg-type]
        urns += [c.urn for c in contacts]
    granted = await roles.roles_of(session=turn.session, urns=urns)
    return sorted({r.area_id for r in granted if r.role == roles.REPRESENTATIVE and r.area_id})


async def _start(turn: Turn, kind: str) -> None:
    allowed = await allowed_areas(turn)
    if allowed == []:
        granted = await roles.roles_of(session=turn.session, urns=[turn.inbound.urn])
        turn.say("bc.no_areas_allowed" if granted else "bc.not_allowed")
        return
    if kind == "alert":
        await turn.set_state(PRIORITY, kind=kind)
        turn.say(
            "bc.choose_priority",
            buttons=[
                [
                    turn.button("bc.btn.urgent", f"bc:prio:{outbox.URGENT}"),
                    turn.button("bc.btn.normal", f"bc:prio:{outbox.NORMAL}"),
                ]
            ],
        )
        return
    await _pick_areas(turn, kind=kind, priority=outbox.NORMAL, selected=[])


async def _pick_areas(
    turn: Turn, *, kind: str, priority: int, selected: list[int], edit: bool = False
) -> None:
    allowed = await allowed_areas(turn)
    shown = [
        a
        for a in await area_store.list_areas(session=turn.session)
        if allowed is None or a.id in allowed
    ]
    rows = toggle_rows(shown, selected, lambda a: f"bc:a:{a.id}")
    if allowed is None:
        rows.append([turn.button("bc.btn.all", "bc:all")])
    rows.append([turn.button("btn.done", "bc:done"), turn.button("btn.cancel", "bc:cancel")])
    await turn.set_state(AREAS, kind=kind, priority=priority, selected=selected)
    turn.say("bc.choose_areas", buttons=rows, edit=edit, kind=t(f"bc.kind.{kind}", turn.lang))


async def _ask_text(turn: Turn) -> None:
    data = turn.data
    await turn.set_state(TEXT, **{k: v for k, v in data.items() if k != "choices"})
    kind = str(data["kind"])
    if kind == "alert":
        turn.say("bc.ask_text.alert")
    else:
        turn.say("bc.ask_text", kind=t(f"bc.kind.{kind}", turn.lang))


def _targets(data: dict[str, object]) -> list[int] | None:
    return None if data.get("all") else [int(x) for x in data.get("selected", [])]  # type: ignore[attr-defined]


async def _preview(turn: Turn, text: str) -> None:
    data = {k: v for k, v in turn.data.items() if k != "choices"}
    kind = str(data["kind"])
    targets = _targets(data)
    names = await store.area_names(session=turn.session, area_ids=targets)
    counts = await outbox.count_recipients(
        session=turn.session, area_ids=targets, topic=outbox.KIND_TOPIC[kind]
    )
    lines = [
        t(
            "bc.preview",
            turn.lang,
            kind=t(f"bc.kind.{kind}", turn.lang),
            body=render_text(kind, text, turn.lang, names),
            summary=summary(counts, kind, text, turn.lang, names),
        )
    ]
    lines += calm_warnings(text, turn.lang)
    if kind != "alert":
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


async def _send(turn: Turn) -> None:
    data = turn.data
    if turn.state != PREVIEW or "text" not in data:
        turn.say("expired_button")
        return
    targets = _targets(data)
    allowed = await allowed_areas(turn)
    if allowed is not None and (targets is None or not set(targets) <= set(allowed)):
        await turn.clear_state()
        turn.say("bc.not_allowed")
        return
    kind = str(data["kind"])
    counts = await outbox.count_recipients(
        session=turn.session, area_ids=targets, topic=outbox.KIND_TOPIC[kind]
    )
    await turn.clear_state()
    if not sum(counts.values()):
        turn.say("bc.no_recipients", edit=True)
        return
    sent = await outbox.enqueue_broadcast(
        session=turn.session,
        kind=kind,
        text=str(data["text"]),
        created_by=turn.inbound.urn,
        area_ids=targets,
        priority=int(data.get("priority", outbox.NORMAL)),  # type: ignore[call-overload]
        progress_urn=turn.inbound.urn,
    )
    turn.say("bc.queued", edit=True, total=sent.total, id=sent.id)


async def show_topics(turn: Turn, *, edit: bool = False) -> None:
    if turn.resident is None:
        turn.say("not_registered")
        return
    choices = await store.topic_choices(session=turn.session, resident_id=turn.resident.id)  # type: ignore[arg-type]
    rows = [
        [
            Button(
                f"{'✅' if on else '✖'} {t(f'topic.{topic}', turn.lang)}",
                f"topic:{topic}",
            )
        ]
        for topic, on in choices.items()
    ]
    turn.say("topics.choose", buttons=rows, edit=edit)


def register(router: Router) -> None:
    """Attach the broadcast flows and the topic choices to the router."""
    register_keyword("topics", "emner", "topics", "emne")

    for command, kind in COMMAND_KIND.items():

        async def begin(turn: Turn, kind: str = kind) -> None:
            await _start(turn, kind)

        router.command(command)(begin)

    @router.callback("bc")
    async def broadcast_button(turn: Turn) -> None:
        parts = (turn.inbound.callback or "").split(":")
        action, arg = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""
        data = turn.data
        if action == "cancel":
            await turn.clear_state()
            turn.say("bc.cancelled", edit=True)
        elif action == "prio" and turn.state == PRIORITY:
            await _pick_areas(turn, kind="alert", priority=int(arg), selected=[], edit=True)
        elif action == "a" and turn.state == AREAS:
            selected = [int(x) for x in data.get("selected", [])]
            picked = int(arg)
            selected = (
                [x for x in selected if x != picked] if picked in selected else [*selected, picked]
            )
            await _pick_areas(
                turn,
                kind=str(data["kind"]),
                priority=int(data["priority"]),
                selected=selected,
                edit=True,
            )
        elif action == "all" and turn.state == AREAS and await allowed_areas(turn) is None:
            await turn.set_state(AREAS, **(data | {"all": True}))
            await _ask_text(turn)
        elif action == "done" and turn.state == AREAS:
            if not data.get("selected"):
                turn.say("pick_at_least_one")
                return
            await _ask_text(turn)
        elif action == "edit" and turn.state == PREVIEW:
            await _ask_text(turn)
        elif action == "send":
            await _send(turn)
        else:
            turn.say("expired_button")

    @router.state(PREVIEW, accepts=(TEXT_INPUT, PHOTO))
    @router.state(TEXT, accepts=(TEXT_INPUT, PHOTO))
    async def typed_text(turn: Turn) -> None:
        text = turn.inbound.text.strip()
        if not text:
            turn.say("bc.empty_text")
            return
        await _preview(turn, text)

    @router.command("topics")
    async def topics(turn: Turn) -> None:
        await show_topics(turn)

    @router.callback("topic")
    async def topic_button(turn: Turn) -> None:
        topic = (turn.inbound.callback or "").partition(":")[2]
        if turn.resident is None or topic not in (*outbox.TOPICS, *outbox.OPT_IN_TOPICS):
            turn.say("expired_button")
            return
        rid = turn.resident.id
        current = await store.topic_choices(session=turn.session, resident_id=rid)  # type: ignore[arg-type]
        enabled = not current[topic]
        await store.set_topic(session=turn.session, resident_id=rid, topic=topic, enabled=enabled)  # type: ignore[arg-type]
        if turn.traits.buttons:
            await show_topics(turn, edit=True)
        else:
            turn.say(
                "topics.saved",
                topic=t(f"topic.{topic}", turn.lang),
                state=t("topic.on" if enabled else "topic.off", turn.lang),
            )
