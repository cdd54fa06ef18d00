"""Tip triage: coordinator notifications with buttons, status changes, relayed answers, /inbox."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.conversation import PHOTO, TEXT, Router, Turn
from bot.core.i18n import t
from bot.core.messages import Button, Reply
from bot.core.settings import Settings
from bot.core.urns import urn_path, urn_scheme
from storage import outbox, residents, roles
from storage import tips as tip_store
from storage.models import utcnow
from storage.tip_models import Tip

NOTE = "tipc_note"
ANSWER = "tipc_answer"
INBOX_LIMIT = 20
UNITS = {"da": ("d", "t", "min"), "en": ("d", "h", "min")}


def forward_targets(settings: Settings) -> list[str]:
    return [p.strip() for p in settings.tip_forward_targets.split(",") if p.strip()]


def age(delta: timedelta, lang: str) -> str:
    """A short age: "12 min", "3 t 5 min", "2 d 4 t"."""
    days, hours, minutes = UNITS.get(lang, UNITS["da"])
    total = max(int(delta.total_seconds() // 60), 0)
    d, rest = divmod(total, 24 * 60)
    h, m = divmod(rest, 60)
    if d:
        return f"{d} {days} {h} {hours}"
    if h:
        return f"{h} {hours} {m} {minutes}"
    return f"{m} {minutes}"


async def _language_of(session: Any, urn: str, default: str) -> str:
    contact = await residents.get_contact(session=session, urn=urn)
    if contact is None:
        return default
    resident = await residents.get_resident(session=session, resident_id=contact.resident_id)
    return resident.language if resident else default


async def triagers(session: Any, settings: Settings, area_id: int | None) -> list[str]:
    """Coordinators, plus representatives of the tip's area, reachable in Telegram."""
    urns = set(settings.coordinator_urns)
    urns |= {r.urn for r in await roles.list_roles(session=session, role=roles.COORDINATOR)}
    if area_id is not None:
        reps = await roles.list_roles(session=session, role=roles.REPRESENTATIVE)
        urns |= {r.urn for r in reps if r.area_id == area_id}
    return sorted(u for u in urns if urn_scheme(u) == "telegram")


async def may_triage(turn: Turn, tip: Tip | None) -> bool:
    if await turn.is_coordinator():
        return True
    granted = await roles.roles_of(session=turn.session, urns=[turn.inbound.urn])
    return any(
        r.role == roles.REPRESENTATIVE and tip is not None and r.area_id == tip.area_id
        for r in granted
    )


async def _who(session: Any, tip: Tip, lang: str) -> str:
    """The tipster's contact, only when they allowed it; otherwise nothing identifying."""
    contact = await tip_store.tipster_contact(session=session, tip=tip)
    if not tip.may_contact or contact is None:
        return t("tipc.anonymous", lang)
    resident = await residents.get_resident(session=session, resident_id=contact.resident_id)
    name = resident.display_name if resident and resident.display_name else ""
    address = urn_path(contact.urn) if urn_scheme(contact.urn) == "tel" else "Telegram"
    return t("tipc.contact", lang, who=f"{name} ({address})".strip())


async def card(session: Any, settings: Settings, tip: Tip, lang: str, key: str) -> str:
    """The tip as a coordinator sees it."""
    from bot.tips.chat import category_label

    names = await tip_store.area_names(session=session)
    extras = ""
    photos = await tip_store.photos_of(session=session, tip_id=tip.id)  # type: ignore[arg-type]
    if photos:
        extras += t("tipc.photos", lang, count=len(photos))
    if tip.latitude is not None and tip.longitude is not None:
        extras += t("tipc.location", lang, lat=f"{tip.latitude:.5f}", lon=f"{tip.longitude:.5f}")
    return t(
        key,
        lang,
        urgent=t("tipc.urgent_flag", lang) if tip.urgent else "",
        reference=tip.reference,
        area=names.get(tip.area_id, "-") if tip.area_id else "-",
        category=await category_label(session, tip.category, lang),
        text=tip.text or "-",
        extras=extras,
        channel="SMS" if tip.channel == "sms" else "Telegram",
        contact=await _who(session, tip, lang),
        status=t(f"tipstatus.{tip.status}", lang),
        age=age(utcnow() - tip.created_at, lang),
    )


