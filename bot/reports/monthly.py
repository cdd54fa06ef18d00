"""The monthly hotspot report job: 09:00 local on the 1st, to coordinators, exactly once per month."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlmodel import select

from bot.core.messages import Button
from bot.core.settings import Settings
from bot.reports.hotspots import build_report, previous_month, render_png, report_text
from storage import outbox, roles
from storage.broadcast_models import Broadcast
from storage.db import Database

log = logging.getLogger(__name__)

SEND_HOUR = 9
# A report missed while the bot was down still goes out during the first days of the month.
CATCH_UP_DAYS = 3


async def report_recipients(
    *, db: Database, settings: Settings, representatives: bool
) -> list[str]:
    async with db.session() as session:
        wanted = [roles.COORDINATOR] + ([roles.REPRESENTATIVE] if representatives else [])
        granted = [r.urn for r in await roles.list_roles(session=session) if r.role in wanted]
    return list(dict.fromkeys([*settings.coordinator_urns, *granted]))


async def monthly_report_job(
    *, db: Database, settings: Settings, now: datetime, representatives: bool = False
) -> int:
    """Queue last month's report if it is time and it was not queued yet; return recipients."""
    local = now.astimezone(settings.tz)
    if local.day > CATCH_UP_DAYS or (local.day == 1 and local.hour < SEND_HOUR):
        return 0
    month = previous_month(now, settings.tz)
    urns = await report_recipients(db=db, settings=settings, representatives=representatives)
    if not urns:
        return 0
    key = f"monthly-report:{month:%Y-%m}"
    async with db.session() as session:
        done = select(Broadcast.id).where(Broadcast.dedupe_key == key)
        if (await session.exec(done)).first() is not None:
            return 0
        report = await build_report(session=session, month=month, tz=settings.tz)
        # matplotlib is slow and synchronous: render off the event loop.
        chart = await asyncio.to_thread(render_png, report)
        queued = await outbox.enqueue_direct(
            session=session,
            urns=urns,
            text=report_text(report),
            kind="report",
            buttons=[[Button("Vis grafen (PNG)", f"report:png:{month:%Y-%m}")]],
            created_by="system",
            dedupe_key=key,
            now=now,
            attachment=(f"rapport-{month:%Y-%m}.png", chart),
        )
    log.info("monthly report for %s queued for %d", f"{month:%Y-%m}", queued.total)
    return queued.total
