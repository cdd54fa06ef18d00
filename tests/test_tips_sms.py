"""Tips on the SMS wire (Twilio fake), the CSV export, retention and the audit log."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner

from bot.core.messages import Inbound
from bot.tips.export import export_csv
from bot.tips.retention import anonymise_expired_tips
from storage import tips as tip_store
from storage.broadcast_models import Delivery
from storage.db import Database
from storage.models import utcnow
from storage.tip_models import Tip, TipEvent, TipPhoto

NUMBER = "+4520304050"
COORDINATOR = "telegram:9001"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"coordinators": COORDINATOR})


def kim(**kw) -> Inbound:
    return Inbound(urn=COORDINATOR, channel="telegram", display_name="Kim Koordinator", **kw)


async def test_sms_tip_round_trip_with_category_and_relayed_answer(sms_app, twilio, db) -> None:
    await twilio.user_sends_sms(NUMBER, "tilmeld farum")
    await twilio.user_sends_sms(NUMBER, "TIP knallerter kører stærkt på stien ved Farum Sø")
    ack = twilio.sms_to(NUMBER)[-1]
    assert ack.source == "twiml" and ack.body.startswith("Tak! Tip T-")
    assert "\n3) Knallert på sti\n" in ack.body and ack.body.endswith("8) Andet")
    await twilio.user_sends_sms(NUMBER, "3")
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
        assert tip.category == "moped" and tip.reference in ack.body
        assert (
            twilio.sms_to(NUMBER)[-1].body == f"Tak. Tip {tip.reference}: Knallertkørsel på stier."
        )
        # The coordinator's notification waits in the outbox for Telegram; no phone number in it.
        [queued] = (await s.exec(select(Delivery).where(Delivery.urn == COORDINATOR))).all()
        assert queued.status == "queued"

    await sms_app.conversation.handle(kim(callback=f"tipc:ans:{tip.id}"))
    [done] = await sms_app.conversation.handle(kim(text="Tak! Vi sætter skilte op ved stien."))
    assert tip.reference in done.text
    relayed = await twilio.wait_for_sms(NUMBER, "Svar fra kommunen")
    assert relayed.source == "rest"
    assert relayed.body == (
        f"Svar fra kommunen på dit tip {tip.reference}:\nTak! Vi sætter skilte op ved stien."
    )
    assert "Kim" not in relayed.body and "9001" not in relayed.body


async def test_sms_urgency_guard_comes_first_on_the_wire(sms_app, twilio, db) -> None:
    await twilio.user_sends_sms(NUMBER, "tilmeld værløse")
    await twilio.user_sends_sms(NUMBER, "tip der er nogen der bryder ind lige nu")
    reply = twilio.sms_to(NUMBER)[-1]
    assert reply.body.startswith("Ved akut fare: ring 112. Politiet: 114.\n")
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
        assert tip.urgent and tip.text == "der er nogen der bryder ind lige nu"


async def test_sms_tips_are_limited_to_ten_an_hour(sms_app, twilio, db) -> None:
    await twilio.user_sends_sms(NUMBER, "tilmeld farum")
    for n in range(10):
        await twilio.user_sends_sms(NUMBER, f"TIP hærværk ved skuret {n}")
    await twilio.user_sends_sms(NUMBER, "TIP hærværk igen")
    assert "mange tip den seneste time" in twilio.sms_to(NUMBER)[-1].body
    async with db.session() as s:
        assert len((await s.exec(select(Tip))).all()) == 10


async def _seed(db: Database) -> Tip:
    from storage import residents

    async with db.session() as s:
        resident, contact = await residents.create_resident(
            session=s, urn=f"tel:{NUMBER}", channel="sms", display_name=None, language="da"
        )
        tip = await tip_store.create_tip(
            session=s,
            channel="sms",
            category="moped",
            text="Knallerter på stien, ring 20 30 40 50 eller skriv til ole@example.dk",
            resident_id=resident.id,
            contact_id=contact.id,
            area_id=None,
            may_contact=True,
            latitude=55.81,
            longitude=12.37,
        )
        tip.acknowledged_at = tip.created_at + timedelta(minutes=42)
        s.add(tip)
        return tip


async def test_csv_export_has_no_phone_numbers_unless_with_contact(db, settings) -> None:
    tip = await _seed(db)
    async with db.session() as s:
        plain = await export_csv(s, settings, [tip], with_contact=False, actor="cli:test")
        full = await export_csv(s, settings, [tip], with_contact=True, actor="cli:test")
    header, row = plain.splitlines()
    assert header.startswith("reference,created_at,area,category,status")
    assert "20304050" not in plain and "20 30 40 50" not in plain and "ole@example.dk" not in plain
    assert "55.81" not in plain
    assert f"{tip.reference}," in row and ",42," in row and "[nummer]" in row
    assert f"tel:{NUMBER}" in full and "55.81" in full
    async with db.session() as s:
        exported = (await s.exec(select(TipEvent).where(TipEvent.action == "exported"))).all()
        assert [e.actor for e in exported] == ["cli:test", "cli:test"]


async def test_retention_anonymises_old_tips_and_keeps_text_only_when_marked(db, settings) -> None:
    old_kept, old_plain = await _seed(db), await _seed_other(db)
    async with db.session() as s:
        for tip, keep in ((old_kept, True), (old_plain, False)):
            row = await s.get(Tip, tip.id)
            row.created_at = utcnow() - timedelta(days=366)
            row.keep_for_stats = keep
            s.add(row)
        assert old_plain.id is not None
        s.add(TipPhoto(tip_id=old_plain.id, path="tips/old.jpg"))
    media = Path(settings.media_dir) / "tips"
    media.mkdir(parents=True)
    (media / "old.jpg").write_bytes(b"jpeg")
    fresh = await _seed_other(db)

    assert await anonymise_expired_tips(db, settings, utcnow()) == 2
    assert await anonymise_expired_tips(db, settings, utcnow()) == 0
    async with db.session() as s:
        kept, plain, new = [await s.get(Tip, i) for i in (old_kept.id, old_plain.id, fresh.id)]
        assert kept.text.startswith("Knallerter") and kept.contact_id is None
        assert kept.latitude is None and kept.anonymised_at is not None
        assert plain.text == "" and plain.resident_id is None
        assert (await s.exec(select(TipPhoto))).all() == []
        assert new.contact_id is not None and new.anonymised_at is None
    assert not (media / "old.jpg").exists()


async def _seed_other(db: Database) -> Tip:
    from storage import residents

    async with db.session() as s:
        contact = await residents.get_contact(session=s, urn=f"tel:{NUMBER}")
        assert contact is not None
        return await tip_store.create_tip(
            session=s,
            channel="sms",
            category="dogs",
            text="Løse hunde",
            resident_id=contact.resident_id,
            contact_id=contact.id,
            area_id=None,
        )


def test_cli_tips_list_and_export(database_url: str, tmp_path: Path) -> None:
    from bot.app.cli import cli

    db = Database(database_url)

    async def seed() -> str:
        await db.upgrade()
        if db.is_postgres:  # the shared test database may hold an earlier test's rows
            async with db.engine.begin() as conn:
                await conn.execute(text("TRUNCATE tip, contact, resident RESTART IDENTITY CASCADE"))
        tip = await _seed(db)
        await db.dispose()
        return str(tip.reference)

    reference = asyncio.run(seed())
    env = {"DATABASE_URL": database_url, "MEDIA_DIR": str(tmp_path)}
    runner = CliRunner()
    listed = runner.invoke(
        cli, ["tips", "list", "--status", "open", "--category", "moped"], env=env
    )
    assert listed.exit_code == 0, listed.output
    assert reference in listed.output and "20 30 40 50" not in listed.output
    exported = runner.invoke(cli, ["tips", "export", "--format", "csv"], env=env)
    assert exported.exit_code == 0 and reference in exported.output
    assert "20304050" not in exported.output and "20 30 40 50" not in exported.output
    bad = runner.invoke(cli, ["tips", "list", "--status", "lost"], env=env)
    assert bad.exit_code == 2
