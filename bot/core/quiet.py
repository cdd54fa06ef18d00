"""Quiet hours ("21:00-08:00"): when non-urgent messages wait for morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta


def parse_quiet_hours(value: str) -> tuple[time, time]:
    """Parse "HH:MM-HH:MM" into (start, end); the window may cross midnight."""
    try:
        start_raw, end_raw = value.split("-")
        return time.fromisoformat(start_raw.strip()), time.fromisoformat(end_raw.strip())
    except ValueError:
        raise ValueError("must look like 21:00-08:00") from None


def has_quiet_hours(value: str) -> bool:
    """False for an empty window ("00:00-00:00"): nothing is ever held back."""
    start, end = parse_quiet_hours(value)
    return start != end


def in_quiet_hours(local: datetime, window: tuple[time, time]) -> bool:
    start, end = window
    now = local.time()
    if start <= end:
        return start <= now < end
    return now >= start or now < end


def next_allowed(local: datetime, window: tuple[time, time]) -> datetime:
    """The first local moment at or after `local` outside quiet hours."""
    if not in_quiet_hours(local, window):
        return local
    end = window[1]
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate
