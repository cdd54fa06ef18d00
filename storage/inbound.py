"""Idempotency for inbound provider messages (a webhook the provider retries is handled once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboundSeen


async def first_time(*, session: AsyncSession, key: str) -> bool:
    """Record `key`; False when it was already handled.

    The row is written in the caller's transaction, so it exists exactly when the handling
    committed; a concurrent insert of the same key fails with IntegrityError (a duplicate).
    """
    if await session.get(InboundSeen, key) is not None:
        return False
    session.add(InboundSeen(key=key))
    await session.flush()
    return True


async def prune_seen(*, session: AsyncSession, before: datetime) -> int:
    """Forget keys recorded before `before` (providers stop retrying long before); how many."""
    result = await session.exec(delete(InboundSeen).where(col(InboundSeen.seen_at) < before))
    return int(result.rowcount) if isinstance(result, CursorResult) else 0
