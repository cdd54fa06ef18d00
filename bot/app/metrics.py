"""`GET /metrics`: the process's counters (bot/core/metrics.py) and the outbox read at scrape time."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.core.metrics import REGISTRY
from bot.core.settings import Settings
from storage.db import Database
from storage.metrics import OutboxFigures, outbox_figures
from storage.outbox import OPEN_STATUSES, QUEUED

log = logging.getLogger(__name__)

# A scrape must answer even when the database does not: past this the outbox series are left out.
SCRAPE_DB_SECONDS = 2.0
# Always reported, so a dashboard shows 0 rather than a gap when a channel's outbox is empty.
CHANNELS = ("telegram", "sms")


class OutboxCollector(Collector):
    """The outbox figures of one scrape (None when the database did not answer in time)."""

    def __init__(self, figures: OutboxFigures | None, now: datetime) -> None:
        self.figures = figures
        self.now = now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        ok = GaugeMetricFamily(
            "nabovagt_outbox_scrape_ok",
            "1 when the outbox figures below were read from the database for this scrape, else 0.",
        )
        ok.add_metric([], 1 if self.figures is not None else 0)
        yield ok
        if self.figures is None:
            return
        depth = GaugeMetricFamily(
            "nabovagt_outbox_depth",
            "Deliveries not yet settled, by channel and status (queued, sending).",
            labels=["channel", "status"],
        )
        channels = sorted({*CHANNELS, *(c for c, _ in self.figures.depth)})
        for channel in channels:
            for status in OPEN_STATUSES:
                depth.add_metric([channel, status], self.figures.depth.get((channel, status), 0))
        yield depth
        oldest = GaugeMetricFamily(
            "nabovagt_outbox_oldest_due_seconds",
            f"Seconds since the oldest {QUEUED} delivery became due, by channel (0: none waiting).",
            labels=["channel"],
        )
        for channel in channels:
            due = self.figures.oldest_due.get(channel)
            age = max(0.0, (self.now - due).total_seconds()) if due is not None else 0.0
            oldest.add_metric([channel], age)
        yield oldest


async def read_outbox(db: Database, limit: float) -> OutboxFigures | None:
    """The outbox figures, or None when the database fails or takes longer than `limit`."""
    try:
        async with asyncio.timeout(limit):
            async with db.session() as session:
                return await outbox_figures(session=session, now=datetime.now(UTC))
    except Exception as exc:  # a scrape reports the failure as a series, never as a 500
        log.warning("metrics: outbox figures not read: %s", exc or type(exc).__name__)
        return None


def authorised(request: Request, token: str | None) -> bool:
    """No token configured, or `Authorization: Bearer <token>` (compared in constant time)."""
    if token is None:
        return True
    given = request.headers.get("authorization", "").encode()
    return hmac.compare_digest(given, f"Bearer {token}".encode())


def metrics_routes(db: Database, settings: Settings) -> list[BaseRoute]:
    """`GET /metrics` in Prometheus text format, behind METRICS_TOKEN when it is set."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    limit = min(SCRAPE_DB_SECONDS, settings.db_timeout)

    async def metrics(request: Request) -> Response:
        if not authorised(request, token):
            return PlainTextResponse(
                "unauthorised\n", status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        now = datetime.now(UTC)
        scrape = CollectorRegistry(auto_describe=False)
        scrape.register(OutboxCollector(await read_outbox(db, limit), now))
        body = generate_latest(REGISTRY) + generate_latest(scrape)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return [Route("/metrics", metrics, methods=["GET"])]
