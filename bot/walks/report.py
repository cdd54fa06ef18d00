"""The safety-walk report for the association: a printable HTML page (Jinja2) or a plain PDF."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

import bot.walks.texts  # noqa: F401  (registers this feature's texts)
from bot.core.i18n import t
from bot.core.settings import Settings
from bot.events.wording import when_text
from bot.walks.services import WalkReport
from storage.event_models import Observation

TEMPLATES = Environment(
    loader=PackageLoader("bot.walks", "templates"),
    autoescape=select_autoescape(),
    trim_blocks=True,
    lstrip_blocks=True,
)
MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 360, 200, 20


@dataclass(frozen=True)
class Dot:
    """One observation on the schematic map: where it is drawn and its number in the list."""

    x: float
    y: float
    number: int


@dataclass(frozen=True)
class Item:
    number: int
    note: str
    latitude: float | None
    longitude: float | None
    photo: str | None  # base64 JPEG, embedded so the page stands alone


@dataclass(frozen=True)
class Group:
    heading: str
    items: list[Item]
    follow_up: str


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
    span_x, span_y = (max(xs) - min(xs)) or 0.001, (max(ys) - min(ys)) or 0.001
    return [
        Dot(
            MAP_MARGIN + (lon - min(xs)) / span_x * MAP_WIDTH,
            MAP_MARGIN + (max(ys) - lat) / span_y * MAP_HEIGHT,
            number,
        )
        for number, lon, lat in placed
    ]


def _photo(path: str | None) -> str | None:
    if not path or not Path(path).is_file():
        return None
    return base64.b64encode(Path(path).read_bytes()).decode()


def _areas(report: WalkReport, lang: str) -> str:
    return ", ".join(report.areas) or t("walk.report.all_areas", lang)


def render_html(report: WalkReport, settings: Settings, lang: str = "da") -> str:
    """One printable, self-contained page (photos embedded) in the coordinator's language."""
    numbers = {id(o): n for n, o in enumerate(report.observations, start=1)}
    groups = [
        Group(
            heading=t(f"walk.kind.{kind}", lang),
            items=[
                Item(numbers[id(o)], o.note, o.latitude, o.longitude, _photo(o.photo_path))
                for o in found
            ],
            follow_up=t(f"walk.follow_up.{kind}", lang),
        )
        for kind, found in report.by_kind.items()
    ]

    def text(key: str, **values: object) -> str:
        return t(key, lang, **values)

    return TEMPLATES.get_template("walk_report.html").render(
        lang=lang,
        text=text,
        report=report,
        event=report.event,
        when=when_text(report.event.starts_at, settings.tz, lang),
        areas=_areas(report, lang),
        dots=map_dots(report.observations),
        groups=groups,
    )


def render_pdf(report: WalkReport, settings: Settings, lang: str = "da") -> bytes:
    """The same content as a plain PDF, drawn with matplotlib (no extra PDF library needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    e = report.event

    def label(key: str) -> str:
        return t(f"walk.report.{key}", lang)

    lines = [
        t("walk.report.heading", lang, title=e.title),
        f"{label('date')}: {when_text(e.starts_at, settings.tz, lang)}",
        f"{label('place')}: {e.place}   {label('area')}: {_areas(report, lang)}",
        f"{label('participants')}: {report.participants}   "
        f"{label('observations')}: {len(report.observations)}",
        "",
    ]
    for kind, found in report.by_kind.items():
        lines.append(f"{t(f'walk.kind.{kind}', lang)} ({len(found)})")
        for o in found:
            where = ""
            if o.latitude is not None and o.longitude is not None:
                where = f" [{o.latitude:.5f}, {o.longitude:.5f}]"
            lines.append(f"  - {o.note[:90]}{where}")
        lines.append(f"  {label('follow_up_short')}: {t(f'walk.follow_up.{kind}', lang)}")
        lines.append("")
    figure = Figure(figsize=(8.27, 11.69))
    figure.text(0.06, 0.96, "\n".join(lines[:60]), va="top", family="DejaVu Sans", fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    return buffer.getvalue()
