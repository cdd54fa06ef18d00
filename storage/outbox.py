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

Sending (the dispatcher in scheduler/ only): `claim_due`, `mark_sent`, `mark_retry`, `mark_final`,
`requeue_in_flight`. Delivery reports: `record_provider_status`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    false,
    func,
    insert,
    literal,
    not_,
    or_,
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


@dataclass(frozen=True)
class Claimed:
    """A delivery the dispatcher now holds a lease on."""

    id: int
    broadcast_id: int
    urn: str
    channel: str
    lang: str
    attempts: int
    skip: bool  # the address stopped, was blocked or forgotten since the row was written


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


def _active_contact() -> ColumnElement[bool]:
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
    where = [_active_contact(), _topic_filter(topic)]
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
                    select(Contact.urn).where(col(Contact.urn).in_(wanted), not_(_active_contact()))
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


async def claim_due(
    *,
    session: AsyncSession,
    channel: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    quiet: bool = False,
) -> list[Claimed]:
    """Lease up to `limit` due deliveries of `channel`, most urgent first; count the attempt."""
    due = [
        col(Delivery.status) == QUEUED,
        col(Delivery.channel) == channel,
        col(Delivery.due_at) <= now,
    ]
    if quiet:
        due.append(col(Delivery.respect_quiet) == false())
    pick = (
        select(Delivery.id)
        .where(*due)
        .order_by(col(Delivery.priority), col(Delivery.due_at), col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list((await session.exec(pick)).all())
    if not ids:
        return []
    await session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_(ids))
        .values(
            status=SENDING,
            attempts=Delivery.attempts + 1,
            lease_until=now + lease,
            updated_at=now,
        )
    )
    contact_ok = _active_contact()
    # Select() itself: sqlmodel's select() is typed for at most four columns.
    details = (
        Select[int, int, str, str, str, int, str, int | None, bool](
            col(Delivery.id),
            col(Delivery.broadcast_id),
            col(Delivery.urn),
            col(Delivery.channel),
            col(Delivery.lang),
            col(Delivery.attempts),
            col(Broadcast.kind),
            col(Contact.id),
            contact_ok,
        )
        .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
        .outerjoin(Contact, col(Contact.urn) == col(Delivery.urn))
        .where(col(Delivery.id).in_(ids))
        .order_by(col(Delivery.priority), col(Delivery.due_at), col(Delivery.id))
    )
    claimed = []
    for did, bid, urn, chan, lang, attempts, kind, contact_id, ok in (
        await session.exec(details)
    ).all():
        gone = contact_id is None and kind in BROADCAST_KINDS
        stopped = contact_id is not None and not ok
        claimed.append(Claimed(did, bid, urn, chan, lang, attempts, gone or stopped))
    return claimed


async def _set(session: AsyncSession, delivery_id: int, **values: object) -> None:
    await session.exec(update(Delivery).where(col(Delivery.id) == delivery_id).values(**values))


async def mark_sent(
    *, session: AsyncSession, delivery_id: int, provider_id: str | None, now: datetime
) -> None:
    await _set(
        session,
        delivery_id,
        status=SENT,
        provider_id=provider_id,
        sent_at=now,
        lease_until=None,
        updated_at=now,
    )


async def mark_retry(
    *, session: AsyncSession, delivery_id: int, due_at: datetime, error: str, now: datetime
) -> None:
    """Back to the queue until `due_at` (the attempt stays counted)."""
    await _set(
        session,
        delivery_id,
        status=QUEUED,
        due_at=due_at,
        lease_until=None,
        error=error[:300],
        updated_at=now,
    )


async def mark_final(
    *, session: AsyncSession, delivery_id: int, status: str, error: str, now: datetime, urn: str
) -> None:
    """A final non-sent status; blocked/stopped/invalid also mark the contact address."""
    await _set(
        session, delivery_id, status=status, error=error[:300], lease_until=None, updated_at=now
    )
    flag = {BLOCKED: "blocked_at", STOPPED: "stopped_at", INVALID: "invalid_at"}.get(status)
    if flag is not None:
        column = getattr(Contact, flag)
        await session.exec(
            update(Contact)
            .where(col(Contact.urn) == urn, col(column).is_(None))
            .values({flag: now})
        )


async def requeue_in_flight(*, session: AsyncSession, now: datetime, all_leases: bool) -> int:
    """Give rows leased by a dead dispatcher back to the queue (all of them for a new leader)."""
    where = [col(Delivery.status) == SENDING]
    if not all_leases:
        where.append(or_(col(Delivery.lease_until).is_(None), col(Delivery.lease_until) < now))
    result = await session.exec(
        update(Delivery).where(*where).values(status=QUEUED, lease_until=None, updated_at=now)
    )
    return int(result.rowcount or 0)


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
            # mark_final also marks the contact, so nothing more is sent to that address.
            assert row.id is not None
            await mark_final(
                session=session,
                delivery_id=row.id,
                status=REPORT_FINAL[status],
                error=row.error,
                now=now,
                urn=row.urn,
            )
            return True
        row.status = FAILED
    session.add(row)
    await session.flush()
    return True
