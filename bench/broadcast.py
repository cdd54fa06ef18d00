"""Benchmark: one alert to N residents through the real dispatcher against rate-limited fakes.

    .venv/bin/python bench/broadcast.py [--telegram 2000] [--sms 500] [--crash]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench]

The parent process hosts the fake Bot API (30/s overall, 1/s per chat, 429 with retry_after)
and the Twilio fake (10/s, 20429), writes the residents and the alert into the outbox, and runs
the dispatcher in a child process (as `nabovagt run` would). `--crash` SIGKILLs the child
mid-way and starts a new one. It prints the figures the issue asks for.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import insert, text
from sqlmodel import col, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from bot.app.features import jobs, presenter  # noqa: E402
from bot.core.areas import seed_fureso_if_empty  # noqa: E402
from bot.core.messages import Inbound, Reply  # noqa: E402
from bot.core.settings import Settings  # noqa: E402
from bot.handlers.sms import SmsTransport  # noqa: E402
from bot.handlers.telegram import TelegramTransport  # noqa: E402
from bot.scheduler.service import SchedulerService  # noqa: E402
from sandbox.telegram_fake import FakeTelegram  # noqa: E402
from sandbox.twilio_fake import TwilioFake  # noqa: E402
from storage import outbox  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Area, Contact, Membership, Resident, utcnow  # noqa: E402

TOKEN = "123456:BENCH"
MARK = "BENCH-ALERT"


class BotApiFake:
    """The slice of the Bot API the dispatcher uses, with Telegram's flood limits."""

    def __init__(self, global_rate: float = 30, per_chat_rate: float = 1.0) -> None:
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.window: deque[float] = deque()
        self.last_per_chat: dict[int, float] = {}
        self.received: list[tuple[float, int, str]] = []
        self.too_many = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._id = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("POST", "/bot{token}/{method}", self._call)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _limited(self, chat: int, now: float) -> float | None:
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        if len(self.window) >= self.global_rate:
            return 1.0
        last = self.last_per_chat.get(chat)
        if last is not None and now - last < 1.0 / self.per_chat_rate:
            return 1.0
        self.window.append(now)
        self.last_per_chat[chat] = now
        return None

    async def _call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form: dict[str, Any] = dict(await request.post())
        if not form and request.can_read_body:
            form = await request.json()
        if method == "getMe":
            me = {"id": 1, "is_bot": True, "first_name": "Nabovagt", "username": "nabovagt_bot"}
            return web.json_response({"ok": True, "result": me})
        if method != "sendMessage":
            return web.json_response({"ok": True, "result": True})
        chat = int(form["chat_id"])
        now = time.monotonic()
        wait = self._limited(chat, now)
        if wait is not None:
            self.too_many += 1
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status=429,
            )
        self._id += 1
        self.received.append((time.time(), chat, str(form.get("text", ""))))
        message = {
            "message_id": self._id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "text": form.get("text", ""),
        }
        return web.json_response({"ok": True, "result": message})


class SandboxTelegram:
    """sandbox/telegram_fake.py's FakeTelegram with Telegram's limits, seen like BotApiFake."""

    def __init__(self) -> None:
        self.fake = FakeTelegram(TOKEN, global_rate=30, per_chat_rate=1.0)
        self.fake.allow_unknown_chats = True
        # Its clock is time.monotonic(); the figures below use the wall clock.
        self.offset = time.time() - time.monotonic()

    async def start(self) -> None:
        await self.fake.start()
        self.url = self.fake.url

    async def stop(self) -> None:
        await self.fake.stop()

    @property
    def received(self) -> list[tuple[float, int, str]]:
        return [
            (m.at + self.offset, int(m.chat_id), m.text or "")
            for m in self.fake.sent
            if m.method == "sendMessage"
        ]

    @property
    def too_many(self) -> int:
        return self.fake.too_many_requests


async def populate(db: Database, n_telegram: int, n_sms: int) -> None:
    """Residents written straight into the database (registering 2,500 by chat is not the test)."""
    now = utcnow()
    urns = [f"telegram:{10_000 + i}" for i in range(n_telegram)]
    urns += [f"tel:+4530{i:06d}" for i in range(n_sms)]
    async with db.session() as session:
        farum = await farum_id(session)
        result = await session.exec(
            insert(Resident).returning(col(Resident.id), sort_by_parameter_order=True),
            params=[{"language": "da", "consent_at": now, "created_at": now} for _ in urns],
        )
        ids = list(result.scalars().all())
        await session.exec(
            insert(Contact),
            params=[
                {
                    "resident_id": rid,
                    "urn": urn,
                    "channel": "telegram" if urn.startswith("telegram") else "sms",
                    "created_at": now,
                }
                for rid, urn in zip(ids, urns, strict=True)
            ],
        )
        await session.exec(
            insert(Membership),
            params=[{"resident_id": r, "area_id": farum, "joined_at": now} for r in ids],
        )


async def farum_id(session: AsyncSession) -> int:
    """The seeded area every benchmark resident joins."""
    found = (await session.exec(select(Area.id).where(col(Area.name) == "Farum"))).one()
    assert found is not None
    return found


