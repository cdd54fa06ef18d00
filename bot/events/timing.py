"""Event times: local wall times to UTC, reminder offsets, and when each reminder falls due."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo

from bot.core.quiet import in_quiet_hours, next_allowed

DEFAULT_REMINDERS = "7d,1d,2h"
# Reminders this far ahead ask those who have not answered; closer ones remind those coming.
UNANSWERED_FROM_MINUTES = 2 * 24 * 60
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M")
OFFSET = re.compile(r"^(\d+)\s*([dhm])$")
UNITS = {"d": 24 * 60, "h": 60, "m": 1}


class EventError(ValueError):
    """Input that cannot make an event; the message is shown to the coordinator."""


def localize(naive: datetime, tz: tzinfo) -> datetime:
    """Local wall time to an aware UTC moment.

    A time that does not exist (spring forward, 02:30 in Copenhagen) moves forward by the gap,
    to 03:30; a time that happens twice (fall back) means the first, summer-time occurrence.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC)


def parse_local(text: str, tz: tzinfo) -> datetime:
    """'2026-12-03 19:00' in TIMEZONE as an aware UTC datetime."""
    cleaned = " ".join(text.strip().replace("kl.", " ").replace("kl", " ").split())
    for fmt in TIME_FORMATS:
        try:
            return localize(datetime.strptime(cleaned, fmt), tz)
        except ValueError:
            continue
    raise EventError(f"{text!r} is not a time like 2026-12-03 19:00")


def parse_offsets(text: str) -> list[int]:
    """'7d,1d,2h,30m' -> minutes, largest first; '' or 'none' -> no reminders."""
    if text.strip().casefold() in ("", "none", "ingen"):
        return []
    minutes = []
    for part in text.split(","):
        match = OFFSET.match(part.strip().casefold())
        if not match or int(match.group(1)) == 0:
            raise EventError(f"reminder {part.strip()!r} must look like 7d, 2h or 30m")
        minutes.append(int(match.group(1)) * UNITS[match.group(2)])
    return sorted(set(minutes), reverse=True)


def format_offset(minutes: int) -> str:
    for unit, size in UNITS.items():
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"  # pragma: no cover


def reminder_due(
    starts_at: datetime, offset_minutes: int, tz: tzinfo, quiet: tuple[time, time] | None
) -> datetime:
    """When a reminder fires: whole days on the local calendar (same wall time even across a
    daylight-saving change), hours and minutes as elapsed time; in quiet hours it waits for the
    morning unless the morning is after the start."""
    if offset_minutes % (24 * 60) == 0:
        local = starts_at.astimezone(tz).replace(tzinfo=None)
        due = localize(local - timedelta(minutes=offset_minutes), tz)
    else:
        due = starts_at - timedelta(minutes=offset_minutes)
    if quiet is not None:
        local_due = due.astimezone(tz)
        if in_quiet_hours(local_due, quiet):
            morning = next_allowed(local_due, quiet).astimezone(UTC)
            if morning < starts_at:
                due = morning
    return due.astimezone(UTC).replace(second=0, microsecond=0)


def audience_for(offset_minutes: int) -> str:
    return "unanswered" if offset_minutes >= UNANSWERED_FROM_MINUTES else "attending"
