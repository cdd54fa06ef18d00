"""Seeded random events on both channels through the real app: no traceback, everything answered."""

from __future__ import annotations

import asyncio
import copy
import logging
import random
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from sqlmodel import select
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.app.application import NabovagtApp
from bot.core.gsm import is_gsm7
from bot.handlers.telegram import TelegramTransport
from sandbox.telegram_fake import NOT_MODIFIED, FakeTelegram, TelegramApiError
from sandbox.twilio_fake import TwilioFake
from storage.db import Database
from storage.models import Contact
from tests.conftest import COORDINATOR_ID

# The quick suite skips it; .ci/run runs it (`pytest -m slow`).
pytestmark = pytest.mark.slow

SEED = 20261112
EVENTS_PER_CHANNEL = 500  # about 10 s alone on two cores
TELEGRAM_USERS = [3001, 3002, 3003, COORDINATOR_ID]
PHONES = ["+4520304050", "+4531415926", "+4540506070"]
WAIT_SECONDS = 10.0


def _png(width: int = 2, height: int = 2) -> bytes:
    """A tiny valid PNG, so a photo is an image whatever the product does with it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


KEYWORDS = [
    "tilmeld farum",
    "TILMELD Værløse",
    "tilmeld 3520",
    "join hareskov",
    "STOP",
    "STOPP",
    "stop.",
    "Stopp venligst",
    "afmeld",
    "START",
    "SLET",
    "JA",
    "NEJ",
    "ja",
    "HJÆLP",
    "OMRÅDER",
    "SPROG EN",
    "SPROG DA",
    "DATA",
    "EMNER",
    "TIP knallerter kører stærkt på stien ved Farum Sø",
    "TIP",
    "OBS",
    "OBS lampe i stykker",
    "1",
    "2",
    "1 3",
    "8",
    "99",
    "0",
    "-1",
    "Farum",
    "Værløse",
    "3500",
]
ODD_TEXTS = [
    "",
    " ",
    "\n\n",
    "🏠🚨👍",
    "مرحبا بالعالم",
    "שלום עולם",
    "tilmeld مرحبا",
    "tilmeld 🏠🏠🏠",
    "TIP مرحبا بالعالم هناك سيارة غريبة",
    "<b>fed</b> & <script>alert(1)</script> &amp; &lt;",
    "tilmeld Far\x0cum",
    "a\x00b\x01c\x1fd\x7fe",
    "\u202eevil\u202c",
    "zero\u200bwidth\ufeff",
    "Ä" * 300,
    "tilmeld " + "x" * 1600,
    "TIP " + "lang tekst " * 250,
    "/",
    "//start",
    "/start@nabovagt_bot",
    "/START",
]
LOCATIONS = [
    (90.0, 180.0),
    (-90.0, -180.0),
    (0.0, 0.0),
    (55.8, 12.36),
    (55.78, 12.42),
    (89.9, -0.1),
]


def random_unicode(rng: random.Random, length: int) -> str:
    """Arbitrary code points outside the surrogates (JSON and form encoding cannot carry those)."""
    out = []
    for _ in range(length):
        point = rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0xA0, 0xD800)])
        out.append(chr(point))
    return "".join(out)


def random_text(rng: random.Random, *, allow_empty: bool) -> str:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(KEYWORDS)
    if roll < 0.6:
        text = rng.choice(ODD_TEXTS)
        return text if text.strip() or allow_empty else "…"
    if roll < 0.8:
        return random_unicode(rng, rng.randrange(1, 40))
    return " ".join(rng.choice(KEYWORDS + ODD_TEXTS[:10]) for _ in range(rng.randrange(2, 5)))


def garbage_callback(rng: random.Random, prefixes: list[str], seen: list[str]) -> str:
    """Button data no button of ours carries: random, a real prefix with junk, a real one bent."""
    roll = rng.random()
    if roll < 0.25:
        return random_unicode(rng, rng.randrange(1, 20))[:20]
    if roll < 0.6:
        junk = rng.choice(["", "x", "-1", "999999999", "1:2:3:4", "abc:def", "::", "1e9", "😀"])
        return f"{rng.choice(prefixes)}:{junk}"
    if roll < 0.8 and seen:
        real = rng.choice(seen)
        bent = "".join(rng.choice("0123456789xyz:") if ch.isdigit() else ch for ch in real)
        return bent[:64]
    return rng.choice(prefixes)


@dataclass
class Tally:
    events: int = 0
    answered: int = 0
    unanswered: list[str] = field(default_factory=list)
    edits_ignored: int = 0
    silent_stopped: int = 0


class TelegramFuzzer:
    """Drives random updates at the bot and waits until the app has handled each one."""

    def __init__(self, app: NabovagtApp, fake: FakeTelegram, rng: random.Random) -> None:
        self.fake, self.rng = fake, rng
        self.done: dict[int, asyncio.Event] = {}
        transport = app.transport("telegram")
        assert isinstance(transport, TelegramTransport)
        # Group 1 runs after the transport's own handler has finished with the same update.
        transport.application.add_handler(TypeHandler(Update, self._handled), group=1)
        router = app.conversation.router
        self.commands = [*sorted(router.commands), "nosuchcommand"]
        self.prefixes = sorted(router.callbacks)
        self.seen_data: list[str] = []
        self.tally = Tally()

    async def _handled(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        event = self.done.get(update.update_id)
        if event is not None:
            event.set()

    def _bot_messages_with_buttons(self, user: int) -> list[tuple[int, list[str]]]:
        # Edits are recorded too: the last record of a message is what it shows now.
        current = {m.message_id: m for m in self.fake.messages_to(user)}
        found = []
        for message_id in sorted(current)[-8:]:
            data = [d for _label, d in self.fake.buttons(current[message_id])]
            if data:
                found.append((message_id, data))
        return found

    def _enqueue(self, user: int) -> tuple[str, dict[str, Any]]:
        rng, fake = self.rng, self.fake
        roll = rng.random()
        if roll < 0.3:
            return "text", fake.user_sends_text(user, random_text(rng, allow_empty=False))
        if roll < 0.45:
            args = rng.choice(["", " farum", " x" * 3, " " + random_unicode(rng, 10), " 1"])
            command = rng.choice(self.commands)
            return "command", fake.user_sends_text(user, f"/{command}{args}")
        if roll < 0.65:
            offered = self._bot_messages_with_buttons(user)
            if offered:
                message_id, datas = rng.choice(offered)
                data = rng.choice(datas)
                self.seen_data.append(data)
                return "press", fake.user_presses_button(user, message_id, data)
            return "text", fake.user_sends_text(user, rng.choice(["/start", "/help", "/areas"]))
        if roll < 0.8:
            return "bad press", self._forged_press(user)
        if roll < 0.87:
            lat, lon = rng.choice(LOCATIONS)
            return "location", fake.user_sends_location(user, lat, lon)
        if roll < 0.92:
            caption = rng.choice([None, "", "🏠", "stor rude knust", random_unicode(rng, 30)])
            return "photo", fake.user_sends_photo(user, _png(), caption or None)
        if roll < 0.94:
            return "document", fake.user_sends_document(
                user, _png(), "billede.png", "image/png", caption=None
            )
        if roll < 0.96:
            return "contact", fake.user_sends_contact(user, "+4520304050")
        return "edit", self._edited(user)

    def _forged_press(self, user: int) -> dict[str, Any]:
        """What a modified client can send: any callback data, on any message of the chat."""
        fake = self.fake
        data = garbage_callback(self.rng, self.prefixes, self.seen_data) or "x"
        fake.users.setdefault(user, {"id": user, "is_bot": False, "first_name": "Test"})
        query_id = f"forged{len(fake.callback_answers)}"
        fake.callback_answers[query_id] = None
        query: dict[str, Any] = {
            "id": query_id,
            "from": dict(fake.users[user]),
            "chat_instance": "-1",
            "data": data,
        }
        # Telegram attaches the message as it is now: the last record of each message id.
        current = {m.message_id: m for m in fake.messages_to(user) if m.message}
        if current:
            query["message"] = copy.deepcopy(self.rng.choice(list(current.values())).message)
        return fake.enqueue_update({"callback_query": query})

    def _edited(self, user: int) -> dict[str, Any]:
        """The person edits an earlier message of theirs into a command."""
        fake = self.fake
        fake.users.setdefault(user, {"id": user, "is_bot": False, "first_name": "Test"})
        message = {
            "message_id": 1,
            "from": dict(fake.users[user]),
            "chat": {"id": user, "type": "private", "first_name": "Test"},
            "date": int(time.time()) - 60,
            "edit_date": int(time.time()),
            "text": self.rng.choice(["/stop", "/forget", "ja", "/start", "STOP"]),
        }
        return fake.enqueue_update({"edited_message": message})

    async def step(self) -> None:
        user = self.rng.choice(TELEGRAM_USERS)
        before = len(self.fake.messages_to(user))
        event = asyncio.Event()
        # Register before the update can be handled: enqueueing only queues it for polling.
        kind, update = self._enqueue(user)
        self.done[update["update_id"]] = event
        self.tally.events += 1
        try:
            await asyncio.wait_for(event.wait(), WAIT_SECONDS)
        except TimeoutError:
            self.tally.unanswered.append(f"telegram {user} {kind}: not handled in time")
            return
        if kind == "edit":
            assert len(self.fake.messages_to(user)) == before, "an edited message was answered"
            self.tally.edits_ignored += 1
            return
        if "callback_query" in update:
            query_id = update["callback_query"]["id"]
            answered = self.fake.callback_answers.get(query_id) is not None
        else:
            answered = len(self.fake.messages_to(user)) > before
        if answered:
            self.tally.answered += 1
        else:
            self.tally.unanswered.append(f"telegram {user} {kind}: {update!r:.300}")


class SmsFuzzer:
    """Random inbound SMS through the signed webhook; the TwiML answer comes back at once."""

    def __init__(self, db: Database, fake: TwilioFake, rng: random.Random) -> None:
        self.db, self.fake, self.rng = db, fake, rng
        self.tally = Tally()
        self.silenced: set[str] = set()

    async def _stopped(self, phone: str) -> bool:
        if phone in self.fake.unsubscribed:
            return True  # Twilio itself blocks replies after its own opt-out keywords
        async with self.db.session() as session:
            rows = (await session.exec(select(Contact).where(Contact.urn == f"tel:{phone}"))).all()
        return any(c.stopped_at is not None for c in rows)

    async def step(self) -> None:
        phone = self.rng.choice(PHONES)
        before = len(self.fake.sms_to(phone))
        body = random_text(self.rng, allow_empty=True)
        if phone in self.silenced and self.rng.random() < 0.5:
            body = self.rng.choice(["START", "tilmeld farum", "JOIN"])  # back, to explore more
        self.tally.events += 1
        status, twiml = await self.fake.user_sends_sms(phone, body)
        assert status == 200, f"webhook answered {status} to {body!r}"
        self.silenced.discard(phone)
        if len(self.fake.sms_to(phone)) > before:
            self.tally.answered += 1
        elif await self._stopped(phone):
            self.tally.silent_stopped += 1  # carriers require silence after STOP
            self.silenced.add(phone)
        else:
            self.tally.unanswered.append(f"sms {phone}: {body!r:.200} -> {twiml!r:.200}")


async def test_random_events_on_both_channels_leave_no_traceback_and_get_answers(
    app: NabovagtApp,
    telegram: FakeTelegram,
    twilio: TwilioFake,
    db: Database,
    caplog: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.WARNING)
    rng = random.Random(SEED)
    unchanged_edits: list[dict[str, Any]] = []
    edit = telegram._edit

    def counting_edit(*args: Any) -> dict[str, Any]:
        try:
            return edit(*args)
        except TelegramApiError as exc:
            if exc.description == NOT_MODIFIED:
                unchanged_edits.append(args[1])
            raise

    monkeypatch.setattr(telegram, "_edit", counting_edit)
    tg = TelegramFuzzer(app, telegram, random.Random(rng.random()))
    sms = SmsFuzzer(db, twilio, random.Random(rng.random()))
    started = time.monotonic()

    # One event at a time, alternating channels: with the seed, a failure replays the same way.
    for _ in range(EVENTS_PER_CHANNEL):
        await tg.step()
        await sms.step()
    elapsed = time.monotonic() - started
    sms_replies = [m for phone in PHONES for m in twilio.sms_to(phone)]
    costly = [m.body for m in sms_replies if m.num_segments > 1 or not is_gsm7(m.body)]
    # Direct answers (TwiML) never echo input unbounded: GSM-7, two segments at most.
    too_costly = [
        m.body
        for m in sms_replies
        if m.source == "twiml" and (m.num_segments > 2 or not is_gsm7(m.body))
    ]

    assert app.web is not None
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{app.web.port}/healthz") as health,
    ):
        assert health.status == 200

    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    events = tg.tally.events + sms.tally.events
    expected = events - tg.tally.edits_ignored - sms.tally.silent_stopped
    answered = tg.tally.answered + sms.tally.answered
    print(
        f"\nfuzz: {events} events ({tg.tally.events} Telegram, {sms.tally.events} SMS) in "
        f"{elapsed:.1f}s; {len(tracebacks)} tracebacks/errors; answered {answered}/{expected} "
        f"({100 * answered / max(expected, 1):.1f} %); edits ignored {tg.tally.edits_ignored}; "
        f"silent after STOP {sms.tally.silent_stopped}; unchanged edits {len(unchanged_edits)}; "
        f"SMS replies {len(sms_replies)}, of them over one segment or UCS-2 {len(costly)}"
    )
    for body in sorted(set(costly))[:5]:
        print("  SMS over one segment:", repr(body[:200]))
    assert [f"{r.name}: {r.getMessage()}" for r in tracebacks] == []
    assert tg.tally.unanswered + sms.tally.unanswered == []
    assert unchanged_edits == []
    assert too_costly == []
    assert telegram.violations == [] and twilio.violations == []
