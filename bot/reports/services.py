"""Reports as data: burglary import, per-area baselines and hotspots, the monthly report's figures."""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.walks.services import followup_counts
from storage import burglaries
from storage import reports as report_store
from storage.areas import list_areas
from storage.burglaries import BurglaryRow
from storage.folding import fold
from storage.models import Area
from storage.walks import Tally

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
    """YYYY-MM-DD, or DD-MM-YYYY with -, . or / between; None when it is no date."""
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
    by_name = {fold(a.name): a.id for a in areas if a.id is not None}
    rows: list[BurglaryRow] = []
    problems: list[str] = []
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
        rows.append(BurglaryRow(day, area_id, address, kind))
    if problems:
        raise BurglaryFileError(problems)
    return rows


async def import_burglaries(*, session: AsyncSession, text: str) -> int:
    """Store every row of a burglary CSV, or none (BurglaryFileError); return how many."""
    rows = read_burglary_csv(text, await list_areas(session=session))
    return await burglaries.add_burglaries(session=session, rows=rows)


async def add_burglary(
    *, session: AsyncSession, day: date, area_id: int, address: str | None, kind: str | None
) -> BurglaryRow:
    """Store one burglary."""
    row = BurglaryRow(day, area_id, address, kind)
    await burglaries.add_burglaries(session=session, rows=[row])
    return row


def month_start(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def previous_month(now: datetime, tz: tzinfo) -> date:
    """The first day of the month before `now`'s month in local time."""
    return month_start(now.astimezone(tz).date(), 1)


@dataclass
class AreaFigures:
    """One area's burglaries (the month and its baselines) and neighbour helpers."""

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

    @property
    def helper_change(self) -> int:
        return self.new_helpers - self.stopped_helpers


@dataclass
class MonthlyReport:
    """Everything the monthly report shows for one month (its first day)."""

    month: date
    areas: list[AreaFigures]
    tips_by_category: dict[str, int] = field(default_factory=dict)
    median_ack_hours: float | None = None
    # (title, how many said yes) per meeting held in the month
    meetings: list[tuple[str, int]] = field(default_factory=list)
    walk_followup: Tally | None = None  # safety-walk observations (the walks feature's counts)

    @property
    def hotspots(self) -> list[AreaFigures]:
        return [a for a in self.areas if a.hotspot]

    @property
    def total(self) -> int:
        return sum(a.last for a in self.areas)


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
    helpers = await report_store.helpers_between(session=session, start=since, end=until)
    figures = []
    for area in await list_areas(session=session):
        assert area.id is not None
        h = helpers.get(area.id)
        figures.append(
            AreaFigures(
                name=area.name,
                last=last.get(area.id, 0),
                avg3=three.get(area.id, 0) / 3,
                avg12=twelve.get(area.id, 0) / 12,
                helpers=h.at_end if h else 0,
                new_helpers=h.joined if h else 0,
                stopped_helpers=h.stopped if h else 0,
            )
        )
    tips = await report_store.tips_between(session=session, start=since, end=until)
    waits = [wait / timedelta(hours=1) for wait in tips.waits]
    return MonthlyReport(
        month=month,
        areas=figures,
        tips_by_category=tips.by_category,
        median_ack_hours=statistics.median(waits) if waits else None,
        meetings=await report_store.meetings_held(session=session, start=since, end=until),
        walk_followup=await followup_counts(session=session, start=since, end=until, tz=tz),
    )
