"""Helpers shared by the event, reminder and report tests: residents, events, outbox contents."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.events.services import create_event
from storage import residents
from storage.areas import list_areas
from storage.broadcast_models import Broadcast, Delivery

CPH = ZoneInfo("Europe/Copenhagen")


def local(text: str) -> datetime:
    """A Copenhagen wall time as an aware datetime (first occurrence when ambiguous)."""
    return datetime.fromisoformat(text).replace(tzinfo=CPH)


async def area_id(db, name: str) -> int:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return next(a.id for a in await list_areas(session=s) if a.name == name)


async def add_helper(  # type: ignore[no-untyped-def]
    db, urn: str, area: str = "Farum", name: str = "Helper", lang: str = "da"
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
        await residents.set_areas(session=s, resident_id=resident.id, area_ids=[aid])
        return resident.id  # type: ignore[return-value]


async def new_event(db, settings, now: datetime, **kw):  # type: ignore[no-untyped-def]
    fields = {
        "kind": "borgermøde",
        "title": "Borgermøde om tryghed",
        "starts_at": local("2026-12-03 19:00"),
        "place": "Farum Kulturhus",
        "area_ids": [await area_id(db, "Farum")],
    }
    fields.update(kw)
    async with db.session() as s:
        event, invited = await create_event(session=s, settings=settings, now=now, **fields)
    return event, invited


async def outbox_messages(db, kind: str | None = None) -> list[tuple[str, str, list]]:  # type: ignore[no-untyped-def]
    """(urn, text, buttons) for every queued delivery, oldest first."""
    async with db.session() as s:
        query = (
            select(Delivery.urn, Broadcast.text, Broadcast.buttons, Broadcast.kind)
            .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
            .order_by(col(Delivery.id))
        )
        rows = (await s.exec(query)).all()
    return [(u, t, b or []) for u, t, b, k in rows if kind is None or k == kind]
