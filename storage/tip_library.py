"""The prevention tip library the weekly tip rotates through."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.broadcast_models import Broadcast, PreventionTip

WEEKLY_PREFIX = "weekly_tip:"


async def list_tips(*, session: AsyncSession) -> list[PreventionTip]:
    return list((await session.exec(select(PreventionTip).order_by(PreventionTip.id))).all())


async def add_tip(*, session: AsyncSession, text: str, theme: str = "") -> PreventionTip:
    tip = PreventionTip(text=text.strip(), theme=theme.strip())
    session.add(tip)
    await session.flush()
    return tip


async def remove_tip(*, session: AsyncSession, tip_id: int) -> bool:
    tip = await session.get(PreventionTip, tip_id)
    if tip is None:
        return False
    await session.delete(tip)
    await session.flush()
    return True


async def weekly_tips_sent(*, session: AsyncSession) -> int:
    """How many weekly tips went out so far (the rotation's position)."""
    query = select(func.count()).where(col(Broadcast.dedupe_key).startswith(WEEKLY_PREFIX))
    return int((await session.exec(query)).one())  # type: ignore[call-overload]
