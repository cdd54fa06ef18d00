"""Tests for the Twilio fake, driven by the real twilio client and signature validator."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.handlers.sms import RootRewritingHttpClient
from sandbox.twilio_fake import (
    DEFAULT_SPEC_PATH,
    TwilioFake,
    count_segments,
    is_gsm7,
)

TWILIO_API = "https://api.twilio.com"
SHARED_SPEC = Path(__file__).parents[2] / "shared" / "specs" / "twilio_api_v2010.json"
BOT = "+4552000000"
ALICE = "+4520123456"
BOB = "+4530123456"


# The app's own client hook: the real twilio client pointed at the fake's root.
FakeTwilioHttpClient = RootRewritingHttpClient


async def eventually(predicate: Any) -> None:
    """Poll `predicate` for up to two seconds."""
    for _ in range(200):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached within 2 s")


def basic_auth(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@dataclass
class Receiver:
    """Stands in for the bot's web app: validates signatures like the app must."""

    token: str
    url: str = ""
    statuses: list[dict[str, str]] = field(default_factory=list)
    inbound: list[dict[str, str]] = field(default_factory=list)
    bad_signatures: int = 0
    reply: str = "<Response><Message>Tak, modtaget!</Message></Response>"
    got_status: asyncio.Event = field(default_factory=asyncio.Event)

    def valid(self, request: web.Request, form: dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(RequestValidator(self.token).validate(str(request.url), form, signature))

    async def status(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        if not self.valid(request, form):
            self.bad_signatures += 1
            return web.Response(status=403)
        self.statuses.append(form)
        self.got_status.set()
        return web.Response(status=204)

    async def sms(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        if not self.valid(request, form):
            self.bad_signatures += 1
            return web.Response(status=403, text="invalid signature")
        self.inbound.append(form)
        return web.Response(text=self.reply, content_type="text/xml")

    async def wait_statuses(self, count: int) -> list[dict[str, str]]:
        async with asyncio.timeout(2):
            while len(self.statuses) < count:
                self.got_status.clear()
                await self.got_status.wait()
        return self.statuses


@pytest.fixture
async def fake() -> AsyncIterator[TwilioFake]:
    async with TwilioFake() as twilio:
        twilio.phone_number = BOT
        yield twilio
    assert not twilio._tasks


@pytest.fixture
async def client(fake: TwilioFake) -> AsyncIterator[Client]:
    http_client = FakeTwilioHttpClient(fake.url)
    yield Client(fake.account_sid, fake.auth_token, http_client=http_client)
    await http_client.close()


@pytest.fixture
async def receiver(fake: TwilioFake) -> AsyncIterator[Receiver]:
    rec = Receiver(token=fake.auth_token)
    app = web.Application()
    app.router.add_post("/twilio/status", rec.status)
    app.router.add_post("/twilio/sms", rec.sms)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    fake.inbound_url = rec.url + "/twilio/sms"
    yield rec
    await runner.cleanup()


async def raw_post(
    fake: TwilioFake, form: dict[str, str], auth: bool = True
) -> tuple[int, dict[str, Any]]:
    url = f"{fake.url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
    headers = {"Authorization": basic_auth(fake.account_sid, fake.auth_token)} if auth else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=form, headers=headers) as response,
    ):
        return response.status, await response.json()


def test_trimmed_spec_matches_official_file() -> None:
    trimmed = json.loads(DEFAULT_SPEC_PATH.read_text(encoding="utf-8"))
    assert set(trimmed["paths"]) == {
        "/2010-04-01/Accounts/{AccountSid}/Messages.json",
        "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
    }
    if not SHARED_SPEC.exists():
        pytest.skip(f"{SHARED_SPEC} not present")
    official = json.loads(SHARED_SPEC.read_text(encoding="utf-8"))
    for path, item in trimmed["paths"].items():
        assert item == official["paths"][path]
    for name, schema in trimmed["components"]["schemas"].items():
        assert schema == official["components"]["schemas"][name]


def test_segment_counting() -> None:
    assert is_gsm7("æøå ÆØÅ") and not is_gsm7("“quote”")
    assert count_segments("æøå") == 1
    assert count_segments("a" * 160) == 1 and count_segments("a" * 161) == 2
    assert count_segments("a" * 306) == 2 and count_segments("a" * 307) == 3
    assert count_segments("€" * 80) == 1 and count_segments("€" * 81) == 2
    assert count_segments("“" * 70) == 1 and count_segments("“" * 71) == 2
    assert count_segments("“" * 134) == 2 and count_segments("“" * 135) == 3
    assert count_segments("👍" * 35) == 1 and count_segments("👍" * 36) == 2


async def test_create_returns_full_resource(fake: TwilioFake, client: Client) -> None:
    msg = await client.messages.create_async(to=ALICE, from_=BOT, body="Hej naboer")
    assert re.fullmatch(r"SM[0-9a-f]{32}", msg.sid)
    assert (msg.to, msg.from_, msg.body) == (ALICE, BOT, "Hej naboer")
    assert msg.status == "queued" and msg.direction == "outbound-api"
    assert (msg.num_segments, msg.num_media, msg.api_version) == ("1", "0", "2010-04-01")
    assert msg.price is None and msg.price_unit == "USD" and msg.error_code is None
    assert msg.date_created is not None and msg.date_created.tzinfo is not None
    assert msg.uri == f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{msg.sid}.json"
    raw = json.loads(client.http_client._test_only_last_response.text)
    assert set(raw) == fake.message_fields
    assert client.http_client._test_only_last_response.status_code == 201
    assert fake.sent[0].sid == msg.sid and fake.sent[0].source == "rest"

    sms = await fake.wait_for_sms(ALICE, "naboer")
    assert sms.body == "Hej naboer"
    await eventually(lambda: fake.sent[0].status == "delivered")
    fetched = await client.messages(msg.sid).fetch_async()
    assert fetched.status == "delivered" and fetched.date_sent is not None
    assert fake.violations == []


async def test_list_filters_and_pages(fake: TwilioFake, client: Client) -> None:
    for text in ("one", "two", "three"):
        await client.messages.create_async(to=ALICE, from_=BOT, body=text)
    await client.messages.create_async(to=BOB, from_=BOT, body="other")
    listed = await client.messages.list_async(to=ALICE, page_size=2)
    assert sorted(m.body for m in listed) == ["one", "three", "two"]
    page = await client.messages.page_async(to=ALICE, page_size=2)
    assert page.next_page_url is not None and len(list(page)) == 2
    envelope = json.loads(client.http_client._test_only_last_response.text)
    assert (envelope["page"], envelope["page_size"], envelope["start"], envelope["end"]) == (
        0,
        2,
        0,
        1,
    )
    assert envelope["previous_page_uri"] is None and "Page=1" in envelope["next_page_uri"]
    with pytest.raises(TwilioRestException) as err:
        await client.messages("SM" + "0" * 32).fetch_async()
    assert (err.value.code, err.value.status) == (20404, 404)


async def test_messaging_service_send_is_accepted(fake: TwilioFake, client: Client) -> None:
    service = "MG" + "a" * 32
    msg = await client.messages.create_async(to=ALICE, messaging_service_sid=service, body="x")
    assert (msg.status, msg.from_, msg.messaging_service_sid) == ("accepted", None, service)


async def test_media_message(fake: TwilioFake, client: Client) -> None:
    urls = ["https://example.org/a.png", "https://example.org/b.png"]
    msg = await client.messages.create_async(to=ALICE, from_=BOT, media_url=urls)
    assert msg.sid.startswith("MM") and msg.num_media == "2"
    assert fake.calls[-1].form["MediaUrl"] == urls
    await client.messages(msg.sid).delete_async()
    assert await client.messages.list_async() == []
    assert fake.violations == []


async def test_segments_via_rest(fake: TwilioFake, client: Client) -> None:
    gsm = await client.messages.create_async(to=ALICE, from_=BOT, body="æøå")
    ucs = await client.messages.create_async(to=ALICE, from_=BOT, body="“quote”")
    assert gsm.num_segments == ucs.num_segments == "1"
    long_gsm = await client.messages.create_async(to=ALICE, from_=BOT, body="æøå" * 60)
    long_ucs = await client.messages.create_async(to=ALICE, from_=BOT, body="“quote”" * 11)
    assert (long_gsm.num_segments, long_ucs.num_segments) == ("2", "2")
    assert [s.num_segments for s in fake.sent] == [1, 1, 2, 2]


async def test_invalid_to_raises_21211(fake: TwilioFake, client: Client) -> None:
    with pytest.raises(TwilioRestException) as err:
        await client.messages.create_async(to="20123456", from_=BOT, body="x")
    assert (err.value.code, err.value.status) == (21211, 400)
    fake.landline_numbers.add(BOB)
    with pytest.raises(TwilioRestException) as err:
        await client.messages.create_async(to=BOB, from_=BOT, body="x")
    assert err.value.code == 21614
    assert fake.sent == []


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": BOT, "Body": "x"}, 21604),
        ({"To": ALICE, "Body": "x"}, 21603),
        ({"To": ALICE, "From": BOT}, 21602),
        ({"To": ALICE, "From": BOT, "Body": "x" * 1601}, 21617),
        ({"To": ALICE, "From": "not a number!", "Body": "x"}, 21212),
    ],
)
async def test_validation_errors(fake: TwilioFake, form: dict[str, str], code: int) -> None:
    status, body = await raw_post(fake, form)
    assert status == 400
    assert body["code"] == code and body["status"] == 400
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    if code == 21604:
        assert body["message"] == "A 'To' phone number is required."


