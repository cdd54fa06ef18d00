"""Live progress for the coordinator while a broadcast goes out, and the report when it is done."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from bot.core.messages import Reply
from bot.core.urns import urn_scheme
from bot.scheduler.dispatcher import Dispatcher
from storage import broadcasts, outbox, residents
from storage.broadcast_models import Broadcast

log = logging.getLogger(__name__)

MIN_EDIT_INTERVAL = 3.0
REPORTED_KINDS = ("alert", "tip", "announcement")


def summary(counts: broadcasts.Counts) -> str:
    """Counts per channel for a log line: `telegram sent=1990 blocked=10; sms sent=497 invalid=3`."""
    if not counts:
        return "no addresses"
    return "; ".join(
        f"{channel} " + " ".join(f"{status}={n}" for status, n in sorted(by.items()))
        for channel, by in sorted(counts.items())
    )


class ProgressReporter:
    """Edits one progress message per broadcast at most every few seconds; reports at the end."""

    def __init__(self, dispatcher: Dispatcher, min_interval: float = MIN_EDIT_INTERVAL) -> None:
        self.dispatcher = dispatcher
        self.db = dispatcher.db
        self.min_interval = min_interval
        self._last: dict[int, tuple[float, str]] = {}

    async def _lang(self, urn: str) -> str:
        async with self.db.session() as session:
            contact = await residents.get_contact(session=session, urn=urn)
            if contact is not None:
                resident = await residents.get_resident(
                    session=session, resident_id=contact.resident_id
                )
                if resident is not None:
                    return resident.language
        return self.dispatcher.settings.default_language

    async def tick(self, now: datetime) -> None:
        """Check every open broadcast once."""
        async with self.db.session() as session:
            open_now = await broadcasts.open_broadcasts(session=session)
        for row in open_now:
            try:
                await self._one(row, now)
            except Exception:
                log.exception("progress for broadcast %s failed", row.id)

    async def _one(self, row: Broadcast, now: datetime) -> None:
        assert row.id is not None
        async with self.db.session() as session:
            counts = await broadcasts.counts(session=session, broadcast_id=row.id)
            finished = broadcasts.is_finished(counts)
            started = row.status == "queued" and any(
                st != outbox.QUEUED for by in counts.values() for st in by
            )
            if finished:
                await broadcasts.set_status(
                    session=session, broadcast_id=row.id, status="done", now=now
                )
            elif started:
                await broadcasts.set_status(session=session, broadcast_id=row.id, status="sending")
        if started:
            log.info(
                "broadcast %d (%s) started sending to %d addresses", row.id, row.kind, row.total
            )
        if finished:
            log.info("broadcast %d (%s) finished: %s", row.id, row.kind, summary(counts))
        if row.progress_urn is None or row.kind not in REPORTED_KINDS:
            self._last.pop(row.id, None)
            return
        lang = await self._lang(row.progress_urn)
        text = self.dispatcher.presenter.progress(lang, counts, row.total)
        last_at, last_text = self._last.get(row.id, (0.0, ""))
        if finished or (text != last_text and time.monotonic() - last_at >= self.min_interval):
            await self._show(row, text)
            self._last[row.id] = (time.monotonic(), text)
        if finished:
            self._last.pop(row.id, None)
            async with self.db.session() as session:
                names = await broadcasts.area_names(session=session, area_ids=row.area_ids)
                reasons = await broadcasts.failure_reasons(session=session, broadcast_id=row.id)
                report = self.dispatcher.presenter.report(
                    lang, row.id, row.kind, names, counts, reasons
                )
                await outbox.enqueue_direct(
                    session=session,
                    urns=[row.progress_urn],
                    text=report,
                    kind="report",
                    priority=outbox.URGENT,
                    dedupe_key=f"report:{row.id}",
                    now=now,
                )
            self.dispatcher.wake.set()

    async def _show(self, row: Broadcast, text: str) -> None:
        """Edit the progress message where the channel can; otherwise send it once."""
        assert row.progress_urn is not None and row.id is not None
        channel = outbox.CHANNEL_OF_SCHEME.get(urn_scheme(row.progress_urn))
        pump = self.dispatcher.pumps.get(channel or "")
        if pump is None:
            return
        edit = getattr(pump.transport, "edit", None)
        if row.progress_ref is not None and edit is None:
            return
        if not self.dispatcher.may_send(pump):
            return  # not leading right now: the next leader shows the progress
        await pump.limiter.acquire()  # progress counts against the channel's rate too
        slot = await pump.window_slot()
        try:
            if row.progress_ref is not None:
                await edit(row.progress_urn, row.progress_ref, Reply(text))  # type: ignore[misc]
                return
            result = await pump.transport.send(row.progress_urn, Reply(text))
        finally:
            slot.set_result(time.monotonic())
        if result.provider_id:
            row.progress_ref = result.provider_id
            async with self.db.session() as session:
                await broadcasts.set_progress_ref(
                    session=session, broadcast_id=row.id, ref=result.provider_id
                )
