"""The SMS channel on the wire: signed Twilio webhooks in, TwiML and REST messages out."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from bot.core.messages import Reply
from bot.handlers.base import Outcome
from storage.models import Area, Contact, FlowState, InboundSeen, Membership
from tests.inbound_helpers import drops_once_at

NUMBER = "+4520304050"


async def test_tilmeld_vaerlose_registers_with_a_one_segment_danish_reply(
    sms_app, twilio, db
) -> None:
    status, body = await twilio.user_sends_sms(NUMBER, "tilmeld værløse")
    assert status == 200 and "<Response>" in body
    [reply] = twilio.sms_to(NUMBER)
    assert reply.source == "twiml"
    assert "nabohjælper i Værløse" in reply.body and "SLET" in reply.body
    assert reply.num_segments == 1
    async with db.session() as s:
        contact = (await s.exec(select(Contact))).one()
        assert contact.urn == f"tel:{NUMBER}" and contact.channel == "sms"
        [membership] = (await s.exec(select(Membership))).all()
        area = await s.get(Area, membership.area_id)
        assert area is not None and area.name == "Værløse"


async def test_stop_confirms_once_then_silence_and_start_brings_back(sms_app, twilio, db) -> None:
    await twilio.user_sends_sms(NUMBER, "tilmeld farum")
    await twilio.user_sends_sms(NUMBER, "STOP")
    assert "afmeldt" in twilio.sms_to(NUMBER)[-1].body
    before = len(twilio.sms_to(NUMBER))
    status, body = await twilio.user_sends_sms(NUMBER, "hvad sker der?")
    assert status == 200 and "<Message>" not in body
    assert len(twilio.sms_to(NUMBER)) == before
    await twilio.user_sends_sms(NUMBER, "START")
    assert "Velkommen tilbage" in twilio.sms_to(NUMBER)[-1].body
    async with db.session() as s:
        assert (await s.exec(select(Contact))).one().stopped_at is None


@pytest.mark.parametrize("signature", ["wrong", "missing"])
async def test_forged_webhook_is_refused_and_stores_nothing(
    sms_app, twilio, db, signature, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    status, _ = await twilio.user_sends_sms(NUMBER, "tilmeld farum", signature=signature)
    assert status == 403
    assert twilio.sms_to(NUMBER) == []
    async with db.session() as s:
        for table in (Contact, FlowState, InboundSeen):
            assert (await s.exec(select(table))).all() == []
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and "signature" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert twilio.auth_token not in caplog.text


@pytest.mark.parametrize(
    "signed_url",
    ["https://nabovagt.example.dk/twilio/sms", "https://nabovagt.example.dk:443/twilio/sms"],
)
async def test_signature_is_checked_against_public_url_behind_a_proxy(
    sms_app, twilio, signed_url
) -> None:
    sms = sms_app.transport("sms")
    sms.public_url = "https://nabovagt.example.dk"
    twilio.inbound_signing_url = signed_url
    status, _ = await twilio.user_sends_sms(NUMBER, "hjælp")
    assert status == 200
    assert "TILMELD" in twilio.sms_to(NUMBER)[-1].body
    twilio.inbound_signing_url = "https://other.example.dk/twilio/sms"
    status, _ = await twilio.user_sends_sms(NUMBER, "hjælp")
    assert status == 403


async def test_twilio_retry_with_the_same_message_sid_is_handled_once(sms_app, twilio, db) -> None:
    await twilio.user_sends_sms(NUMBER, "tilmeld farum", message_sid="SM" + "1" * 32)
    status, body = await twilio.user_sends_sms(NUMBER, "tilmeld farum", message_sid="SM" + "1" * 32)
    assert status == 200 and "<Message>" not in body
    assert len(twilio.sms_to(NUMBER)) == 1
    async with db.session() as s:
        assert len((await s.exec(select(Contact))).all()) == 1


async def test_status_webhook_refuses_forged_reports(sms_app, twilio) -> None:
    import aiohttp

    url = f"{sms_app.settings.public_url}/twilio/status"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data={"MessageSid": "SMx", "MessageStatus": "delivered"}) as r:
            assert r.status == 403


async def test_rest_send_keeps_gsm7_and_maps_errors_to_outcomes(sms_app, twilio) -> None:
    sms = sms_app.transport("sms")
    result = await sms.send(f"tel:{NUMBER}", Reply("Lås døren – og tænd lyset “i aften”"))
    assert result.outcome is Outcome.SENT and result.provider_id.startswith("SM")
    [sent] = twilio.sms_to(NUMBER)
    assert sent.source == "rest" and sent.body == 'Lås døren - og tænd lyset "i aften"'
    assert sent.num_segments == 1

    twilio.unsubscribed.add("+4520304051")
    assert (await sms.send("tel:+4520304051", Reply("x"))).outcome is Outcome.STOPPED
    twilio.landline_numbers.add("+4543434343")
    assert (await sms.send("tel:+4543434343", Reply("x"))).outcome is Outcome.INVALID
    twilio.fail_next(code=20429, status=429)
    assert (await sms.send(f"tel:{NUMBER}", Reply("x"))).outcome is Outcome.RETRY
    twilio.fail_next(code=20500, status=500)
    assert (await sms.send(f"tel:{NUMBER}", Reply("x"))).outcome is Outcome.RETRY


async def test_slow_handling_acknowledges_at_once_and_replies_later_through_the_outbox(
    sms_app, twilio, monkeypatch
) -> None:
    import asyncio

    import bot.handlers.sms

    monkeypatch.setattr(bot.handlers.sms, "REPLY_DEADLINE_SECONDS", 0.05)
    sms = sms_app.transport("sms")
    handle = sms.sink

    async def slow(event):
        await asyncio.sleep(0.5)  # a database under load
        return await handle(event)

    sms.sink = slow
    status, body = await twilio.user_sends_sms(NUMBER, "tilmeld værløse")
    assert status == 200 and "<Message>" not in body
    late = await twilio.wait_for_sms(NUMBER, "nabohjælper i Værløse", timeout=15)
    assert late.source == "rest"
    assert len(twilio.sms_to(NUMBER)) == 1


async def test_a_slow_sms_whose_answer_cannot_be_queued_is_answered_from_the_spool(
    sms_app, twilio, db, monkeypatch
) -> None:
    import asyncio

    import bot.handlers.sms

    monkeypatch.setattr(bot.handlers.sms, "REPLY_DEADLINE_SECONDS", 0.05)
    sms = sms_app.transport("sms")
    handle = sms.sink

    async def slow(inbound):
        await asyncio.sleep(0.5)  # a database under load, past the webhook's deadline
        return await handle(inbound)

    sms.sink = slow
    await sms_app.replayer.stop()  # replay by hand, after the slow handling has failed
    with drops_once_at(db, "INSERT INTO broadcast") as dropped:
        status, body = await twilio.user_sends_sms(NUMBER, "tilmeld værløse")
        assert status == 200 and "<Message>" not in body
        for _ in range(200):
            if dropped and not sms._late:
                break
            await asyncio.sleep(0.05)
        assert dropped, "the answer was never queued"
    assert await sms_app.replayer.replay_once()  # the spool kept the SMS all along
    late = await twilio.wait_for_sms(NUMBER, "nabohjælper i Værløse", timeout=20)
    assert late.source == "rest"
    assert len(twilio.sms_to(NUMBER)) == 1


@pytest.mark.parametrize(
    ("status", "code", "neutral"),
    [
        ("sent", None, "sent"),
        ("delivered", None, "delivered"),
        ("undelivered", "30003", "failed"),
        ("undelivered", "21610", "stopped"),
        ("failed", "21211", "invalid"),
        ("failed", None, "failed"),
    ],
)
def test_delivery_reports_become_neutral_statuses(status, code, neutral) -> None:
    from bot.handlers.sms import neutral_status

    assert neutral_status(status, code) == neutral
