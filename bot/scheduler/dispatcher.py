"""The outbox dispatcher: claims due deliveries and sends them within each channel's limits."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiolimiter import AsyncLimiter

from bot.core.feature import OutboxPresenter
from bot.core.quiet import in_quiet_hours, parse_quiet_hours
from bot.core.settings import Settings
from bot.handlers.base import Outcome, SendResult, Transport
from storage import broadcasts, outbox
from storage.broadcast_models import Broadcast
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

# Aim a little under the provider's limit: arrival jitter must not push a 1 s window over it.
RATE_HEADROOM = 0.99
MAX_ATTEMPTS = 6
BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
LEASE = timedelta(minutes=5)
PER_ADDRESS_INTERVAL = {"telegram": 1.0}  # Telegram: about one message per second per chat
FINAL = {
    Outcome.BLOCKED: outbox.BLOCKED,
    Outcome.STOPPED: outbox.STOPPED,
    Outcome.INVALID: outbox.INVALID,
    Outcome.FAILED: outbox.FAILED,
}


def backoff(attempts: int) -> float:
    """Exponential backoff with full jitter, capped."""
    growth: float = 2 ** (attempts - 1)  # an int power is Any to mypy (negative exponents)
    return random.uniform(0.5, 1.0) * min(BACKOFF_CAP, BACKOFF_BASE * growth)


@dataclass
class Pump:
    """One channel: its transport, overall limiter, per-address spacing and pause on 429."""

    transport: Transport
    rate: float
    queue: asyncio.Queue[outbox.Claimed] = field(default_factory=asyncio.Queue)
    paused_until: float = 0.0
    in_flight: int = 0
    next_for_address: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Capacity one: sends are spaced evenly instead of bursting a whole second's worth.
        self.limiter = AsyncLimiter(1, 1.0 / (self.rate * RATE_HEADROOM))
        self.interval = PER_ADDRESS_INTERVAL.get(self.transport.channel, 0.0)
        self.window = max(1, int(self.rate))
        self.slots: deque[asyncio.Future[float]] = deque()

    async def window_slot(self) -> asyncio.Future[float]:
        """Start send i only a second after send i-N finished (N = the per-second limit).

        The provider counts arrivals; an arrival lies between our start and our answer, so
        this keeps every one-second window at N even when network jitter bunches requests.
        """
        slot: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.slots.append(slot)
        if len(self.slots) > self.window:
            ended = await self.slots.popleft()
            delay = ended + 1.0 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        return slot

    @property
    def batch(self) -> int:
        return max(10, int(self.rate * 2))

    @property
    def workers(self) -> int:
        return max(4, int(self.rate) + 4)

    async def wait_pause(self) -> None:
        """Wait while the provider asked this channel to slow down (it may ask again meanwhile)."""
        delay = self.paused_until - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
            await self.wait_pause()

    async def wait_turn(self, urn: str) -> None:
        """Wait out a channel pause, this address's spacing and the channel's rate."""
        await self.wait_pause()
        if self.interval:
            now = time.monotonic()
            ready = self.next_for_address.get(urn, 0.0)
            self.next_for_address[urn] = max(now, ready) + self.interval
            if ready > now:
                await asyncio.sleep(ready - now)
            if len(self.next_for_address) > 50_000:
                self.next_for_address = {u: t for u, t in self.next_for_address.items() if t > now}
        await self.limiter.acquire()
        await self.wait_pause()


class Dispatcher:
    """Sends the outbox while this process is the leader; all state that matters is in the DB."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        transports: Mapping[str, Transport],
        presenter: OutboxPresenter,
        *,
        clock: Callable[[], datetime] = utcnow,
        tick: float = 0.2,
    ) -> None:
        self.db = db
        self.settings = settings
        self.presenter = presenter
        self.clock = clock
        self.tick = tick
        rates = {"telegram": settings.telegram_max_rate, "sms": settings.sms_max_rate}
        self.pumps = {
            channel: Pump(transport, rates.get(channel, 1.0))
            for channel, transport in transports.items()
        }
        self.quiet = parse_quiet_hours(settings.quiet_hours)
        self._broadcasts: dict[int, tuple[Broadcast, list[str] | None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.wake = asyncio.Event()
        self.sent = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Take over: rows a previous leader left in flight go back to the queue, then run."""
        async with self.db.session() as session:
            back = await outbox.requeue_in_flight(
                session=session, now=self.clock(), all_leases=True
            )
        if back:
            log.warning(
                "resuming %d deliveries that were in flight when the last leader stopped", back
            )
        for pump in self.pumps.values():
            for _ in range(pump.workers):
                self._tasks.append(asyncio.create_task(self._worker(pump)))
        self._tasks.append(asyncio.create_task(self._claim_loop()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        # Claimed but never handed to a transport: give them back right away.
        leftover = []
        for pump in self.pumps.values():
            while not pump.queue.empty():
                leftover.append(pump.queue.get_nowait())
        if leftover:
            now = self.clock()
            async with self.db.session() as session:
                for item in leftover:
                    await outbox.mark_retry(
                        session=session, delivery_id=item.id, due_at=now, error="", now=now
                    )

    # ------------------------------------------------------------------ claiming

    def is_quiet(self, now: datetime) -> bool:
        return in_quiet_hours(now.astimezone(self.settings.tz), self.quiet)

    async def claim(self, now: datetime) -> int:
        """Top up each channel's queue with due deliveries (urgent first); return how many."""
        total = 0
        quiet = self.is_quiet(now)
        for channel, pump in self.pumps.items():
            room = pump.batch - pump.queue.qsize() - pump.in_flight
            if room < pump.batch // 2 or pump.paused_until > time.monotonic():
                continue
            async with self.db.session() as session:
                claimed = await outbox.claim_due(
                    session=session, channel=channel, now=now, limit=room, lease=LEASE, quiet=quiet
                )
            for item in claimed:
                pump.queue.put_nowait(item)
            total += len(claimed)
        return total

    async def _claim_loop(self) -> None:
        while True:
            try:
                await self.claim(self.clock())
            except Exception:
                log.exception("claiming due deliveries failed; trying again")
            try:
                await asyncio.wait_for(self.wake.wait(), self.tick)
            except TimeoutError:
                pass
            self.wake.clear()

    # ------------------------------------------------------------------ sending

    async def _content(self, broadcast_id: int) -> tuple[Broadcast, list[str] | None]:
        cached = self._broadcasts.get(broadcast_id)
        if cached is None:
            async with self.db.session() as session:
                row = await broadcasts.get_broadcast(session=session, broadcast_id=broadcast_id)
                assert row is not None
                names = await broadcasts.area_names(session=session, area_ids=row.area_ids)
            cached = self._broadcasts[broadcast_id] = (row, names)
            if len(self._broadcasts) > 1000:
                self._broadcasts.pop(next(iter(self._broadcasts)))
        return cached

    async def _worker(self, pump: Pump) -> None:
        while True:
            item = await pump.queue.get()
            pump.in_flight += 1
            try:
                await self.deliver(pump, item)
            except Exception:
                # The row keeps its lease; the sweep gives it back once the lease runs out.
                log.exception("delivering %s failed unexpectedly", item.id)
            finally:
                pump.in_flight -= 1

    async def deliver(self, pump: Pump, item: outbox.Claimed) -> SendResult | None:
        """Send one claimed delivery and record what happened."""
        if item.skip:
            async with self.db.session() as session:
                await outbox.mark_final(
                    session=session,
                    delivery_id=item.id,
                    status=outbox.SKIPPED,
                    error="address no longer active",
                    now=self.clock(),
                    urn=item.urn,
                )
            return None
        row, names = await self._content(item.broadcast_id)
        reply = self.presenter.render(row.kind, row.text, item.lang, names, row.buttons)
        if row.attachment is not None:
            reply.attachment = (row.attachment_name or "attachment", row.attachment)
        await pump.wait_turn(item.urn)
        slot = await pump.window_slot()
        try:
            result = await pump.transport.send(item.urn, reply)
        except Exception as exc:  # a transport bug must not lose the row
            log.exception("transport %s raised", pump.transport.channel)
            result = SendResult(Outcome.RETRY, detail=f"{type(exc).__name__}: {exc}")
        finally:
            slot.set_result(time.monotonic())
        await self.record(pump, item, result)
        return result

    async def record(self, pump: Pump, item: outbox.Claimed, result: SendResult) -> None:
        now = self.clock()
        async with self.db.session() as session:
            if result.outcome is Outcome.SENT:
                self.sent += 1
                await outbox.mark_sent(
                    session=session, delivery_id=item.id, provider_id=result.provider_id, now=now
                )
            elif result.outcome is Outcome.RETRY:
                if result.retry_after is not None:
                    # The provider says slow down: hold the whole channel, not just this row.
                    pump.paused_until = max(
                        pump.paused_until, time.monotonic() + result.retry_after
                    )
                if item.attempts >= MAX_ATTEMPTS:
                    await outbox.mark_final(
                        session=session,
                        delivery_id=item.id,
                        status=outbox.FAILED,
                        error=f"gave up after {item.attempts} attempts: {result.detail}",
                        now=now,
                        urn=item.urn,
                    )
                else:
                    wait = (
                        result.retry_after
                        if result.retry_after is not None
                        else backoff(item.attempts)
                    )
                    await outbox.mark_retry(
                        session=session,
                        delivery_id=item.id,
                        due_at=now + timedelta(seconds=wait),
                        error=result.detail or "retry",
                        now=now,
                    )
            else:
                await outbox.mark_final(
                    session=session,
                    delivery_id=item.id,
                    status=FINAL[result.outcome],
                    error=result.detail or result.outcome.value,
                    now=now,
                    urn=item.urn,
                )

    async def drain(self, now: datetime | None = None) -> int:
        """Tests: claim and send everything due now, one pass, without background tasks."""
        now = now or self.clock()
        quiet = self.is_quiet(now)
        count = 0
        for channel, pump in self.pumps.items():
            while True:
                async with self.db.session() as session:
                    claimed = await outbox.claim_due(
                        session=session,
                        channel=channel,
                        now=now,
                        limit=100,
                        lease=LEASE,
                        quiet=quiet,
                    )
                if not claimed:
                    break
                await asyncio.gather(*(self.deliver(pump, item) for item in claimed))
                count += len(claimed)
        return count
