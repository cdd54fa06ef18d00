"""Dates and times the way people type them ("10. december kl. 19", "tomorrow 7pm") as UTC moments."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

# Imported here, not at the first call: loading it takes a noticeable moment, once per process.
# It publishes no type stubs.
import dateparser  # type: ignore[import-untyped]

LANGUAGES = ["da", "en"]
# A clock time must be there: "i morgen" alone is not yet a time for a meeting.
_HAS_CLOCK = re.compile(r"\d{1,2}:\d{2}|\d\s*(?:am|pm)\b")
# "kl. 19", "kl 19.30", "klokken 7" -> "19:00", "19:30", "7:00" (dateparser reads "kl. 19" as a year).
_KL = re.compile(r"\b(?:kl\.?|klokken)\s*(\d{1,2})(?:[.:](\d{2}))?\b")
# A Danish numeric date at the start, "10.12" or "10.12.2026", written day/month for dateparser.
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4}))?(?=\s|$)")
# "19.30" at the end is a time.
_DOTTED_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})$")
# A bare hour at the end after a day ("i morgen 19", "10. december 19", "torsdag 19").
_BARE_HOUR = re.compile(r"^(.*\D)\s(\d{1,2})$")
_DAY_WORDS = re.compile(
    r"\d|\b(?:i dag|i morgen|today|tomorrow|mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
# A numeric day and month ("10/12", "10-12-2026"); dateparser would read "32/12" as 2032.
_NUMERIC_DATE = re.compile(r"(?<![\d:/-])(\d{1,2})[/-](\d{1,2})(?:[/-]\d{2,4})?(?![\d:])")
# Words that carry no date ("på torsdag", "d. 10.", "næste torsdag": the coming one anyway).
_FILLER = re.compile(r"(?:(?<=\s)|^)(?:på|den|d\.|næste|kommende|next|on|the)(?=\s)")


def _normalised(text: str, now_local: datetime) -> str:
    """The text rewritten into forms dateparser reads reliably, in the person's own words."""
    cleaned = " ".join(text.casefold().replace(",", " ").split())
    relative = {
        "i overmorgen": now_local + timedelta(days=2),
        "overmorgen": now_local + timedelta(days=2),
        "i aften": now_local,
        "tonight": now_local,
    }
    for words, day in relative.items():
        cleaned = cleaned.replace(words, day.strftime("%d/%m/%Y"))
    cleaned = _FILLER.sub("", cleaned)
    cleaned = _KL.sub(lambda m: f"{m.group(1)}:{m.group(2) or '00'}", cleaned)
    cleaned = _DOTTED_DATE.sub(
        lambda m: "/".join(g for g in m.groups() if g is not None), cleaned.strip()
    )
    cleaned = _DOTTED_TIME.sub(r"\1:\2", cleaned)
    bare = _BARE_HOUR.match(cleaned)
    if bare and not _HAS_CLOCK.search(cleaned) and _DAY_WORDS.search(bare.group(1)):
        if int(bare.group(2)) <= 23:
            cleaned = f"{bare.group(1)} {bare.group(2)}:00"
    return " ".join(cleaned.split())


def parse_when(text: str, *, now: datetime, tz: tzinfo) -> datetime | None:
    """The future moment `text` names, as aware UTC; None for nonsense, no clock time, or the past.

    Day before month ("10/12" is 10 December), relative to `now` in `tz`; a date without a year
    that has passed this year means next year. A wall time the clock change skips moves on by
    the gap, one it repeats means the first (summer-time) occurrence.
    """
    now_local = now.astimezone(tz)
    cleaned = _normalised(text, now_local)
    if not cleaned or not _HAS_CLOCK.search(cleaned):
        return None
    settings: Any = {
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RELATIVE_BASE": now_local.replace(tzinfo=None),
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    naive = dateparser.parse(cleaned, languages=LANGUAGES, settings=settings)
    if naive is None:
        return None
    numeric = _NUMERIC_DATE.search(cleaned)
    if numeric and (naive.day, naive.month) != (int(numeric.group(1)), int(numeric.group(2))):
        return None
    moment = naive.replace(second=0, microsecond=0, tzinfo=tz, fold=0).astimezone(UTC)
    return moment if moment > now else None
