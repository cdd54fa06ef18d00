"""One dispatcher at a time: two processes on PostgreSQL, the second takes over after kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage import outbox
from storage.db import Database
from tests.test_broadcast_helpers import add_residents

PROCESS = textwrap.dedent(
    """
    import asyncio, os, sys
    from bot.core.messages import Reply
    from bot.core.settings import Settings
    from bot.handlers.base import Outcome, SendResult
    from bot.broadcasts.render import PRESENTER
    from bot.scheduler.service import SchedulerService
    from storage.db import Database

    class FileChannel:
        channel = "telegram"
        async def send(self, urn, reply):
            with open(sys.argv[2], "a") as out:
                out.write(f"{os.getpid()} {urn}\\n")
            return SendResult(Outcome.SENT, provider_id="1")

    async def main():
        settings = Settings(_env_file=None, database_url=sys.argv[1])
        service = SchedulerService(Database(sys.argv[1]), settings, {"telegram": FileChannel()},
                                   PRESENTER, election_interval=0.5)
        await service.start()
        await service.elected.wait()
        print("LEADER", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


def spawn(url: str, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PROCESS, url, str(log)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).parents[1])},
    )


async def _line(proc: subprocess.Popen[str], timeout: float) -> str:  # noqa: ASYNC109
    assert proc.stdout is not None
    return await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout)


def _read(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


async def _sent(log: Path, count: int, timeout: float = 15.0) -> list[tuple[str, str]]:  # noqa: ASYNC109
    for _ in range(int(timeout * 10)):
        if len(_read(log)) >= count:
            break
        await asyncio.sleep(0.1)
    return [tuple(line.split()) for line in _read(log)]  # type: ignore[misc]


async def test_second_process_takes_over_within_ten_seconds(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    if not db.is_postgres:
        pytest.skip("leader election needs PostgreSQL (SQLite runs a single process)")
    log = tmp_path / "sent.log"
    first = spawn(database_url, log)
    second = None
    try:
        assert await _line(first, 20) == "LEADER\n"
        second = spawn(database_url, log)
        await add_residents(db, "Farum", [f"telegram:{i}" for i in range(1, 6)])
        async with db.session() as session:
            await outbox.enqueue_broadcast(session=session, kind="alert", text="a", created_by="x")
        sent = await _sent(log, 5)
        assert sorted(urn for _, urn in sent) == [f"telegram:{i}" for i in range(1, 6)]
        assert {pid for pid, _ in sent} == {str(first.pid)}

        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert await _line(second, 10) == "LEADER\n"
        await add_residents(db, "Værløse", [f"telegram:{i}" for i in range(6, 9)])
        async with db.session() as session:
            await outbox.enqueue_broadcast(session=session, kind="alert", text="b", created_by="x")
        sent = await _sent(log, 5 + 3 + 5)
        later = sent[5:]
        assert {pid for pid, _ in later} == {str(second.pid)}
        assert len(sent) == len(set(sent))
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
