"""HTTP in the middle: a round-robin load balancer in front of the instances, and outbound taps.

The load balancer is what an operator puts in front of several `nabovagt run` processes: it
health-checks `/healthz`, skips an instance that refuses connections or does not answer in time,
and tries the next one. A tap sits between one instance and the provider fakes and writes down
every send it forwards, so a test can tell which process sent what, and when.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass

import aiohttp
from aiohttp import web

# Hop-by-hop headers and those aiohttp sets itself are not forwarded.
DROPPED_HEADERS = {
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "accept-encoding",
    "content-encoding",
}
HEALTH_INTERVAL = 0.5
HEALTH_TIMEOUT = 1.5
# Below the providers' own webhook timeout (15 s), so a failover still answers in time.
REQUEST_TIMEOUT = 4.0

SEND_PATH = re.compile(
    r"^/bot[^/]+/(sendMessage|sendDocument|sendPhoto|copyMessage|sendLocation)$"
    r"|^/2010-04-01/Accounts/[^/]+/Messages\.json$"
)


def forwarded_headers(request: web.Request) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED_HEADERS}
    headers["X-Forwarded-For"] = request.remote or "127.0.0.1"
    headers["X-Forwarded-Proto"] = "http"
    return headers


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


class LoadBalancer:
    """Round robin over the backends that answer /healthz; per request, fail over on refusal."""

    def __init__(self) -> None:
        self.backends: list[str] = []
        self.health: dict[str, int | None] = {}  # last /healthz status, None: no answer
        self.url = ""
        self.forwarded: list[tuple[float, str, str, int]] = []  # (time, backend, path, status)
        self.failovers = 0
        self._next = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._health_task: asyncio.Task[None] | None = None

    async def start(self) -> LoadBalancer:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, self.url = await serve(app)
        self._session = aiohttp.ClientSession(auto_decompress=False)
        self._health_task = asyncio.create_task(self._check_health())
        return self

    async def stop(self) -> None:
        if self._health_task is not None:
            self._health_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._health_task
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def add(self, backend: str) -> None:
        self.backends.append(backend)
        self.health[backend] = None

    def _order(self) -> list[str]:
        """Healthy first (200), then those that answer at all (503: database down), then the rest."""
        start, self._next = self._next, self._next + 1
        rotated = [
            self.backends[(start + i) % len(self.backends)] for i in range(len(self.backends))
        ]
        return sorted(rotated, key=lambda b: {200: 0, None: 2}.get(self.health[b], 1))

    async def _handle(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = forwarded_headers(request)
        for backend in self._order():
            try:
                async with self._session.request(
                    request.method,
                    backend + request.path_qs,
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
                ) as response:
                    payload = await response.read()
                    self.forwarded.append(
                        (time.monotonic(), backend, request.path, response.status)
                    )
                    kept = {
                        k: v
                        for k, v in response.headers.items()
                        if k.lower() not in DROPPED_HEADERS
                    }
                    return web.Response(status=response.status, body=payload, headers=kept)
            except (aiohttp.ClientConnectionError, TimeoutError):
                self.health[backend] = None  # taken out until the next health check answers
                self.failovers += 1
        self.forwarded.append((time.monotonic(), "", request.path, 502))
        return web.Response(status=502, text="no instance answered")

    async def _check_health(self) -> None:
        assert self._session is not None
        while True:
            await asyncio.gather(*(self._probe(b) for b in list(self.backends)))
            await asyncio.sleep(HEALTH_INTERVAL)

    async def _probe(self, backend: str) -> None:
        assert self._session is not None
        try:
            async with self._session.get(
                backend + "/healthz", timeout=aiohttp.ClientTimeout(total=HEALTH_TIMEOUT)
            ) as response:
                await response.read()
                self.health[backend] = response.status
        except (aiohttp.ClientError, TimeoutError):
            self.health[backend] = None


@dataclass
class Send:
    """One provider call forwarded by a tap."""

    at: float  # time.monotonic()
    path: str
    status: int


class Tap:
    """Forwards one instance's calls to the Telegram and Twilio fakes and records the sends."""

    def __init__(self, telegram_url: str, twilio_url: str) -> None:
        self.telegram_url = telegram_url
        self.twilio_url = twilio_url
        self.sends: list[Send] = []
        self.polls: list[Send] = []  # getUpdates calls, with the fake's answer
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> Tap:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, self.url = await serve(app)
        # Long polls hold a request open; only the client's own timeout applies.
        self._session = aiohttp.ClientSession(
            auto_decompress=False, timeout=aiohttp.ClientTimeout(total=120)
        )
        return self

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        assert self._session is not None
        path = request.path
        upstream = self.twilio_url if path.startswith("/2010-04-01") else self.telegram_url
        body = await request.read()
        try:
            async with self._session.request(
                request.method,
                upstream + request.path_qs,
                data=body,
                headers=forwarded_headers(request),
            ) as response:
                payload = await response.read()
                status = response.status
                kept = {
                    k: v for k, v in response.headers.items() if k.lower() not in DROPPED_HEADERS
                }
        except aiohttp.ClientError:
            return web.Response(status=502, text="provider fake unreachable")
        if request.method == "POST" and SEND_PATH.match(path):
            self.sends.append(Send(time.monotonic(), path, status))
        elif path.endswith("/getUpdates"):
            self.polls.append(Send(time.monotonic(), path, status))
        return web.Response(status=status, body=payload, headers=kept)

    def sends_between(self, start: float, end: float = float("inf")) -> int:
        """Accepted sends (2xx) forwarded in [start, end)."""
        return sum(1 for s in self.sends if start <= s.at < end and 200 <= s.status < 300)
