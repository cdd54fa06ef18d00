"""Durable outbox: write a message and one delivery row per address before anything is sent.

Writing (any feature; call inside `db.session()`, the rows commit with your transaction):

    enqueue_broadcast(session=, kind, text, created_by, area_ids=None (all areas), topic=None,
                      priority=NORMAL, not_before=None, respect_quiet=None, buttons=None,
                      dedupe_key=None, progress_urn=None, now=None) -> Broadcast
        Resolves recipients (active contacts of residents in those areas who have not opted out
        of `topic`; for opt-in topics such as "weekly_tip", only those who opted in) and inserts
        their delivery rows with one INSERT ... SELECT. A repeated `dedupe_key` returns the
        broadcast already written instead of a second one.

    enqueue_direct(session=, urns, text, kind="notice", priority=NORMAL, buttons=None,
                   not_before=None, respect_quiet=False, topic=None, created_by="system",
                   dedupe_key=None, now=None, attachment=None) -> Broadcast
        One-off messages (notifications, reminders, invitations with buttons and an optional
        (filename, bytes) attachment, sent where the channel can) to given URNs;
        stopped, blocked and invalid addresses (and opt-outs of `topic`) are left out.

    count_recipients(session=, area_ids, topic) -> dict[channel, int]   (for previews)
    broadcast_by_key(session=, dedupe_key) -> Broadcast | None   (already queued under the key?)

`priority` is URGENT (0) < NORMAL (1) < LOW (2); lower goes first. `buttons` is the neutral
`list[list[bot.core.messages.Button]]`; SMS renders them as a numbered list. Alerts ignore quiet
hours by default, every other kind respects them (`respect_quiet`).

Forgetting and retention scrub what the outbox stored: see storage.redaction.

Sending (the dispatcher in scheduler/ only): claims and marks, fenced by the leader's epoch, are in
storage.delivery. Delivery reports: `record_provider_status`; `mark_contacts` flags addresses a
provider called blocked, stopped or invalid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    func,
    insert,
    literal,
    not_,
    true,
    update,
)
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select
from sqlmodel.sql.sqltypes import UTCDateTime

from storage.broadcast_models import Broadcast, Delivery, TopicPreference
from storage.models import Contact, Membership, Resident, utcnow

URGENT, NORMAL, LOW = 0, 1, 2
BROADCAST_KINDS = ("alert", "tip", "announcement")
TOPICS = ("alerts", "tips", "announcements", "meetings")
OPT_IN_TOPICS = ("weekly_tip",)
KIND_TOPIC = {"alert": "alerts", "tip": "tips", "announcement": "announcements"}

QUEUED, SENDING, SENT, DELIVERED = "queued", "sending", "sent", "delivered"
FAILED, BLOCKED, STOPPED, INVALID, SKIPPED = "failed", "blocked", "stopped", "invalid", "skipped"
OPEN_STATUSES = (QUEUED, SENDING)
CHANNEL_OF_SCHEME = {"telegram": "telegram", "tel": "sms"}
CONTACT_FLAGS = {BLOCKED: "blocked_at", STOPPED: "stopped_at", INVALID: "invalid_at"}


class ButtonLike(Protocol):
    """What storage needs of a button (bot.core.messages.Button), without importing bot."""

    @property
    def label(self) -> str: ...

    @property
    def data(self) -> str: ...


Buttons = Sequence[Sequence[ButtonLike]]


def _buttons_json(buttons: Buttons | None) -> list[list[list[str]]] | None:
    if not buttons:
        return None
    return [[[b.label, b.data] for b in row] for row in buttons]


def active_contact() -> ColumnElement[bool]:
    return and_(
        col(Contact.stopped_at).is_(None),
        col(Contact.blocked_at).is_(None),
        col(Contact.invalid_at).is_(None),
    )


def _topic_filter(topic: str | None) -> ColumnElement[bool]:
    """Residents who want `topic`: opt-out topics by default, opt-in topics only if chosen."""
    if topic is None:
        return true()
    pref = exists().where(
        col(TopicPreference.resident_id) == col(Contact.resident_id),
        col(TopicPreference.topic) == topic,
        col(TopicPreference.enabled) == (topic in OPT_IN_TOPICS),
    )
    return pref if topic in OPT_IN_TOPICS else not_(pref)


def _recipients_query(area_ids: list[int] | None, topic: str | None) -> Select[str, str, str]:
    where = [active_contact(), _topic_filter(topic)]
    if area_ids is not None:
        member = exists().where(
            col(Membership.resident_id) == col(Contact.resident_id),
            col(Membership.area_id).in_(area_ids or [-1]),
        )
        where.append(member)
    return (
        select(Contact.urn, Contact.channel, Resident.language)
        .join(Resident, col(Resident.id) == col(Contact.resident_id))
        .where(*where)
    )


async def count_recipients(
    *, session: AsyncSession, area_ids: list[int] | None, topic: str | None
) -> dict[str, int]:
    """How many addresses per channel a broadcast would reach now."""
    sub = _recipients_query(area_ids, topic).subquery()
    rows = await session.exec(select(sub.c.channel, func.count()).group_by(sub.c.channel))
    return {channel: int(n) for channel, n in rows.all()}


async def broadcast_by_key(*, session: AsyncSession, dedupe_key: str | None) -> Broadcast | None:
    """The broadcast queued under `dedupe_key`, if any."""
    if dedupe_key is None:
        return None
    query = select(Broadcast).where(col(Broadcast.dedupe_key) == dedupe_key)
    return (await session.exec(query)).first()


async def _existing(session: AsyncSession, dedupe_key: str | None) -> Broadcast | None:
    return await broadcast_by_key(session=session, dedupe_key=dedupe_key)


async def enqueue_broadcast(
    *,
    session: AsyncSession,
    kind: str,
    text: str,
    created_by: str,
    area_ids: list[int] | None = None,
    topic: str | None = None,
    priority: int = NORMAL,
    not_before: datetime | None = None,
    respect_quiet: bool | None = None,
    buttons: Buttons | None = None,
    dedupe_key: str | None = None,
    progress_urn: str | None = None,
    now: datetime | None = None,
) -> Broadcast:
    """Write a broadcast and one delivery per recipient address in the caller's transaction."""
    if (found := await _existing(session, dedupe_key)) is not None:
        return found
    now = now or utcnow()
    topic = topic if topic is not None else KIND_TOPIC.get(kind)
    quiet = kind != "alert" if respect_quiet is None else respect_quiet
    broadcast = Broadcast(
        kind=kind,
        topic=topic,
        priority=priority,
        text=text,
        buttons=_buttons_json(buttons),
        area_ids=sorted(set(area_ids)) if area_ids is not None else None,
        created_by=created_by,
        created_at=now,
        not_before=not_before,
        respect_quiet=quiet,
        dedupe_key=dedupe_key,
        progress_urn=progress_urn,
    )
    session.add(broadcast)
    await session.flush()
    due = max(now, not_before) if not_before else now
    picked = _recipients_query(area_ids, topic).subquery()
    # Select() itself: sqlmodel's select() is typed for at most four columns.
    source = Select[int, str, str, str, int, bool, str, int, datetime, datetime](
        literal(broadcast.id).label("broadcast_id"),
        picked.c.urn,
        picked.c.channel,
        picked.c.language,
        literal(priority).label("priority"),
        literal(quiet).label("respect_quiet"),
        literal(QUEUED).label("status"),
        literal(0).label("attempts"),
        literal(due, UTCDateTime()).label("due_at"),
        literal(now, UTCDateTime()).label("updated_at"),
    ).distinct()
    columns = [
        "broadcast_id",
        "urn",
        "channel",
        "lang",
        "priority",
        "respect_quiet",
        "status",
        "attempts",
        "due_at",
        "updated_at",
    ]
    result = await session.exec(insert(Delivery).from_select(columns, source))
    broadcast.total = max(int(result.rowcount or 0), 0)
    session.add(broadcast)
    await session.flush()
    return broadcast


