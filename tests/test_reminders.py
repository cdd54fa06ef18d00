"""Reminders: exact, durable, DST-correct, never twice, skipped when cancelled or begun."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.core.actors import OPERATOR, Actor
from bot.core.quiet import parse_quiet_hours
from bot.events.reminders import fire_due_reminders
from bot.events.services import answer, cancel_event
from bot.events.timing import localize, reminder_due
from storage.db import Database
from storage.event_models import Reminder
from tests.events_helpers import CPH, add_helper, local, new_event, outbox_messages

QUIET = parse_quiet_hours("21:00-08:00")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def reminders(db) -> list[Reminder]:
    async with db.session() as s:
        return list((await s.exec(select(Reminder).order_by(col(Reminder.due_at)))).all())


async def say_yes(db, settings, event, resident_id, urn, now):
    async with db.session() as s:
        return await answer(
            session=s,
            settings=settings,
            event_id=event.id,
            actor=Actor(urn=urn, urns=(urn,), resident_id=resident_id),
            coming=True,
            now=now,
        )


def test_a_0230_start_on_the_spring_forward_night_moves_to_0330_summer_time() -> None:
    start = localize(datetime(2026, 3, 29, 2, 30), CPH)
    assert start == utc("2026-03-29 01:30")
    assert start.astimezone(CPH).strftime("%H:%M %Z") == "03:30 CEST"


def test_a_0230_start_on_the_fall_back_night_is_the_first_occurrence() -> None:
    start = localize(datetime(2026, 10, 25, 2, 30), CPH)
    assert start == utc("2026-10-25 00:30")
    # Two hours before is elapsed time: 00:30 summer time, which is quiet, and 08:00 is too late.
    assert reminder_due(start, 120, CPH, QUIET) == utc("2026-10-24 22:30")
    # One day before keeps the wall clock: 02:30 the day before, quiet, so 08:00 that morning.
    assert reminder_due(start, 24 * 60, CPH, QUIET) == utc("2026-10-24 06:00")


def test_day_offsets_keep_the_local_wall_time_across_the_clock_change() -> None:
    start = local("2026-11-01 19:00")  # winter time, a week after the change
    due = reminder_due(start, 7 * 24 * 60, CPH, QUIET)
    assert due.astimezone(CPH).strftime("%Y-%m-%d %H:%M %Z") == "2026-10-25 19:00 CET"
    spring = local("2026-03-30 19:00")
    assert reminder_due(spring, 24 * 60, CPH, QUIET).astimezone(CPH).hour == 19
    # ...while hours are elapsed time: 2 h before 03:30 CEST on change night is 00:30 CET.
    night = localize(datetime(2026, 3, 29, 3, 30), CPH)
    assert reminder_due(night, 120, CPH, None).astimezone(CPH).strftime("%H:%M") == "00:30"


def test_quiet_hours_delay_to_eight_unless_that_is_after_the_start() -> None:
    nine = local("2026-12-03 09:00")
    assert reminder_due(nine, 120, CPH, QUIET) == local("2026-12-03 08:00")
    seven = local("2026-12-03 07:30")
    assert reminder_due(seven, 120, CPH, QUIET) == local("2026-12-03 05:30")


async def test_reminders_are_rows_with_exact_due_times_and_audiences(db, settings) -> None:
    now = local("2026-11-20 12:00")
    await new_event(db, settings, now)
    rows = await reminders(db)
    assert [(r.offset_minutes, r.audience, r.status) for r in rows] == [
        (7 * 1440, "unanswered", "pending"),
        (1440, "attending", "pending"),
        (120, "attending", "pending"),
    ]
    assert [r.due_at.astimezone(CPH).strftime("%m-%d %H:%M") for r in rows] == [
        "11-26 19:00",
        "12-02 19:00",
        "12-03 17:00",
    ]


async def test_reminder_fires_once_at_its_minute_to_those_coming(db, settings) -> None:
    now = local("2026-12-03 18:50")
    karen = await add_helper(db, "telegram:1001", name="Karen")
    await add_helper(db, "tel:+4520304050", name="Ole")
    event, invited = await new_event(db, settings, now, reminders="2m")
    assert invited == 2
    await say_yes(db, settings, event, karen, "telegram:1001", now)

    assert await fire_due_reminders(db=db, now=local("2026-12-03 18:57:59")) == 0
    assert await fire_due_reminders(db=db, now=local("2026-12-03 18:58")) == 1
    assert await fire_due_reminders(db=db, now=local("2026-12-03 18:59")) == 0
    sent = await outbox_messages(db, kind="reminder")
    assert sent == [
        ("telegram:1001", sent[0][1], []),
    ]
    assert sent[0][1].startswith("Påmindelse: Borgermøde om tryghed, torsdag 3. december kl. 19:00")


async def test_missed_reminder_is_sent_at_start_if_the_event_has_not_begun(
    db, settings, database_url
) -> None:
    now = local("2026-12-02 10:00")
    karen = await add_helper(db, "telegram:1001")
    event, _ = await new_event(db, settings, now)
    await say_yes(db, settings, event, karen, "telegram:1001", now)
    await db.dispose()  # "the bot is stopped" across both the 1-day and 2-hour reminders

    restarted = Database(database_url)
    try:
        assert await fire_due_reminders(db=restarted, now=local("2026-12-03 18:30")) == 1
        assert await fire_due_reminders(db=restarted, now=local("2026-12-03 18:31")) == 0
    finally:
        await restarted.dispose()
    sent = await outbox_messages(db, kind="reminder")
    assert len(sent) == 1  # only the latest of the overdue reminders, not both
    statuses = {r.offset_minutes: r.status for r in await reminders(db)}
    assert statuses == {1440: "skipped", 120: "sent"}


async def test_no_reminder_after_the_start(db, settings) -> None:
    now = local("2026-12-03 12:00")
    karen = await add_helper(db, "telegram:1001")
    event, _ = await new_event(db, settings, now, reminders="2h")
    await say_yes(db, settings, event, karen, "telegram:1001", now)
    assert await fire_due_reminders(db=db, now=local("2026-12-03 19:05")) == 0
    assert await outbox_messages(db, kind="reminder") == []
    assert [r.status for r in await reminders(db)] == ["skipped"]


async def test_cancelled_event_sends_no_reminders_and_tells_the_invited(db, settings) -> None:
    now = local("2026-12-01 12:00")
    karen = await add_helper(db, "telegram:1001")
    await add_helper(db, "tel:+4520304050")
    event, _ = await new_event(db, settings, now)
    await say_yes(db, settings, event, karen, "telegram:1001", now)
    assert event.id is not None
    async with db.session() as s:
        _, notified = await cancel_event(
            session=s,
            settings=settings,
            event_id=event.id,
            now=now + timedelta(hours=1),
            actor=OPERATOR,
        )
    assert notified == 2
    assert await fire_due_reminders(db=db, now=local("2026-12-03 18:00")) == 0
    assert {r.status for r in await reminders(db)} == {"cancelled"}
    cancels = await outbox_messages(db, kind="notice")
    assert sorted(u for u, _, _ in cancels) == ["tel:+4520304050", "telegram:1001"]
    assert all(text.startswith("AFLYST: Borgermøde om tryghed") for _, text, _ in cancels)


async def test_concurrent_ticks_send_each_reminder_once(db, settings, database_url) -> None:
    now = local("2026-12-03 10:00")
    karen = await add_helper(db, "telegram:1001")
    event, _ = await new_event(db, settings, now, reminders="2h")
    await say_yes(db, settings, event, karen, "telegram:1001", now)
    others = [Database(database_url) for _ in range(3)]
    try:
        results = await asyncio.gather(
            *(fire_due_reminders(db=d, now=local("2026-12-03 17:00")) for d in [db, *others]),
            return_exceptions=True,
        )
    finally:
        for d in others:
            await d.dispose()
    # On SQLite a loser may get "database is locked" and simply retries next tick.
    assert sum(r for r in results if isinstance(r, int)) == 1
    assert len(await outbox_messages(db, kind="reminder")) == 1


async def test_unanswered_reminder_asks_again_with_buttons_on_telegram(db, settings) -> None:
    now = local("2026-11-20 12:00")
    await add_helper(db, "telegram:1001")
    await add_helper(db, "tel:+4520304050")
    await new_event(db, settings, now)
    assert await fire_due_reminders(db=db, now=local("2026-11-26 19:00")) == 2
    sent = {u: (text, buttons) for u, text, buttons in await outbox_messages(db, kind="reminder")}
    assert sent["telegram:1001"][0].startswith("Husk at svare")
    assert [label for label, _ in sent["telegram:1001"][1][0]] == ["Jeg kommer", "Jeg kommer ikke"]
    assert sent["tel:+4520304050"][0].endswith("Svar JA eller NEJ.")
    assert sent["tel:+4520304050"][1] == []
