"""The overview page: the strategy's numbers, gathered from the features' own services.

`build_overview` returns plain data; the page and the CSV export both show it, so the numbers
are the same in both, and the helper numbers are /stats' (bot.registration.services.helper_stats).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from statistics import median

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.broadcasts.services import KINDS, BroadcastStatus, recent_broadcasts
from bot.core.actors import Actor
from bot.core.settings import Settings
from bot.dashboard.auth import Viewer
from bot.dashboard.web import render, viewer
from bot.events.services import EventOverview, event_overview, visible_events
from bot.registration.services import HelperStats, helper_stats, list_areas
from bot.tips.categories import category_label
from bot.tips.handling import reaction_stats
from bot.walks.followup import is_overdue
from bot.walks.services import build_walk_report
from storage import dashboard as dash_store
from storage import tips as tip_store
from storage.db import Database
from storage.events import WALK_KIND
from storage.tip_models import Tip
from storage.tips import MonthKpi
from storage.walks import FIXED, OPEN, WONT_FIX

TREND_MONTHS = 12
LATEST_BROADCASTS = 5
# Direct notices (tip status messages, replies) share the broadcasts table; look far enough back
# to find the latest real broadcasts among them.
BROADCAST_LOOKBACK = 200
WALKS_SHOWN = 10
DELIVERED = ("sent", "delivered")
PENDING = ("queued", "sending")


@dataclass(frozen=True)
class TrendPoint:
    """Helpers at one month's end (now, for the running month), per area and distinct in total."""

    month: date
    total: int
    per_area: dict[str, int]


@dataclass(frozen=True)
class CategoryCount:
    key: str
    label: str
    tips: int
    open: int


@dataclass(frozen=True)
class ChannelReach:
    channel: str
    delivered: int
    failed: int
    pending: int


@dataclass(frozen=True)
class BroadcastReach:
    status: BroadcastStatus
    channels: list[ChannelReach]


@dataclass(frozen=True)
class WalkSummary:
    event_id: int
    title: str
    starts_at: datetime
    areas: list[str]
    participants: int
    observations: int
    open: int = 0
    overdue: int = 0  # open past their deadline
    settled: int = 0  # fixed or won't fix


@dataclass(frozen=True)
class Overview:
    """Everything the overview shows, already limited to the viewer's areas."""

    month: date
    helpers: HelperStats  # `areas` limited to the viewer's; totals meaningful for coordinators
    show_totals: bool
    area_names: list[str]  # the areas the viewer sees, by name (all for coordinators)
    trend: list[TrendPoint]
    categories: list[CategoryCount]
    reaction: list[MonthKpi]
    broadcasts: list[BroadcastReach]
    events: list[EventOverview]
    walks: list[WalkSummary]

    @property
    def observations(self) -> int:
        return sum(w.observations for w in self.walks)

    @property
    def open_observations(self) -> int:
        return sum(w.open for w in self.walks)

    @property
    def overdue_observations(self) -> int:
        return sum(w.overdue for w in self.walks)

    @property
    def settled_observations(self) -> int:
        return sum(w.settled for w in self.walks)


def month_starts(now: datetime, tz: tzinfo, months: int) -> list[datetime]:
    """The first moments (local) of the last `months` months, oldest first, this month last."""
    start = now.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    found = [start]
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
        found.append(start)
    return found[::-1]


def _next_month(start: datetime) -> datetime:
    return (start + timedelta(days=32)).replace(day=1)


async def helper_trend(
    *,
    session: AsyncSession,
    now: datetime,
    tz: tzinfo,
    area_ids: list[int] | None,
    months: int = TREND_MONTHS,
) -> list[TrendPoint]:
    """Helpers at each month's end, from the memberships' joined and left times."""
    names = {a.id: a.name for a in await list_areas(session=session) if a.id is not None}
    spans = [
        s
        for s in await dash_store.membership_spans(session=session)
        if area_ids is None or s.area_id in area_ids
    ]
    points = []
    for start in month_starts(now, tz, months):
        end = min(_next_month(start), now)
        alive = [s for s in spans if s.joined_at < end and (s.left_at is None or s.left_at >= end)]
        per_area = Counter(names.get(s.area_id, "?") for s in alive)
        total = len({s.resident_id for s in alive})
        points.append(TrendPoint(start.date(), total, dict(sorted(per_area.items()))))
    return points


async def tips_by_category(
    *, session: AsyncSession, since: datetime, area_ids: list[int] | None, lang: str
) -> list[CategoryCount]:
    """This month's tips per category, and how many of them are still open."""
    found = await tip_store.list_tips(session=session, since=since, area_ids=area_ids)
    total = Counter(tip.category for tip in found)
    still_open = Counter(tip.category for tip in found if tip.status in tip_store.OPEN_STATUSES)
    return [
        CategoryCount(
            key, await category_label(session=session, key=key, lang=lang), n, still_open[key]
        )
        for key, n in total.most_common()
    ]


def _area_reaction(tips: list[Tip], tz: tzinfo) -> list[MonthKpi]:
    """The /stats reaction KPI restricted to some areas' tips (for representatives)."""
    by_month: dict[date, list[Tip]] = {}
    for tip in tips:
        local = tip.created_at.astimezone(tz)
        by_month.setdefault(date(local.year, local.month, 1), []).append(tip)
    kpis = []
    for month in sorted(by_month):
        minutes = [
            (tip.acknowledged_at - tip.created_at).total_seconds() / 60
            for tip in by_month[month]
            if tip.acknowledged_at is not None
        ]
        kpis.append(
            MonthKpi(
                month, len(by_month[month]), len(minutes), median(minutes) if minutes else None
            )
        )
    return kpis


