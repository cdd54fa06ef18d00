"""The weekly prevention tip: one per week from the library, rotating, Monday 18:00 local time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage import outbox, tip_library
from storage.broadcast_models import Broadcast
from storage.db import Database

WEEKDAY = 0  # Monday
AT = time(18, 0)


def week_send_time(now: datetime, tz: ZoneInfo) -> datetime:
    """This local week's sending moment (Monday 18:00 in `tz`)."""
    local = now.astimezone(tz)
    monday = (local - timedelta(days=local.weekday() - WEEKDAY)).date()
    return datetime.combine(monday, AT, tzinfo=tz)


async def weekly_tip_job(db: Database, tz: ZoneInfo, now: datetime) -> Broadcast | None:
    """Queue this week's tip once it is due; safe to call every minute from any leader."""
    if now < week_send_time(now, tz):
        return None
    year, week, _ = now.astimezone(tz).isocalendar()
    key = f"{tip_library.WEEKLY_PREFIX}{year}-W{week:02d}"
    async with db.session() as session:
        tips = await tip_library.list_tips(session=session)
        if not tips:
            return None
        position = await tip_library.weekly_tips_sent(session=session)
        tip = tips[position % len(tips)]
        # Quiet hours still apply: the dispatcher holds tips until the morning.
        return await outbox.enqueue_broadcast(
            session=session,
            kind="tip",
            topic="weekly_tip",
            text=tip.text,
            created_by="scheduler",
            priority=outbox.LOW,
            dedupe_key=key,
            now=now,
        )
