"""Starting, upgrading and stopping as an operator does: db commands, locks, unreachable databases."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from storage.db import Database, alembic_config, single_process
from tests.cli_helpers import UNSET_SETTINGS, Nabovagt
from tests.conftest import TEST_DATABASE_URL, free_port
from tests.test_healthz import black_hole

# Oldest first, as `db upgrade` reports them.
REVISIONS = [
    s.revision
    for s in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
]
HEAD = REVISIONS[-1]

needs_postgres = pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/test",
)


async def _admin(statement: str) -> None:
    assert TEST_DATABASE_URL
    engine = create_async_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


@contextlib.contextmanager
def empty_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even alembic_version."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip(
            "needs PostgreSQL: set TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/test"
        )
    name = f"nabovagt_empty_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def child_env(**settings: str) -> dict[str, str]:
    """The environment of a `python -m bot` child: this one's minus every Nabovagt setting."""
    return {k: v for k, v in os.environ.items() if k not in UNSET_SETTINGS} | settings


def test_db_commands_say_what_they_applied_and_reverted_and_ask_before_losing_data(
    tmp_path: Path,
) -> None:
    nabovagt = Nabovagt(tmp_path, {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'n.db'}"})
    assert nabovagt("db", "current").stdout == "no migrations applied\n"
    assert nabovagt("db", "upgrade").stdout == f"applied {', '.join(REVISIONS)}\n"
    assert nabovagt("db", "upgrade").stdout == f"already up to date at {HEAD}\n"
    assert nabovagt("db", "current").stdout == f"{HEAD} (head)\n"

    refused = nabovagt("db", "downgrade", "-1", stdin="n\n")
    assert refused.exit_code == 1
    assert f"This reverts {HEAD}: the data in the tables and columns they drop is lost." in (
        refused.stdout
    )
    assert nabovagt("db", "current").stdout == f"{HEAD} (head)\n"  # nothing was touched

    done = nabovagt("db", "downgrade", "-1", "--yes")
    assert done.exit_code == 0, done.output
    assert done.stdout == f"reverted {HEAD}; now at {REVISIONS[-2]}\n"
    assert nabovagt("db", "current").stdout == (
        f"{REVISIONS[-2]}\nnewest is {HEAD}: `nabovagt db upgrade` applies the rest\n"
    )
    above = nabovagt("db", "downgrade", HEAD, "--yes")
    assert above.exit_code == 2 and f"{HEAD} is not below" in above.stderr
    unknown = nabovagt("db", "downgrade", "0099_nothing", "--yes")
    assert unknown.exit_code == 2 and "no migration '0099_nothing'" in unknown.stderr
    assert nabovagt("db", "upgrade").stdout == f"applied {HEAD}\n"


def _leftovers(conn: Connection) -> dict[str, list[str]]:
    """What a downgrade to base left behind besides Alembic's own table."""
    found = {"tables": [t for t in inspect(conn).get_table_names() if t != "alembic_version"]}
    if conn.dialect.name == "postgresql":
        found["types"] = list(
            conn.execute(
                text(
                    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                    " WHERE n.nspname = 'public' AND t.typtype = 'e'"
                )
            ).scalars()
        )
        found["sequences"] = inspect(conn).get_sequence_names()
    return found


def _differences(conn: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(conn), SQLModel.metadata))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_every_migration_downgrades_to_base_and_upgrades_again(kind: str, tmp_path: Path) -> None:
    async def round_trip(url: str) -> None:
        db = Database(url)
        try:
            assert await db.upgrade() == REVISIONS
            assert await db.downgrade("base") == list(reversed(REVISIONS))
            async with db.engine.connect() as conn:
                assert await conn.run_sync(_leftovers) in (
                    {"tables": []},
                    {"tables": [], "types": [], "sequences": []},
                )
            assert await db.current() == ()
            assert await db.upgrade() == REVISIONS
            async with db.engine.connect() as conn:
                assert await conn.run_sync(_differences) == []
        finally:
            await db.dispose()

    with empty_database(kind, tmp_path) as url:
        asyncio.run(round_trip(url))


