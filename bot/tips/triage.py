"""Tip triage in chat: the coordinators' buttons, the note and answer steps, /inbox, /stats."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.conversation import PHOTO, TEXT, Router, Turn
from bot.core.i18n import date_text, number, t
from bot.core.messages import Button, Reply
from bot.core.settings import Settings
from bot.tips import handling
from bot.tips.categories import category_label
from bot.tips.notices import actions, age, card
from storage import residents
from storage import tips as tip_store
from storage.models import utcnow
from storage.tip_models import Tip

NOTE = "tipc_note"
ANSWER = "tipc_answer"
INBOX_LIMIT = 20
INBOX_BUTTONS = 10


async def _urns(turn: Turn) -> list[str]:
    """Every address of the person pressing, as Turn.is_coordinator counts them."""
    urns = [turn.inbound.urn]
    if turn.resident is not None and turn.resident.id is not None:
        contacts = await residents.contacts_of(session=turn.session, resident_id=turn.resident.id)
        urns += [c.urn for c in contacts if c.urn != turn.inbound.urn]
    return urns


async def _load(turn: Turn, raw_id: str) -> Tip | None:
    """The tip a button or step is about, if it still exists and this person may handle it."""
    tip = await handling.find_tip(session=turn.session, tip_id=int(raw_id)) if raw_id else None
    if tip is None:
        turn.say("tipc.unknown_tip")
        return None
    urns = await _urns(turn)
    if not await handling.may_triage(
        session=turn.session, settings=turn.settings, urns=urns, tip=tip
    ):
        turn.say("tipc.not_allowed")
        return None
    return tip


async def _attach_photos(turn: Turn, tip: Tip) -> None:
    """The stored photos as files after the detail view, where the channel can carry them."""
    if not turn.traits.buttons:
        return
    photos = await handling.tip_photos(
        session=turn.session, media_dir=turn.settings.media_dir, tip=tip
    )
    for n, data in photos:
        caption = t("tipc.photo_caption", turn.lang, reference=tip.reference, number=n)
        turn.replies.append(Reply(caption, attachment=(f"{tip.reference}-{n}.jpg", data)))


async def _resolve(turn: Turn, tip: Tip, note: str | None) -> None:
    await turn.clear_state()
    await handling.resolve_tip(session=turn.session, tip=tip, actor=turn.inbound.urn, note=note)
    turn.say("tipc.resolved", reference=tip.reference)


async def _acknowledge(turn: Turn, tip: Tip) -> None:
    if await handling.acknowledge_tip(session=turn.session, tip=tip, actor=turn.inbound.urn):
        turn.say("tipc.acknowledged", reference=tip.reference)
    else:
        turn.say("tipc.already_acknowledged", reference=tip.reference)


def _choose_target(turn: Turn, tip: Tip) -> None:
    rows = [
        [Button(name, f"tipc:to:{tip.id}:{i}")]
        for i, name in enumerate(handling.forward_targets(turn.settings))
    ]
    turn.say("tipc.choose_target", buttons=rows, reference=tip.reference)


async def _forward(turn: Turn, tip: Tip, index: int) -> None:
    targets = handling.forward_targets(turn.settings) or ["-"]
    target = targets[min(index, len(targets) - 1)]
    await handling.forward_tip(session=turn.session, tip=tip, actor=turn.inbound.urn, target=target)
    turn.say("tipc.forwarded", edit=True, reference=tip.reference, target=target)


async def _view(turn: Turn, tip: Tip) -> None:
    await handling.view_tip(session=turn.session, tip=tip, actor=turn.inbound.urn)
    text = await card(turn.session, tip, turn.lang, "tipc.detail")
    turn.say_text(text, buttons=actions(tip, turn.lang))
    await _attach_photos(turn, tip)


async def triage_button(turn: Turn) -> None:
    """tipc:<action>:<tip id>[:<target>] from a tip card, the inbox or a step."""
    parts = (turn.inbound.callback or "").split(":")
    action, raw_id = parts[1], parts[2] if len(parts) > 2 else ""
    tip = await _load(turn, raw_id if raw_id.isdigit() else "")
    if tip is None:
        return
    if action == "ack":
        await _acknowledge(turn, tip)
    elif action == "fwd":
        _choose_target(turn, tip)
    elif action == "to" and len(parts) > 3 and parts[3].isdigit():
        await _forward(turn, tip, int(parts[3]))
    elif action == "res":
        await turn.set_state(NOTE, tip=tip.id)
        buttons = [[turn.button("btn.tip_no_note", f"tipc:resnn:{tip.id}")]]
        turn.say("tipc.ask_note", buttons=buttons, reference=tip.reference)
    elif action == "resnn":
        await _resolve(turn, tip, None)
    elif action == "ans":
        await turn.set_state(ANSWER, tip=tip.id)
        turn.say("tipc.ask_answer", reference=tip.reference)
    elif action == "view":
        await _view(turn, tip)
    else:
        turn.say("expired_button")


async def typed_note(turn: Turn) -> None:
    """The internal note that resolves a tip."""
    tip = await _load(turn, str(turn.data.get("tip", "")))
    if tip is not None:
        await _resolve(turn, tip, turn.inbound.text.strip())


async def typed_answer(turn: Turn) -> None:
    """The answer relayed to the tipster without the sender's name."""
    tip = await _load(turn, str(turn.data.get("tip", "")))
    if tip is None:
        return
    await turn.clear_state()
    answer = turn.inbound.text.strip()
    if not await handling.answer_tip(
        session=turn.session, tip=tip, actor=turn.inbound.urn, answer=answer
    ):
        turn.say("tipc.unreachable", reference=tip.reference)
        return
    turn.say("tipc.answered", reference=tip.reference)


async def inbox(turn: Turn) -> None:
    """Open tips with their age: all for coordinators, their areas for representatives."""
    area_ids = await handling.triage_scope(
        session=turn.session, settings=turn.settings, urns=await _urns(turn)
    )
    if area_ids is not None and not area_ids:
        turn.say("coordinators_only")
        return
    found = await handling.open_tips(session=turn.session, area_ids=area_ids)
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
        [Button(t("btn.tip_view", lang, reference=tip.reference), f"tipc:view:{tip.id}")]
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
    router.callback("tipc")(triage_button)
    router.state(NOTE, accepts=(TEXT, PHOTO))(typed_note)
    router.state(ANSWER, accepts=(TEXT, PHOTO))(typed_answer)
    router.command("inbox")(inbox)
