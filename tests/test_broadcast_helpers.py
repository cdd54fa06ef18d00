"""Shared helpers for broadcast tests: residents written in bulk, areas by name."""

from __future__ import annotations

from sqlalchemy import insert
from sqlmodel import col, select

from storage.db import Database
from storage.models import Area, Contact, Membership, Resident, utcnow


async def area_id(db: Database, name: str) -> int:
    async with db.session() as session:
        found = (await session.exec(select(Area).where(col(Area.name) == name))).one()
    assert found.id is not None
    return found.id


async def add_residents(
    db: Database, area: str, urns: list[str], *, language: str = "da"
) -> list[int]:
    """Register residents (one contact each) in `area` without going through the chat flow."""
    target = await area_id(db, area)
    now = utcnow()
    async with db.session() as session:
        result = await session.exec(
            insert(Resident).returning(col(Resident.id), sort_by_parameter_order=True),
            params=[{"language": language, "consent_at": now, "created_at": now} for _ in urns],
        )
        ids = list(result.scalars().all())
        await session.exec(
            insert(Contact),
            params=[
                {
                    "resident_id": rid,
                    "urn": urn,
                    "channel": "telegram" if urn.startswith("telegram:") else "sms",
                    "created_at": now,
                }
                for rid, urn in zip(ids, urns, strict=True)
            ],
        )
        await session.exec(
            insert(Membership),
            params=[{"resident_id": rid, "area_id": target, "joined_at": now} for rid in ids],
        )
    return ids