async def test_unknown_param_and_bad_auth(fake: TwilioFake) -> None:
    status, body = await raw_post(fake, {"To": ALICE, "From": BOT, "Body": "x", "Bdy": "y"})
    assert status == 400 and fake.violations and "Bdy" in fake.violations[0]
    status, body = await raw_post(fake, {"To": ALICE, "From": BOT, "Body": "x"}, auth=False)
    assert (status, body["code"]) == (401, 20003)
    wrong = Client(fake.account_sid, "nope", http_client=FakeTwilioHttpClient(fake.url))
    with pytest.raises(TwilioRestException) as err:
        await wrong.messages.create_async(to=ALICE, from_=BOT, body="x")
    assert (err.value.code, err.value.status) == (20003, 401)
    await wrong.http_client.close()


async def test_rate_limit_raises_20429() -> None:
    async with TwilioFake(rate_per_sec=2) as fake:
        http_client = FakeTwilioHttpClient(fake.url)
        client = Client(fake.account_sid, fake.auth_token, http_client=http_client)
        for _ in range(2):
            await client.messages.create_async(to=ALICE, from_=BOT, body="x")
        with pytest.raises(TwilioRestException) as err:
            await client.messages.create_async(to=ALICE, from_=BOT, body="x")
        assert (err.value.code, err.value.status) == (20429, 429)
        assert fake.too_many_requests == 1 and len(fake.sent) == 2
        await http_client.close()


