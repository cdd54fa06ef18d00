"""A hung leader is replaced: the lease runs out on the database's clock, the old leader fences
itself off, and what it does when it wakes changes nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from bot.scheduler.leader import Leadership, LeaseTimes, Renewal
from storage.db import Database
from tests.fencing_helpers import (
    QUICK,
    FreezableProxy,
    TimedChannel,
    alert,
    deliveries,
    duplicates,
    reached,
    statuses,
    wait_until,
)
from tests.test_broadcast_helpers import add_residents
from tests.test_fencing import scheduler

TINY = LeaseTimes(ttl=0.6, margin=0.1, renew_every=0.1, follow_every=0.1, stale_after=0.3)


async def test_the_lease_is_taken_only_when_free_and_renewed_only_by_its_holder(
    db: Database,
) -> None:
    first, second = Leadership(db, TINY), Leadership(db, TINY)
    try:
        assert await first.try_acquire()
        epoch = first.epoch
        assert not await second.try_acquire()
        assert await first.renew() is Renewal.RENEWED and first.may_send()

        await asyncio.sleep(TINY.ttl + 0.1)
        assert not first.locally_valid() and not first.may_send()  # it stops by itself
        # Nobody took over meanwhile: a late renewal keeps the epoch (and the claims under it).
        assert await first.renew() is Renewal.RENEWED and first.epoch == epoch

        await asyncio.sleep(TINY.ttl + 0.1)
        assert await second.try_acquire() and second.epoch == epoch + 1
        assert await first.renew() is Renewal.LOST and not first.is_leader

        # Released (SIGTERM): the next one takes it at once, without waiting for the ttl.
        await second.release()
        assert await first.try_acquire() and first.epoch == epoch + 2
    finally:
        await first.release()
        await second.release()


async def test_a_killed_leaders_lease_is_free_once_its_connection_is_gone(db: Database) -> None:
    if not db.is_postgres:
        pytest.skip("backend liveness is PostgreSQL's (SQLite runs a single process)")
    times = LeaseTimes(ttl=30, stale_after=0.3)
    first, second = Leadership(db, times), Leadership(db, times)
    try:
        assert await first.try_acquire()
        assert not await second.try_acquire()
        async with db.engine.connect() as conn:
            await conn.execute(
                text("SELECT pg_terminate_backend(backend_pid) FROM leader_lease WHERE id = 1")
            )
        took = await _acquired(second, within=5)
        assert took < times.ttl / 10
    finally:
        await first.release()
        await second.release()


async def _acquired(leadership: Leadership, within: float) -> float:
    started = time.monotonic()
    while not await leadership.try_acquire():
        assert time.monotonic() - started < within
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_a_leader_cut_off_from_the_database_is_replaced_and_fenced_off(
    db: Database, database_url: str, settings
) -> None:
    if not db.is_postgres:
        pytest.skip("two instances need PostgreSQL (SQLite runs a single process)")
    server = make_url(database_url)
    proxy = FreezableProxy(server.host or "127.0.0.1", server.port or 5432)
    await proxy.start()
    cut_off_db = Database(server.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    quick_timeouts = settings.model_copy(update={"db_timeout": 1.0})
    urns = [f"telegram:{i}" for i in range(1, 201)]
    await add_residents(db, "Farum", urns)
    old_channel, new_channel = TimedChannel("old"), TimedChannel("new")
    old = scheduler(cut_off_db, quick_timeouts, old_channel, rate=40)
    new = scheduler(db, quick_timeouts, new_channel, rate=40)
    try:
        await old.start()
        await asyncio.wait_for(old.elected.wait(), 5)
        await new.start()
        await alert(db)
        await wait_until(lambda: len(old_channel.sent) >= 40, 10)
        proxy.freeze()
        frozen_at = time.monotonic()
        took = await wait_until(new.elected.is_set, 10)
        # The ttl plus a follower's try (and the renewal interval the freeze may fall into), and a
        # second for a CI machine running three test workers on two cores.
        assert took < QUICK.ttl + QUICK.renew_every + QUICK.follow_every + 1.0
        await wait_until(lambda: len(reached(old_channel, new_channel)) == len(urns), 20)
        for _ in range(100):  # the new leader resends what the old one had not recorded
            if await statuses(db) == {"sent": len(urns)}:
                break
            await asyncio.sleep(0.1)
        before = [(r.id, r.status, r.provider_id, r.updated_at) for r in await deliveries(db)]

        proxy.thaw()
        await wait_until(lambda: old.dispatcher is None, 10)
        await asyncio.sleep(0.5)  # whatever the old leader had held back has arrived by now
        after = [(r.id, r.status, r.provider_id, r.updated_at) for r in await deliveries(db)]
    finally:
        await new.stop()
        await old.stop()
        await cut_off_db.dispose()
        await proxy.stop()
    # It stopped within the write window of its last write, and recorded nothing on waking.
    assert old_channel.since(frozen_at + QUICK.write_window + 0.2) == []
    assert after == before
    # What it had sent but not recorded is all that went out twice.
    assert duplicates(old_channel, new_channel) <= 80
    assert await statuses(db) == {"sent": len(urns)}


PROCESS = textwrap.dedent(
    """
    import asyncio, os, sys, time
    from bot.core.settings import Settings
    from bot.handlers.base import Outcome, SendResult
    from bot.broadcasts.render import PRESENTER
    from bot.scheduler.service import SchedulerService
    from storage.db import Database

    class FileChannel:
        channel = "telegram"
        async def send(self, urn, reply):
            with open(sys.argv[2], "a") as out:
                out.write(f"{os.getpid()} {time.monotonic()} {urn}\\n")
            return SendResult(Outcome.SENT, provider_id="1")

    async def main():
        settings = Settings(_env_file=None, database_url=sys.argv[1], telegram_max_rate=30)
        service = SchedulerService(Database(sys.argv[1]), settings, {"telegram": FileChannel()},
                                   PRESENTER)
        await service.start()
        await service.elected.wait()
        print("LEADER", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


def _spawn(url: str, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PROCESS, url, str(log)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).parents[1])},
    )


