"""The safety-walk protocol's content, shared by the HTML page and the PDF.

Observations by kind, numbered as sent, each with its photos, place, owner, deadline and
status; a summary of the outcomes; and a schematic map of the positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import bot.walks.followup_texts
import bot.walks.texts  # noqa: F401  (registers this feature's texts)
from bot.core.i18n import date_text, t
from bot.core.settings import Settings
from bot.walks.followup import FIXED, OPEN, OWNERS, SETTLED, WONT_FIX, is_overdue
from bot.walks.services import WalkReport
from storage.event_models import Observation

MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 360, 200, 20


@dataclass(frozen=True)
class Dot:
    """One observation on the schematic map: where it is drawn and its number in the list."""

    x: float
    y: float
    number: int


@dataclass(frozen=True)
class Item:
    """One observation in the protocol: what, where, the photos, and its follow-up."""

    number: int
    note: str
    latitude: float | None
    longitude: float | None
    photo_paths: list[str]
    place: str
    owner: str
    due: str
    status: str
    resolution: str
    overdue: bool
    settled: bool


@dataclass(frozen=True)
class Group:
    heading: str
    items: list[Item]
    follow_up: str


def protocol_groups(report: WalkReport, settings: Settings, lang: str) -> list[Group]:
    """The observations by kind, numbered as sent, each with owner, deadline and status."""
    today = datetime.now(settings.tz).date()
    unset = t("walk.unset", lang)

    def item(o: Observation) -> Item:
        overdue = is_overdue(o, today)
        status = t(f"walk.status.{o.status}", lang)
        return Item(
            number=report.number(o),
            note=o.note,
            latitude=o.latitude,
            longitude=o.longitude,
            photo_paths=report.photos(o),
            place=o.place,
            owner=t(f"walk.owner.{o.owner}", lang) if o.owner in OWNERS else unset,
            due=date_text(o.due_on, lang) if o.due_on else unset,
            status=f"{status} ({t('walk.overdue', lang)})" if overdue else status,
            resolution=o.resolution_note,
            overdue=overdue,
            settled=o.status in SETTLED,
        )

    return [
        Group(
            heading=t(f"walk.kind.{kind}", lang),
            items=[item(o) for o in found],
            follow_up=t(f"walk.follow_up.{kind}", lang),
        )
        for kind, found in report.by_kind.items()
    ]


def summary(report: WalkReport, settings: Settings, lang: str) -> str:
    """ "2 åbne (1 over fristen), 1 udbedret, 0 udbedres ikke" for the walk's observations."""
    today = datetime.now(settings.tz).date()
    rows = report.observations
    return t(
        "walk.report.summary",
        lang,
        open=sum(o.status == OPEN for o in rows),
        overdue=sum(is_overdue(o, today) for o in rows),
        fixed=sum(o.status == FIXED for o in rows),
        wont_fix=sum(o.status == WONT_FIX for o in rows),
    )


def map_dots(observations: list[Observation]) -> list[Dot]:
    """The observations with a position as numbered dots within their bounding box."""
    placed = [
        (n, o.longitude, o.latitude)
        for n, o in enumerate(observations, start=1)
        if o.latitude is not None and o.longitude is not None
    ]
    if not placed:
        return []
    xs, ys = [p[1] for p in placed], [p[2] for p in placed]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)

    def across(value: float, low: float, span: float, size: int) -> float:
        # All at one spot (often a single observation): the middle, not a corner.
        return MAP_MARGIN + ((value - low) / span * size if span else size / 2)

    return [
        Dot(
            across(lon, min(xs), span_x, MAP_WIDTH),
            MAP_MARGIN + MAP_HEIGHT - across(lat, min(ys), span_y, MAP_HEIGHT) + MAP_MARGIN,
            number,
        )
        for number, lon, lat in placed
    ]


def areas_text(report: WalkReport, lang: str) -> str:
    return ", ".join(report.areas) or t("walk.report.all_areas", lang)
