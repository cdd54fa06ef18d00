"""/healthz as a load balancer probes it: an answer within 2 s whatever the database does."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from sqlalchemy import make_url

from bot.app.web import WebServer, build_web_app
from storage.db import Database
from tests.conftest import TEST_DATABASE_URL

# What a load balancer's probe waits at most before it counts the instance as dead.
PROBE_DEADLINE = 2.0


@contextlib.contextmanager
def black_hole() -> Iterator[int]:
    """A port whose kernel completes the TCP handshake and then nothing ever answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)  # never accepted: connections wait in the backlog forever
        yield int(listener.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(db: Database, *, leader: bool = False) -> AsyncIterator[str]:
    server = WebServer(build_web_app(db, [], is_leader=lambda: leader), "127.0.0.1", 0)
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}/healthz"
    finally:
        await server.stop()


async def probe(url: str) -> tuple[int, dict[str, object], float]:
    """One probe as a load balancer sends it: status, body and seconds it took."""
    started = time.monotonic()
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
        return response.status, await response.json(), time.monotonic() - started


async def test_healthz_reports_the_database_and_whether_this_instance_leads(db: Database) -> None:
    async with serving(db, leader=True) as url:
        status, body, _ = await probe(url)
    assert (status, body) == (200, {"db": "ok", "leader": True})


async def test_healthz_is_503_within_2_s_when_the_database_is_a_black_hole() -> None:
    with black_hole() as port:
        db = Database(f"postgresql+asyncpg://nabovagt@127.0.0.1:{port}/x", timeout=5)
        try:
            async with serving(db) as url:
                # Several probes in a row: an abandoned one must not slow the next.
                answers = [await probe(url) for _ in range(2)]
        finally:
            await db.dispose()
    for status, body, seconds in answers:
        assert (status, body) == (503, {"db": "unavailable", "leader": False})
        assert seconds < PROBE_DEADLINE


class FreezableProxy:
    """TCP relay to the database that can stop passing bytes: a network black hole mid-run."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.flowing = asyncio.Event()
        self.flowing.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await source.read(65536):
                await self.flowing.wait()
                sink.write(data)
                await sink.drain()
        sink.close()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        assert self._server is not None
        self._server.close()


@pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/test",
)
async def test_healthz_is_503_within_2_s_when_the_network_to_the_database_goes_silent(
    postgres_url: str,
) -> None:
    real = make_url(postgres_url)
    proxy = FreezableProxy(real.host or "127.0.0.1", real.port or 5432)
    port = await proxy.start()
    db = Database(real.set(host="127.0.0.1", port=port).render_as_string(False), timeout=5)
    try:
        async with serving(db, leader=True) as url:
            assert (await probe(url))[:2] == (200, {"db": "ok", "leader": True})
            proxy.flowing.clear()  # the pooled connection now waits on a silent network
            frozen = [await probe(url) for _ in range(2)]
            proxy.flowing.set()
    finally:
        await db.dispose()
        await proxy.stop()
    for status, body, seconds in frozen:
        assert (status, body) == (503, {"db": "unavailable", "leader": True})
        assert seconds < PROBE_DEADLINE
