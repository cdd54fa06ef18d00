"""The weekly prevention tip: Monday 18:00 local time, once per week, rotating, only to those who opted in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.broadcasts.prevention import weekly_prevention_tip_job
from storage import prevention_tips
from storage.broadcast_models import Delivery, TopicPreference
from storage.db import Database
from tests.test_broadcast_helpers import add_residents

TZ = ZoneInfo("Europe/Copenhagen")
MONDAY_1759 = datetime(2026, 11, 23, 17, 59, tzinfo=TZ)


async def test_weekly_prevention_tip_goes_once_per_week_and_rotates(db: Database) -> None:
    ids = await add_residents(db, "Farum", ["telegram:1", "telegram:2"])
    async with db.session() as session:
        session.add(TopicPreference(resident_id=ids[0], topic="weekly_tip", enabled=True))
        for old in await prevention_tips.list_prevention_tips(session=session):
            assert old.id is not None
            await prevention_tips.remove_prevention_tip(session=session, prevention_tip_id=old.id)
        first = await prevention_tips.add_prevention_tip(session=session, text="Lås døren.")
        second = await prevention_tips.add_prevention_tip(session=session, text="Sæt lys på timer.")
    assert await weekly_prevention_tip_job(db, TZ, MONDAY_1759.astimezone(UTC)) is None
    monday = (MONDAY_1759 + timedelta(minutes=2)).astimezone(UTC)
    sent = await weekly_prevention_tip_job(db, TZ, monday)
    again = await weekly_prevention_tip_job(db, TZ, monday + timedelta(days=2))
    assert sent is not None and again is not None and again.id == sent.id
    assert sent.text == first.text and sent.respect_quiet
    next_week = await weekly_prevention_tip_job(db, TZ, monday + timedelta(days=7))
    assert next_week is not None and next_week.text == second.text
    async with db.session() as session:
        rows = (await session.exec(select(Delivery))).all()
    assert [r.urn for r in rows] == ["telegram:1", "telegram:1"]
