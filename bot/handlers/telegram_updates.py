"""How Telegram updates arrive: a webhook route, or long polling that confirms only what is kept.

Both hand each update to `process`, which handles it (committed), keeps it in the spool, or says
the database is unavailable. The webhook answers 2xx only for the first two, so Telegram retries
the rest; the poller moves its offset (which confirms updates to Telegram) only past them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from enum import Enum
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.core.metrics import INBOUND

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LONG_POLL_SECONDS = 10
# While updates are being handled, look for new ones at least this often.
BUSY_POLL_SECONDS = 0.2
# A 409 that goes on is logged again this often (one line each), not on every retry.
CONFLICT_REPEAT_SECONDS = 60.0


class Handled(Enum):
    """What became of one update."""

    DONE = "done"  # handled and committed (or nothing to handle)
    KEPT = "kept"  # written to the local spool; replayed when the database is back
    UNAVAILABLE = "unavailable"  # neither: the provider must keep it and send it again


Process = Callable[[Update, float], Coroutine[Any, Any, Handled]]


def webhook_endpoint(
    *, secret: str, bot: Bot, process: Process
) -> Callable[[Request], Awaitable[Response]]:
    """POST /telegram: checks Telegram's secret token, handles the update, 503 if not kept."""
    expected = secret.encode()

    async def telegram_webhook(request: Request) -> Response:
        arrived = time.monotonic()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning(
                "refused a /telegram update with %s secret token", "a wrong" if given else "no"
            )
            return PlainTextResponse("Forbidden", status_code=403)
        try:
            data = json.loads(await request.body())
        except ValueError:
            data = None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("refused a /telegram body that is not an update")
            return PlainTextResponse("Not a Telegram update", status_code=400)
        try:
            update = Update.de_json(data, bot)
        except Exception as exc:
            log.warning("refused a /telegram update that does not parse: %r", exc)
            return PlainTextResponse("Not a Telegram update", status_code=400)
        INBOUND.labels("telegram", "message").inc()
        if await process(update, arrived) is Handled.UNAVAILABLE:
            # Telegram keeps the update and retries with backoff; nothing was stored.
            return PlainTextResponse("Try again", status_code=503, headers={"Retry-After": "5"})
        return Response(status_code=200)

    return telegram_webhook


async def _handled_a_good_way(inflight: dict[int, asyncio.Task[Handled]]) -> None:
    """Wait until the oldest update in flight and half of all are handled, or BUSY_POLL_SECONDS.

    Every getUpdates returns (and PTB parses) up to 100 updates from the offset again, most of
    them still in flight; asking after each single update is handled made that quadratic (600
    queued updates: 46 answered per second). Waiting for the offset to move a good way keeps it
    to a few asks per second, and the cap still finds a new chat's update within 0.2 s.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_POLL_SECONDS
    oldest = inflight[min(inflight)]
    while (remaining := deadline - loop.time()) > 0:
        pending = [task for task in inflight.values() if not task.done()]
        if not pending or (oldest.done() and 2 * len(pending) <= len(inflight)):
            return
        await asyncio.wait(pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)


class UpdatePoller:
    """getUpdates long polling; updates of different chats are processed at once.

    Unlike PTB's Updater, which confirms updates with its next getUpdates as soon as they are
    queued, the offset only moves past an update once it is handled or kept: a crash in between
    leaves it at Telegram, and the next poller gets it again (the seen-table makes that harmless).
    """

    def __init__(self, bot: Bot, process: Process, *, timeout: int = LONG_POLL_SECONDS) -> None:
        self.bot = bot
        self.process = process
        self.timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self._inflight: dict[int, asyncio.Task[Handled]] = {}

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if not self.running:
            log.info("telegram long polling started")
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if self._inflight:
            # Let updates being handled finish; they stay unconfirmed and come again, deduplicated.
            await asyncio.wait(list(self._inflight.values()), timeout=5)
            for pending in self._inflight.values():
                pending.cancel()
            self._inflight.clear()
        log.info("telegram long polling stopped")

    async def _run(self) -> None:
        inflight = self._inflight
        finished: set[int] = set()  # handled, but an older update is not yet, so unconfirmed
        retry: set[int] = set()  # not kept: Telegram sends them again, handled then
        highest = 0
        failures = 0
        conflict_logged = 0.0
        while True:
            unconfirmed = set(inflight) | retry
            offset = min(unconfirmed) if unconfirmed else (highest + 1 if highest else None)
            try:
                # No allowed_updates: the same update types as before webhook mode existed
                # (edits arrive and are ignored by update_to_inbound).
                updates = await self.bot.get_updates(
                    offset=offset, timeout=0 if inflight else self.timeout
                )
            except Conflict as exc:
                now = time.monotonic()
                if now - conflict_logged >= CONFLICT_REPEAT_SECONDS:
                    log.warning(
                        "another process polls this bot (409 Conflict: %s); is a second "
                        "deployment running? Retrying",
                        exc.message,
                    )
                    conflict_logged = now
                failures += 1
                await asyncio.sleep(min(2.0**failures, 30.0))
                continue
            except InvalidToken:
                log.error("Telegram refused the bot token; long polling stopped")
                return
            except RetryAfter as exc:
                retry_after = exc.retry_after
                seconds = (
                    retry_after.total_seconds()
                    if isinstance(retry_after, timedelta)
                    else float(retry_after)
                )
                await asyncio.sleep(seconds)
                continue
            except TimedOut:
                continue  # a long poll that took longer than its read timeout: just ask again
            except NetworkError as exc:
                failures += 1
                log.warning("getUpdates failed (%s); retrying", exc.message)
                await asyncio.sleep(min(2.0**failures, 30.0))
                continue
            failures, conflict_logged = 0, 0.0
            arrived = time.monotonic()
            if offset is not None:
                finished = {i for i in finished if i >= offset}
            started = False
            for update in updates:
                number = update.update_id
                if number in inflight or number in finished:
                    continue
                if number not in retry:
                    INBOUND.labels("telegram", "message").inc()
                retry.discard(number)
                inflight[number] = asyncio.create_task(self.process(update, arrived))
                highest = max(highest, number)
                started = True
            if not started and inflight:
                await _handled_a_good_way(inflight)
            backoff = False
            for number, task in list(inflight.items()):
                if not task.done():
                    continue
                del inflight[number]
                if self._outcome(number, task) is Handled.UNAVAILABLE:
                    retry.add(number)
                    backoff = True
                else:
                    finished.add(number)
            if backoff:
                await asyncio.sleep(1.0)

    @staticmethod
    def _outcome(number: int, task: asyncio.Task[Handled]) -> Handled:
        with contextlib.suppress(asyncio.CancelledError):
            error = task.exception()
            if error is None:
                return task.result()
            # A bug past the commit (the error handler has logged it): do not loop on it.
            log.error("update %s failed", number, exc_info=error)
        return Handled.DONE
