"""Runs the dispatcher and the timed jobs in whichever process is the leader."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.broadcasts.prevention import weekly_tip_job
from bot.core.settings import Settings
from bot.events.reminders import fire_due_reminders
from bot.handlers.base import Transport
from bot.reports.monthly import monthly_report_job
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.leader import Leadership
from bot.scheduler.progress import ProgressReporter
from storage import outbox
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

# Followers retry the lock this often, so a dead leader is replaced within 10 s.
ELECTION_INTERVAL = 2.0


class SchedulerService:
    """Leader election loop; while leading: dispatcher, progress reports, sweeps, weekly tip."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        transports: Mapping[str, Transport],
        *,
        election_interval: float = ELECTION_INTERVAL,
        report_to_representatives: bool = False,
    ) -> None:
        self.db = db
        self.report_to_representatives = report_to_representatives
        self.settings = settings
        self.transports = transports
        self.election_interval = election_interval
        self.leadership = Leadership(db)
        self.dispatcher: Dispatcher | None = None
        self.reporter: ProgressReporter | None = None
        self.jobs: AsyncIOScheduler | None = None
        self._task: asyncio.Task[None] | None = None
        self.elected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._elect_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._step_down()
        await self.leadership.release()

    async def _elect_forever(self) -> None:
        while True:
            try:
                leading = await self.leadership.try_acquire()
                if leading and self.dispatcher is None:
                    await self._lead()
                elif not leading and self.dispatcher is not None:
                    await self._step_down()
            except Exception:
                log.exception("leader election failed; trying again")
            await asyncio.sleep(self.election_interval)

    async def _lead(self) -> None:
        self.dispatcher = Dispatcher(self.db, self.settings, self.transports)
        await self.dispatcher.start()
        self.reporter = ProgressReporter(self.dispatcher)
        self.jobs = AsyncIOScheduler(timezone=self.settings.tz)
        self.jobs.add_job(self.progress_job, "interval", seconds=1, max_instances=1, coalesce=True)
        self.jobs.add_job(self.sweep_job, "interval", seconds=30, max_instances=1, coalesce=True)
        self.jobs.add_job(self.weekly_tip, "interval", seconds=60, max_instances=1, coalesce=True)
        # Reminders are rows; this tick (first run at once: missed ones go out at start) fires them.
        self.jobs.add_job(
            self.reminders_job, "interval", seconds=15, max_instances=1, coalesce=True,
            next_run_time=datetime.now(self.settings.tz),
        )  # fmt: skip
        self.jobs.add_job(self.monthly_job, "interval", seconds=60, max_instances=1, coalesce=True)
        self.jobs.add_job(
            self.tip_retention_job, "interval", hours=1, max_instances=1, coalesce=True
        )
        self.jobs.start()
        self.elected.set()
        log.info("dispatching the outbox")

    async def _step_down(self) -> None:
        self.elected.clear()
        if self.jobs is not None:
            self.jobs.shutdown(wait=False)
            self.jobs = None
        if self.dispatcher is not None:
            await self.dispatcher.stop()
            self.dispatcher = None

    async def progress_job(self) -> None:
        if self.reporter is not None:
            await self.reporter.tick(utcnow())

    async def sweep_job(self) -> None:
        """Rows whose lease ran out (a stuck send) go back to the queue."""
        async with self.db.session() as session:
            await outbox.requeue_in_flight(session=session, now=utcnow(), all_leases=False)

    async def weekly_tip(self) -> None:
        if (
            await weekly_tip_job(self.db, self.settings.tz, utcnow()) is not None
            and self.dispatcher
        ):
            self.dispatcher.wake.set()

    async def reminders_job(self) -> None:
        if await fire_due_reminders(db=self.db, now=utcnow(), timezone=self.settings.timezone):
            if self.dispatcher:
                self.dispatcher.wake.set()

    async def monthly_job(self) -> None:
        """The monthly report; the job itself waits for 09:00 on the 1st and sends it once."""
        if await monthly_report_job(
            db=self.db,
            settings=self.settings,
            now=utcnow(),
            representatives=self.report_to_representatives,
        ):
            if self.dispatcher:
                self.dispatcher.wake.set()

    async def tip_retention_job(self) -> None:
        """Tips past TIP_RETENTION_DAYS are anonymised; hourly, and a second run finds nothing."""
        from bot.tips.retention import anonymise_expired_tips

        await anonymise_expired_tips(self.db, self.settings, utcnow())
