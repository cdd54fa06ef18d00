"""The durable outbox: who a broadcast reaches, and how deliveries are claimed and settled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.core.messages import Button
from storage import delivery, outbox
from storage.broadcast_models import Broadcast, Delivery, TopicPreference
from storage.db import Database
from storage.models import Contact, utcnow
from tests.test_broadcast_helpers import add_residents, area_id


async def _deliveries(db: Database, broadcast_id: int | None) -> list[Delivery]:
    assert broadcast_id is not None
    async with db.session() as session:
        query = (
            select(Delivery)
            .where(col(Delivery.broadcast_id) == broadcast_id)
            .order_by(col(Delivery.id))
        )
        return list((await session.exec(query)).all())


async def test_alert_reaches_only_residents_of_the_area(db: Database) -> None:
    await add_residents(db, "Farum", ["telegram:1", "telegram:2", "tel:+4520000001"])
    await add_residents(db, "Værløse", ["telegram:3"])
    farum = await area_id(db, "Farum")
    async with db.session() as session:
        counts = await outbox.count_recipients(session=session, area_ids=[farum], topic="alerts")
        sent = await outbox.enqueue_broadcast(
            session=session, kind="alert", text="Indbrud", created_by="cli", area_ids=[farum]
        )
    assert counts == {"telegram": 2, "sms": 1}
    assert sent.total == 3 and sent.topic == "alerts" and not sent.respect_quiet
    rows = await _deliveries(db, sent.id)
    assert sorted(r.urn for r in rows) == ["tel:+4520000001", "telegram:1", "telegram:2"]
    assert {r.channel for r in rows} == {"telegram", "sms"}
    assert all(r.status == "queued" and r.attempts == 0 for r in rows)


async def test_all_areas_and_opt_outs_and_stopped_contacts(db: Database) -> None:
    ids = await add_residents(db, "Farum", ["telegram:1", "telegram:2", "telegram:3"])
    await add_residents(db, "Hareskov", ["telegram:4"])
    async with db.session() as session:
        session.add(TopicPreference(resident_id=ids[0], topic="announcements", enabled=False))
        contact = (await session.exec(select(Contact).where(Contact.urn == "telegram:2"))).one()
        contact.stopped_at = utcnow()
        session.add(contact)
    async with db.session() as session:
        news = await outbox.enqueue_broadcast(
            session=session, kind="announcement", text="Borgermøde", created_by="cli"
        )
        alert = await outbox.enqueue_broadcast(
            session=session, kind="alert", text="Indbrud", created_by="cli"
        )
    assert sorted(r.urn for r in await _deliveries(db, news.id)) == ["telegram:3", "telegram:4"]
    assert sorted(r.urn for r in await _deliveries(db, alert.id)) == [
        "telegram:1",
        "telegram:3",
        "telegram:4",
    ]
    assert news.respect_quiet


async def test_weekly_tip_reaches_only_those_who_opted_in(db: Database) -> None:
    ids = await add_residents(db, "Farum", ["telegram:1", "telegram:2"])
    async with db.session() as session:
        session.add(TopicPreference(resident_id=ids[1], topic="weekly_tip", enabled=True))
    async with db.session() as session:
        tip = await outbox.enqueue_broadcast(
            session=session, kind="tip", topic="weekly_tip", text="Lås døren", created_by="x"
        )
    assert [r.urn for r in await _deliveries(db, tip.id)] == ["telegram:2"]


async def test_same_dedupe_key_writes_one_broadcast(db: Database) -> None:
    await add_residents(db, "Farum", ["telegram:1"])
    for _ in range(2):
        async with db.session() as session:
            await outbox.enqueue_broadcast(
                session=session, kind="tip", text="t", created_by="x", dedupe_key="week:1"
            )
    async with db.session() as session:
        assert len((await session.exec(select(Broadcast))).all()) == 1
        assert len((await session.exec(select(Delivery))).all()) == 1


async def test_direct_messages_keep_buttons_and_skip_stopped_addresses(db: Database) -> None:
    await add_residents(db, "Farum", ["telegram:1", "tel:+4520000001"], language="en")
    async with db.session() as session:
        contact = (
            await session.exec(select(Contact).where(Contact.urn == "tel:+4520000001"))
        ).one()
        contact.stopped_at = utcnow()
        session.add(contact)
    async with db.session() as session:
        sent = await outbox.enqueue_direct(
            session=session,
            urns=["telegram:1", "tel:+4520000001", "telegram:99"],
            text="Kommer du?",
            buttons=[[Button("Ja", "rsvp:yes"), Button("Nej", "rsvp:no")]],
        )
    rows = await _deliveries(db, sent.id)
    assert [(r.urn, r.channel, r.lang) for r in rows] == [
        ("telegram:1", "telegram", "en"),
        ("telegram:99", "telegram", "da"),
    ]
    assert sent.buttons == [[["Ja", "rsvp:yes"], ["Nej", "rsvp:no"]]]


async def test_claims_urgent_first_and_holds_non_urgent_in_quiet_hours(db: Database) -> None:
    await add_residents(db, "Farum", ["telegram:1", "telegram:2"])
    now = utcnow()
    async with db.session() as session:
        tip = await outbox.enqueue_broadcast(
            session=session, kind="tip", text="t", created_by="x", now=now
        )
        alert = await outbox.enqueue_broadcast(
            session=session, kind="alert", text="a", created_by="x", priority=outbox.URGENT, now=now
        )
    lease = timedelta(seconds=60)
    async with db.session() as session:
        quiet = await delivery.claim_due(
            session=session,
            channel="telegram",
            now=now,
            limit=10,
            lease=lease,
            epoch=1,
            quiet=True,
        )
    assert {c.broadcast_id for c in quiet} == {alert.id}
    assert all(c.attempts == 1 and not c.skip for c in quiet)
    async with db.session() as session:
        rest = await delivery.claim_due(
            session=session, channel="telegram", now=now, limit=10, lease=lease, epoch=1
        )
        assert {c.broadcast_id for c in rest} == {tip.id}
        nothing = await delivery.claim_due(
            session=session, channel="telegram", now=now, limit=10, lease=lease, epoch=1
        )
        assert nothing == []
        # A new leader (epoch 2) takes back everything epoch 1 left in flight.
        assert await delivery.requeue_stale(session=session, epoch=2, now=now) == 4
    async with db.session() as session:
        again = await delivery.claim_due(
            session=session, channel="telegram", now=now, limit=1, lease=lease, epoch=2
        )
    assert again[0].broadcast_id == alert.id and again[0].attempts == 2


async def test_provider_status_updates_the_delivery(db: Database) -> None:
    await add_residents(db, "Farum", ["tel:+4520000001", "tel:+4520000002"])
    now = utcnow()
    async with db.session() as session:
        sent = await outbox.enqueue_broadcast(
            session=session, kind="alert", text="a", created_by="x", now=now
        )
        claimed = await delivery.claim_due(
            session=session, channel="sms", now=now, limit=5, lease=timedelta(seconds=30), epoch=1
        )
        marks = [
            delivery.Mark(c.id, outbox.SENT, c.urn, provider_id=f"SM{i}")
            for i, c in enumerate(claimed)
        ]
        assert await delivery.record(session=session, epoch=1, marks=marks, now=now) == 2
    async with db.session() as session:
        assert await outbox.record_provider_status(
            session=session, provider_id="SM0", status="delivered", error_code=None
        )
        await outbox.record_provider_status(
            session=session, provider_id="SM1", status="stopped", error_code="21610"
        )
        assert not await outbox.record_provider_status(
            session=session, provider_id="SMnone", status="delivered", error_code=None
        )
    rows = await _deliveries(db, sent.id)
    assert [(r.status, r.provider_status) for r in rows] == [
        ("delivered", "delivered"),
        ("stopped", "stopped"),
    ]
    async with db.session() as session:
        contact = (await session.exec(select(Contact).where(Contact.urn == rows[1].urn))).one()
    assert contact.stopped_at is not None


@pytest.mark.slow  # ten thousand rows
async def test_ten_thousand_recipients_are_written_in_one_go(db: Database) -> None:
    await add_residents(db, "Farum", [f"telegram:{i}" for i in range(1, 10_001)])
    async with db.session() as session:
        sent = await outbox.enqueue_broadcast(
            session=session, kind="alert", text="a", created_by="x"
        )
    assert sent.total == 10_000
    assert len(await _deliveries(db, sent.id)) == 10_000


async def test_forget_drops_queued_messages_and_the_address_on_sent_ones(db) -> None:
    from storage.residents import forget_resident, get_contact

    await add_residents(db, "Farum", ["tel:+4520000001"])
    now = utcnow()
    async with db.session() as session:
        first = await outbox.enqueue_broadcast(
            session=session, kind="alert", text="a", created_by="x", now=now
        )
        [claimed] = await delivery.claim_due(
            session=session, channel="sms", now=now, limit=5, lease=timedelta(seconds=30), epoch=1
        )
        sent = delivery.Mark(claimed.id, outbox.SENT, claimed.urn, provider_id="SM1")
        await delivery.record(session=session, epoch=1, marks=[sent], now=now)
        second = await outbox.enqueue_direct(session=session, urns=["tel:+4520000001"], text="b")
    async with db.session() as session:
        contact = await get_contact(session=session, urn="tel:+4520000001")
        assert contact is not None
        await forget_resident(session=session, resident_id=contact.resident_id)
    assert [r.urn for r in await _deliveries(db, first.id)] == [f"forgotten:{claimed.id}"]
    assert await _deliveries(db, second.id) == []
