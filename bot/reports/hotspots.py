"""The monthly hotspot report: burglary CSV import, per-area baselines, a PNG chart and a short text."""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import burglaries, stats
from storage import events as event_store
from storage.areas import list_areas
from storage.burglaries import BurglaryRow
from storage.folding import fold
from storage.models import Area

# A hotspot: last month clearly above the area's own 12-month average - at least 50 % above it
# and at least 2 burglaries more (so 0 -> 1 or 1 -> 2 is not called a hotspot).
HOTSPOT_FACTOR = 1.5
HOTSPOT_MIN_EXCESS = 2


class BurglaryFileError(ValueError):
    """A file with bad rows: every problem with its line number; nothing is imported."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_day(raw: str) -> date | None:
    raw = raw.strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    for sep in ("-", ".", "/"):
        parts = raw.split(sep)
        if len(parts) == 3 and len(parts[2]) == 4:
            try:
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return None


def read_burglary_csv(text: str, areas: list[Area]) -> list[BurglaryRow]:
    """Columns date,area[,address,kind]; dates YYYY-MM-DD or DD-MM-YYYY; areas by name."""
    by_name = {fold(a.name): a.id for a in areas}
    rows, problems = [], []
    for line_no, record in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if line_no == 1 and cells[0].casefold() in ("date", "dato"):
            continue
        if len(cells) < 2:
            problems.append(f"line {line_no}: needs date,area")
            continue
        day = parse_day(cells[0])
        if day is None:
            problems.append(f"line {line_no}: {cells[0]!r} is not a date like 2026-11-03")
            continue
        area_id = by_name.get(fold(cells[1]))
        if area_id is None:
            problems.append(f"line {line_no}: unknown area {cells[1]!r}")
            continue
        address = cells[2] if len(cells) > 2 and cells[2] else None
        kind = cells[3] if len(cells) > 3 and cells[3] else None
        rows.append(BurglaryRow(day, area_id, address, kind))  # type: ignore[arg-type]
    if problems:
        raise BurglaryFileError(problems)
    return rows


def month_start(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def previous_month(now: datetime, tz: tzinfo) -> date:
    return month_start(now.astimezone(tz).date(), 1)


@dataclass
class AreaFigures:
    name: str
    last: int
    avg3: float
    avg12: float
    helpers: int
    new_helpers: int
    stopped_helpers: int

    @property
    def hotspot(self) -> bool:
        return (
            self.last >= self.avg12 * HOTSPOT_FACTOR
            and self.last - self.avg12 >= HOTSPOT_MIN_EXCESS
        )


@dataclass
class MonthlyReport:
    month: date
    areas: list[AreaFigures]
    tips_by_category: dict[str, int] = field(default_factory=dict)
    median_ack_hours: float | None = None
    meetings: list[tuple[str, int]] = field(default_factory=list)

    @property
    def hotspots(self) -> list[AreaFigures]:
        return [a for a in self.areas if a.hotspot]


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


async def build_report(*, session: AsyncSession, month: date, tz: tzinfo) -> MonthlyReport:
    """Everything the report shows for `month` (its first day)."""
    end = month_start(month, -1)
    last = await burglaries.counts_by_area(session=session, start=month, end=end)
    three = await burglaries.counts_by_area(session=session, start=month_start(month, 3), end=month)
    twelve = await burglaries.counts_by_area(
        session=session, start=month_start(month, 12), end=month
    )
    since, until = _local_midnight(month, tz), _local_midnight(end, tz)
    helpers = {c.area: c for c in await stats.helpers_per_area(session=session, since=since)}
    figures = []
    for area in await list_areas(session=session):
        h = helpers.get(area.name)
        figures.append(
            AreaFigures(
                name=area.name,
                last=last.get(area.id, 0),  # type: ignore[arg-type]
                avg3=three.get(area.id, 0) / 3,  # type: ignore[arg-type]
                avg12=twelve.get(area.id, 0) / 12,  # type: ignore[arg-type]
                helpers=h.active if h else 0,
                new_helpers=h.new if h else 0,
                stopped_helpers=h.stopped if h else 0,
            )
        )
    report = MonthlyReport(month=month, areas=figures)
    await _add_tips(session, report, since, until)
    report.meetings = [
        (event.title, yes)
        for event, yes in await event_store.attendance_between(
            session=session, start=since, end=until
        )
    ]
    return report


async def _add_tips(
    session: AsyncSession, report: MonthlyReport, since: datetime, until: datetime
) -> None:
    """Tips per category and median time to acknowledge, when the tips feature is installed."""
    try:
        from storage.tip_models import Tip
    except ImportError:  # pragma: no cover - tips are a separate feature
        return
    query = select(Tip.category, Tip.created_at, Tip.acknowledged_at).where(
        col(Tip.created_at) >= since, col(Tip.created_at) < until
    )
    waits = []
    for category, created, acknowledged in (await session.exec(query)).all():
        report.tips_by_category[category] = report.tips_by_category.get(category, 0) + 1
        if acknowledged is not None:
            waits.append((acknowledged - created) / timedelta(hours=1))
    report.median_ack_hours = statistics.median(waits) if waits else None


MONTH_NAMES = "januar februar marts april maj juni juli august september oktober november december"


def month_label(month: date) -> str:
    return f"{MONTH_NAMES.split()[month.month - 1]} {month.year}"


def report_text(report: MonthlyReport) -> str:
    """The short Danish text that goes with the chart."""
    lines = [f"Månedsrapport for {month_label(report.month)}", ""]
    total = sum(a.last for a in report.areas)
    lines.append(f"Indbrud i alt: {total}.")
    if report.hotspots:
        spots = ", ".join(f"{a.name} ({a.last} mod gns. {a.avg12:.1f})" for a in report.hotspots)
        lines.append(f"Hotspots: {spots}.")
    else:
        lines.append("Ingen hotspots.")
    lines.append(
        "Et område er hotspot, når månedens indbrud er mindst 50 % over områdets eget "
        "gennemsnit for de foregående 12 måneder og mindst 2 flere."
    )
    lines.append("")
    lines.append("Indbrud (måned / gns. 3 mdr. / gns. 12 mdr.) og nabohjælpere (ændring):")
    for a in report.areas:
        change = a.new_helpers - a.stopped_helpers
        lines.append(
            f"{a.name}: {a.last} / {a.avg3:.1f} / {a.avg12:.1f} - "
            f"{a.helpers} nabohjælpere ({change:+d})"
        )
    if report.tips_by_category:
        tips = ", ".join(f"{k}: {v}" for k, v in sorted(report.tips_by_category.items()))
        lines.append(f"\nTips pr. kategori: {tips}.")
    else:
        lines.append("\nIngen tips i måneden.")
    if report.median_ack_hours is not None:
        lines.append(f"Median tid til kvittering: {report.median_ack_hours:.1f} timer.")
    if report.meetings:
        held = ", ".join(f"{title} ({n} tilmeldte)" for title, n in report.meetings)
        lines.append(f"Møder afholdt: {held}.")
    else:
        lines.append("Ingen møder i måneden.")
    return "\n".join(lines)


def render_png(report: MonthlyReport) -> bytes:
    """A two-panel chart with Danish labels: burglaries vs baselines, and neighbour helpers."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    del plt  # the object-oriented API below keeps no global state between reports
    names = [a.name for a in report.areas]
    x = list(range(len(names)))
    figure = Figure(figsize=(10, 8), dpi=100)
    top, bottom = figure.subplots(2, 1)
    width = 0.27
    colours = ["#c0392b" if a.hotspot else "#2c7fb8" for a in report.areas]
    top.bar(
        [i - width for i in x],
        [a.last for a in report.areas],
        width,
        color=colours,
        label=f"{month_label(report.month)}",
    )
    top.bar(x, [a.avg3 for a in report.areas], width, color="#9ecae1", label="Gns. 3 mdr.")
    top.bar(
        [i + width for i in x],
        [a.avg12 for a in report.areas],
        width,
        color="#cccccc",
        label="Gns. 12 mdr.",
    )
    top.set_title(f"Indbrud pr. område - {month_label(report.month)} (rød = hotspot)")
    top.set_ylabel("Antal indbrud")
    top.set_xticks(x, names, rotation=20, ha="right")
    top.legend()
    bottom.bar(x, [a.helpers for a in report.areas], color="#31a354")
    for i, a in enumerate(report.areas):
        change = a.new_helpers - a.stopped_helpers
        bottom.annotate(f"{change:+d}", (i, a.helpers), ha="center", va="bottom")
    bottom.set_title("Nabohjælpere pr. område (ændring i måneden)")
    bottom.set_ylabel("Nabohjælpere")
    bottom.set_xticks(x, names, rotation=20, ha="right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
