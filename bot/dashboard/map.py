"""The map page: areas drawn from their stored polygons as SVG, hotspots, tips and observations."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from shapely import wkt
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import bot.dashboard.page_texts  # noqa: F401  (registers the pages' texts)
from bot.core.actors import Actor
from bot.core.areas import area_at
from bot.core.i18n import month_text, number, t
from bot.core.settings import Settings
from bot.dashboard.web import BASE, render, viewer
from bot.events import services as events
from bot.reports.services import AreaFigures, build_report, month_start
from bot.tips import handling
from bot.tips.categories import category_label
from bot.walks import services as walks
from storage import areas as area_store
from storage import tips as tip_store
from storage.db import Database
from storage.models import Area

WIDTH, MARGIN = 600, 12
WALK = "tryghedsvandring"
# Observations of walks this far back are drawn; older ones have usually been followed up.
OBSERVATIONS_SINCE = timedelta(days=365)
LEVELS = ("hot", "above", "normal", "none")
# Fill colours as SVG presentation attributes (no inline CSS, so a strict CSP holds).
COLOURS = {"hot": "#c0392b", "above": "#f0a35e", "normal": "#9ccfa4", "none": "#e4e9ec"}
MARKER_COLOURS = {"tip": "#1f4e9c", "observation": "#6b2d8c"}


@dataclass(frozen=True)
class Shape:
    """One area as an SVG path with its label and this month's figures."""

    area_id: int
    name: str
    d: str
    label_x: float
    label_y: float
    level: str
    count: int
    average: float
    fill: str


@dataclass(frozen=True)
class Marker:
    """A tip or walk observation with a location; `href` opens the tip or the walk."""

    x: float
    y: float
    kind: str
    hint: str
    href: str
    fill: str


@dataclass(frozen=True)
class MapView:
    """Everything map.html draws."""

    width: int
    height: int
    month: date
    shapes: list[Shape]
    markers: list[Marker]

    @property
    def tips(self) -> int:
        return sum(m.kind == "tip" for m in self.markers)

    @property
    def observations(self) -> int:
        return sum(m.kind == "observation" for m in self.markers)


class Projection:
    """Longitude/latitude to SVG pixels: equirectangular, scaled by the latitude's cosine."""

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        self.lon_min, self.lat_min, lon_max, self.lat_max = bounds
        self.k = math.cos(math.radians((self.lat_min + self.lat_max) / 2))
        span_x = max((lon_max - self.lon_min) * self.k, 1e-6)
        span_y = max(self.lat_max - self.lat_min, 1e-6)
        self.scale = (WIDTH - 2 * MARGIN) / span_x
        self.height = round(span_y * self.scale + 2 * MARGIN)
        self.bounds = bounds

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = MARGIN + (lon - self.lon_min) * self.k * self.scale
        y = MARGIN + (self.lat_max - lat) * self.scale
        return round(x, 1), round(y, 1)

    def contains(self, lon: float, lat: float) -> bool:
        lon_min, lat_min, lon_max, lat_max = self.bounds
        return lon_min <= lon <= lon_max and lat_min <= lat <= lat_max


def level_of(figures: AreaFigures | None) -> str:
    """hot (the reports' hotspot rule), above or at/below the area's own average, or none."""
    if figures is None or (figures.last == 0 and figures.avg12 == 0):
        return "none"
    if figures.hotspot:
        return "hot"
    return "above" if figures.last > figures.avg12 else "normal"


def _rings(geometry: BaseGeometry) -> list[list[tuple[float, float]]]:
    polygons: list[Polygon] = []
    if isinstance(geometry, Polygon):
        polygons = [geometry]
    elif isinstance(geometry, MultiPolygon):
        polygons = list(geometry.geoms)
    rings = []
    for polygon in polygons:
        rings.append(list(polygon.exterior.coords))
        rings += [list(inner.coords) for inner in polygon.interiors]
    return rings


def svg_path(geometry: BaseGeometry, projection: Projection) -> str:
    """An SVG path for a (multi)polygon, holes included (drawn with fill-rule evenodd)."""
    parts = []
    for ring in _rings(geometry):
        points = [projection.xy(lon, lat) for lon, lat in ring]
        parts.append("M" + " L".join(f"{x} {y}" for x, y in points) + " Z")
    return " ".join(parts)


def _shapes(
    areas: list[Area], figures: dict[str, AreaFigures]
) -> tuple[list[Shape], Projection | None]:
    geometries = [(a, wkt.loads(a.polygon_wkt)) for a in areas if a.polygon_wkt]
    if not geometries:
        return [], None
    lon_min = min(g.bounds[0] for _, g in geometries)
    lat_min = min(g.bounds[1] for _, g in geometries)
    lon_max = max(g.bounds[2] for _, g in geometries)
    lat_max = max(g.bounds[3] for _, g in geometries)
    projection = Projection((lon_min, lat_min, lon_max, lat_max))
    # Larger areas first, so an area lying inside another (Farum Midtpunkt) is drawn on top.
    geometries.sort(key=lambda found: -float(found[1].area))
    shapes = []
    for i, (area, geometry) in enumerate(geometries):
        assert area.id is not None
        # The label goes where no smaller area covers this one.
        free = geometry
        for _, smaller in geometries[i + 1 :]:
            free = free.difference(smaller)
        anchor = (free if not free.is_empty else geometry).representative_point()
        x, y = projection.xy(anchor.x, anchor.y)
        found = figures.get(area.name)
        level = level_of(found)
        shapes.append(
            Shape(
                area_id=area.id,
                name=area.name,
                d=svg_path(geometry, projection),
                label_x=x,
                label_y=y,
                level=level,
                count=found.last if found else 0,
                average=found.avg12 if found else 0.0,
                fill=COLOURS[level],
            )
        )
    return shapes, projection


