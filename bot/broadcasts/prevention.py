"""Prevention tips: the library, and the weekly one, rotating, Monday 18:00 local time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import outbox, prevention_tips
from storage.broadcast_models import Broadcast, PreventionTip
from storage.db import Database

WEEKDAY = 0  # Monday
AT = time(18, 0)


async def list_prevention_tips(*, session: AsyncSession) -> list[PreventionTip]:
    """The library in the order the weekly prevention tip rotates through it."""
    return await prevention_tips.list_prevention_tips(session=session)


async def add_prevention_tip(*, session: AsyncSession, text: str, theme: str = "") -> PreventionTip:
    """Add a prevention tip to the library; an empty text is refused with ValueError."""
    if not text.strip():
        raise ValueError("the prevention tip is empty")
    return await prevention_tips.add_prevention_tip(session=session, text=text, theme=theme)


async def remove_prevention_tip(*, session: AsyncSession, prevention_tip_id: int) -> bool:
    """Remove one from the library; False when there is no such prevention tip."""
    return await prevention_tips.remove_prevention_tip(
        session=session, prevention_tip_id=prevention_tip_id
    )


def week_send_time(now: datetime, tz: ZoneInfo) -> datetime:
    """This local week's sending moment (Monday 18:00 in `tz`)."""
    local = now.astimezone(tz)
    monday = (local - timedelta(days=local.weekday() - WEEKDAY)).date()
    return datetime.combine(monday, AT, tzinfo=tz)


async def weekly_prevention_tip_job(db: Database, tz: ZoneInfo, now: datetime) -> Broadcast | None:
    """Queue this week's prevention tip once it is due; safe to call every minute from any leader."""
    if now < week_send_time(now, tz):
        return None
    year, week, _ = now.astimezone(tz).isocalendar()
    key = f"{prevention_tips.WEEKLY_PREVENTION_PREFIX}{year}-W{week:02d}"
    async with db.session() as session:
        library = await prevention_tips.list_prevention_tips(session=session)
        if not library:
            return None
        position = await prevention_tips.weekly_prevention_tips_sent(session=session)
        prevention_tip = library[position % len(library)]
        # Quiet hours still apply: the dispatcher holds prevention tips until the morning.
        return await outbox.enqueue_broadcast(
            session=session,
            kind="tip",
            topic="weekly_tip",
            text=prevention_tip.text,
            created_by="scheduler",
            priority=outbox.LOW,
            dedupe_key=key,
            now=now,
        )