def actions(tip: Tip, lang: str) -> list[list[Button]]:
    return [
        [
            Button(t("btn.tip_ack", lang), f"tipc:ack:{tip.id}"),
            Button(t("btn.tip_forward", lang), f"tipc:fwd:{tip.id}"),
        ],
        [
            Button(t("btn.tip_resolve", lang), f"tipc:res:{tip.id}"),
            Button(t("btn.tip_answer", lang), f"tipc:ans:{tip.id}"),
        ],
    ]


async def notify_triagers(session: Any, settings: Settings, tip: Tip) -> None:
    """Queue the new tip for every triager at once, in their language, with the four buttons."""
    urns = await triagers(session, settings, tip.area_id)
    by_lang: dict[str, list[str]] = {}
    for urn in urns:
        lang = await _language_of(session, urn, settings.default_language)
        by_lang.setdefault(lang, []).append(urn)
    for lang, group in by_lang.items():
        await outbox.enqueue_direct(
            session=session,
            urns=group,
            text=await card(session, settings, tip, lang, "tipc.new"),
            kind="notice",
            priority=outbox.URGENT if tip.urgent else outbox.NORMAL,
            buttons=actions(tip, lang),
            created_by=f"tip:{tip.reference}",
        )
    if urns:
        await tip_store.log_event(
            session=session,
            tip_id=tip.id,  # type: ignore[arg-type]
            actor="system",
            action="notified",
            detail=",".join(urns),
        )


async def tell_tipster(session: Any, tip: Tip, key: str, **values: object) -> bool:
    """Relay a message on the tipster's own channel; the sender's identity is never included."""
    contact = await tip_store.tipster_contact(session=session, tip=tip)
    if contact is None:
        return False
    resident = await residents.get_resident(session=session, resident_id=contact.resident_id)
    lang = resident.language if resident else "da"
    await outbox.enqueue_direct(
        session=session,
        urns=[contact.urn],
        text=t(key, lang, reference=tip.reference, **values),
        kind="notice",
        created_by=f"tip:{tip.reference}",
    )
    return True


async def _load(turn: Turn, raw_id: str) -> Tip | None:
    tip = await tip_store.get_tip(session=turn.session, tip_id=int(raw_id)) if raw_id else None
    if tip is None or tip.anonymised_at is not None:
        turn.say("tipc.unknown_tip")
        return None
    if not await may_triage(turn, tip):
        turn.say("tipc.not_allowed")
        return None
    return tip


async def _attach_photos(turn: Turn, tip: Tip) -> None:
    """The stored photos as files after the detail view, where the channel can carry them."""
    if not turn.traits.buttons:
        return
    photos = await tip_store.photos_of(session=turn.session, tip_id=tip.id)  # type: ignore[arg-type]
    for number, photo in enumerate(photos, start=1):
        path = Path(turn.settings.media_dir) / photo.path
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError:
            continue
        caption = t("tipc.photo_caption", turn.lang, reference=tip.reference, number=number)
        turn.replies.append(Reply(caption, attachment=(f"{tip.reference}-{number}.jpg", data)))


async def _resolve(turn: Turn, tip: Tip, note: str | None) -> None:
    await turn.clear_state()
    await tip_store.resolve(session=turn.session, tip=tip, actor=turn.inbound.urn, note=note)
    if tip.notify_status:
        await tell_tipster(turn.session, tip, "tipr.resolved")
    turn.say("tipc.resolved", reference=tip.reference)


