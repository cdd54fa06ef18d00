"""What the benchmarks share: the real app or a bare PTB echo bot polling sandbox/telegram's fake."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app.application import NabovagtApp  # noqa: E402
from bot.core.settings import Settings  # noqa: E402
from sandbox.telegram_fake import FakeTelegram  # noqa: E402

TOKEN = "123456:BENCH"
COORDINATOR = 9001
# Chats of the simulated residents start here; each bench sends from many of them.
FIRST_CHAT = 100_000
TEXT = "hej"


def fake_telegram() -> FakeTelegram:
    """The fake without flood limits: inbound benches measure the bot, not Telegram's limits."""
    return FakeTelegram(TOKEN)


@asynccontextmanager
async def nabovagt(fake: FakeTelegram) -> AsyncIterator[NabovagtApp]:
    """The real app (Telegram only, polling) on a fresh SQLite database, as `nabovagt run`."""
    tmp = tempfile.mkdtemp(prefix="nabovagt-bench-")
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
        http_port=0,
        media_dir=f"{tmp}/media",
        spool_dir=f"{tmp}/spool",
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=fake.url,
        coordinators=f"telegram:{COORDINATOR}",
    )
    app = NabovagtApp(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


async def _echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


@asynccontextmanager
async def echo_bot(fake: FakeTelegram) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """python-telegram-bot's own minimal bot: echo every text, long polling like ours."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=10, drop_pending_updates=False)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def replies_to(fake: FakeTelegram, chats: set[int]) -> int:
    """How many messages the bot has sent to these chats."""
    return sum(1 for m in fake.sent if m.method == "sendMessage" and m.chat_id in chats)


async def wait_for_replies(fake: FakeTelegram, chats: set[int], n: int, within: float) -> float:
    """Wait until `n` messages went to `chats`; the monotonic time the last one was sent."""
    deadline = time.monotonic() + within
    while replies_to(fake, chats) < n:
        if time.monotonic() > deadline:
            got = replies_to(fake, chats)
            raise TimeoutError(f"only {got} of {n} replies after {within:.0f} s")
        await asyncio.sleep(0.01)
    return max(m.at for m in fake.sent if m.method == "sendMessage" and m.chat_id in chats)


async def warm_up(fake: FakeTelegram) -> None:
    """One update answered first, so start-up work is not timed."""
    fake.user_sends_text(FIRST_CHAT - 1, TEXT)
    await wait_for_replies(fake, {FIRST_CHAT - 1}, 1, within=30)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by the inclusive method."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1]


def table(rows: Sequence[tuple[str, ...]]) -> str:
    """Columns padded to their widest cell; the first row is the heading."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
