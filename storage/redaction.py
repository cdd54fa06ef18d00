"""What forget and tip retention scrub from the outbox: addresses, provider ids, stored texts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import String, cast, delete, literal, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.broadcast_models import Broadcast, Delivery
from storage.outbox import BROADCAST_KINDS, OPEN_STATUSES

FORGOTTEN = "forgotten"


async def forget_addresses(
    *,
    session: AsyncSession,
    urns: Sequence[str],
    created_by: Sequence[str],
    scrub: Callable[[str], str],
) -> None:
    """Leave nothing in the outbox that names these addresses or their owner.

    Messages still queued for them are dropped; sent ones keep their status under an address
    that names no one, without the provider's id (the provider's log has the number) or error.
    The stored texts of direct messages they received, of broadcasts they wrote, and of those
    written under `created_by` (the notices about their tips) are scrubbed by `scrub`.
    """
    wanted = list(urns)
    touched: set[int] = set()
    if wanted:
        direct = (
            select(Delivery.broadcast_id)
            .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
            .where(col(Delivery.urn).in_(wanted), col(Broadcast.kind).not_in(BROADCAST_KINDS))
        )
        touched |= set((await session.exec(direct)).all())
        await session.exec(
            delete(Delivery).where(
                col(Delivery.urn).in_(wanted), col(Delivery.status).in_(OPEN_STATUSES)
            )
        )
        await session.exec(
            update(Delivery)
            .where(col(Delivery.urn).in_(wanted))
            # Unique per row (a broadcast may have reached two of their addresses).
            .values(
                urn=literal(f"{FORGOTTEN}:", String) + cast(Delivery.id, String),
                provider_id=None,
                error=None,
            )
        )
    about = [col(Broadcast.id).in_(touched)] if touched else []
    about += [col(Broadcast.created_by).in_(list(created_by))] if created_by else []
    about += [col(Broadcast.created_by).in_(wanted)] if wanted else []
    about += [col(Broadcast.progress_urn).in_(wanted)] if wanted else []
    if not about:
        return
    for row in (await session.exec(select(Broadcast).where(or_(*about)))).all():
        row.text = scrub(row.text)
        if row.created_by in wanted:
            row.created_by = FORGOTTEN
        if row.progress_urn in wanted:
            row.progress_urn = row.progress_ref = None
        session.add(row)
    await session.flush()


async def clear_texts(*, session: AsyncSession, created_by: Sequence[str]) -> int:
    """Empty the stored texts written under these names (notices about expired tips)."""
    if not created_by:
        return 0
    result = await session.exec(
        update(Broadcast)
        .where(col(Broadcast.created_by).in_(list(created_by)), col(Broadcast.text) != "")
        .values(text="")
    )
    return int(result.rowcount or 0)
