"""Fenced delivery: only the epoch that claimed a row marks it; a dispatcher that cannot record
stops within its window and loses nothing; stopping gives every unsent row back."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.broadcasts.render import PRESENTER
from bot.core.settings import Settings
from bot.scheduler.leader import LeaseTimes
from bot.scheduler.service import SchedulerService
from storage import delivery, outbox
from storage.db import Database
from storage.delivery import Mark
from storage.models import utcnow
from tests.fencing_helpers import (
    QUICK,
    TimedChannel,
    alert,
    database_outage,
    deliveries,
    duplicates,
    reached,
    statuses,
    wait_until,
)
from tests.test_broadcast_helpers import add_residents


def scheduler(
    db: Database, settings: Settings, channel: TimedChannel, rate: float, times: LeaseTimes = QUICK
) -> SchedulerService:
    return SchedulerService(
        db,
        settings.model_copy(update={"telegram_max_rate": rate}),
        {"telegram": channel},
        PRESENTER,
        election_interval=times.follow_every,
        times=times,
    )


async def test_a_mark_by_a_stale_epoch_changes_nothing(db: Database) -> None:
    await add_residents(db, "Farum", ["telegram:1", "telegram:2", "telegram:3"])
    await alert(db)
    now, lease = utcnow(), timedelta(minutes=5)
    async with db.session() as session:
        old = await delivery.claim_due(
            session=session, channel="telegram", now=now, limit=10, lease=lease, epoch=1
        )
    sent_by_old = [Mark(c.id, outbox.SENT, c.urn, provider_id="old") for c in old]
    async with db.session() as session:
        # Epoch 2 took over; the rows epoch 1 left in flight go back to the queue.
        assert await delivery.record(session=session, epoch=2, marks=sent_by_old, now=now) == 0
        assert await delivery.requeue_stale(session=session, epoch=2, now=now) == 3
        new = await delivery.claim_due(
            session=session, channel="telegram", now=now, limit=10, lease=lease, epoch=2
        )
    async with db.session() as session:
        assert await delivery.record(session=session, epoch=1, marks=sent_by_old, now=now) == 0
    rows = await deliveries(db)
    assert [(r.status, r.claimed_epoch, r.provider_id) for r in rows] == [("sending", 2, None)] * 3
    async with db.session() as session:
        marks = [Mark(c.id, outbox.SENT, c.urn, provider_id=f"new{c.id}") for c in new]
        assert await delivery.record(session=session, epoch=2, marks=marks, now=now) == 3
    assert {r.provider_id for r in await deliveries(db)} == {f"new{r.id}" for r in rows}


async def test_outcomes_are_written_in_one_batch_per_outcome(db: Database) -> None:
    await add_residents(db, "Farum", ["telegram:1", "telegram:2", "telegram:3", "telegram:4"])
    await alert(db)
    now = utcnow()
    async with db.session() as session:
        a, b, c, d = await delivery.claim_due(
            session=session, channel="telegram", now=now, limit=10, lease=timedelta(1), epoch=5
        )
        marks = [
            Mark(a.id, outbox.SENT, a.urn, provider_id="41"),
            Mark(b.id, outbox.SENT, b.urn, provider_id="42"),
            Mark(c.id, outbox.QUEUED, c.urn, error="429", due_at=now + timedelta(seconds=30)),
            Mark(d.id, outbox.BLOCKED, d.urn, error="Forbidden: bot was blocked"),
        ]
        assert await delivery.record(session=session, epoch=5, marks=marks, now=now) == 4
    rows = {r.urn: r for r in await deliveries(db)}
    assert [rows[u].provider_id for u in ("telegram:1", "telegram:2")] == ["41", "42"]
    again = rows["telegram:3"]
    assert again.status == "queued" and again.claimed_epoch is None and again.error == "429"
    assert again.due_at == now + timedelta(seconds=30)
    assert rows["telegram:4"].status == "blocked"


@pytest.mark.parametrize("outage", [1.0, 2.5], ids=["within-the-lease", "past-the-lease"])
async def test_a_database_outage_mid_broadcast_stops_sending_and_loses_nothing(
    db: Database, settings: Settings, outage: float
) -> None:
    urns = [f"telegram:{i}" for i in range(1, 101)]
    await add_residents(db, "Farum", urns)
    channel = TimedChannel("a")
    service = scheduler(db, settings, channel, rate=40)
    with database_outage(db) as down:
        await service.start()
        try:
            await asyncio.wait_for(service.elected.wait(), 5)
            await alert(db)
            await wait_until(lambda: len(channel.sent) >= 20, 10)
            down(True)
            went_down = time.monotonic()
            await asyncio.sleep(outage)
            down(False)
            await wait_until(lambda: len(reached(channel)) == len(urns), 15)
            await wait_until(lambda: service.dispatcher is not None, 5)
            # Every claimed row recorded (the list of marks is also empty while a batch is written).
            await wait_until(lambda: not service.dispatcher.ledger.held, 5)  # type: ignore[union-attr]
        finally:
            await service.stop()
    during = [at for at, _ in channel.sent if went_down < at < went_down + outage]
    # Sending stops once nothing could be written for the write window; at most the in-flight
    # window of sends (2 s at the channel's rate) waits to be recorded meanwhile.
    assert all(at < went_down + QUICK.write_window + 0.2 for at in during)
    assert len(during) <= 80
    # The lease was still ours when the database came back: every result is recorded with
    # it, so nothing is sent twice and nothing is missing.
    assert duplicates(channel) == 0
    assert await statuses(db) == {"sent": len(urns)}


async def test_after_an_outage_the_leader_that_lost_the_database_renews_before_others_take_over(
    db: Database, settings: Settings
) -> None:
    urns = [f"telegram:{i}" for i in range(1, 101)]
    await add_residents(db, "Farum", urns)
    old_channel, new_channel = TimedChannel("old"), TimedChannel("new")
    old = scheduler(db, settings, old_channel, rate=40)
    # The follower looks four times as often as the leader retries its renewal: without the
    # grace after an outage it would take the lease that ran out while nobody could renew.
    eager = replace(QUICK, follow_every=0.05)
    new = scheduler(db, settings, new_channel, rate=40, times=eager)
    with database_outage(db) as down:
        await old.start()
        try:
            await asyncio.wait_for(old.elected.wait(), 5)
            await new.start()
            await alert(db)
            await wait_until(lambda: len(old_channel.sent) >= 20, 10)
            down(True)
            await asyncio.sleep(QUICK.ttl + 1.0)  # the lease runs out on the database's clock
            down(False)
            await wait_until(lambda: len(reached(old_channel, new_channel)) == len(urns), 15)
            dispatcher = old.dispatcher
            assert dispatcher is not None, "a follower took the lead from the old leader"
            await wait_until(lambda: not dispatcher.ledger.held, 5)
        finally:
            await new.stop()
            await old.stop()
    assert not new.elected.is_set() and new_channel.sent == []
    # The old leader kept its epoch: what it sent before the outage is recorded, not resent.
    assert duplicates(old_channel, new_channel) == 0
    assert await statuses(db) == {"sent": len(urns)}


async def test_stop_records_what_was_sent_and_gives_the_rest_back_at_once(
    db: Database, settings: Settings
) -> None:
    urns = [f"telegram:{i}" for i in range(1, 61)]
    await add_residents(db, "Farum", urns)
    first_channel, next_channel = TimedChannel("a"), TimedChannel("b")
    first = scheduler(db, settings, first_channel, rate=20)
    await first.start()
    await asyncio.wait_for(first.elected.wait(), 5)
    await alert(db)
    await wait_until(lambda: len(first_channel.sent) >= 10, 10)
    await first.stop()
    rows = await deliveries(db)
    assert {r.status for r in rows} == {"sent", "queued"}
    assert all(
        r.lease_until is None and r.claimed_epoch is None for r in rows if r.status == "queued"
    )
    assert sorted(r.urn for r in rows if r.status == "sent") == sorted(reached(first_channel))
    # The lease was released: the next instance leads at its first try, not after the ttl.
    following = scheduler(db, settings, next_channel, rate=1000)
    started = time.monotonic()
    await following.start()
    try:
        await asyncio.wait_for(following.elected.wait(), 5)
        assert time.monotonic() - started < QUICK.ttl
        await wait_until(lambda: len(reached(first_channel, next_channel)) == len(urns), 10)
    finally:
        await following.stop()
    assert duplicates(first_channel, next_channel) == 0


async def test_a_broadcast_logs_when_it_starts_and_when_it_is_done(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await add_residents(db, "Farum", ["telegram:1", "telegram:2", "telegram:3"])
    service = scheduler(db, settings, TimedChannel("a"), rate=1000)
    caplog.set_level(logging.INFO, logger="bot.scheduler")
    await service.start()
    try:
        await asyncio.wait_for(service.elected.wait(), 5)
        await alert(db)
        await wait_until(lambda: "finished" in caplog.text, 10)
    finally:
        await service.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.scheduler.progress"]
    assert "broadcast 1 (alert) started sending to 3 addresses" in lines
    assert "broadcast 1 (alert) finished: telegram sent=3" in lines
