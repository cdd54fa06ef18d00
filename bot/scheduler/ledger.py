"""The dispatcher's unrecorded results: written in batches, under the leader's epoch, kept until
the database takes them."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime

from bot.scheduler.leader import Fence, bounded, local_clock
from storage import delivery
from storage.db import Database, is_unavailable
from storage.delivery import Mark

log = logging.getLogger(__name__)

# A batch goes to the database this often, or sooner once this many results wait: one
# transaction per outcome group instead of one per message.
FLUSH_EVERY = 0.2
FLUSH_AT = 50


class Ledger:
    """Which claimed rows this dispatcher holds, and what became of those it sent."""

    def __init__(
        self,
        db: Database,
        fence: Fence,
        *,
        clock: Callable[[], datetime],
        timeout: float,
        every: float = FLUSH_EVERY,
        at: int = FLUSH_AT,
    ) -> None:
        self.db = db
        self.fence = fence
        self.epoch = fence.epoch  # this dispatcher's for its whole life
        self.clock = clock
        self.timeout = timeout
        self.every = every
        self.at = at
        self.held: set[int] = set()  # claimed and not yet recorded
        self.marks: list[tuple[Mark, str]] = []
        self.waiting: Counter[str] = Counter()  # unrecorded marks per channel
        self.due = asyncio.Event()
        self._lock = asyncio.Lock()
        self._failing = False

    def claimed(self, ids: Iterable[int]) -> None:
        self.held.update(ids)

    def add(self, mark: Mark, channel: str) -> None:
        self.marks.append((mark, channel))
        self.waiting[channel] += 1
        if len(self.marks) >= self.at:
            self.due.set()

    async def flush(self) -> bool:
        """Write every waiting mark; False (and they keep waiting) when the database failed."""
        async with self._lock:
            if not self.marks:
                return True
            batch, self.marks = self.marks, []
            started = local_clock()
            try:
                touched, still = await bounded(self._write([m for m, _ in batch]), self.timeout)
            except BaseException as exc:
                self.marks = batch + self.marks  # cancelled or failed: they wait for the next try
                if not isinstance(exc, Exception):
                    raise
                if not is_unavailable(exc):
                    log.exception("recording %d deliveries failed; trying again", len(batch))
                elif not self._failing:
                    log.warning(
                        "cannot record %d deliveries (%s); holding them and sending no more",
                        len(batch),
                        exc or type(exc).__name__,
                    )
                self._failing = True
                return False
            if self._failing:
                log.info("recording deliveries again")
                self._failing = False
            for mark, channel in batch:
                self.waiting[channel] -= 1
                self.held.discard(mark.id)
            self.fence.wrote(started)
            if not still:
                log.warning("another process leads now; this one stops sending")
                self.fence.lose()
            elif touched < len(batch):
                log.info(
                    "%d of %d deliveries had been taken back", len(batch) - touched, len(batch)
                )
            return True

    async def _write(self, marks: list[Mark]) -> tuple[int, bool]:
        async with self.db.session() as session:
            still = await self.fence.holds(session)
            touched = await delivery.record(
                session=session, epoch=self.epoch, marks=marks, now=self.clock()
            )
        return touched, still

    async def run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self.due.wait(), self.every)
            except TimeoutError:
                pass
            self.due.clear()
            await self.flush()

    def unflushed(self) -> set[int]:
        return {mark.id for mark, _ in self.marks}
