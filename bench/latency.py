"""Benchmark: reply latency at a steady inbound rate, with and without a monthly report rendering.

    .venv/bin/python bench/latency.py [--rate 50] [--seconds 8]

The real app long-polls sandbox/telegram's fake; `--rate` updates per second arrive, each from
a chat of its own, for `--seconds`. Latency is from the update being queued at the fake to the
reply reaching it. The second run does the same while a coordinator presses "Vis grafen" over
and over in the same process (the monthly report's chart being drawn the whole time).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from datetime import date

from harness import (
    COORDINATOR,
    FIRST_CHAT,
    TEXT,
    fake_telegram,
    nabovagt,
    percentile,
    table,
    wait_for_replies,
    warm_up,
)

from bot.app.application import NabovagtApp
from bot.core.messages import Inbound
from sandbox.telegram_fake import FakeTelegram

MONTH = date(2026, 11, 1)


async def render_reports(app: NabovagtApp, done: list[float]) -> None:
    """Press the report's chart button again and again, as a coordinator would, timing each."""
    press = Inbound(
        urn=f"telegram:{COORDINATOR}", channel="telegram", callback=f"report:png:{MONTH:%Y-%m}"
    )
    while True:
        started = time.monotonic()
        [chart] = await app.conversation.handle(press)
        assert chart.attachment is not None and chart.attachment[1][:4] == b"\x89PNG"
        done.append(time.monotonic() - started)


async def latencies(fake: FakeTelegram, rate: float, seconds: float) -> list[float]:
    """Send at `rate` for `seconds`, one update per chat; each reply's latency in seconds."""
    count = round(rate * seconds)
    chats = [FIRST_CHAT + i for i in range(count)]
    queued: dict[int, float] = {}
    started = time.monotonic()
    for i, chat in enumerate(chats):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        queued[chat] = time.monotonic()
        fake.user_sends_text(chat, TEXT)
    await wait_for_replies(fake, set(chats), count, within=60)
    first: dict[int | str, float] = {}
    for message in fake.sent:
        if message.method == "sendMessage" and message.chat_id in queued:
            first.setdefault(message.chat_id, message.at)
    return [first[chat] - queued[chat] for chat in chats]


async def run(rate: float, seconds: float, rendering: bool) -> tuple[list[float], list[float]]:
    fake = fake_telegram()
    await fake.start()
    renders: list[float] = []
    try:
        async with nabovagt(fake) as app:
            await warm_up(fake)
            task = asyncio.create_task(render_reports(app, renders)) if rendering else None
            if task is not None:
                await asyncio.sleep(0.2)  # the first chart is being drawn when updates arrive
            try:
                return await latencies(fake, rate, seconds), renders
            finally:
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
    finally:
        await fake.stop()


def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:.0f}"


async def bench(args: argparse.Namespace) -> None:
    quiet, _ = await run(args.rate, args.seconds, rendering=False)
    busy, renders = await run(args.rate, args.seconds, rendering=True)
    print(f"{len(quiet)} updates at {args.rate:.0f}/s, one per chat, long polling")
    rows = [("run", "p50 ms", "p95 ms", "p99 ms", "p99 ratio")]
    rows.append(("quiet", ms(quiet, 50), ms(quiet, 95), ms(quiet, 99), "1.00"))
    ratio = percentile(busy, 99) / percentile(quiet, 99)
    rows.append(("report rendering", ms(busy, 50), ms(busy, 95), ms(busy, 99), f"{ratio:.2f}"))
    print(table(rows))
    each = f", {sum(renders) / len(renders):.2f} s each" if renders else ""
    print(f"charts drawn during the busy run: {len(renders)}{each}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=8)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
