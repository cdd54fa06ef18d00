"""The events page: invited / coming / not coming / waiting per event, and each walk's protocol."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

import bot.dashboard.page_texts  # noqa: F401  (registers the pages' texts)
from bot.core.actors import NotAllowed
from bot.core.i18n import t
from bot.core.settings import Settings
from bot.dashboard.auth import Viewer
from bot.dashboard.web import render, viewer
from bot.events import services as events
from bot.events.services import EventOverview
from bot.events.wording import kind_label, when_text
from bot.walks import report as walk_report
from bot.walks import services as walks
from storage.db import Database
from storage.event_models import Observation

WALK = "tryghedsvandring"
# "Upcoming" keeps today's events, so one going on now stays on the list.
TODAY = timedelta(hours=24)
# The printable report is the walks feature's own self-contained page with inline CSS and
# embedded photos; it gets a policy of its own that allows exactly that and nothing external.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class EventRow:
    """One event with its answers, as the table shows it."""

    overview: EventOverview
    kind: str
    when: str
    areas: str
    is_walk: bool

    @property
    def id(self) -> int:
        assert self.overview.event.id is not None
        return self.overview.event.id


@dataclass(frozen=True)
class ProtocolItem:
    number: int
    observation: Observation
    has_photo: bool


@dataclass(frozen=True)
class ProtocolGroup:
    heading: str
    items: list[ProtocolItem]
    follow_up: str


async def event_rows(
    *, session: AsyncSession, settings: Settings, who: Viewer, since: datetime | None
) -> list[EventRow]:
    """The events the viewer organises or may look into (the events service decides which)."""
    rows = []
    for event, _ in await events.visible_events(session=session, since=since, actor=who.actor):
        assert event.id is not None
        overview = await events.event_overview(session=session, event_id=event.id, actor=who.actor)
        if overview is None:
            continue
        rows.append(
            EventRow(
                overview=overview,
                kind=kind_label(event, who.lang),
                when=when_text(event.starts_at, settings.tz, who.lang),
                areas=", ".join(overview.areas) or t("bc.all_areas", who.lang),
                is_walk=event.kind == WALK,
            )
        )
    return rows


def protocol_groups(report: walks.WalkReport, lang: str) -> list[ProtocolGroup]:
    """The observations by kind with the walks feature's suggested follow-up, numbered as listed."""
    numbers = {id(o): n for n, o in enumerate(report.observations, start=1)}
    return [
        ProtocolGroup(
            heading=t(f"walk.kind.{kind}", lang),
            items=[ProtocolItem(numbers[id(o)], o, bool(o.photo_path)) for o in found],
            follow_up=t(f"walk.follow_up.{kind}", lang),
        )
        for kind, found in report.by_kind.items()
    ]


def routes(db: Database, settings: Settings) -> list[Route]:
    """GET /events, GET /events/N/walk, GET /events/N/walk/report, GET /events/N/walk/photos/K."""

    async def event_list(request: Request) -> Response:
        who = await viewer(request)
        past = request.query_params.get("past") == "1"
        since = None if past else datetime.now(UTC) - TODAY
        async with db.session() as session:
            rows = await event_rows(session=session, settings=settings, who=who, since=since)
        return render(request, who, "events.html", page="events", rows=rows, past=past)

    async def load(request: Request, who: Viewer) -> walks.WalkReport | Response:
        event_id = int(request.path_params["event_id"])
        async with db.session() as session:
            report = await walks.build_walk_report(session=session, event_id=event_id)
            try:
                allowed = (
                    await events.event_overview(session=session, event_id=event_id, actor=who.actor)
                    is not None
                )
            except NotAllowed:
                allowed = False
        if report is None or report.event.kind != WALK:
            return render(
                request,
                who,
                "walk.html",
                status_code=404,
                page="events",
                report=None,
                error=t("dash.walk.not_a_walk" if report else "dash.not_found", who.lang),
            )
        if not allowed:
            return render(
                request,
                who,
                "walk.html",
                status_code=403,
                page="events",
                report=None,
                error=t("dash.forbidden", who.lang),
            )
        return report

    async def walk(request: Request) -> Response:
        who = await viewer(request)
        report = await load(request, who)
        if isinstance(report, Response):
            return report
        return render(
            request,
            who,
            "walk.html",
            page="events",
            error=None,
            report=report,
            event=report.event,
            when=when_text(report.event.starts_at, settings.tz, who.lang),
            areas=", ".join(report.areas) or t("walk.report.all_areas", who.lang),
            groups=protocol_groups(report, who.lang),
            dots=walk_report.map_dots(report.observations),
            map_width=walk_report.MAP_WIDTH + 2 * walk_report.MAP_MARGIN,
            map_height=walk_report.MAP_HEIGHT + 2 * walk_report.MAP_MARGIN,
        )

    async def printable(request: Request) -> Response:
        who = await viewer(request)
        report = await load(request, who)
        if isinstance(report, Response):
            return report
        page = await asyncio.to_thread(walk_report.render_html, report, settings, who.lang)
        return HTMLResponse(page, headers={"content-security-policy": REPORT_CSP})

    async def photo(request: Request) -> Response:
        who = await viewer(request)
        report = await load(request, who)
        if isinstance(report, Response):
            return Response(status_code=report.status_code)
        number = int(request.path_params["number"])
        if not 1 <= number <= len(report.observations):
            return Response(status_code=404)
        path = report.observations[number - 1].photo_path
        if not path:
            return Response(status_code=404)
        try:
            content = await asyncio.to_thread(Path(path).read_bytes)
        except OSError:
            return Response(status_code=404)
        return Response(content, media_type="image/jpeg")

    return [
        Route("/events", event_list, methods=["GET"]),
        Route("/events/{event_id:int}/walk", walk, methods=["GET"]),
        Route("/events/{event_id:int}/walk/report", printable, methods=["GET"]),
        Route("/events/{event_id:int}/walk/photos/{number:int}", photo, methods=["GET"]),
    ]
