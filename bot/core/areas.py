"""Finding areas by name, postcode or location, and Furesø's preloaded local areas."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from shapely import wkt
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Button
from storage.areas import add_area, list_areas
from storage.folding import fold_variants
from storage.models import Area

POSTCODE = re.compile(r"^\d{4}$")


def _box(lon_min: float, lat_min: float, lon_max: float, lat_max: float) -> str:
    return str(box(lon_min, lat_min, lon_max, lat_max).wkt)


# Simple rectangles around each local area (WGS84 lon/lat). Farum Midtpunkt lies inside Farum:
# the smallest containing polygon wins, so it needs no hole cut out of Farum.
FURESO_AREAS: list[tuple[str, str, str]] = [
    ("Farum", "3520", _box(12.33, 55.80, 12.39, 55.84)),
    ("Farum Midtpunkt", "3520", _box(12.365, 55.805, 12.380, 55.815)),
    ("Stavnsholt", "3520", _box(12.39, 55.80, 12.43, 55.83)),
    ("Søndersø", "3500", _box(12.37, 55.785, 12.40, 55.80)),
    ("Værløse", "3500", _box(12.355, 55.765, 12.40, 55.785)),
    ("Flyvestation Værløse", "3500", _box(12.31, 55.765, 12.355, 55.79)),
    ("Hareskov", "3500", _box(12.38, 55.745, 12.42, 55.765)),
    ("Jonstrup", "3500", _box(12.33, 55.74, 12.38, 55.765)),
]


@lru_cache(maxsize=512)
def _shape(polygon_wkt: str) -> BaseGeometry:
    return wkt.loads(polygon_wkt)


def toggle_rows(
    areas: list[Area], selected: list[int], data: Callable[[Area], str]
) -> list[list[Button]]:
    """One button per area, ticked when selected: the picker every area choice shares."""
    return [[Button(("✅ " if a.id in selected else "") + a.name, data(a))] for a in areas]


def area_at(areas: list[Area], latitude: float, longitude: float) -> Area | None:
    """The smallest area whose polygon contains the point, if any."""
    point = Point(longitude, latitude)
    containing = [
        (_shape(a.polygon_wkt), a)
        for a in areas
        if a.polygon_wkt and _shape(a.polygon_wkt).covers(point)
    ]
    smallest = min(containing, key=lambda found: float(found[0].area), default=None)
    return smallest[1] if smallest is not None else None


def match_areas(areas: list[Area], query: str) -> list[Area]:
    """Areas a typed postcode or name refers to: one on an exact match, candidates otherwise."""
    query = query.strip()
    if POSTCODE.match(query):
        return [a for a in areas if a.postcode == query]
    wanted = fold_variants(query)
    if not any(wanted):
        return []
    exact = [a for a in areas if wanted & fold_variants(a.name)]
    if exact:
        return exact
    return [
        a
        for a in areas
        if any(
            word.startswith(q)
            for q in wanted
            if q
            for name in fold_variants(a.name)
            for word in [name, *name.split()]
        )
    ]


async def seed_fureso_if_empty(session: AsyncSession) -> int:
    """Preload Furesø's local areas into an empty area table; return how many were added."""
    if await list_areas(session=session):
        return 0
    for name, postcode, polygon in FURESO_AREAS:
        await add_area(session=session, name=name, postcode=postcode, polygon_wkt=polygon)
    return len(FURESO_AREAS)
