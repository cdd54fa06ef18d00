"""Times typed the way people say them, in Danish and English, read relative to a fixed now."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.when import parse_when

CPH = ZoneInfo("Europe/Copenhagen")
# Monday 7 December 2026, 16:00 in Copenhagen.
NOW = datetime(2026, 12, 7, 16, 0, tzinfo=CPH).astimezone(UTC)

CASES = [
    # Danish
    ("10. december kl. 19", "2026-12-10 19:00"),
    ("10/12 19:00", "2026-12-10 19:00"),
    ("10-12-2026 19:00", "2026-12-10 19:00"),
    ("10.12.2026 kl 19", "2026-12-10 19:00"),
    ("10.12 19.30", "2026-12-10 19:30"),
    ("i morgen kl. 19", "2026-12-08 19:00"),
    ("i morgen 19", "2026-12-08 19:00"),
    ("torsdag 19:30", "2026-12-10 19:30"),
    ("på torsdag kl. 19", "2026-12-10 19:00"),
    ("Torsdag den 10. december kl. 19.00", "2026-12-10 19:00"),
    ("onsdag d. 9. december kl. 19", "2026-12-09 19:00"),
    ("i overmorgen kl 19", "2026-12-09 19:00"),
    ("i aften kl 19.30", "2026-12-07 19:30"),
    ("5. januar kl 19", "2027-01-05 19:00"),
    # A date without a year that has passed this year means next year.
    ("3. december kl. 19", "2027-12-03 19:00"),
    ("2026-12-13 19:00", "2026-12-13 19:00"),
    # English
    ("tomorrow 7pm", "2026-12-08 19:00"),
    ("tomorrow at 19:00", "2026-12-08 19:00"),
    ("10 Dec 19:00", "2026-12-10 19:00"),
    ("December 10 at 7pm", "2026-12-10 19:00"),
    ("10 December 2026 7:30 pm", "2026-12-10 19:30"),
    ("thursday 19:30", "2026-12-10 19:30"),
    ("next thursday 7pm", "2026-12-10 19:00"),
    ("tonight 8pm", "2026-12-07 20:00"),
    # Day before month, always: 1/2 is the first of February.
    ("1/2 18:00", "2027-02-01 18:00"),
]

REFUSED = [
    "blah",
    "i morgen",  # no clock time yet
    "10. december",
    "32/12 19:00",  # no such day
    "2026-12-03 19:00",  # the past
    "i dag kl 10",  # earlier today
    "i går kl 19",
    "yesterday 7pm",
    "",
]


@pytest.mark.parametrize(("typed", "meant"), CASES)
def test_reads_natural_times(typed: str, meant: str) -> None:
    parsed = parse_when(typed, now=NOW, tz=CPH)
    assert parsed is not None, typed
    assert parsed.tzinfo is UTC
    assert parsed.astimezone(CPH).strftime("%Y-%m-%d %H:%M") == meant


@pytest.mark.parametrize("typed", REFUSED)
def test_refuses_nonsense_and_the_past(typed: str) -> None:
    assert parse_when(typed, now=NOW, tz=CPH) is None


def test_a_wall_time_the_clock_skips_moves_on_by_the_gap() -> None:
    # 28 March 2027: Copenhagen skips 02:00-03:00.
    parsed = parse_when("28. marts 2027 kl. 2.30", now=NOW, tz=CPH)
    assert parsed is not None
    assert parsed.astimezone(CPH).strftime("%H:%M %Z") == "03:30 CEST"


def test_parsing_is_quick_once_loaded() -> None:
    parse_when("10. december kl. 19", now=NOW, tz=CPH)  # the first call loads the languages
    started = time.perf_counter()
    for typed, _ in CASES:
        parse_when(typed, now=NOW, tz=CPH)
    per_call = (time.perf_counter() - started) / len(CASES)
    assert per_call < 0.05, f"{per_call * 1000:.1f} ms per parse"
