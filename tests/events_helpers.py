"""Helpers shared by the event, reminder and report tests: residents, events, outbox contents."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.core.actors import OPERATOR
from bot.core.settings import Settings
from bot.events.services import create_event
from storage import residents
from storage.areas import list_areas
from storage.broadcast_models import Broadcast, Delivery
from storage.db import Database
from storage.event_models import Event

CPH = ZoneInfo("Europe/Copenhagen")


def local(text: str) -> datetime:
    """A Copenhagen wall time as an aware datetime (first occurrence when ambiguous)."""
    return datetime.fromisoformat(text).replace(tzinfo=CPH)


async def area_id(db: Database, name: str) -> int:
    async with db.session() as s:
        return next(a.id for a in await list_areas(session=s) if a.name == name and a.id)


async def add_helper(
    db: Database, urn: str, area: str = "Farum", name: str = "Helper", lang: str = "da"
) -> int:
    aid = await area_id(db, area)
    async with db.session() as s:
        resident, _ = await residents.create_resident(
            session=s,
            urn=urn,
            channel="telegram" if urn.startswith("telegram:") else "sms",
            display_name=name,
            language=lang,
        )
        assert resident.id is not None
        await residents.set_areas(session=s, resident_id=resident.id, area_ids=[aid])
        return resident.id


async def new_event(
    db: Database,
    settings: Settings,
    now: datetime,
    *,
    kind: str = "borgermøde",
    title: str = "Borgermøde om tryghed",
    starts_at: datetime | None = None,
    place: str = "Farum Kulturhus",
    area: str = "Farum",
    capacity: int | None = None,
    reminders: str = "7d,1d,2h",
) -> tuple[Event, int]:
    """An event in Farum (by default 3 December 2026 19:00) with its invitations queued."""
    area_ids = [await area_id(db, area)]
    async with db.session() as s:
        return await create_event(
            session=s,
            settings=settings,
            now=now,
            kind=kind,
            title=title,
            starts_at=starts_at or local("2026-12-03 19:00"),
            place=place,
            area_ids=area_ids,
            capacity=capacity,
            reminders=reminders,
            actor=OPERATOR,
        )


async def outbox_messages(
    db: Database, kind: str | None = None
) -> list[tuple[str, str, list[Any]]]:
    """(urn, text, buttons) for every queued delivery, oldest first."""
    async with db.session() as s:
        query = (
            select(Delivery.urn, Broadcast.text, Broadcast.buttons, Broadcast.kind)
            .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
            .order_by(col(Delivery.id))
        )
        rows = (await s.exec(query)).all()
    return [(u, t, list(b or [])) for u, t, b, k in rows if kind is None or k == kind]
