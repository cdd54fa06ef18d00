"""`GET /metrics`: what an operator's Prometheus scrapes, the outbox read from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlmodel import col, select
from starlette.applications import Starlette

from bot.app.metrics import metrics_routes
from bot.core.metrics import SENDS
from storage import outbox
from storage.broadcast_models import Delivery
from storage.db import Database
from tests.events_helpers import add_helper


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def scrape(db: Database, settings, headers: dict[str, str] | None = None) -> httpx.Response:
    app = Starlette(routes=metrics_routes(db, settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://nabovagt") as client:
        return await client.get("/metrics", headers=headers or {})


async def test_a_scrape_shows_the_outbox_per_channel_and_how_late_it_is(db, settings) -> None:
    for urn in ("telegram:1001", "telegram:1002", "tel:+4520304050"):
        await add_helper(db, urn)
    now = datetime.now(UTC)
    async with db.session() as s:
        await outbox.enqueue_direct(
            session=s, urns=["telegram:1001", "telegram:1002", "tel:+4520304050"], text="Møde"
        )
        # A reminder for tomorrow waits in the outbox but is not late.
        await outbox.enqueue_direct(
            session=s, urns=["telegram:1001"], text="I morgen", not_before=now + timedelta(days=1)
        )
        [oldest] = (await s.exec(select(Delivery).where(Delivery.urn == "telegram:1002"))).all()
        oldest.due_at = now - timedelta(seconds=90)
        s.add(oldest)
        [sms] = (await s.exec(select(Delivery).where(col(Delivery.channel) == "sms"))).all()
        sms.status = outbox.SENDING
        s.add(sms)
    SENDS.labels("telegram", "sent").inc()
    response = await scrape(db, settings)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    got = samples(response.text)
    assert got[("nabovagt_outbox_scrape_ok", ())] == 1
    depth = "nabovagt_outbox_depth"
    assert got[(depth, (("channel", "telegram"), ("status", "queued")))] == 3
    assert got[(depth, (("channel", "telegram"), ("status", "sending")))] == 0
    assert got[(depth, (("channel", "sms"), ("status", "queued")))] == 0
    assert got[(depth, (("channel", "sms"), ("status", "sending")))] == 1
    late = got[("nabovagt_outbox_oldest_due_seconds", (("channel", "telegram"),))]
    assert 90 <= late < 120
    assert got[("nabovagt_outbox_oldest_due_seconds", (("channel", "sms"),))] == 0
    # The process's own counters come in the same scrape.
    assert got[("nabovagt_sends_total", (("channel", "telegram"), ("outcome", "sent")))] >= 1


async def test_a_database_that_does_not_answer_leaves_the_outbox_out(settings, tmp_path) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/x.db")
    try:
        response = await scrape(broken, settings)
    finally:
        await broken.dispose()
    assert response.status_code == 200
    got = samples(response.text)
    assert got[("nabovagt_outbox_scrape_ok", ())] == 0
    assert not [name for name, _ in got if name.startswith("nabovagt_outbox_depth")]
    assert ("nabovagt_leader", ()) in got


async def test_with_a_metrics_token_a_scrape_needs_it(db, settings) -> None:
    settings = settings.model_copy(update={"metrics_token": SecretStr("s3cret-metrics-token")})
    missing = await scrape(db, settings)
    assert missing.status_code == 401 and "nabovagt_" not in missing.text
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = await scrape(db, settings, {"Authorization": "Bearer s3cret-metrics-tokeN"})
    assert wrong.status_code == 401
    right = await scrape(db, settings, {"Authorization": "Bearer s3cret-metrics-token"})
    assert right.status_code == 200 and "nabovagt_outbox_depth" in right.text


async def test_the_running_app_serves_metrics_next_to_its_webhooks(sms_app) -> None:
    port = sms_app.settings.http_port
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/metrics")
    assert response.status_code == 200
    assert "nabovagt_outbox_scrape_ok 1.0" in response.text
