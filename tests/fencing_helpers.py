"""Helpers for the fencing and leader-liveness tests: a timed channel, database faults, a proxy."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import col, select
from starlette.routing import BaseRoute

from bot.core.messages import Reply
from bot.handlers.base import Outcome, SendResult
from bot.scheduler.leader import LeaseTimes
from storage import outbox
from storage.broadcast_models import Delivery
from storage.db import Database

# Leadership at a quarter of production pace, so takeovers fit a quick test.
QUICK = LeaseTimes(
    ttl=1.5, margin=0.3, renew_every=0.3, follow_every=0.2, stale_after=0.6, write_window=0.5
)


class TimedChannel:
    """A Telegram-like channel that records when it sent what (each instance its own ids)."""

    channel = "telegram"

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[tuple[float, str]] = []

    async def send(self, urn: str, reply: Reply) -> SendResult:
        self.sent.append((time.monotonic(), urn))
        return SendResult(Outcome.SENT, provider_id=f"{self.name}-{len(self.sent)}")

    def routes(self) -> list[BaseRoute]:
        return []

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def since(self, moment: float) -> list[str]:
        return [urn for at, urn in self.sent if at > moment]


async def wait_until(check: Callable[[], bool], within: float, step: float = 0.02) -> float:
    """Poll `check` until it holds; how long that took (fails the test after `within` s)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > within:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(step)
    return time.monotonic() - started


@contextmanager
def database_outage(db: Database) -> Iterator[Callable[[bool], None]]:
    """Every statement of `db` fails as if the server refused connections while it is down."""
    state = {"down": False}

    def refuse(*_: Any) -> None:
        if state["down"]:
            raise ConnectionRefusedError("database down (test)")

    event.listen(db.engine.sync_engine, "before_cursor_execute", refuse)
    try:
        yield lambda down: state.update(down=down)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", refuse)


async def deliveries(db: Database) -> list[Delivery]:
    async with db.session() as session:
        return list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())


async def statuses(db: Database) -> Counter[str]:
    return Counter(row.status for row in await deliveries(db))


def duplicates(*channels: TimedChannel) -> int:
    counts = Counter(urn for channel in channels for _, urn in channel.sent)
    return sum(n - 1 for n in counts.values())


def reached(*channels: TimedChannel) -> set[str]:
    return {urn for channel in channels for _, urn in channel.sent}


async def alert(db: Database) -> None:
    async with db.session() as session:
        await outbox.enqueue_broadcast(
            session=session, kind="alert", text="Indbrud på Paltholmvej", created_by="telegram:1"
        )


class FreezableProxy:
    """A TCP proxy in front of PostgreSQL that can turn into a black hole: connections stay
    open, nothing gets through either way until it thaws (like a network partition)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port_to = host, port
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def freeze(self) -> None:
        self.flowing.clear()

    def thaw(self) -> None:
        self.flowing.set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.flowing.wait()
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port_to)
        for task in (
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
