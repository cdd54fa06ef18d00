"""The one HTTP server: /healthz plus the webhook routes the transports contribute."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from storage.db import Database

log = logging.getLogger(__name__)

# Load balancers and orchestrators give up on a probe after a few seconds; answer well before.
HEALTH_DB_WAIT = 1.5


def build_web_app(
    db: Database,
    extra_routes: list[BaseRoute],
    *,
    is_leader: Callable[[], bool] | None = None,
) -> Starlette:
    async def healthz(_: Request) -> JSONResponse:
        leader = bool(is_leader()) if is_leader is not None else False
        if await db.ping(within=HEALTH_DB_WAIT):
            return JSONResponse({"db": "ok", "leader": leader})
        return JSONResponse({"db": "unavailable", "leader": leader}, status_code=503)

    return Starlette(routes=[Route("/healthz", healthz), *extra_routes])


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside our own loop; the app owns signals so bot and server stop together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """Start and stop uvicorn as a task of the running loop."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        self.server = EmbeddedServer(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.02)

    @property
    def port(self) -> int:
        sockets = self.server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._task is None:
            return
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self._task, timeout=5)