@needs_postgres
def test_three_instances_upgrading_an_empty_database_at_once_all_succeed(tmp_path: Path) -> None:
    with empty_database("postgresql", tmp_path) as url:
        children = [
            subprocess.Popen(
                [sys.executable, "-m", "bot", "db", "upgrade"],
                env=child_env(DATABASE_URL=url),
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        results = [(child.wait(timeout=120), *child.communicate()) for child in children]
        assert [code for code, _, _ in results] == [0, 0, 0], [err for _, _, err in results]
        said = sorted(out for _, out, _ in results)
        assert said == [
            f"already up to date at {HEAD}\n",
            f"already up to date at {HEAD}\n",
            f"applied {', '.join(REVISIONS)}\n",
        ]
        assert (
            Nabovagt(tmp_path, {"DATABASE_URL": url})("db", "current").stdout == f"{HEAD} (head)\n"
        )


@pytest.mark.parametrize(
    "command", [("areas", "list"), ("broadcasts", "list"), ("db", "upgrade"), ("db", "current")]
)
def test_an_unreachable_database_is_one_line_and_exit_2(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql+asyncpg://nabovagt:hunter2@127.0.0.1:{port}/x"
    done = Nabovagt(tmp_path, {"DATABASE_URL": url})(*command)
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"nabovagt: database at postgresql+asyncpg://nabovagt:***@127.0.0.1:{port}/x"
        " is unreachable: connection refused\n"
    )


def test_a_database_that_never_answers_is_one_line_after_db_timeout(tmp_path: Path) -> None:
    with black_hole() as port:
        env = {
            "DATABASE_URL": f"postgresql+asyncpg://nabovagt@127.0.0.1:{port}/x",
            "DB_TIMEOUT": "0.5",
        }
        started = time.monotonic()
        done = Nabovagt(tmp_path, env)("areas", "list")
    assert done.exit_code == 2
    assert done.stderr.endswith("is unreachable: no answer within 0.5 s\n")
    assert len(done.stderr.splitlines()) == 1
    assert time.monotonic() - started < 3


@pytest.mark.slow  # starts `nabovagt run` processes
def test_run_on_an_unreachable_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    port = free_port()
    env = child_env(
        DATABASE_URL=f"postgresql+asyncpg://nabovagt:hunter2@127.0.0.1:{port}/x",
        HTTP_PORT=str(free_port()),
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"nabovagt: database at postgresql+asyncpg://nabovagt:***@127.0.0.1:{port}/x"
        " is unreachable: connection refused\n"
    )


def _wait_for_healthz(port: int, child: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError("the first instance never answered /healthz")


ALREADY_RUNNING = (
    "nabovagt: another nabovagt process is already running on {}; SQLite serves one process"
    " — use PostgreSQL (DATABASE_URL=postgresql+asyncpg://…) to run several\n"
)


@pytest.mark.slow  # starts `nabovagt run` processes
def test_a_second_run_on_the_same_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    # Both on the default DATABASE_URL, ./nabovagt.db, with only the HTTP server (no token).
    first_port = free_port()
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=child_env(HTTP_PORT=str(first_port)),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_healthz(first_port, first)
        second = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            env=child_env(HTTP_PORT=str(free_port())),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        assert second.stderr == ALREADY_RUNNING.format("./nabovagt.db")

        beside = Nabovagt(tmp_path, {})
        assert beside("areas", "list").exit_code == 0  # short commands may run beside the bot
        demo = beside("demo", "--database", "nabovagt.db")
        assert demo.exit_code == 2 and demo.stderr == ALREADY_RUNNING.format("nabovagt.db")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert first.stderr is not None
        first.stderr.close()
    # kill -9 leaves no stale lock behind: the next start gets it at once.
    with contextlib.chdir(tmp_path), single_process("sqlite+aiosqlite:///./nabovagt.db"):
        pass


CANCEL_THEN_EXIT = """
import asyncio, sys
from sqlalchemy import text
from storage.db import Database

COUNT = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) "
COUNT += "SELECT count(*) FROM c"

async def main() -> None:
    db = Database(sys.argv[1])

    async def slow() -> None:
        async with db.session() as session:
            await session.exec(text(COUNT))

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.05)
    task.cancel()  # mid-query, as a shutdown or a timed-out handler does
    await asyncio.sleep(0)

for _ in range(5):
    asyncio.run(main())
print("exited")
"""


def test_a_query_cancelled_on_sqlite_does_not_hang_the_process_on_its_way_out(
    tmp_path: Path,
) -> None:
    # aiosqlite 0.22 waits forever here for a worker thread that already stopped.
    url = f"sqlite+aiosqlite:///{tmp_path / 'cancel.db'}"
    done = subprocess.run(
        [sys.executable, "-c", CANCEL_THEN_EXIT, url],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "exited"
    # The pool does not report the force-close aiosqlite 0.21 lacks (storage/db.py filters it).
    assert "Exception terminating connection" not in done.stderr


# About a second of work before its one row is ready, so a cancel lands inside the query.
SLOW_READ = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) "
    "SELECT count(*) FROM c"
)


async def test_a_write_transaction_cancelled_mid_query_leaves_the_database_writable(
    db: Database,
) -> None:
    # A timeout or a shutdown cancels a transaction that has written and is reading: the next
    # writer must not find the file locked (with sqlite3's zombie close it waited 30 s).
    if db.is_postgres:
        pytest.skip("SQLite's file lock; PostgreSQL ends a closed connection's transaction")

    async def write_then_read() -> None:
        async with db.session() as session:
            conn = await session.connection()
            await conn.execute(text("UPDATE area SET name = name"))
            await conn.execute(text(SLOW_READ))

    for _ in range(3):
        task = asyncio.create_task(write_then_read())
        await asyncio.sleep(0.05)  # inside the slow read, after the write
        task.cancel()
        (outcome,) = await asyncio.gather(task, return_exceptions=True)
        assert isinstance(outcome, asyncio.CancelledError)
        async with asyncio.timeout(3):
            async with db.session() as session:
                await (await session.connection()).execute(text("UPDATE area SET name = name"))
