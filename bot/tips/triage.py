"""Tip triage in chat: the coordinators' buttons, the note and answer steps, /inbox, /stats."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.callbacks import Pattern
from bot.core.conversation import PHOTO, TEXT, Router, Turn
from bot.core.i18n import date_text, number, t
from bot.core.messages import Button, Reply
from bot.core.settings import Settings
from bot.tips import handling
from bot.tips.categories import category_label
from bot.tips.notices import actions, age, card
from storage import tips as tip_store
from storage.models import utcnow
from storage.tip_models import Tip

NOTE = "tipc_note"
ANSWER = "tipc_answer"
INBOX_LIMIT = 20
INBOX_BUTTONS = 10
# The buttons on a tip card (bot.tips.notices.actions), the inbox's "view", a forward target.
TIPC_ACTION = Pattern("tipc:{action:ack|fwd|res|resnn|ans|view}:{tip:id}")
TIPC_TO = Pattern("tipc:to:{tip:id}:{target:num}")


async def _load(turn: Turn, tip_id: object) -> Tip | None:
    """The tip a button or step is about, if it still exists and this person may handle it."""
    tip = None
    if isinstance(tip_id, int) and not isinstance(tip_id, bool):
        tip = await handling.find_tip(session=turn.session, tip_id=tip_id)
    if tip is None:
        turn.say("tipc.unknown_tip")
        return None
    if not handling.actor_may_triage(await turn.actor(), tip):
        turn.say("tipc.not_allowed")
        return None
    return tip


async def _attach_photos(turn: Turn, tip: Tip) -> None:
    """The stored photos as files after the detail view, where the channel can carry them."""
    if not turn.traits.buttons:
        return
    photos = await handling.tip_photos(
        session=turn.session, media_dir=turn.settings.media_dir, tip=tip, actor=await turn.actor()
    )
    for n, data in photos:
        caption = t("tipc.photo_caption", turn.lang, reference=tip.reference, number=n)
        turn.replies.append(Reply(caption, attachment=(f"{tip.reference}-{n}.jpg", data)))


async def _resolve(turn: Turn, tip: Tip, note: str | None) -> None:
    await turn.clear_state()
    await handling.resolve_tip(session=turn.session, tip=tip, actor=await turn.actor(), note=note)
    turn.say("tipc.resolved", reference=tip.reference)


async def _acknowledge(turn: Turn, tip: Tip) -> None:
    if await handling.acknowledge_tip(session=turn.session, tip=tip, actor=await turn.actor()):
        turn.say("tipc.acknowledged", reference=tip.reference)
    else:
        turn.say("tipc.already_acknowledged", reference=tip.reference)


def _choose_target(turn: Turn, tip: Tip) -> None:
    rows = [
        [Button(name, TIPC_TO.data(tip=tip.id, target=i))]
        for i, name in enumerate(handling.forward_targets(turn.settings))
    ]
    turn.say("tipc.choose_target", buttons=rows, reference=tip.reference)


async def _forward(turn: Turn, tip: Tip, index: int) -> None:
    targets = handling.forward_targets(turn.settings) or ["-"]
    if index >= len(targets):
        turn.say("expired_button")
        return
    target = targets[index]
    await handling.forward_tip(
        session=turn.session, tip=tip, actor=await turn.actor(), target=target
    )
    turn.say("tipc.forwarded", edit=True, reference=tip.reference, target=target)


async def _view(turn: Turn, tip: Tip) -> None:
    await handling.view_tip(session=turn.session, tip=tip, actor=await turn.actor())
    text = await card(turn.session, tip, turn.lang, "tipc.detail")
    turn.say_text(text, buttons=actions(tip, turn.lang))
    await _attach_photos(turn, tip)


async def triage_button(turn: Turn) -> None:
    """tipc:<action>:<tip id>[:<target>] from a tip card, the inbox or a step."""
    pressed = turn.pressed
    tip = await _load(turn, pressed.id("tip"))
    if tip is None:
        return
    if pressed.is_(TIPC_TO):
        await _forward(turn, tip, pressed.id("target"))
        return
    action = pressed.word("action")
    if action == "ack":
        await _acknowledge(turn, tip)
    elif action == "fwd":
        _choose_target(turn, tip)
    elif action == "res":
        await turn.set_state(NOTE, tip=tip.id)
        buttons = [[turn.button("btn.tip_no_note", TIPC_ACTION.data(action="resnn", tip=tip.id))]]
        turn.say("tipc.ask_note", buttons=buttons, reference=tip.reference)
    elif action == "resnn":
        await _resolve(turn, tip, None)
    elif action == "ans":
        await turn.set_state(ANSWER, tip=tip.id)
        turn.say("tipc.ask_answer", reference=tip.reference)
    else:
        await _view(turn, tip)


async def typed_note(turn: Turn) -> None:
    """The internal note that resolves a tip."""
    tip = await _load(turn, turn.data.get("tip"))
    if tip is not None:
        await _resolve(turn, tip, turn.inbound.text.strip())


async def typed_answer(turn: Turn) -> None:
    """The answer relayed to the tipster without the sender's name."""
    tip = await _load(turn, turn.data.get("tip"))
    if tip is None:
        return
    await turn.clear_state()
    answer = turn.inbound.text.strip()
    if not await handling.answer_tip(
        session=turn.session, tip=tip, actor=await turn.actor(), answer=answer
    ):
        turn.say("tipc.unreachable", reference=tip.reference)
        return
    turn.say("tipc.answered", reference=tip.reference)