def child_main(url: str, tg_url: str, tw: list[str]) -> None:
    """The dispatching process: real transports, real dispatcher, leader election."""

    async def sink(_: Inbound) -> list[Reply]:
        return []

    async def run() -> None:
        settings = Settings(
            _env_file=None,
            database_url=url,
            telegram_token=SecretStr(TOKEN),
            telegram_api_url=tg_url,
            telegram_max_rate=30,
            sms_max_rate=10,
        )
        db = Database(url)
        telegram = TelegramTransport(token=TOKEN, api_url=tg_url, sink=sink)
        await telegram.application.initialize()
        sms = SmsTransport(
            account_sid=tw[0],
            auth_token=tw[1],
            sender=tw[2],
            api_url=tw[3],
            public_url=None,
            sink=sink,
        )
        await sms.start()
        service = SchedulerService(
            db, settings, {"telegram": telegram, "sms": sms}, presenter(), jobs()
        )
        await service.start()
        await asyncio.Event().wait()

    asyncio.run(run())


def spawn(url: str, tg_url: str, twilio: TwilioFake) -> subprocess.Popen[bytes]:
    args = [twilio.account_sid, twilio.auth_token, twilio.phone_number, twilio.url]
    return subprocess.Popen([sys.executable, __file__, "--child", url, tg_url, *args], cwd=ROOT)


def rate(times: list[float]) -> float:
    if len(times) < 2:
        return 0.0
    return (len(times) - 1) / (max(times) - min(times))


async def bench(args: argparse.Namespace) -> None:
    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    db = Database(url)
    if db.is_postgres:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await db.upgrade()
    async with db.session() as session:
        await seed_fureso_if_empty(session)

    if args.write:
        await populate(db, args.write, 0)
        async with db.session() as session:
            every = [a for a in (await session.exec(select(Area.id))).all() if a is not None]
        started = time.monotonic()
        async with db.session() as session:
            sent = await outbox.enqueue_broadcast(
                session=session, kind="alert", text="x", created_by="bench", area_ids=every
            )
        print(
            f"outbox: {sent.total} deliveries written in {time.monotonic() - started:.3f} s "
            f"({db.engine.dialect.name})"
        )
        await db.dispose()
        return
    await populate(db, args.telegram, args.sms)
    telegram = SandboxTelegram() if args.fake == "sandbox" else BotApiFake(30, 1.0)
    await telegram.start()
    twilio = TwilioFake(rate_per_sec=10)
    twilio.status_delay = 0.5
    await twilio.start()

    child = spawn(url, telegram.url, twilio)
    await asyncio.sleep(3)  # let the child start and become leader, like a running `nabovagt run`

    async with db.session() as session:
        farum = await farum_id(session)
    started = time.monotonic()
    async with db.session() as session:
        sent = await outbox.enqueue_broadcast(
            session=session,
            kind="alert",
            text=f"{MARK}: Indbrud på Paltholmvej kl. 14. Lås døre, notér nummerplader, ring 114.",
            created_by="bench",
            area_ids=[farum],
            priority=outbox.URGENT,
        )
    written = time.monotonic()
    written_wall = time.time()
    expected = args.telegram + args.sms
    print(
        f"outbox: {sent.total} deliveries written in {written - started:.3f} s ({db.engine.dialect.name})"
    )

    crashed = False
    deadline = time.monotonic() + expected / 8 + 120
    while time.monotonic() < deadline:
        got = len(telegram.received) + len(twilio.sent)
        if args.crash and not crashed and got >= expected * 0.4:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            crashed = True
            print(f"crash: SIGKILL after {got} of {expected} delivered; restarting")
            child = spawn(url, telegram.url, twilio)
        if got >= expected:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)  # anything late or doubled still arrives
    child.send_signal(signal.SIGKILL)
    child.wait()

    tg_chats = Counter(chat for _, chat, text in telegram.received if MARK in text)
    sms_to = Counter(s.to for s in twilio.sent if MARK in s.body)
    tg_times = [at for at, _, text in telegram.received if MARK in text]
    sms_times = [s.at.timestamp() for s in twilio.sent if MARK in s.body]
    first = min([*tg_times, *sms_times], default=None)
    dup = sum(n - 1 for n in tg_chats.values() if n > 1) + sum(
        n - 1 for n in sms_to.values() if n > 1
    )
    missing = (args.telegram - len(tg_chats)) + (args.sms - len(sms_to))
    print(f"time to first delivery: {first - written_wall:.2f} s" if first else "no delivery")
    print(
        f"telegram: {sum(tg_chats.values())} sent, {rate(tg_times):.2f}/s = "
        f"{rate(tg_times) / 30:.3f} of the 30/s limit, 429s: {telegram.too_many}"
    )
    print(
        f"sms: {sum(sms_to.values())} sent, {rate(sms_times):.2f}/s = "
        f"{rate(sms_times) / 10:.3f} of the 10/s limit, 20429s: {twilio.too_many_requests}"
    )
    print(
        f"duplicates: {dup}  missing: {missing}"
        + ("  (after a SIGKILL and restart)" if crashed else "")
    )
    await telegram.stop()
    await twilio.stop()
    await db.dispose()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3], sys.argv[4:8])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--telegram", type=int, default=2000)
    parser.add_argument("--sms", type=int, default=500)
    parser.add_argument("--crash", action="store_true", help="SIGKILL the dispatcher mid-way")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--fake",
        choices=("sandbox", "builtin"),
        default="sandbox",
        help="Bot API fake: sandbox/telegram_fake.py or the minimal one in this file",
    )
    parser.add_argument("--write", type=int, default=0, help="only time writing N deliveries")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
