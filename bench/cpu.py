"""Benchmark: process CPU time per delivered message, our dispatcher against PTB's AIORateLimiter.

    .venv/bin/python bench/cpu.py [--messages 300]

Both senders run in a child process of their own against sandbox/telegram's fake with Telegram's
limits (30/s overall, 1/s per chat), one message to each of `--messages` chats. Ours is the
dispatcher of `nabovagt run` (bench/broadcast.py's child) sending an alert from the outbox; the
reference is an ExtBot with rate_limiter=AIORateLimiter() sending the same text with
asyncio.gather. The figure is the child's user+system CPU from the moment the messages are
handed over (outbox written, or gather started) to the last delivery, divided by the deliveries.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from broadcast import MARK, TOKEN, SandboxTelegram, farum_id, populate, spawn
from harness import table
from telegram.ext import AIORateLimiter, ExtBot

from bot.core.areas import seed_fureso_if_empty
from sandbox.twilio_fake import TwilioFake
from storage import outbox
from storage.db import Database

TEXT = f"{MARK}: Indbrud på Paltholmvej kl. 14. Lås døre, notér nummerplader, ring 114."
FIRST_CHAT = 10_000  # bench/broadcast.py's populate() numbers the Telegram residents from here


def cpu_seconds(pid: int) -> float:
    """User plus system CPU the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def until_delivered(telegram: SandboxTelegram, n: int, within: float) -> None:
    deadline = time.monotonic() + within
    while sum(1 for _, _, text in telegram.received if MARK in text) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"not all {n} messages delivered in {within:.0f} s")
        await asyncio.sleep(0.05)


async def ours(n: int) -> tuple[float, float]:
    """CPU seconds and wall seconds of the dispatcher for `n` deliveries."""
    tmp = tempfile.mkdtemp(prefix="nabovagt-bench-")
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    db = Database(url)
    await db.upgrade()
    async with db.session() as session:
        await seed_fureso_if_empty(session)
    await populate(db, n, 0)
    telegram = SandboxTelegram()
    await telegram.start()
    twilio = TwilioFake(rate_per_sec=10)
    await twilio.start()
    child = spawn(url, telegram.url, twilio)
    try:
        await asyncio.sleep(3)  # the child starts and becomes leader, like `nabovagt run`
        async with db.session() as session:
            farum = await farum_id(session)
        before, started = cpu_seconds(child.pid), time.monotonic()
        async with db.session() as session:
            await outbox.enqueue_broadcast(
                session=session,
                kind="alert",
                text=TEXT,
                created_by="bench",
                area_ids=[farum],
                priority=outbox.URGENT,
            )
        await until_delivered(telegram, n, within=n / 10 + 60)
        return cpu_seconds(child.pid) - before, time.monotonic() - started
    finally:
        child.kill()
        child.wait()
        await telegram.stop()
        await twilio.stop()
        await db.dispose()


def ptb_child(api_url: str, n: int) -> None:
    """The reference sender: PTB's own rate limiter, every message handed over at once."""

    async def run() -> None:
        bot = ExtBot(
            TOKEN,
            base_url=f"{api_url}/bot",
            rate_limiter=AIORateLimiter(max_retries=5),
        )
        await bot.initialize()
        print("ready", flush=True)
        sys.stdin.readline()
        await asyncio.gather(*(bot.send_message(FIRST_CHAT + i, TEXT) for i in range(n)))
        await bot.shutdown()
        await asyncio.Event().wait()

    asyncio.run(run())


async def reference(n: int) -> tuple[float, float]:
    """CPU seconds and wall seconds of PTB's AIORateLimiter for `n` deliveries."""
    telegram = SandboxTelegram()
    await telegram.start()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--ptb-child",
        telegram.url,
        str(n),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdin is not None and child.stdout is not None
        ready = await child.stdout.readline()
        assert ready.strip() == b"ready", ready
        before, started = cpu_seconds(child.pid), time.monotonic()
        child.stdin.write(b"go\n")
        await child.stdin.drain()
        await until_delivered(telegram, n, within=n / 10 + 60)
        return cpu_seconds(child.pid) - before, time.monotonic() - started
    finally:
        child.kill()
        await child.wait()
        await telegram.stop()


async def bench(args: argparse.Namespace) -> None:
    n = args.messages
    ref_cpu, ref_wall = await reference(n)
    our_cpu, our_wall = await ours(n)
    ref_ms, our_ms = ref_cpu / n * 1000, our_cpu / n * 1000
    print(f"{n} messages to {n} chats, sandbox/telegram fake at 30/s overall and 1/s per chat")
    print(
        table(
            [
                ("sender", "CPU ms/message", "wall s", "ratio"),
                ("PTB AIORateLimiter", f"{ref_ms:.2f}", f"{ref_wall:.1f}", "1.00"),
                (
                    "nabovagt dispatcher",
                    f"{our_ms:.2f}",
                    f"{our_wall:.1f}",
                    f"{our_ms / ref_ms:.2f}",
                ),
            ]
        )
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--ptb-child":
        ptb_child(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