async def _line(proc: subprocess.Popen[str], within: float) -> str:
    assert proc.stdout is not None
    return await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), within)


def _sends(log: Path) -> list[tuple[int, float, str]]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [(int(p), float(t), u) for p, t, u in (line.split() for line in lines)]


@pytest.mark.faults
async def test_a_sigstopped_leader_is_replaced_within_ten_seconds_and_sends_nothing_on_waking(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    if not db.is_postgres:
        pytest.skip("two instances need PostgreSQL (SQLite runs a single process)")
    log = tmp_path / "sent.log"
    urns = [f"telegram:{i}" for i in range(1, 451)]  # 15 s at 30/s
    await add_residents(db, "Farum", urns)
    first = _spawn(database_url, log)
    second = None
    try:
        assert await _line(first, 20) == "LEADER\n"
        second = _spawn(database_url, log)
        await asyncio.sleep(1)
        await alert(db)
        await wait_until(lambda: len(_sends(log)) >= 90, 20)
        os.kill(first.pid, signal.SIGSTOP)
        stopped_at = time.monotonic()
        assert await _line(second, 10) == "LEADER\n"
        takeover = time.monotonic() - stopped_at
        await asyncio.sleep(max(0.0, 15 - takeover))
        os.kill(first.pid, signal.SIGCONT)
        await wait_until(lambda: {u for _, _, u in _sends(log)} == set(urns), 30, step=0.2)
        await asyncio.sleep(2)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.kill(proc.pid, signal.SIGCONT)
                proc.kill()
                proc.wait()
    sends = _sends(log)
    print(f"takeover after SIGSTOP: {takeover:.2f} s")
    assert takeover < 10
    assert [s for s in sends if s[0] == first.pid and s[1] > stopped_at] == []
    doubled = sum(n - 1 for n in Counter(u for _, _, u in sends).values())
    print(f"duplicates: {doubled}")
    assert doubled <= 60
    assert await statuses(db) == {"sent": len(urns)}
