"""The safety-walk protocol for the association as a printable HTML page (Jinja2); the PDF twin
is bot.walks.pdf (both draw bot.walks.protocol)."""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.core.i18n import t
from bot.core.settings import Settings
from bot.events.wording import when_text
from bot.walks.pdf import render_pdf
from bot.walks.protocol import (
    MAP_HEIGHT,
    MAP_MARGIN,
    MAP_WIDTH,
    areas_text,
    map_dots,
    protocol_groups,
    summary,
)
from bot.walks.services import WalkReport

__all__ = ["MAP_HEIGHT", "MAP_MARGIN", "MAP_WIDTH", "map_dots", "render_html", "render_pdf"]

TEMPLATES = Environment(
    loader=PackageLoader("bot.walks", "templates"),
    autoescape=select_autoescape(),
    trim_blocks=True,
    lstrip_blocks=True,
)


def data_uri(path: str) -> str:
    """A photo embedded in the page, so the page stands alone."""
    content = Path(path).read_bytes()
    kind = "png" if content.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(content).decode()}"


def render_html(report: WalkReport, settings: Settings, lang: str = "da") -> str:
    """The protocol as one printable, self-contained page in the coordinator's language."""

    def text(key: str, **values: object) -> str:
        return t(key, lang, **values)

    return TEMPLATES.get_template("walk_report.html").render(
        lang=lang,
        text=text,
        embed=data_uri,
        report=report,
        event=report.event,
        when=when_text(report.event.starts_at, settings.tz, lang),
        areas=areas_text(report, lang),
        dots=map_dots(report.observations),
        groups=protocol_groups(report, settings, lang),
        summary=summary(report, settings, lang),
    )
