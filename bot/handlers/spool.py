"""The local durable spool: inbound events kept on disk while the database cannot take them."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.metrics import INBOUND_SPOOLED
from storage.db import DatabaseUnavailable, is_unavailable

log = logging.getLogger(__name__)

# A record that fails this often while the database answers is set aside (failed/), not retried.
MAX_ATTEMPTS = 5
HOUR = 3600.0


@dataclass(frozen=True)
class Spooled:
    """One kept event: which transport takes it back, whose it is, and the raw provider payload."""

    path: Path
    channel: str
    kind: str
    urn: str | None
    payload: dict[str, Any]
    received_at: float


class Spool:
    """One JSON file per event in `directory`, named so that sorting them is arrival order.

    Pure filesystem, so it works exactly when the database does not: each file is written under
    a temporary name, fsynced, renamed into place and the directory fsynced, so a file either
    exists whole or not at all, also across a power cut.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._seq = itertools.count()
        self._urns: Counter[str] | None = None
        self.changed = asyncio.Event()

    def holds(self, urn: str) -> bool:
        """Does an older event of this conversation wait here? (Then a newer one queues behind.)"""
        return self._counts()[urn] > 0

    def __len__(self) -> int:
        return sum(self._counts().values())

    def _counts(self) -> Counter[str]:
        if self._urns is None:
            self._urns = Counter(r.urn for r in self.pending() if r.urn)
        return self._urns

    async def put(
        self, *, channel: str, kind: str, urn: str | None, payload: dict[str, Any]
    ) -> Spooled:
        """Keep one event durably; raises OSError when the disk cannot (then do not acknowledge)."""
        received_at = time.time()
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._seq):06d}.json"
        record = {
            "channel": channel,
            "kind": kind,
            "urn": urn,
            "received_at": received_at,
            "payload": payload,
        }
        data = json.dumps(record, ensure_ascii=False).encode()
        counts = self._counts()  # read what is there before this file joins it
        path = await asyncio.to_thread(self._write, name, data)
        if urn:
            counts[urn] += 1
        INBOUND_SPOOLED.labels(channel).inc()
        self.changed.set()
        log.warning("%s %s kept in the spool as %s", channel, kind, name)
        return Spooled(path, channel, kind, urn, payload, received_at)

    def _write(self, name: str, data: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / name
        temporary = self.directory / f".{name}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, final)
        self._sync_directory()
        return final

    def _sync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def pending(self) -> list[Spooled]:
        """Every kept event, oldest first; an unreadable file is set aside, not retried."""
        if not self.directory.is_dir():
            return []
        records = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                raw = json.loads(path.read_bytes())
                records.append(
                    Spooled(
                        path,
                        str(raw["channel"]),
                        str(raw["kind"]),
                        raw.get("urn"),
                        dict(raw["payload"]),
                        float(raw.get("received_at") or 0),
                    )
                )
            except FileNotFoundError:
                continue  # another process sharing the directory replayed it just now
            except (ValueError, KeyError, TypeError):
                log.error("unreadable spool file %s set aside", path.name)
                self._move_aside(path)
        return records

    async def remove(self, record: Spooled) -> None:
        """The event was handled and committed: forget the file."""
        await asyncio.to_thread(self._unlink, record.path)
        self._forget(record)

    def _unlink(self, path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            self._sync_directory()

    def _forget(self, record: Spooled) -> None:
        counts = self._counts()
        if record.urn and counts[record.urn] > 0:
            counts[record.urn] -= 1
            if counts[record.urn] == 0:
                del counts[record.urn]

    def set_aside(self, record: Spooled) -> None:
        """Keep a record that cannot be handled for a person to look at (SPOOL_DIR/failed)."""
        self._move_aside(record.path)
        self._forget(record)

    def _move_aside(self, path: Path) -> None:
        failed = self.directory / "failed"
        failed.mkdir(exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, failed / path.name)


# Takes one kept event back through the live path; removes it from the spool once committed and
# raises DatabaseUnavailable (the record stays) when the database is still away.
Replayer = Callable[[Spooled], Awaitable[None]]


class SpoolReplayer:
    """Every instance: hands kept events back to their transports, in arrival order, once the
    database answers again; also runs a cheap hourly chore (pruning idempotency keys)."""

    def __init__(
        self,
        spool: Spool,
        replayers: Mapping[str, Replayer],
        *,
        healthy: Callable[[], Awaitable[bool]],
        hourly: Callable[[], Awaitable[None]] | None = None,
        retry_every: float = 1.0,
        rescan_every: float = 30.0,
    ) -> None:
        self.spool = spool
        self.replayers = dict(replayers)
        self.healthy = healthy
        self.hourly = hourly
        self.retry_every = retry_every
        self.rescan_every = rescan_every
        self._attempts: Counter[Path] = Counter()
        self._task: asyncio.Task[None] | None = None
        self._last_chore = 0.0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        delay = self.retry_every
        while True:
            await self._chore()
            try:
                emptied = await self.replay_once()
            except Exception:
                log.exception("spool replay failed; trying again")
                emptied = False
            if emptied:
                delay = self.retry_every
                self.spool.changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.spool.changed.wait(), self.rescan_every)
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _chore(self) -> None:
        now = time.monotonic()
        if self.hourly is None or (self._last_chore and now - self._last_chore < HOUR):
            return
        self._last_chore = now
        try:
            await self.hourly()
        except Exception as exc:
            log.warning("hourly chore failed (again in an hour): %r", exc)

    async def replay_once(self) -> bool:
        """One pass, oldest first; stops at the first event that cannot be handled yet, so no
        event overtakes an older one. True when nothing is left to replay."""
        left = False
        for record in self.spool.pending():
            replay = self.replayers.get(record.channel)
            if replay is None:
                left = True  # an instance with that channel takes it
                continue
            try:
                await replay(record)
            except Exception as exc:
                if not await self._give_up(record, exc):
                    return False
                continue
            self._attempts.pop(record.path, None)
            log.info("replayed spooled %s %s from %s", record.channel, record.kind, record.urn)
        return not left

    async def _give_up(self, record: Spooled, exc: Exception) -> bool:
        """Count a failed replay; True when the record was set aside and the pass may go on."""
        unavailable = isinstance(exc, DatabaseUnavailable) or is_unavailable(exc)
        if unavailable and not await self._healthy():
            return False  # the database is still away: not this event's fault
        if not unavailable:
            log.error("replaying spooled %s failed", record.path.name, exc_info=exc)
        self._attempts[record.path] += 1
        if self._attempts[record.path] < MAX_ATTEMPTS:
            return False
        log.error(
            "spooled %s failed %d times while the database answers; set aside in %s",
            record.path.name,
            MAX_ATTEMPTS,
            self.spool.directory / "failed",
        )
        self._attempts.pop(record.path, None)
        self.spool.set_aside(record)
        return True

    async def _healthy(self) -> bool:
        try:
            return await asyncio.wait_for(self.healthy(), 5)
        except Exception:
            return False
