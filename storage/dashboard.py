"""Dashboard queries: login links and sessions by hash, and the helpers' month-end trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.dashboard_models import DashboardToken
from storage.models import Contact, Membership, PastMembership, Resident

LOGIN, SESSION = "login", "session"


async def add_token(
    *, session: AsyncSession, token_hash: str, kind: str, urn: str, expires_at: datetime
) -> DashboardToken:
    row = DashboardToken(token_hash=token_hash, kind=kind, urn=urn, expires_at=expires_at)
    session.add(row)
    await session.flush()
    return row


async def find_token(*, session: AsyncSession, token_hash: str, kind: str) -> DashboardToken | None:
    query = select(DashboardToken).where(
        DashboardToken.token_hash == token_hash, DashboardToken.kind == kind
    )
    return (await session.exec(query)).first()


async def use_token(*, session: AsyncSession, token_id: int, now: datetime) -> bool:
    """Mark a token used; False when another request used it first (one UPDATE, no race)."""
    result = await session.exec(
        update(DashboardToken)
        .where(col(DashboardToken.id) == token_id, col(DashboardToken.used_at).is_(None))
        .values(used_at=now)
    )
    return bool(result.rowcount)


async def drop_expired(*, session: AsyncSession, now: datetime) -> int:
    """Forget tokens past their expiry and used sessions; both are useless, keep no trail."""
    rows = (
        await session.exec(
            select(DashboardToken).where(
                (col(DashboardToken.expires_at) < now)
                | ((col(DashboardToken.kind) == SESSION) & col(DashboardToken.used_at).is_not(None))
            )
        )
    ).all()
    for row in rows:
        await session.delete(row)
    await session.flush()
    return len(rows)


async def language_of(*, session: AsyncSession, urn: str) -> str | None:
    """The language of the resident behind this address, if there is one."""
    query = (
        select(Resident.language)
        .join(Contact, col(Contact.resident_id) == col(Resident.id))
        .where(Contact.urn == urn)
    )
    return (await session.exec(query)).first()


@dataclass(frozen=True)
class MembershipSpan:
    """One helper's membership of one area: joined, and left (None while still a helper)."""

    area_id: int
    resident_id: int
    joined_at: datetime
    left_at: datetime | None


def _gone_at(contact: Contact) -> datetime | None:
    """When this address stopped receiving messages (stopped, blocked or invalid), if it did."""
    moments = [m for m in (contact.stopped_at, contact.blocked_at, contact.invalid_at) if m]
    return min(moments) if moments else None


async def membership_spans(*, session: AsyncSession) -> list[MembershipSpan]:
    """Every membership, today's and past ones, with the time it ended.

    A resident leaves all areas when their last address stops (/stats counts the same way), and
    one area when they choose others. Deleted residents (/forget) leave no membership behind,
    so they are missing from past months too.
    """
    left: dict[int, datetime | None] = {}
    for contact in (await session.exec(select(Contact))).all():
        gone = _gone_at(contact)
        if contact.resident_id not in left:
            left[contact.resident_id] = gone
            continue
        earlier = left[contact.resident_id]
        left[contact.resident_id] = None if gone is None or earlier is None else max(earlier, gone)
    spans = [
        MembershipSpan(m.area_id, m.resident_id, m.joined_at, left.get(m.resident_id))
        for m in (await session.exec(select(Membership))).all()
    ]
    for past in (await session.exec(select(PastMembership))).all():
        gone = left.get(past.resident_id)
        ended = past.left_at if gone is None else min(past.left_at, gone)
        spans.append(MembershipSpan(past.area_id, past.resident_id, past.joined_at, ended))
    return spans