async def enqueue_direct(
    *,
    session: AsyncSession,
    urns: Sequence[str],
    text: str,
    kind: str = "notice",
    priority: int = NORMAL,
    buttons: Buttons | None = None,
    not_before: datetime | None = None,
    respect_quiet: bool = False,
    topic: str | None = None,
    created_by: str = "system",
    dedupe_key: str | None = None,
    now: datetime | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> Broadcast:
    """Queue one text (with optional buttons and file) for each of `urns`, skipping unreachable
    ones."""
    if (found := await _existing(session, dedupe_key)) is not None:
        return found
    now = now or utcnow()
    wanted = list(dict.fromkeys(urns))
    known: dict[str, tuple[str, int]] = {}
    if wanted:
        query = (
            select(Contact.urn, Resident.language, Contact.resident_id)
            .join(Resident, col(Resident.id) == col(Contact.resident_id))
            .where(col(Contact.urn).in_(wanted))
        )
        known = {urn: (lang, rid) for urn, lang, rid in (await session.exec(query)).all()}
        unreachable = set(
            (
                await session.exec(
                    select(Contact.urn).where(col(Contact.urn).in_(wanted), not_(active_contact()))
                )
            ).all()
        )
        if topic is not None:
            unwanted = select(Contact.urn).where(
                col(Contact.urn).in_(wanted), not_(_topic_filter(topic))
            )
            unreachable |= set((await session.exec(unwanted)).all())
        wanted = [u for u in wanted if u not in unreachable]
    broadcast = Broadcast(
        kind=kind,
        topic=topic,
        priority=priority,
        text=text,
        buttons=_buttons_json(buttons),
        created_by=created_by,
        created_at=now,
        not_before=not_before,
        respect_quiet=respect_quiet,
        dedupe_key=dedupe_key,
        total=len(wanted),
        attachment_name=attachment[0] if attachment else None,
        attachment=attachment[1] if attachment else None,
    )
    session.add(broadcast)
    await session.flush()
    due = max(now, not_before) if not_before else now
    rows = [
        {
            "broadcast_id": broadcast.id,
            "urn": urn,
            "channel": CHANNEL_OF_SCHEME.get(urn.partition(":")[0], urn.partition(":")[0]),
            "lang": known.get(urn, ("da", None))[0],
            "priority": priority,
            "respect_quiet": respect_quiet,
            "status": QUEUED,
            "attempts": 0,
            "due_at": due,
            "updated_at": now,
        }
        for urn in wanted
    ]
    if rows:
        await session.exec(insert(Delivery).values(rows))
    return broadcast


async def mark_contacts(
    *, session: AsyncSession, status: str, urns: Sequence[str], now: datetime
) -> None:
    """Blocked, stopped or invalid: mark those addresses, so nothing more is sent to them."""
    flag = CONTACT_FLAGS.get(status)
    if flag is None or not urns:
        return
    column = getattr(Contact, flag)
    await session.exec(
        update(Contact)
        .where(col(Contact.urn).in_(list(set(urns))), col(column).is_(None))
        .values({flag: now})
    )


# Neutral delivery reports a transport passes on (it maps its provider's words and codes).
REPORT_FINAL = {"failed": FAILED, "stopped": STOPPED, "invalid": INVALID}


async def record_provider_status(
    *, session: AsyncSession, provider_id: str, status: str, error_code: str | None
) -> bool:
    """A delivery report (sent, delivered, failed, stopped, invalid) for the delivery with this
    provider message id; False if there is none. `error_code` is kept as the reason."""
    query = select(Delivery).where(col(Delivery.provider_id) == provider_id)
    row = (await session.exec(query)).first()
    if row is None:
        return False
    now = utcnow()
    row.provider_status = status[:32]
    row.updated_at = now
    if status == "delivered" and row.status == SENT:
        row.status = DELIVERED
    elif status in REPORT_FINAL and row.status in (SENT, DELIVERED):
        row.error = f"{status} {error_code or ''}".strip()
        if status in (STOPPED, INVALID):
            await mark_contacts(session=session, status=status, urns=[row.urn], now=now)
        row.status = REPORT_FINAL[status]
    session.add(row)
    await session.flush()
    return True
