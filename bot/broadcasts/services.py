"""Broadcast services for chat, CLI and dashboard: who may send where, previews, queueing, topics."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.broadcasts.render import render_text
from bot.broadcasts.wording import CalmWarning, calm_findings
from bot.core import actors
from bot.core.actors import Actor
from bot.core.gsm import segments, to_gsm7
from storage import areas as area_store
from storage import broadcasts as store
from storage import outbox, roles
from storage.broadcast_models import Broadcast
from storage.broadcasts import Counts
from storage.models import Area

# "tip" here is a prevention tip from the municipality, never a resident's tip-off.
log = logging.getLogger(__name__)

KINDS = outbox.BROADCAST_KINDS
ALL_TOPICS = (*outbox.TOPICS, *outbox.OPT_IN_TOPICS)
# Price of one SMS segment in DKK for the cost estimate (Twilio's Danish list price, rounded).
SMS_SEGMENT_PRICE_DKK = Decimal("0.45")


class NotAllowed(actors.NotAllowed):
    """The sender may not broadcast to (all of) the chosen areas."""

    def __init__(self, reason: str = "may not broadcast there") -> None:
        super().__init__(reason, key="bc.not_allowed")


class NoRecipients(Exception):
    """Nobody in the chosen areas takes this kind of broadcast; nothing was queued."""


@dataclass(frozen=True)
class Preview:
    """What a broadcast would be before it is sent: its reach, SMS cost and wording hints."""

    kind: str
    text: str
    area_ids: list[int] | None  # None: every area
    area_names: list[str] | None
    recipients: dict[str, int]  # addresses per channel
    sms_segments: int  # per SMS
    sms_cost: Decimal  # DKK for every SMS recipient together
    warnings: list[CalmWarning]
    rendered: dict[str, str]  # channel -> the text residents get there
    respects_quiet: bool  # held back during quiet hours

    @property
    def total(self) -> int:
        return sum(self.recipients.values())


@dataclass(frozen=True)
class BroadcastStatus:
    """A broadcast with its deliveries per channel and status (and, when asked, failure reasons)."""

    broadcast: Broadcast
    counts: Counts
    area_names: list[str] | None
    reasons: Counts = field(default_factory=dict)

    @property
    def id(self) -> int:
        assert self.broadcast.id is not None
        return self.broadcast.id

    @property
    def finished(self) -> bool:
        return store.is_finished(self.counts)

    @property
    def status(self) -> str:
        return "done" if self.finished else self.broadcast.status


def allowed_areas(actor: Actor) -> list[int] | None:
    """None: may send anywhere (a coordinator); else the areas the actor represents (maybe [])."""
    return None if actor.coordinator else sorted(actor.areas)


async def has_any_role(*, session: AsyncSession, urns: list[str]) -> bool:
    return bool(await roles.roles_of(session=session, urns=urns))


def may_send(allowed: list[int] | None, area_ids: list[int] | None) -> bool:
    """Whether someone allowed `allowed` (None: anywhere) may send to `area_ids` (None: all)."""
    if allowed is None:
        return True
    # Not "all areas", and not an empty choice either: that would reach nobody by accident.
    return bool(area_ids) and set(area_ids or []) <= set(allowed)


async def pickable_areas(*, session: AsyncSession, allowed: list[int] | None) -> list[Area]:
    """The areas a sender can choose from, in the usual order."""
    return [
        a
        for a in await area_store.list_areas(session=session)
        if allowed is None or a.id in allowed
    ]


async def find_areas(*, session: AsyncSession, names: list[str]) -> tuple[list[Area], list[str]]:
    """Areas by exact name: those found and the names that matched none."""
    found, missing = [], []
    for name in names:
        area = await area_store.find_by_name(session=session, name=name)
        if area is None:
            missing.append(name)
        else:
            found.append(area)
    return found, missing


async def recipients(
    *, session: AsyncSession, kind: str, area_ids: list[int] | None
) -> dict[str, int]:
    """Addresses per channel that a broadcast of `kind` to `area_ids` would reach now."""
    return await outbox.count_recipients(
        session=session, area_ids=area_ids, topic=outbox.KIND_TOPIC[kind]
    )


async def preview(
    *, session: AsyncSession, kind: str, text: str, area_ids: list[int] | None, lang: str
) -> Preview:
    """Reach, SMS segments and cost, calm-wording findings and the texts residents would get."""
    if kind not in KINDS:
        raise ValueError(f"unknown broadcast kind {kind!r}")
    body = text.strip()
    names = await store.area_names(session=session, area_ids=area_ids)
    counts = await recipients(session=session, kind=kind, area_ids=area_ids)
    shown = render_text(kind, body, lang, names)
    # The SMS transport sends the GSM-7 form; counting it is what Twilio bills.
    sms = to_gsm7(shown)
    per = segments(sms)
    return Preview(
        kind=kind,
        text=body,
        area_ids=area_ids,
        area_names=names,
        recipients=counts,
        sms_segments=per,
        sms_cost=per * counts.get("sms", 0) * SMS_SEGMENT_PRICE_DKK,
        warnings=calm_findings(body),
        rendered={"telegram": shown, "sms": sms},
        respects_quiet=kind != "alert",
    )


async def queue_broadcast(
    *,
    session: AsyncSession,
    actor: Actor,
    kind: str,
    text: str,
    area_ids: list[int] | None,
    priority: int = outbox.NORMAL,
    progress_urn: str | None = None,
    require_recipients: bool = False,
    dedupe_key: str | None = None,
) -> Broadcast:
    """Write the broadcast and its deliveries into the outbox; the dispatcher sends them.

    The `actor` is required: coordinators may send anywhere, representatives to their own areas
    only (NotAllowed otherwise, nothing queued); the broadcast is recorded as created by them.
    Raises NoRecipients when `require_recipients` is set and nobody would get it. A repeated
    `dedupe_key` returns the broadcast queued under it the first time instead of a second one.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown broadcast kind {kind!r}")
    body = text.strip()
    if not body:
        raise ValueError("the message is empty")
    if not may_send(allowed_areas(actor), area_ids):
        raise NotAllowed(f"{actor.urn} may not broadcast to {area_ids}")
    if (found := await outbox.broadcast_by_key(session=session, dedupe_key=dedupe_key)) is not None:
        return found
    reach = await recipients(session=session, kind=kind, area_ids=area_ids)
    if require_recipients and not sum(reach.values()):
        raise NoRecipients
    queued = await outbox.enqueue_broadcast(
        session=session,
        kind=kind,
        text=body,
        created_by=actor.urn,
        area_ids=area_ids,
        priority=priority,
        progress_urn=progress_urn,
        dedupe_key=dedupe_key,
    )
    log.info(
        "broadcast %s queued: kind=%s areas=%s recipients=%s by %s",
        queued.id,
        kind,
        "all" if area_ids is None else ",".join(map(str, area_ids)),
        " ".join(f"{channel}={n}" for channel, n in sorted(reach.items())) or "none",
        actor.urn,
    )
    return queued


