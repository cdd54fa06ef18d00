"""Conversation flow state, keyed by contact URN."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FlowState, utcnow


async def get_flow(*, session: AsyncSession, urn: str) -> FlowState | None:
    return await session.get(FlowState, urn)


async def set_flow(*, session: AsyncSession, urn: str, state: str, data: dict[str, Any]) -> None:
    flow = await session.get(FlowState, urn)
    if flow is None:
        flow = FlowState(urn=urn, state=state, data=data)
    else:
        flow.state, flow.data, flow.updated_at = state, dict(data), utcnow()
    session.add(flow)
    await session.flush()


async def clear_flow(*, session: AsyncSession, urn: str) -> None:
    flow = await session.get(FlowState, urn)
    if flow is not None:
        await session.delete(flow)
        await session.flush()