async def test_fail_next(fake: TwilioFake, client: Client) -> None:
    fake.fail_next(to=BOB, code=30007)
    fake.fail_next(code=20500, status=500)
    with pytest.raises(TwilioRestException) as err:
        await client.messages.create_async(to=BOB, from_=BOT, body="x")
    assert (err.value.code, err.value.status) == (30007, 400)
    with pytest.raises(TwilioRestException) as err:
        await client.messages.create_async(to=ALICE, from_=BOT, body="x")
    assert (err.value.code, err.value.status) == (20500, 500)
    await client.messages.create_async(to=ALICE, from_=BOT, body="x")


async def test_signed_status_callbacks(
    fake: TwilioFake, client: Client, receiver: Receiver
) -> None:
    callback = receiver.url + "/twilio/status"
    fake.fail_delivery(BOB, 30003)
    ok = await client.messages.create_async(
        to=ALICE, from_=BOT, body="hej", status_callback=callback
    )
    bad = await client.messages.create_async(
        to=BOB, from_=BOT, body="hej", status_callback=callback
    )
    statuses = await receiver.wait_statuses(4)
    assert receiver.bad_signatures == 0
    by_sid = {
        sid: [s["MessageStatus"] for s in statuses if s["MessageSid"] == sid]
        for sid in (ok.sid, bad.sid)
    }
    assert by_sid == {ok.sid: ["sent", "delivered"], bad.sid: ["sent", "undelivered"]}
    failed = next(s for s in statuses if s["MessageStatus"] == "undelivered")
    assert failed["ErrorCode"] == "30003" and failed["SmsSid"] == bad.sid
    assert failed["AccountSid"] == fake.account_sid and failed["ApiVersion"] == "2010-04-01"
    fetched = await client.messages(bad.sid).fetch_async()
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)


