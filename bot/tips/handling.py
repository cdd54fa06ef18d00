"""Triage services: who may handle a tip, alerting them, and each action with all it implies.

Chat buttons, the CLI and a future web page call these, so acknowledging a tip (status, audit
log, the opted-in tipster's notice) happens the same way wherever it is pressed. Every action
takes the `actor` and refuses (NotAllowed, nothing changed) unless they may triage that tip:
coordinators every tip, representatives those of their areas.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.actors import Actor, NotAllowed
from bot.core.i18n import t
from bot.core.settings import Settings
from bot.core.urns import urn_scheme
from bot.tips.notices import actions, card
from storage import outbox, residents, roles
from storage import tips as tip_store
from storage.tip_models import Tip

MAX_NOTE = 1000
MAX_ANSWER = 1500
STATS_MONTHS = 3


def forward_targets(settings: Settings) -> list[str]:
    """Where a tip can be forwarded (TIP_FORWARD_TARGETS)."""
    return [p.strip() for p in settings.tip_forward_targets.split(",") if p.strip()]


async def is_coordinator(*, session: AsyncSession, settings: Settings, urns: list[str]) -> bool:
    """True when any of the person's addresses is a coordinator (settings or granted role)."""
    if set(urns) & set(settings.coordinator_urns):
        return True
    granted = await roles.roles_of(session=session, urns=urns)
    return any(r.role == roles.COORDINATOR for r in granted)


async def represented_areas(*, session: AsyncSession, urns: list[str]) -> list[int]:
    """The areas these addresses represent."""
    granted = await roles.roles_of(session=session, urns=urns)
    return [r.area_id for r in granted if r.role == roles.REPRESENTATIVE and r.area_id is not None]


async def triage_scope(
    *, session: AsyncSession, settings: Settings, urns: list[str]
) -> list[int] | None:
    """Whose tips a person handles: None for all (coordinators), else their areas (maybe none)."""
    if await is_coordinator(session=session, settings=settings, urns=urns):
        return None
    return await represented_areas(session=session, urns=urns)


async def may_triage(
    *, session: AsyncSession, settings: Settings, urns: list[str], tip: Tip
) -> bool:
    """Coordinators may handle every tip, representatives those of their areas."""
    scope = await triage_scope(session=session, settings=settings, urns=urns)
    return scope is None or tip.area_id in scope


def actor_may_triage(actor: Actor, tip: Tip) -> bool:
    """Coordinators may handle every tip, representatives those of their areas."""
    return actor.coordinator or (tip.area_id is not None and tip.area_id in actor.areas)


def require_triage(actor: Actor, tip: Tip) -> None:
    """NotAllowed unless the actor may handle (and so see) this tip."""
    if not actor_may_triage(actor, tip):
        raise NotAllowed(f"{actor.urn} may not triage tip {tip.id}", key="tipc.not_allowed")


async def triagers(*, session: AsyncSession, settings: Settings, area_id: int | None) -> list[str]:
    """Coordinators, plus representatives of the tip's area, reachable in Telegram."""
    urns = set(settings.coordinator_urns)
    urns |= {r.urn for r in await roles.list_roles(session=session, role=roles.COORDINATOR)}
    if area_id is not None:
        reps = await roles.list_roles(session=session, role=roles.REPRESENTATIVE)
        urns |= {r.urn for r in reps if r.area_id == area_id}
    return sorted(u for u in urns if urn_scheme(u) == "telegram")


async def find_tip(*, session: AsyncSession, tip_id: int) -> Tip | None:
    """A tip that can still be handled (None when unknown or anonymised)."""
    tip = await tip_store.get_tip(session=session, tip_id=tip_id)
    return None if tip is None or tip.anonymised_at is not None else tip


async def _language_of(session: AsyncSession, urn: str, default: str) -> str:
    contact = await residents.get_contact(session=session, urn=urn)
    if contact is None:
        return default
    resident = await residents.get_resident(session=session, resident_id=contact.resident_id)
    return resident.language if resident else default


