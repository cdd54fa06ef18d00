"""Roles: coordinators and area representatives, keyed by contact URN."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Role

COORDINATOR = "coordinator"
REPRESENTATIVE = "representative"


async def grant(*, session: AsyncSession, urn: str, role: str, area_id: int | None = None) -> Role:
    existing = (
        await session.exec(
            select(Role).where(Role.urn == urn, Role.role == role, Role.area_id == area_id)
        )
    ).first()
    if existing is not None:
        return existing
    row = Role(urn=urn, role=role, area_id=area_id)
    session.add(row)
    await session.flush()
    return row


async def roles_of(*, session: AsyncSession, urns: list[str]) -> list[Role]:
    if not urns:
        return []
    return list((await session.exec(select(Role).where(col(Role.urn).in_(urns)))).all())


async def list_roles(*, session: AsyncSession, role: str | None = None) -> list[Role]:
    query = select(Role).order_by(col(Role.role), col(Role.urn))
    if role is not None:
        query = query.where(Role.role == role)
    return list((await session.exec(query)).all())