async def inbox(turn: Turn) -> None:
    """Open tips with their age: all for coordinators, their areas for representatives."""
    actor = await turn.actor()
    if not actor.is_staff:
        turn.say("coordinators_only")
        return
    found = await handling.open_tips(session=turn.session, actor=actor)
    if not found:
        turn.say("tipc.inbox_empty")
        return
    names = await tip_store.area_names(session=turn.session)
    now, lang = utcnow(), turn.lang
    rows = [
        t(
            "tipc.inbox_row",
            lang,
            reference=tip.reference,
            area=names.get(tip.area_id, "-") if tip.area_id else "-",
            category=await category_label(session=turn.session, key=tip.category, lang=lang),
            age=age(now - tip.created_at, lang),
            status=t(f"tipstatus.{tip.status}", lang),
        )
        for tip in found[:INBOX_LIMIT]
    ]
    buttons = [
        [
            Button(
                t("btn.tip_view", lang, reference=tip.reference),
                TIPC_ACTION.data(action="view", tip=tip.id),
            )
        ]
        for tip in found[:INBOX_BUTTONS]
    ]
    turn.say("tipc.inbox", buttons=buttons, count=len(found), rows="\n".join(rows))


async def stats_lines(
    session: AsyncSession, settings: Settings, lang: str, now: datetime
) -> list[str]:
    """The reaction-time KPI for /stats: per month, median minutes from tip to acknowledgement."""
    months = await handling.reaction_stats(session=session, settings=settings, now=now)
    return [
        t(
            "tip.stats",
            lang,
            month=date_text(m.month, lang, "yyyy-MM"),
            count=number(m.tips, lang),
            acked=number(m.acknowledged, lang),
            median=age(timedelta(minutes=m.median_minutes), lang)
            if m.median_minutes is not None
            else "-",
        )
        for m in months
    ]


def register(router: Router) -> None:
    """Attach triage: the buttons on each tip, the note and answer steps, and /inbox."""
    router.callback("tipc", TIPC_ACTION, TIPC_TO)(triage_button)
    router.state(NOTE, accepts=(TEXT, PHOTO))(typed_note)
    router.state(ANSWER, accepts=(TEXT, PHOTO))(typed_answer)
    router.command("inbox")(inbox)