async def test_callback_receiver_down_is_tolerated(fake: TwilioFake, client: Client) -> None:
    dead = "http://127.0.0.1:9/status"
    await client.messages.create_async(to=ALICE, from_=BOT, body="x", status_callback=dead)
    await eventually(lambda: len(fake.status_callbacks) == 2 and fake.sent[0].status == "delivered")
    await asyncio.sleep(0.05)
    assert [c.http_status for c in fake.status_callbacks] == [None, None]
    assert fake.sent[0].status == "delivered"


async def test_inbound_signing_and_twiml_reply(fake: TwilioFake, receiver: Receiver) -> None:
    status, text = await fake.user_sends_sms(ALICE, "Hej", signature="wrong")
    assert status == 403 and receiver.bad_signatures == 1 and fake.sent == []
    status, _ = await fake.user_sends_sms(ALICE, "Hej", signature="missing")
    assert status == 403 and receiver.bad_signatures == 2

    status, text = await fake.user_sends_sms(ALICE, "Hej", message_sid="SM" + "1" * 32)
    assert status == 200 and "<Message>" in text
    form = receiver.inbound[0]
    assert (form["From"], form["To"], form["Body"]) == (ALICE, BOT, "Hej")
    assert form["SmsStatus"] == "received" and form["FromCountry"] == "DK"
    assert form["MessageSid"] == form["SmsSid"] == "SM" + "1" * 32
    reply = await fake.wait_for_sms(ALICE, "modtaget")
    assert (reply.source, reply.from_) == ("twiml", BOT)

    # Twilio retries reuse the MessageSid.
    status, _ = await fake.user_sends_sms(ALICE, "Hej", message_sid="SM" + "1" * 32)
    assert status == 200 and len(receiver.inbound) == 2


async def test_stop_blocks_rest_until_start(
    fake: TwilioFake, client: Client, receiver: Receiver
) -> None:
    receiver.reply = "<Response><Message>Du er afmeldt.</Message></Response>"
    await fake.user_sends_sms(ALICE, "  stop ")
    assert ALICE in fake.unsubscribed and receiver.inbound[0]["Body"] == "  stop "
    assert fake.sms_to(ALICE)[0].body == "Du er afmeldt."
    with pytest.raises(TwilioRestException) as err:
        await client.messages.create_async(to=ALICE, from_=BOT, body="x")
    assert (err.value.code, err.value.status) == (21610, 400)

    receiver.reply = "<Response><Message>blocked</Message></Response>"
    await fake.user_sends_sms(ALICE, "hallo")
    assert [s.body for s in fake.blocked] == ["blocked"]

    await fake.user_sends_sms(ALICE, "AFMELD")  # Danish words are not Twilio keywords.
    assert ALICE in fake.unsubscribed
    await fake.user_sends_sms(ALICE, "START")
    await client.messages.create_async(to=ALICE, from_=BOT, body="velkommen tilbage")


async def test_wait_for_sms_timeout_lists_sent(fake: TwilioFake, client: Client) -> None:
    await client.messages.create_async(to=ALICE, from_=BOT, body="hej")
    with pytest.raises(AssertionError, match="hej"):
        await fake.wait_for_sms(BOB, timeout=0.05)
    with pytest.raises(AssertionError):
        await fake.wait_for_sms(ALICE, timeout=0.05, after=1)
