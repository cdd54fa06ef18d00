"""The weekly tip: Monday 18:00 local time, once per week, rotating, only to those who opted in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.broadcasts.prevention import weekly_tip_job
from storage import tip_library
from storage.broadcast_models import Delivery, TopicPreference
from storage.db import Database
from tests.test_broadcast_helpers import add_residents

TZ = ZoneInfo("Europe/Copenhagen")
MONDAY_1759 = datetime(2026, 11, 23, 17, 59, tzinfo=TZ)


async def test_weekly_tip_goes_once_per_week_and_rotates(db: Database) -> None:
    ids = await add_residents(db, "Farum", ["telegram:1", "telegram:2"])
    async with db.session() as session:
        session.add(TopicPreference(resident_id=ids[0], topic="weekly_tip", enabled=True))
        for tip in await tip_library.list_tips(session=session):
            await tip_library.remove_tip(session=session, tip_id=tip.id)  # type: ignore[arg-type]
        first = await tip_library.add_tip(session=session, text="Lås døren.")
        second = await tip_library.add_tip(session=session, text="Sæt lys på timer.")
    assert await weekly_tip_job(db, TZ, MONDAY_1759.astimezone(UTC)) is None
    monday = (MONDAY_1759 + timedelta(minutes=2)).astimezone(UTC)
    sent = await weekly_tip_job(db, TZ, monday)
    again = await weekly_tip_job(db, TZ, monday + timedelta(days=2))
    assert sent is not None and again is not None and again.id == sent.id
    assert sent.text == first.text and sent.respect_quiet
    next_week = await weekly_tip_job(db, TZ, monday + timedelta(days=7))
    assert next_week is not None and next_week.text == second.text
    async with db.session() as session:
        rows = (await session.exec(select(Delivery))).all()
    assert [r.urn for r in rows] == ["telegram:1", "telegram:1"]
