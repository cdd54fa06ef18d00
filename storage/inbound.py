"""Idempotency for inbound provider messages (a webhook the provider retries is handled once)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboundSeen


async def first_time(*, session: AsyncSession, key: str) -> bool:
    """Record `key`; False when it was already handled."""
    if await session.get(InboundSeen, key) is not None:
        return False
    session.add(InboundSeen(key=key))
    await session.flush()
    return True
