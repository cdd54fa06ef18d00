"""The prevention tip library the weekly prevention tip rotates through."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.broadcast_models import Broadcast, PreventionTip

# Dedupe keys of the weekly prevention tip's broadcasts; stored data, so the value stays.
WEEKLY_PREVENTION_PREFIX = "weekly_tip:"


async def list_prevention_tips(*, session: AsyncSession) -> list[PreventionTip]:
    query = select(PreventionTip).order_by(col(PreventionTip.id))
    return list((await session.exec(query)).all())


async def add_prevention_tip(*, session: AsyncSession, text: str, theme: str = "") -> PreventionTip:
    prevention_tip = PreventionTip(text=text.strip(), theme=theme.strip())
    session.add(prevention_tip)
    await session.flush()
    return prevention_tip


async def remove_prevention_tip(*, session: AsyncSession, prevention_tip_id: int) -> bool:
    prevention_tip = await session.get(PreventionTip, prevention_tip_id)
    if prevention_tip is None:
        return False
    await session.delete(prevention_tip)
    await session.flush()
    return True


async def weekly_prevention_tips_sent(*, session: AsyncSession) -> int:
    """How many weekly prevention tips went out so far (the rotation's position)."""
    query = select(func.count()).where(
        col(Broadcast.dedupe_key).startswith(WEEKLY_PREVENTION_PREFIX)
    )
    return int((await session.exec(query)).one())
