"""Runs the dispatcher and the features' timed jobs in whichever process is the leader."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.feature import Job, JobContext, OutboxPresenter
from bot.core.settings import Settings
from bot.handlers.base import Transport
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
    """Leader election loop; while leading: dispatcher, progress reports, sweeps, feature jobs."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        transports: Mapping[str, Transport],
        presenter: OutboxPresenter,
        jobs: Sequence[Job] = (),
        *,
        election_interval: float = ELECTION_INTERVAL,
        report_to_representatives: bool = False,
    ) -> None:
        self.db = db
        self.report_to_representatives = report_to_representatives
        self.settings = settings
        self.transports = transports
        self.presenter = presenter
        self.feature_jobs = list(jobs)
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
        self.dispatcher = Dispatcher(self.db, self.settings, self.transports, self.presenter)
        await self.dispatcher.start()
        self.reporter = ProgressReporter(self.dispatcher)
        self.jobs = AsyncIOScheduler(timezone=self.settings.tz)
        self.jobs.add_job(self.progress_job, "interval", seconds=1, max_instances=1, coalesce=True)
        self.jobs.add_job(self.sweep_job, "interval", seconds=30, max_instances=1, coalesce=True)
        for job in self.feature_jobs:
            self.jobs.add_job(
                self.run_job,
                "interval",
                args=[job],
                id=job.name,
                seconds=job.every.total_seconds(),
                max_instances=1,
                coalesce=True,
                **({"next_run_time": datetime.now(self.settings.tz)} if job.at_start else {}),
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

    async def run_job(self, job: Job) -> None:
        """One run of a feature's job; what it queued is sent at once."""
        context = JobContext(
            db=self.db,
            settings=self.settings,
            now=utcnow(),
            report_to_representatives=self.report_to_representatives,
        )
        try:
            queued = await job.run(context)
        except Exception:
            log.exception("job %s failed; it runs again at its next interval", job.name)
            return
        if queued and self.dispatcher is not None:
            self.dispatcher.wake.set()
