"""CSV downloads: the overview's numbers, and tips with the privacy rules of `tips export`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.core.settings import Settings
from bot.dashboard.overview import Overview, build_overview
from bot.dashboard.web import viewer
from bot.tips.export import STATUSES, export_csv
from storage import tips as tip_store
from storage.db import Database

# Columns of the overview CSV: one number per row, so a spreadsheet can pivot it.
OVERVIEW_COLUMNS = ["section", "month", "name", "measure", "value"]


def overview_rows(data: Overview) -> list[list[object]]:
    """The overview as (section, month, name, measure, value) rows; the same numbers as the page."""
    month = data.month.isoformat()[:7]
    rows: list[list[object]] = []
    for area in data.helpers.areas:
        rows += [
            ["helpers", month, area.area, "active", area.active],
            ["helpers", month, area.area, "new", area.new],
            ["helpers", month, area.area, "stopped", area.stopped],
        ]
    if data.show_totals:
        rows += [
            ["helpers", month, "total", "active", data.helpers.active],
            ["helpers", month, "total", "new", data.helpers.new],
            ["helpers", month, "total", "stopped", data.helpers.stopped],
        ]
    for point in data.trend:
        rows.append(["helpers_trend", point.month.isoformat()[:7], "total", "helpers", point.total])
        for name, count in point.per_area.items():
            rows.append(["helpers_trend", point.month.isoformat()[:7], name, "helpers", count])
    for c in data.categories:
        rows += [
            ["tips", month, c.key, "tips", c.tips],
            ["tips", month, c.key, "open", c.open],
        ]
    for m in data.reaction:
        at = m.month.isoformat()[:7]
        rows += [
            ["reaction", at, "tips", "tips", m.tips],
            ["reaction", at, "tips", "acknowledged", m.acknowledged],
        ]
        if m.median_minutes is not None:
            rows.append(["reaction", at, "tips", "median_minutes", round(m.median_minutes, 1)])
    for b in data.broadcasts:
        at = b.status.broadcast.created_at.isoformat()[:7]
        name = f"{b.status.broadcast.kind} #{b.status.id}"
        for ch in b.channels:
            rows += [
                ["broadcast", at, name, f"{ch.channel}_delivered", ch.delivered],
                ["broadcast", at, name, f"{ch.channel}_failed", ch.failed],
                ["broadcast", at, name, f"{ch.channel}_pending", ch.pending],
            ]
    for e in data.events:
        at = e.event.starts_at.isoformat()[:7]
        for measure in ("invited", "yes", "no", "waiting"):
            rows.append(["event", at, e.event.title, measure, getattr(e.counts, measure)])
    for w in data.walks:
        month = w.starts_at.isoformat()[:7]
        rows.append(["walk", month, w.title, "observations", w.observations])
        rows += [
            ["walk", month, w.title, metric, value]
            for metric, value in (("open", w.open), ("overdue", w.overdue), ("settled", w.settled))
        ]
    return rows


def as_csv(columns: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def _download(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def routes(db: Database, settings: Settings) -> list[BaseRoute]:
    async def overview_csv(request: Request) -> Response:
        current = await viewer(request)
        now = datetime.now(UTC)
        async with db.session() as session:
            data = await build_overview(session=session, settings=settings, viewer=current, now=now)
        name = f"nabovagt-overview-{now.astimezone(settings.tz).date().isoformat()}.csv"
        return _download(as_csv(OVERVIEW_COLUMNS, overview_rows(data)), name)

    async def tips_csv(request: Request) -> Response:
        """Tips in the viewer's areas; never contact data or coordinates (like `tips export`)."""
        current = await viewer(request)
        status = request.query_params.get("status") or None
        category = request.query_params.get("category") or None
        if status is not None and status not in STATUSES:
            return Response("unknown status", status_code=400)
        statuses = tip_store.OPEN_STATUSES if status == "open" else (status,) if status else None
        now = datetime.now(UTC)
        async with db.session() as session:
            found = await tip_store.list_tips(
                session=session, statuses=statuses, area_ids=current.area_ids, category=category
            )
            text = await export_csv(session, settings, found, with_contact=False, actor=current.urn)
        return _download(
            text, f"nabovagt-tips-{now.astimezone(settings.tz).date().isoformat()}.csv"
        )

    return [
        Route("/export/overview.csv", overview_csv, methods=["GET"]),
        Route("/export/tips.csv", tips_csv, methods=["GET"]),
    ]