def _in_scope(areas: list[Area], scope: list[int] | None, lat: float, lon: float) -> bool:
    """Coordinators see every point; representatives those lying in their areas."""
    if scope is None:
        return True
    found = area_at(areas, lat, lon)
    return found is not None and found.id in scope


async def _tip_markers(
    session: AsyncSession,
    projection: Projection,
    actor: Actor,
    scope: list[int] | None,
    since: datetime,
    lang: str,
) -> list[Marker]:
    """This month's tips and every still open one, where they have a location."""
    recent = await tip_store.list_tips(session=session, area_ids=scope, since=since)
    still_open = await handling.open_tips(session=session, actor=actor)
    tips = {tip.id: tip for tip in [*recent, *still_open]}
    markers = []
    for tip in tips.values():
        if tip.latitude is None or tip.longitude is None:
            continue
        if not projection.contains(tip.longitude, tip.latitude):
            continue
        x, y = projection.xy(tip.longitude, tip.latitude)
        label = await category_label(session=session, key=tip.category, lang=lang)
        hint = t("dash.map.tip_hint", lang, reference=tip.reference, category=label)
        markers.append(
            Marker(x, y, "tip", hint, f"{BASE}/tips/{tip.id}", MARKER_COLOURS["tip"]),
        )
    return markers


async def _observation_markers(
    session: AsyncSession,
    projection: Projection,
    areas: list[Area],
    scope: list[int] | None,
    now: datetime,
    lang: str,
) -> list[Marker]:
    """Observations with a location from the walks of the last year."""
    markers = []
    for event in await events.upcoming_events(session=session, since=now - OBSERVATIONS_SINCE):
        if event.kind != WALK or event.starts_at > now or event.id is None:
            continue
        report = await walks.build_walk_report(session=session, event_id=event.id)
        for o in report.observations if report else []:
            if o.latitude is None or o.longitude is None:
                continue
            if not projection.contains(o.longitude, o.latitude):
                continue
            if not _in_scope(areas, scope, o.latitude, o.longitude):
                continue
            x, y = projection.xy(o.longitude, o.latitude)
            kind = t(f"walk.kind.{o.kind}", lang) if o.kind in walks.WALK_KINDS else o.kind
            hint = t("dash.map.observation_hint", lang, walk=event.title, kind=kind)
            markers.append(
                Marker(
                    x,
                    y,
                    "observation",
                    hint,
                    f"{BASE}/events/{event.id}/walk",
                    MARKER_COLOURS["observation"],
                )
            )
    return markers


async def build_map(
    *,
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    lang: str,
    now: datetime,
) -> MapView:
    """The actor's areas (coordinators: all) with this month's hotspot level, and the points in
    them."""
    area_ids = None if actor.coordinator else sorted(actor.areas)
    month = month_start(now.astimezone(settings.tz).date())
    report = await build_report(session=session, month=month, tz=settings.tz)
    figures = {a.name: a for a in report.areas}
    every_area = await area_store.list_areas(session=session)
    shown = [a for a in every_area if area_ids is None or a.id in area_ids]
    shapes, projection = _shapes(shown, figures)
    if projection is None:
        return MapView(WIDTH, 0, month, [], [])
    since = datetime(month.year, month.month, 1, tzinfo=settings.tz).astimezone(UTC)
    markers = await _tip_markers(session, projection, actor, area_ids, since, lang)
    markers += await _observation_markers(session, projection, every_area, area_ids, now, lang)
    return MapView(WIDTH, projection.height, month, shapes, markers)


def area_hint(shape: Shape, lang: str) -> str:
    return t(
        "dash.map.area_hint",
        lang,
        area=shape.name,
        count=number(shape.count, lang),
        average=number(shape.average, lang, decimals=1),
    )


def routes(db: Database, settings: Settings) -> list[Route]:
    """GET /map."""

    async def map_page(request: Request) -> Response:
        who = await viewer(request)
        async with db.session() as session:
            view = await build_map(
                session=session,
                settings=settings,
                actor=who.actor,
                lang=who.lang,
                now=datetime.now(UTC),
            )
        return render(
            request,
            who,
            "map.html",
            page="map",
            view=view,
            month_name=month_text(view.month, who.lang),
            levels=[(level, COLOURS[level]) for level in LEVELS],
            marker_colours=MARKER_COLOURS,
            hints={s.area_id: area_hint(s, who.lang) for s in view.shapes},
        )

    return [Route("/map", map_page)]
