"""Runs the dispatcher and the features' timed jobs in whichever process is the leader."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.feature import Job, JobContext, OutboxPresenter
from bot.core.metrics import LEADER
from bot.core.settings import Settings
from bot.handlers.base import Transport
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.leader import Leadership, LeaseTimes, Renewal, bounded
from bot.scheduler.progress import ProgressReporter
from storage import delivery
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

# Told True when this process becomes the leader and False when it stops leading (the app starts
# and stops Telegram long polling with it, so only one process ever polls).
LeadershipListener = Callable[[bool], Awaitable[None]]

# Followers try to take the lease this often: with its 6 s ttl a leader that stops renewing
# (killed, frozen, cut off) is replaced within 7 s.
ELECTION_INTERVAL = 1.0
SWEEP_EVERY = 10  # seconds between sweeps for rows an earlier leader left unrecorded


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
        on_change: LeadershipListener | None = None,
        times: LeaseTimes | None = None,
    ) -> None:
        self.on_change = on_change
        self.db = db
        self.report_to_representatives = report_to_representatives
        self.settings = settings
        self.transports = transports
        self.presenter = presenter
        self.feature_jobs = list(jobs)
        self.election_interval = election_interval
        self.leadership = Leadership(db, times, timeout=settings.db_timeout)
        self.times = self.leadership.times
        self.active = False  # leading and allowed to act on it (told the listener so)
        self.dispatcher: Dispatcher | None = None
        self.reporter: ProgressReporter | None = None
        self.jobs: AsyncIOScheduler | None = None
        self._task: asyncio.Task[None] | None = None
        self.elected = asyncio.Event()
        self._failing = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._elect_forever())

    async def stop(self) -> None:
        """SIGTERM: finish and record what is being sent, give the rest back, release the lease."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._step_down(give_back=True)
        await self.leadership.release()
        LEADER.set(0)

    async def _elect_forever(self) -> None:
        while True:
            delay = self.election_interval
            try:
                if not self.leadership.is_leader:
                    if self._failing:
                        # The database was away, for the leader too. A leader that lost it only
                        # for that while renews first and keeps its epoch, and with it the sends
                        # it could not record yet; taking over now would send those again.
                        await self.leadership.ping()
                        delay = self.times.renew_every + self.election_interval
                    elif await self.leadership.try_acquire():
                        await self._lead()
                else:
                    renewal = await self.leadership.renew()
                    if renewal is Renewal.LOST:
                        await self._step_down(give_back=False)
                    elif self.dispatcher is None:
                        await self._lead()  # starting failed last time: try again
                    delay = self.times.renew_every
                    if renewal is Renewal.UNKNOWN:
                        delay = min(delay, self.election_interval)
                self._failing = False
            except Exception as exc:
                if not self._failing:
                    log.warning(
                        "leader election failed (%s); trying again", exc or type(exc).__name__
                    )
                self._failing = True
            await self._follow_lease()
            await asyncio.sleep(delay)

    async def _follow_lease(self) -> None:
        """Act as leader only while the lease is surely ours: a leader that could not renew in
        time (database unreachable, process frozen) stops sending, polling and jobs by itself,
        and picks them up again if its next renewal finds nobody took over."""
        valid = self.dispatcher is not None and self.leadership.locally_valid()
        if valid == self.active:
            return
        self.active = valid
        LEADER.set(1 if valid else 0)
        if self.jobs is not None:
            (self.jobs.resume if valid else self.jobs.pause)()
        if valid:
            self.elected.set()
            log.info("dispatching the outbox (epoch %d)", self.leadership.epoch)
        else:
            self.elected.clear()
            if self.dispatcher is None:
                log.info("stopped dispatching the outbox")
            else:
                log.warning("the leader lease could not be renewed in time; not sending meanwhile")
        await self._tell(valid)

    async def _lead(self) -> None:
        dispatcher = Dispatcher(
            self.db, self.settings, self.transports, self.presenter, fence=self.leadership
        )
        await dispatcher.start()
        self.dispatcher = dispatcher
        self.reporter = ProgressReporter(dispatcher)
        self.jobs = AsyncIOScheduler(timezone=self.settings.tz)
        self.jobs.add_job(self.progress_job, "interval", seconds=1, max_instances=1, coalesce=True)
        self.jobs.add_job(
            self.sweep_job, "interval", seconds=SWEEP_EVERY, max_instances=1, coalesce=True
        )
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
        await self._follow_lease()

    async def _tell(self, leading: bool) -> None:
        if self.on_change is None:
            return
        try:
            await self.on_change(leading)
        except Exception:
            log.exception("leadership listener failed (leading=%s)", leading)

    async def _step_down(self, *, give_back: bool) -> None:
        if self.jobs is not None:
            self.jobs.shutdown(wait=False)
            self.jobs = None
        dispatcher, self.dispatcher, self.reporter = self.dispatcher, None, None
        if dispatcher is not None:
            await dispatcher.stop(give_back=give_back)
        await self._follow_lease()

    async def progress_job(self) -> None:
        if self.reporter is not None and self.leadership.locally_valid():
            await bounded(self.reporter.tick(utcnow()), self.settings.db_timeout * 2)

    async def sweep_job(self) -> None:
        """Rows claimed under an earlier epoch (a claim that raced a takeover) or whose lease ran
        out (a stuck send) go back to the queue."""
        if not self.leadership.locally_valid():
            return

        async def sweep() -> None:
            async with self.db.session() as session:
                back = await delivery.requeue_stale(
                    session=session, epoch=self.leadership.epoch, now=utcnow()
                )
            if back:
                log.warning(
                    "%d deliveries left in flight by an earlier leader are queued again", back
                )

        await bounded(sweep(), self.settings.db_timeout)

    async def run_job(self, job: Job) -> None:
        """One run of a feature's job; what it queued is sent at once."""
        if not self.leadership.locally_valid():
            return
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
