"""Benchmark: inbound Telegram updates per second, Nabovagt against a bare PTB echo bot.

    .venv/bin/python bench/inbound.py [--updates 600] [--chats 200]

Both bots long-poll the same kind of fake (sandbox/telegram, no flood limits) and get the same
updates: `--updates` texts from `--chats` different chats, queued at once. The figure is updates
answered per second from the first update queued to the last reply; the ratio is ours / echo.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from harness import FIRST_CHAT, TEXT, echo_bot, fake_telegram, nabovagt, table, wait_for_replies
from harness import warm_up as warm

from sandbox.telegram_fake import FakeTelegram

Runner = Callable[[FakeTelegram], AbstractAsyncContextManager[Any]]


async def updates_per_second(run: Runner, updates: int, chats: int) -> float:
    """Queue the updates at once and time until every one is answered."""
    fake = fake_telegram()
    await fake.start()
    try:
        async with run(fake):
            await warm(fake)
            ids = [FIRST_CHAT + i % chats for i in range(updates)]
            started = time.monotonic()
            for chat in ids:
                fake.user_sends_text(chat, TEXT)
            # Each update gets at least one reply; count the first `updates` of them.
            last = await wait_for_replies(fake, set(ids), updates, within=120)
            return updates / (last - started)
    finally:
        await fake.stop()


async def bench(args: argparse.Namespace) -> None:
    echo = await updates_per_second(echo_bot, args.updates, args.chats)
    ours = await updates_per_second(nabovagt, args.updates, args.chats)
    print(f"{args.updates} updates from {args.chats} chats, long polling, sandbox/telegram fake")
    print(
        table(
            [
                ("bot", "updates/s", "ratio"),
                ("python-telegram-bot echo", f"{echo:.0f}", "1.00"),
                ("nabovagt", f"{ours:.0f}", f"{ours / echo:.2f}"),
            ]
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--chats", type=int, default=200)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