def register(router: Router) -> None:
    """Attach triage: the buttons on each tip, the note and answer steps, and /inbox."""

    @router.callback("tipc")
    async def triage_button(turn: Turn) -> None:
        parts = (turn.inbound.callback or "").split(":")
        action, raw_id = parts[1], parts[2] if len(parts) > 2 else ""
        tip = await _load(turn, raw_id if raw_id.isdigit() else "")
        if tip is None:
            return
        actor = turn.inbound.urn
        if action == "ack":
            if await tip_store.acknowledge(session=turn.session, tip=tip, actor=actor):
                if tip.notify_status:
                    await tell_tipster(turn.session, tip, "tipr.acknowledged")
                turn.say("tipc.acknowledged", reference=tip.reference)
            else:
                turn.say("tipc.already_acknowledged", reference=tip.reference)
        elif action == "fwd":
            rows = [
                [Button(name, f"tipc:to:{tip.id}:{i}")]
                for i, name in enumerate(forward_targets(turn.settings))
            ]
            turn.say("tipc.choose_target", buttons=rows, reference=tip.reference)
        elif action == "to" and len(parts) > 3 and parts[3].isdigit():
            targets = forward_targets(turn.settings) or ["-"]
            target = targets[min(int(parts[3]), len(targets) - 1)]
            await tip_store.forward(session=turn.session, tip=tip, actor=actor, target=target)
            if tip.notify_status:
                await tell_tipster(turn.session, tip, "tipr.forwarded", target=target)
            turn.say("tipc.forwarded", edit=True, reference=tip.reference, target=target)
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
            await tip_store.log_event(
                session=turn.session,
                tip_id=tip.id,
                actor=actor,
                action="viewed",  # type: ignore[arg-type]
            )
            text = await card(turn.session, turn.settings, tip, turn.lang, "tipc.detail")
            turn.say_text(text, buttons=actions(tip, turn.lang))
            await _attach_photos(turn, tip)
        else:
            turn.say("expired_button")

    @router.state(NOTE, accepts=(TEXT, PHOTO))
    async def typed_note(turn: Turn) -> None:
        tip = await _load(turn, str(turn.data.get("tip", "")))
        if tip is not None:
            await _resolve(turn, tip, turn.inbound.text.strip()[:1000])

    @router.state(ANSWER, accepts=(TEXT, PHOTO))
    async def typed_answer(turn: Turn) -> None:
        tip = await _load(turn, str(turn.data.get("tip", "")))
        if tip is None:
            return
        await turn.clear_state()
        answer = turn.inbound.text.strip()[:1500]
        if not await tell_tipster(turn.session, tip, "tipr.answer", answer=answer):
            turn.say("tipc.unreachable", reference=tip.reference)
            return
        await tip_store.record_answer(
            session=turn.session, tip=tip, actor=turn.inbound.urn, answer=answer
        )
        turn.say("tipc.answered", reference=tip.reference)

    @router.command("inbox")
    async def inbox(turn: Turn) -> None:
        """Open tips with their age: all for coordinators, their areas for representatives."""
        area_ids: list[int] | None = None
        if not await turn.is_coordinator():
            granted = await roles.roles_of(session=turn.session, urns=[turn.inbound.urn])
            area_ids = [
                r.area_id
                for r in granted
                if r.role == roles.REPRESENTATIVE and r.area_id is not None
            ]
            if not area_ids:
                turn.say("coordinators_only")
                return
        from bot.tips.chat import category_label

        found = await tip_store.list_tips(
            session=turn.session, statuses=tip_store.OPEN_STATUSES, area_ids=area_ids
        )
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
                category=await category_label(turn.session, tip.category, lang),
                age=age(now - tip.created_at, lang),
                status=t(f"tipstatus.{tip.status}", lang),
            )
            for tip in found[:INBOX_LIMIT]
        ]
        buttons = [
            [Button(t("btn.tip_view", lang, reference=tip.reference), f"tipc:view:{tip.id}")]
            for tip in found[:10]
        ]
        turn.say("tipc.inbox", buttons=buttons, count=len(found), rows="\n".join(rows))


async def stats_lines(
    session: AsyncSession, settings: Settings, lang: str, now: datetime
) -> list[str]:
    """The reaction-time KPI for /stats: per month, median minutes from tip to acknowledgement."""
    local = now.astimezone(settings.tz)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(2):
        start = (start - timedelta(days=1)).replace(day=1)
    months = await tip_store.reaction_times(session=session, since=start, tz=settings.tz)
    return [
        t(
            "tip.stats",
            lang,
            month=m.month,
            count=m.tips,
            acked=m.acknowledged,
            median=age(timedelta(minutes=m.median_minutes), lang)
            if m.median_minutes is not None
            else "-",
        )
        for m in months
    ]
