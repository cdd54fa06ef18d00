"""The safety-walk protocol as a PDF (fpdf2, pure Python): the HTML page's content, photos and map.

Photos are embedded as thumbnails (re-encoded, so a phone's 4 MB picture does not make the
file huge); the map is the same schematic of numbered positions the HTML page draws. The font is
DejaVu Sans from matplotlib's own data (a dependency already), so Danish letters and dashes
print on any machine.
"""

from __future__ import annotations

import io
import logging
from importlib.util import find_spec
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image, UnidentifiedImageError

from bot.core.i18n import t
from bot.core.settings import Settings
from bot.events.wording import when_text
from bot.walks.protocol import (
    MAP_HEIGHT,
    MAP_MARGIN,
    MAP_WIDTH,
    Group,
    Item,
    areas_text,
    map_dots,
    protocol_groups,
    summary,
)
from bot.walks.services import WalkReport

log = logging.getLogger(__name__)

MM_PER_PX = 0.3  # the map's pixels (as in the HTML) to millimetres on the page
THUMB_W, THUMB_H = 55.0, 42.0  # the largest a photo is drawn, in millimetres
THUMB_PIXELS = 900
FONT = "DejaVu"


def _font_files() -> tuple[Path, Path] | None:
    spec = find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    return (regular, bold) if regular.is_file() and bold.is_file() else None


class _Protocol(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=15)
        fonts = _font_files()
        if fonts is not None:
            self.add_font(FONT, "", str(fonts[0]))
            self.add_font(FONT, "B", str(fonts[1]))
            self.family = FONT
        else:  # pragma: no cover - matplotlib always ships its fonts
            self.family = "helvetica"

    def use(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def text_of(self, value: str) -> str:
        if self.family == FONT:
            return value
        return value.encode("latin-1", "replace").decode("latin-1")  # pragma: no cover

    def para(self, value: str, size: float = 10, bold: bool = False) -> None:
        self.use(size, bold)
        self.multi_cell(
            0, size * 0.5, self.text_of(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def room_for(self, height: float) -> None:
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()


def _thumbnail(path: str) -> tuple[io.BytesIO, float, float] | None:
    """A JPEG thumbnail and its size on the page (mm); None when the file is no picture."""
    try:
        with Image.open(path) as image:
            picture = image.convert("RGB")
    except (OSError, UnidentifiedImageError):
        log.warning("a walk photo could not be read for the PDF")
        return None
    picture.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=80)
    out.seek(0)
    width, height = picture.size
    scale = min(THUMB_W / width, THUMB_H / height)
    return out, width * scale, height * scale


def _map(pdf: _Protocol, report: WalkReport, lang: str) -> None:
    dots = map_dots(report.observations)
    if not dots:
        return
    width = (MAP_WIDTH + 2 * MAP_MARGIN) * MM_PER_PX
    height = (MAP_HEIGHT + 2 * MAP_MARGIN) * MM_PER_PX
    pdf.room_for(height + 12)
    pdf.ln(2)
    pdf.para(t("walk.report.map", lang), 13, bold=True)
    left, top = pdf.l_margin, pdf.get_y() + 1
    pdf.set_fill_color(244, 244, 238)
    pdf.set_draw_color(150, 150, 150)
    pdf.rect(left, top, width, height, style="DF")
    pdf.use(8, bold=True)
    for dot in dots:
        x, y = left + dot.x * MM_PER_PX, top + dot.y * MM_PER_PX
        pdf.set_fill_color(192, 57, 43)
        pdf.circle(x, y, 2.1, style="F")
        pdf.text(x + 2.8, y + 1.2, str(dot.number))
    pdf.set_y(top + height + 4)


def _photos(pdf: _Protocol, item: Item) -> None:
    thumbs = [thumb for path in item.photo_paths if (thumb := _thumbnail(path)) is not None]
    x = pdf.l_margin
    row_height = 0.0
    for content, w, h in thumbs:
        if x + w > pdf.w - pdf.r_margin:
            pdf.set_y(pdf.get_y() + row_height + 2)
            x, row_height = pdf.l_margin, 0.0
        if pdf.get_y() + h > pdf.h - pdf.b_margin:
            pdf.add_page()
            x, row_height = pdf.l_margin, 0.0
        pdf.image(content, x=x, y=pdf.get_y(), w=w, h=h)
        x += w + 3
        row_height = max(row_height, h)
    if thumbs:
        pdf.set_y(pdf.get_y() + row_height + 2)


def _item(pdf: _Protocol, item: Item, lang: str) -> None:
    pdf.room_for(30)
    pdf.para(f"{item.number}. {item.note or '-'}", 11, bold=True)
    lines = []
    if item.place:
        lines.append(f"{t('walk.report.place', lang)}: {item.place}")
    if item.latitude is not None and item.longitude is not None:
        lines.append(
            f"{t('walk.report.position', lang)}: {item.latitude:.5f}, {item.longitude:.5f}"
        )
    lines.append(f"{t('walk.report.owner', lang)}: {item.owner}")
    lines.append(f"{t('walk.report.due', lang)}: {item.due}")
    lines.append(f"{t('walk.report.status', lang)}: {item.status}")
    if item.resolution:
        lines.append(f"{t('walk.report.resolution', lang)}: {item.resolution}")
    if item.overdue:
        pdf.set_text_color(176, 58, 46)
    pdf.para("\n".join(lines), 9.5)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)
    _photos(pdf, item)
    pdf.ln(2)


def _group(pdf: _Protocol, group: Group, lang: str) -> None:
    pdf.room_for(40)
    pdf.ln(2)
    pdf.para(f"{group.heading} ({len(group.items)})", 13, bold=True)
    pdf.ln(1)
    for item in group.items:
        _item(pdf, item, lang)
    pdf.set_text_color(80, 80, 80)
    pdf.para(f"{t('walk.report.follow_up', lang)}: {group.follow_up}", 9.5)
    pdf.set_text_color(0, 0, 0)


def render_pdf(report: WalkReport, settings: Settings, lang: str = "da") -> bytes:
    """The protocol as an A4 PDF in the coordinator's language: header, map, observations by kind."""
    e = report.event
    pdf = _Protocol()
    pdf.set_title(t("walk.report.title", lang, title=e.title))
    pdf.add_page()
    pdf.para(t("walk.report.heading", lang, title=e.title), 16, bold=True)
    pdf.ln(2)
    count = str(len(report.observations))
    if report.observations:
        count += f" ({summary(report, settings, lang)})"
    for key, value in (
        ("date", when_text(e.starts_at, settings.tz, lang)),
        ("place", e.place),
        ("area", areas_text(report, lang)),
        ("participants", str(report.participants)),
        ("observations", count),
    ):
        pdf.para(f"{t(f'walk.report.{key}', lang)}: {value}", 10)
    _map(pdf, report, lang)
    for group in protocol_groups(report, settings, lang):
        _group(pdf, group, lang)
    if not report.observations:
        pdf.ln(4)
        pdf.para(t("walk.report.none", lang), 10)
    return bytes(pdf.output())
