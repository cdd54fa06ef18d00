"""The outbox dispatcher: claims due deliveries and sends them within each channel's limits.

Delivery is fenced: rows are claimed under the leader's epoch, results are written in batches
(bot/scheduler/ledger.py) only onto rows still claimed under it, and before every send the
dispatcher checks it may still send: the lease is surely its own, the database took a write in
the last 2 s, and no more than 2 s worth of results wait to be recorded. So a process that lost
the lead or the database stops within that window, and what it sent but could not record is all
a new leader can send twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.feature import OutboxPresenter
from bot.core.metrics import SENDS
from bot.core.quiet import in_quiet_hours, parse_quiet_hours
from bot.core.settings import Settings
from bot.handlers.base import Outcome, SendResult, Transport
from bot.scheduler.leader import Fence, Unfenced, bounded, local_clock
from bot.scheduler.ledger import Ledger
from bot.scheduler.pump import MAX_ATTEMPTS, Pump, backoff
from storage import broadcasts, delivery, outbox
from storage.broadcast_models import Broadcast
from storage.db import Database
from storage.delivery import Claimed, Mark
from storage.models import utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")

LEASE = timedelta(minutes=5)  # a row whose send hangs this long goes back to the queue
FINAL = {
    Outcome.BLOCKED: outbox.BLOCKED,
    Outcome.STOPPED: outbox.STOPPED,
    Outcome.INVALID: outbox.INVALID,
    Outcome.FAILED: outbox.FAILED,
}
FENCED_POLL = 0.05  # how often a worker held back by the fence looks again
# A channel whose last claim found less than it had room for is asked again after this long
# (sooner when this process queued something): most ticks then cost no query at all, while a row
# another process queued still starts within half a second.
IDLE_CLAIM = 0.5
STOP_GRACE = 5.0  # stopping waits this long for sends already handed to a transport


class Dispatcher:
    """Sends the outbox while this process is the leader; all state that matters is in the DB."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        transports: Mapping[str, Transport],
        presenter: OutboxPresenter,
        *,
        fence: Fence | None = None,
        clock: Callable[[], datetime] = utcnow,
        tick: float = 0.2,
    ) -> None:
        self.db = db
        self.settings = settings
        self.presenter = presenter
        self.clock = clock
        self.tick = tick
        self.fence = fence or Unfenced()
        self.epoch = self.fence.epoch
        self.timeout = settings.db_timeout
        self.ledger = Ledger(db, self.fence, clock=clock, timeout=self.timeout)
        rates = {"telegram": settings.telegram_max_rate, "sms": settings.sms_max_rate}
        self.pumps = {
            channel: Pump(transport, rates.get(channel, 1.0))
            for channel, transport in transports.items()
        }
        self.quiet = parse_quiet_hours(settings.quiet_hours)
        self._broadcasts: dict[int, tuple[Broadcast, list[str] | None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._claiming: asyncio.Task[None] | None = None
        self.wake = asyncio.Event()
        self.sent = 0
        self.stopping = False
        self._orphans = False  # a claim timed out: it may still have committed rows we never saw

    async def _in_session(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """One transaction, bounded by the database timeout."""

        async def run() -> T:
            async with self.db.session() as session:
                return await work(session)

        return await bounded(run(), self.timeout)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Take over: rows a previous leader left unrecorded go back to the queue, then run."""
        now = self.clock()
        back = await self._in_session(
            lambda s: delivery.requeue_stale(session=s, epoch=self.epoch, now=now)
        )
        if back:
            log.warning("resuming %d deliveries the last leader did not record", back)
        for pump in self.pumps.values():
            for _ in range(pump.workers):
                self._tasks.append(asyncio.create_task(self._worker(pump)))
        self._tasks.append(asyncio.create_task(self.ledger.run()))
        self._claiming = asyncio.create_task(self._claim_loop())

    async def stop(self, *, give_back: bool = True) -> None:
        """Stop sending. `give_back` (SIGTERM, a clean stop): let sends already handed to a
        transport finish, record them and put every other claimed row back in the queue at once.
        Without it (another process leads now) drop everything: the new leader has the rows."""
        self.stopping = True
        if self._claiming is not None:
            self._claiming.cancel()
            await asyncio.gather(self._claiming, return_exceptions=True)
        if give_back:
            deadline = time.monotonic() + STOP_GRACE
            # Sends end on the transports' own time; a short poll is all stopping needs.
            while any(p.sending for p in self.pumps.values()) and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(FENCED_POLL)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        recorded = await self.ledger.flush()
        if not give_back:
            return
        keep = self.ledger.unflushed()
        now = self.clock()
        try:
            back = await self._in_session(
                lambda s: delivery.requeue_mine(session=s, epoch=self.epoch, now=now, keep=keep)
            )
        except Exception as exc:
            log.warning(
                "could not give back the claimed deliveries (%s); the next leader does", exc
            )
            return
        if back:
            log.info("gave %d claimed deliveries back to the queue", back)
        if not recorded:
            log.warning(
                "%d sent deliveries could not be recorded; the next leader resends them", len(keep)
            )

    # ------------------------------------------------------------------ claiming

    def is_quiet(self, now: datetime) -> bool:
        return in_quiet_hours(now.astimezone(self.settings.tz), self.quiet)

    def may_send(self, pump: Pump) -> bool:
        """Still leading, the database reachable, and the unrecorded sends within the window."""
        return (
            not self.stopping
            and self.fence.may_send()
            and pump.sending + self.ledger.waiting[pump.channel] < pump.unrecorded_limit
        )

    async def _claim(self, channel: str, now: datetime, limit: int, quiet: bool) -> list[Claimed]:
        """Lease up to `limit` rows for this epoch (none once the lease names someone else)."""

        async def work(session: AsyncSession) -> list[Claimed]:
            if not await self.fence.holds(session):
                self.fence.lose()
                return []
            if self._orphans:
                await delivery.requeue_mine(
                    session=session, epoch=self.epoch, now=now, keep=self.ledger.held
                )
            return await delivery.claim_due(
                session=session,
                channel=channel,
                now=now,
                limit=limit,
                lease=LEASE,
                epoch=self.epoch,
                quiet=quiet,
            )

        started = local_clock()
        try:
            claimed = await self._in_session(work)
        except Exception:
            self._orphans = True
            raise
        self._orphans = False
        self.fence.wrote(started)
        self.ledger.claimed(item.id for item in claimed)
        return claimed

    async def claim(self, now: datetime, *, woken: bool = True) -> int:
        """Top up each channel's queue with due deliveries (urgent first); return how many.

        Unless `woken` (something was queued here), a channel found drained is skipped until
        IDLE_CLAIM has passed."""
        total = 0
        quiet = self.is_quiet(now)
        for channel, pump in self.pumps.items():
            room = pump.batch - pump.queue.qsize() - pump.in_flight
            if room < pump.batch // 2 or pump.paused_until > time.monotonic():
                continue
            if not woken and pump.drained_until > time.monotonic():
                continue
            if self.stopping or not self.fence.may_send():
                break
            claimed = await self._claim(channel, now, room, quiet)
            pump.drained_until = time.monotonic() + IDLE_CLAIM if len(claimed) < room else 0.0
            for item in claimed:
                pump.queue.put_nowait(item)
                total += 1
        return total

    async def _claim_loop(self) -> None:
        woken = True
        while True:
            try:
                await self.claim(self.clock(), woken=woken)
            except Exception as exc:
                log.warning("claiming due deliveries failed (%s); trying again", exc)
            try:
                await asyncio.wait_for(self.wake.wait(), self.tick)
                woken = True
            except TimeoutError:
                woken = False
            self.wake.clear()

    # ------------------------------------------------------------------ sending

    async def _content(self, broadcast_id: int) -> tuple[Broadcast, list[str] | None]:
        cached = self._broadcasts.get(broadcast_id)
        if cached is None:

            async def load(session: AsyncSession) -> tuple[Broadcast, list[str] | None]:
                row = await broadcasts.get_broadcast(session=session, broadcast_id=broadcast_id)
                assert row is not None
                return row, await broadcasts.area_names(session=session, area_ids=row.area_ids)

            cached = self._broadcasts[broadcast_id] = await self._in_session(load)
            if len(self._broadcasts) > 1000:
                self._broadcasts.pop(next(iter(self._broadcasts)))
        return cached

    async def _worker(self, pump: Pump) -> None:
        while True:
            item = await pump.queue.get()
            pump.in_flight += 1
            try:
                await self.deliver(pump, item)
            except Exception as exc:
                log.exception("delivering %s failed unexpectedly", item.id)
                self._retry_later(pump, item, f"{type(exc).__name__}: {exc}")
            finally:
                pump.in_flight -= 1

    def _retry_later(self, pump: Pump, item: Claimed, error: str) -> None:
        due = self.clock() + timedelta(seconds=backoff(item.attempts))
        self.ledger.add(
            Mark(item.id, outbox.QUEUED, item.urn, error=error, due_at=due), pump.channel
        )

    async def _allowed(self, pump: Pump) -> None:
        """Wait while this process may not send (lead lapsed, database unreachable, too much
        unrecorded); a stop cancels the wait and the row goes back to the queue."""
        # Polled, not an Event: the condition turns on the clock too (the lease's local expiry).
        while not self.may_send(pump):  # noqa: ASYNC110
            await asyncio.sleep(FENCED_POLL)

    async def deliver(self, pump: Pump, item: Claimed) -> SendResult | None:
        """Send one claimed delivery; what happened is recorded with the next batch."""
        if item.skip:
            mark = Mark(item.id, outbox.SKIPPED, item.urn, error="address no longer active")
            self.ledger.add(mark, pump.channel)
            return None
        row, names = await self._content(item.broadcast_id)
        reply = self.presenter.render(row.kind, row.text, item.lang, names, row.buttons)
        if row.attachment is not None:
            reply.attachment = (row.attachment_name or "attachment", row.attachment)
        await self._allowed(pump)
        await pump.wait_turn(item.urn)
        slot = await pump.window_slot()
        try:
            # Waiting for our turn took time: the lead may have lapsed meanwhile.
            await self._allowed(pump)
            pump.sending += 1
            try:
                result = await pump.transport.send(item.urn, reply)
            except Exception as exc:  # a transport bug must not lose the row
                log.exception("transport %s raised", pump.channel)
                result = SendResult(Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}")
            self.note(pump, item, result)
            pump.sending -= 1
        finally:
            slot.set_result(time.monotonic())
        return result

    def note(self, pump: Pump, item: Claimed, result: SendResult) -> None:
        """Turn a transport's answer into the mark the next batch writes."""
        SENDS.labels(pump.channel, result.outcome.value).inc()
        if result.outcome is Outcome.SENT:
            self.sent += 1
            mark = Mark(item.id, outbox.SENT, item.urn, provider_id=result.provider_id)
        elif result.outcome is Outcome.RETRY:
            if result.retry_after is not None:
                # The provider says slow down: hold the whole channel, not just this row.
                pump.paused_until = max(pump.paused_until, time.monotonic() + result.retry_after)
            if item.attempts >= MAX_ATTEMPTS:
                error = f"gave up after {item.attempts} attempts: {result.detail}"
                mark = Mark(item.id, outbox.FAILED, item.urn, error=error[:300])
            else:
                wait = (
                    result.retry_after if result.retry_after is not None else backoff(item.attempts)
                )
                due = self.clock() + timedelta(seconds=wait)
                error = (result.detail or "retry")[:300]
                mark = Mark(item.id, outbox.QUEUED, item.urn, error=error, due_at=due)
        else:
            error = (result.detail or result.outcome.value)[:300]
            mark = Mark(item.id, FINAL[result.outcome], item.urn, error=error)
        self.ledger.add(mark, pump.channel)

    async def drain(self, now: datetime | None = None) -> int:
        """Tests: claim and send everything due now, one pass, without background tasks."""
        now = now or self.clock()
        quiet = self.is_quiet(now)
        self.stopping = False  # a drain after stop() sends again
        count = 0
        for channel, pump in self.pumps.items():
            while claimed := await self._claim(channel, now, 100, quiet):
                await asyncio.gather(*(self.deliver(pump, item) for item in claimed))
                await self.ledger.flush()
                count += len(claimed)
        return count