async def notify_triagers(*, session: AsyncSession, settings: Settings, tip: Tip) -> list[str]:
    """Queue the new tip for every triager at once, in their language, with the four buttons."""
    urns = await triagers(session=session, settings=settings, area_id=tip.area_id)
    by_lang: dict[str, list[str]] = {}
    for urn in urns:
        lang = await _language_of(session, urn, settings.default_language)
        by_lang.setdefault(lang, []).append(urn)
    for lang, group in by_lang.items():
        await outbox.enqueue_direct(
            session=session,
            urns=group,
            text=await card(session, tip, lang, "tipc.new"),
            kind="notice",
            priority=outbox.URGENT if tip.urgent else outbox.NORMAL,
            buttons=actions(tip, lang),
            created_by=f"tip:{tip.reference}",
        )
    if urns:
        await tip_store.log_event(
            session=session, tip_id=tip.id, actor="system", action="notified", detail=",".join(urns)
        )
    return urns


async def tell_tipster(*, session: AsyncSession, tip: Tip, key: str, **values: object) -> bool:
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


async def acknowledge_tip(*, session: AsyncSession, tip: Tip, actor: Actor) -> bool:
    """Mark received and tell an opted-in tipster; False when it already was received."""
    require_triage(actor, tip)
    if not await tip_store.acknowledge(session=session, tip=tip, actor=actor.urn):
        return False
    if tip.notify_status:
        await tell_tipster(session=session, tip=tip, key="tipr.acknowledged")
    return True


async def forward_tip(*, session: AsyncSession, tip: Tip, actor: Actor, target: str) -> None:
    """Mark forwarded to `target` and tell an opted-in tipster where it went."""
    require_triage(actor, tip)
    await tip_store.forward(session=session, tip=tip, actor=actor.urn, target=target)
    if tip.notify_status:
        await tell_tipster(session=session, tip=tip, key="tipr.forwarded", target=target)


async def resolve_tip(*, session: AsyncSession, tip: Tip, actor: Actor, note: str | None) -> None:
    """Mark resolved with an internal note (never shown to the tipster) and tell them if opted in."""
    require_triage(actor, tip)
    note = note[:MAX_NOTE] if note is not None else None
    await tip_store.resolve(session=session, tip=tip, actor=actor.urn, note=note)
    if tip.notify_status:
        await tell_tipster(session=session, tip=tip, key="tipr.resolved")


async def answer_tip(*, session: AsyncSession, tip: Tip, actor: Actor, answer: str) -> bool:
    """Relay an answer to the tipster without who wrote it; False when they can't be reached."""
    require_triage(actor, tip)
    answer = answer[:MAX_ANSWER]
    if not await tell_tipster(session=session, tip=tip, key="tipr.answer", answer=answer):
        return False
    await tip_store.record_answer(session=session, tip=tip, actor=actor.urn, answer=answer)
    return True


async def view_tip(*, session: AsyncSession, tip: Tip, actor: Actor) -> None:
    """Check the actor may see the tip and record in the audit log that they looked at it."""
    require_triage(actor, tip)
    await tip_store.log_event(session=session, tip_id=tip.id, actor=actor.urn, action="viewed")


async def tip_photos(
    *, session: AsyncSession, media_dir: str, tip: Tip, actor: Actor
) -> list[tuple[int, bytes]]:
    """(number, bytes) of the tip's stored photos that can still be read, numbered from 1."""
    require_triage(actor, tip)
    assert tip.id is not None
    found = []
    photos = await tip_store.photos_of(session=session, tip_id=tip.id)
    for n, photo in enumerate(photos, start=1):
        try:
            found.append((n, await asyncio.to_thread((Path(media_dir) / photo.path).read_bytes)))
        except OSError:
            continue
    return found


async def open_tips(*, session: AsyncSession, actor: Actor) -> list[Tip]:
    """Unresolved tips the actor may handle, newest first (NotAllowed for non-staff)."""
    if not actor.is_staff:
        raise NotAllowed(f"{actor.urn} handles no tips", key="coordinators_only")
    area_ids = None if actor.coordinator else sorted(actor.areas)
    return await tip_store.list_tips(
        session=session, statuses=tip_store.OPEN_STATUSES, area_ids=area_ids
    )


async def reaction_stats(
    *, session: AsyncSession, settings: Settings, now: datetime
) -> list[tip_store.MonthKpi]:
    """Tips and median time to acknowledgement for this month and the two before (local time)."""
    local = now.astimezone(settings.tz)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(STATS_MONTHS - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return await tip_store.reaction_times(session=session, since=start, tz=settings.tz)
