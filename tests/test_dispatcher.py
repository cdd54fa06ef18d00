"""The dispatcher against the Twilio fake: what goes on the wire and what is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select
from starlette.routing import BaseRoute

from bot.broadcasts.render import PRESENTER
from bot.core.messages import Reply
from bot.core.settings import Settings
from bot.handlers.base import Outcome, SendResult
from bot.handlers.sms import SmsTransport
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.progress import ProgressReporter
from bot.scheduler.pump import MAX_ATTEMPTS
from storage import delivery, outbox
from storage.broadcast_models import Broadcast, Delivery
from storage.db import Database
from storage.models import Contact, utcnow
from tests.test_broadcast_helpers import add_residents, area_id

# Tuesday 12:00 in Copenhagen, outside quiet hours.
NOON = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
NIGHT = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)


class Recorder:
    """A channel that records what it is asked to send (stands in where no fake is needed)."""

    def __init__(self, channel: str = "telegram") -> None:
        self.channel = channel
        self.sent: list[tuple[str, Reply]] = []
        self.edits: list[tuple[str, str, Reply]] = []
        self.script: dict[str, list[SendResult]] = {}

    async def send(self, urn: str, reply: Reply) -> SendResult:
        if self.script.get(urn):
            return self.script[urn].pop(0)
        self.sent.append((urn, reply))
        return SendResult(Outcome.SENT, provider_id=str(len(self.sent)))

    async def edit(self, urn: str, ref: str, reply: Reply) -> SendResult:
        self.edits.append((urn, ref, reply))
        return SendResult(Outcome.SENT, provider_id=ref)

    def routes(self) -> list[BaseRoute]:
        return []

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


@pytest.fixture
async def sms(twilio) -> AsyncIterator[SmsTransport]:
    async def sink(_):
        return []

    transport = SmsTransport(
        account_sid=twilio.account_sid,
        auth_token=twilio.auth_token,
        sender=twilio.phone_number,
        api_url=twilio.url,
        public_url=None,
        sink=sink,
    )
    await transport.start()
    yield transport
    await transport.stop()


def fast(settings: Settings) -> Settings:
    return settings.model_copy(update={"telegram_max_rate": 1000.0, "sms_max_rate": 1000.0})


async def _rows(db: Database) -> list[Delivery]:
    async with db.session() as session:
        return list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())


async def _alert(db: Database, area: str | None, now: datetime = NOON, **kw: Any) -> Broadcast:
    ids = [await area_id(db, area)] if area else None
    async with db.session() as session:
        return await outbox.enqueue_broadcast(
            session=session,
            kind=str(kw.pop("kind", "alert")),
            text="Indbrud på Paltholmvej i nat. Lås døre og vinduer, ring 114 ved mistanke.",
            created_by="telegram:1",
            area_ids=ids,
            now=now,
            **kw,
        )


async def test_alert_reaches_only_farum_on_the_sms_wire(db, settings, twilio, sms) -> None:
    await add_residents(db, "Farum", ["tel:+4520000001", "tel:+4520000002"])
    await add_residents(db, "Værløse", ["tel:+4520000003"])
    await _alert(db, "Farum", priority=outbox.URGENT)
    dispatcher = Dispatcher(db, fast(settings), {"sms": sms}, PRESENTER, clock=lambda: NOON)
    assert await dispatcher.drain(NOON) == 2
    assert sorted(s.to for s in twilio.sent) == ["+4520000001", "+4520000002"]
    body = twilio.sent[0].body
    assert "Farum" in body and "Paltholmvej" in body and "114" in body
    assert twilio.sent[0].num_segments <= 2
    rows = await _rows(db)
    assert [r.status for r in rows] == ["sent", "sent"]
    assert all(r.provider_id and r.provider_id.startswith("SM") for r in rows)


async def test_rate_limit_is_retried_later_and_gives_up_after_capped_attempts(
    db, settings, twilio, sms
) -> None:
    await add_residents(db, "Farum", ["tel:+4520000001"])
    await _alert(db, "Farum")
    dispatcher = Dispatcher(db, fast(settings), {"sms": sms}, PRESENTER, clock=lambda: NOON)
    twilio.fail_next(code=20500, status=500, times=MAX_ATTEMPTS)
    now = NOON
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await dispatcher.drain(now) == 1
        (row,) = await _rows(db)
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert row.status == "queued" and row.due_at > now
            assert await dispatcher.drain(now) == 0  # not due yet
            now = row.due_at
    (row,) = await _rows(db)
    assert row.status == "failed" and "gave up" in (row.error or "")
    assert twilio.sent == []


async def test_carrier_stop_and_invalid_number_mark_the_contact(db, settings, twilio, sms) -> None:
    await add_residents(db, "Farum", ["tel:+4520000001", "tel:+4520000002", "tel:+4520000003"])
    twilio.unsubscribed.add("+4520000001")
    twilio.invalid_numbers.add("+4520000002")
    await _alert(db, "Farum")
    await Dispatcher(db, fast(settings), {"sms": sms}, PRESENTER).drain(NOON)
    by_urn = {r.urn: r.status for r in await _rows(db)}
    assert by_urn == {
        "tel:+4520000001": "stopped",
        "tel:+4520000002": "invalid",
        "tel:+4520000003": "sent",
    }
    async with db.session() as session:
        contacts = {c.urn: c for c in (await session.exec(select(Contact))).all()}
    assert contacts["tel:+4520000001"].stopped_at is not None
    assert contacts["tel:+4520000002"].invalid_at is not None
    assert [s.to for s in twilio.sent] == ["+4520000003"]


async def test_blocked_bot_marks_telegram_contact_and_429_pauses_the_channel(db, settings) -> None:
    await add_residents(db, "Farum", ["telegram:1", "telegram:2"])
    await _alert(db, "Farum")
    telegram = Recorder()
    telegram.script["telegram:1"] = [SendResult(Outcome.BLOCKED, detail="Forbidden")]
    telegram.script["telegram:2"] = [SendResult(Outcome.RETRY, retry_after=0.05)]
    dispatcher = Dispatcher(
        db, fast(settings), {"telegram": telegram}, PRESENTER, clock=lambda: NOON
    )
    await dispatcher.drain(NOON)
    rows = {r.urn: r for r in await _rows(db)}
    assert rows["telegram:1"].status == "blocked"
    assert rows["telegram:2"].status == "queued"
    assert rows["telegram:2"].due_at == NOON + timedelta(seconds=0.05)
    assert dispatcher.pumps["telegram"].paused_until > 0
    await dispatcher.drain(NOON + timedelta(seconds=1))
    assert [u for u, _ in telegram.sent] == ["telegram:2"]
    async with db.session() as session:
        blocked = (await session.exec(select(Contact).where(Contact.urn == "telegram:1"))).one()
    assert blocked.blocked_at is not None


async def test_after_a_crash_the_next_leader_resends_only_what_was_in_flight(db, settings) -> None:
    await add_residents(db, "Farum", [f"telegram:{i}" for i in range(1, 11)])
    await _alert(db, "Farum")
    # The crashed process had claimed three rows and sent none of them.
    async with db.session() as session:
        await delivery.claim_due(
            session=session,
            channel="telegram",
            now=NOON,
            limit=3,
            lease=timedelta(minutes=5),
            epoch=7,
        )
    telegram = Recorder()
    dispatcher = Dispatcher(
        db, fast(settings), {"telegram": telegram}, PRESENTER, clock=lambda: NOON
    )
    await dispatcher.start()
    await dispatcher.stop()
    await dispatcher.drain(NOON)
    assert sorted(u for u, _ in telegram.sent) == sorted(f"telegram:{i}" for i in range(1, 11))
    assert {r.status for r in await _rows(db)} == {"sent"}


async def test_tips_wait_for_morning_but_alerts_go_out_at_night(db, settings) -> None:
    await add_residents(db, "Farum", ["telegram:1"])
    await _alert(db, "Farum", now=NIGHT, kind="tip")
    await _alert(db, "Farum", now=NIGHT, priority=outbox.URGENT)
    telegram = Recorder()
    dispatcher = Dispatcher(db, fast(settings), {"telegram": telegram}, PRESENTER)
    assert await dispatcher.drain(NIGHT) == 1
    assert telegram.sent[0][1].text.startswith("🚨")
    morning = datetime(2026, 11, 25, 7, 5, tzinfo=UTC)  # 08:05 in Copenhagen
    assert await dispatcher.drain(morning) == 1
    assert telegram.sent[1][1].text.startswith("💡")


async def test_stopped_after_writing_is_skipped_not_sent(db, settings) -> None:
    await add_residents(db, "Farum", ["telegram:1", "telegram:2"])
    await _alert(db, "Farum")
    async with db.session() as session:
        contact = (await session.exec(select(Contact).where(Contact.urn == "telegram:1"))).one()
        contact.stopped_at = utcnow()
        session.add(contact)
    telegram = Recorder()
    await Dispatcher(db, fast(settings), {"telegram": telegram}, PRESENTER).drain(NOON)
    assert [u for u, _ in telegram.sent] == ["telegram:2"]
    assert {r.urn: r.status for r in await _rows(db)}["telegram:1"] == "skipped"


async def test_coordinator_sees_progress_edits_and_a_final_report(
    db, settings, twilio, sms
) -> None:
    await add_residents(db, "Farum", ["telegram:1", "telegram:2", "tel:+4520000001"])
    twilio.invalid_numbers.add("+4520000001")
    await _alert(db, "Farum", progress_urn="telegram:99")
    telegram = Recorder()
    dispatcher = Dispatcher(db, fast(settings), {"telegram": telegram, "sms": sms}, PRESENTER)
    reporter = ProgressReporter(dispatcher, min_interval=0)
    await reporter.tick(NOON)
    assert telegram.sent[-1] == ("telegram:99", Reply("Sendt 0 af 3 · Telegram 0 · SMS 0"))
    await dispatcher.drain(NOON)
    await reporter.tick(NOON)
    assert telegram.edits[-1][2].text == "Sendt 3 af 3 · Telegram 2 · SMS 1"
    await dispatcher.drain(NOON)
    report = telegram.sent[-1]
    assert report[0] == "telegram:99"
    assert "Telegram: 2 leveret, 0 ikke leveret" in report[1].text
    assert "SMS: 0 leveret, 1 ikke leveret (1× invalid)" in report[1].text
    async with db.session() as session:
        first = await session.get(Broadcast, 1)
    assert first is not None and first.status == "done"


async def test_a_drained_channel_is_not_asked_again_every_tick_but_woken_at_once(
    db, settings, monkeypatch
) -> None:
    from sqlalchemy import event

    import bot.scheduler.dispatcher as dispatching

    monkeypatch.setattr(dispatching, "IDLE_CLAIM", 0.3)
    telegram = Recorder()
    dispatcher = Dispatcher(db, fast(settings), {"telegram": telegram}, PRESENTER)
    claims: list[str] = []

    def count_claims(_conn, _cursor, statement, *_args) -> None:
        if "FROM delivery" in statement and "delivery.status" in statement:
            claims.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count_claims)
    try:
        assert await dispatcher.claim(NOON, woken=False) == 0  # empty: one look
        assert len(claims) == 1
        # The next ticks inside the idle wait cost no query.
        assert await dispatcher.claim(NOON, woken=False) == 0
        assert len(claims) == 1
        # A row queued by another process is found once the idle wait is over ...
        await add_residents(db, "Farum", ["telegram:1"])
        await _alert(db, "Farum")
        await asyncio.sleep(0.35)
        assert await dispatcher.claim(NOON, woken=False) == 1
        # ... and one queued by this process at once (it wakes the dispatcher).
        await add_residents(db, "Værløse", ["telegram:2"])
        await _alert(db, "Værløse")
        assert await dispatcher.claim(NOON, woken=False) == 0  # found less than room: idle
        assert await dispatcher.claim(NOON, woken=True) == 1
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count_claims)