async def broadcast_status(
    *, session: AsyncSession, broadcast_id: int, with_reasons: bool = False
) -> BroadcastStatus | None:
    """One broadcast's progress; None when there is no such broadcast."""
    row = await store.get_broadcast(session=session, broadcast_id=broadcast_id)
    if row is None:
        return None
    return BroadcastStatus(
        broadcast=row,
        counts=await store.counts(session=session, broadcast_id=broadcast_id),
        area_names=await store.area_names(session=session, area_ids=row.area_ids),
        reasons=(
            await store.failure_reasons(session=session, broadcast_id=broadcast_id)
            if with_reasons
            else {}
        ),
    )


async def recent_broadcasts(*, session: AsyncSession, limit: int = 20) -> list[BroadcastStatus]:
    """The newest broadcasts first, each with its progress."""
    found = []
    for row in await store.list_broadcasts(session=session, limit=limit):
        assert row.id is not None
        found.append(
            BroadcastStatus(
                broadcast=row,
                counts=await store.counts(session=session, broadcast_id=row.id),
                area_names=await store.area_names(session=session, area_ids=row.area_ids),
            )
        )
    return found


def is_topic(topic: str) -> bool:
    return topic in ALL_TOPICS


async def topic_choices(*, session: AsyncSession, resident_id: int) -> dict[str, bool]:
    """Every topic with whether the resident gets it (opt-out topics default on)."""
    return await store.topic_choices(session=session, resident_id=resident_id)


async def set_topic(*, session: AsyncSession, resident_id: int, topic: str, enabled: bool) -> None:
    if not is_topic(topic):
        raise ValueError(f"unknown topic {topic!r}")
    await store.set_topic(session=session, resident_id=resident_id, topic=topic, enabled=enabled)


async def toggle_topic(*, session: AsyncSession, resident_id: int, topic: str) -> bool:
    """Switch one topic on or off for the resident; returns whether it is now on."""
    if not is_topic(topic):
        raise ValueError(f"unknown topic {topic!r}")
    enabled = not (await topic_choices(session=session, resident_id=resident_id))[topic]
    await set_topic(session=session, resident_id=resident_id, topic=topic, enabled=enabled)
    return enabled