def reach_of(status: BroadcastStatus) -> BroadcastReach:
    """Delivered / failed / still pending per channel, counted like the broadcast report."""
    channels = []
    for channel in sorted(status.counts):
        by = status.counts[channel]
        delivered = sum(by.get(s, 0) for s in DELIVERED)
        pending = sum(by.get(s, 0) for s in PENDING)
        failed = sum(by.values()) - delivered - pending
        channels.append(ChannelReach(channel, delivered, failed, pending))
    return BroadcastReach(status, channels)


def _touches(area_ids: list[int] | None, targets: list[int] | None) -> bool:
    """Whether a broadcast or event to `targets` (None: every area) concerns the viewer's areas."""
    return area_ids is None or targets is None or bool(set(area_ids) & set(targets))


async def build_overview(
    *, session: AsyncSession, settings: Settings, viewer: Viewer, now: datetime
) -> Overview:
    """The overview's numbers for this viewer, in their language where labels are involved."""
    tz, scope = settings.tz, viewer.area_ids
    helpers = await helper_stats(session=session, now=now, tz=tz)
    areas = await list_areas(session=session)
    visible = [a.name for a in areas if scope is None or a.id in scope]
    if scope is not None:
        helpers = HelperStats(
            helpers.month,
            [c for c in helpers.areas if c.area in visible],
            helpers.active,
            helpers.new,
            helpers.stopped,
        )
    month_start = month_starts(now, tz, 1)[0]
    reaction_since = month_starts(now, tz, 3)[0]
    if scope is None:
        reaction = await reaction_stats(session=session, settings=settings, now=now)
    else:
        mine = await tip_store.list_tips(session=session, since=reaction_since, area_ids=scope)
        reaction = _area_reaction(mine, tz)
    broadcasts = [
        reach_of(b)
        for b in await recent_broadcasts(session=session, limit=BROADCAST_LOOKBACK)
        if b.broadcast.kind in KINDS and _touches(scope, b.broadcast.area_ids)
    ][:LATEST_BROADCASTS]
    return Overview(
        month=helpers.month,
        helpers=helpers,
        show_totals=scope is None,
        area_names=visible,
        trend=await helper_trend(session=session, now=now, tz=tz, area_ids=scope),
        categories=await tips_by_category(
            session=session, since=month_start, area_ids=scope, lang=viewer.lang
        ),
        reaction=reaction,
        broadcasts=broadcasts,
        events=await _events(session, now, viewer.actor),
        walks=await _walks(session, now, viewer.actor, now.astimezone(tz).date()),
    )


async def _events(session: AsyncSession, now: datetime, actor: Actor) -> list[EventOverview]:
    """Upcoming, not cancelled events the viewer organises or may look into (the events service
    decides which: coordinators every one, representatives those of their areas)."""
    found = []
    for event, _ in await visible_events(session=session, since=now, actor=actor):
        assert event.id is not None
        if event.cancelled_at is not None:
            continue
        overview = await event_overview(session=session, event_id=event.id, actor=actor)
        if overview is not None:
            found.append(overview)
    return found


async def _walks(
    session: AsyncSession, now: datetime, actor: Actor, today: date
) -> list[WalkSummary]:
    """The latest safety walks (past year) the viewer may look into, with their observations
    counted by follow-up: open, open past the deadline, settled (fixed or won't fix)."""
    found = []
    since = now - timedelta(days=366)
    for event, _ in await visible_events(session=session, since=since, actor=actor):
        if event.kind != WALK_KIND or event.starts_at > now or event.cancelled_at is not None:
            continue
        assert event.id is not None
        report = await build_walk_report(session=session, event_id=event.id)
        if report is None:
            continue
        found.append(
            WalkSummary(
                event.id,
                event.title,
                event.starts_at,
                report.areas,
                report.participants,
                len(report.observations),
                open=sum(o.status == OPEN for o in report.observations),
                overdue=sum(is_overdue(o, today) for o in report.observations),
                settled=sum(o.status in (FIXED, WONT_FIX) for o in report.observations),
            )
        )
    return sorted(found, key=lambda w: w.starts_at, reverse=True)[:WALKS_SHOWN]


def sparkline(points: list[TrendPoint], width: int = 240, height: int = 48) -> str:
    """SVG polyline points for the total trend (drawn server-side: no script, no CDN)."""
    if not points:
        return ""
    top = max(p.total for p in points) or 1
    step = width / max(len(points) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 4 - (p.total / top) * (height - 8):.1f}"
        for i, p in enumerate(points)
    )


def routes(db: Database, settings: Settings) -> list[BaseRoute]:
    async def overview_page(request: Request) -> Response:
        current = await viewer(request)
        async with db.session() as session:
            data = await build_overview(
                session=session, settings=settings, viewer=current, now=datetime.now(UTC)
            )
        return render(
            request,
            current,
            "overview.html",
            page="overview",
            data=data,
            spark=sparkline(data.trend),
        )

    return [Route("/", overview_page, methods=["GET"])]
