"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app.application import NabovagtApp
from bot.core.areas import seed_fureso_if_empty
from bot.core.settings import Settings
from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from storage.db import Database
from tests.cli_helpers import Nabovagt, on_db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL if TEST_DATABASE_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; every test gets a copy of this file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite+aiosqlite:///{path}")

    async def migrate() -> None:
        await db.upgrade()
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database of our own on the TEST_DATABASE_URL server, dropped afterwards.

    Its own database, not the shared one, so concurrent runs on one server cannot collide.
    """
    assert TEST_DATABASE_URL
    server = make_url(TEST_DATABASE_URL)
    name = f"nabovagt_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def admin(statement: str) -> None:
        engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(statement))
        await engine.dispose()

    async def migrate(url: str) -> None:
        db = Database(url)
        await db.upgrade()
        await db.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    asyncio.run(migrate(url))
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate_all(db: Database) -> None:
    async with db.engine.begin() as conn:
        names = (
            await conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ).scalars()
        tables = ", ".join(f'"{n}"' for n in names)
        if tables:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if TEST_DATABASE_URL:
        return str(request.getfixturevalue("postgres_url"))
    template = request.getfixturevalue("sqlite_template")
    path = tmp_path / "test.db"
    shutil.copy(template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """An empty, migrated database with Furesø's areas loaded."""
    database = Database(database_url)
    if database.is_postgres:
        await _truncate_all(database)
    async with database.session() as session:
        await seed_fureso_if_empty(session)
    yield database
    await database.dispose()


@pytest.fixture
def cli_database_url(database_url: str) -> str:
    """A migrated, empty database as `nabovagt db upgrade` leaves it, for sync CLI tests."""
    if TEST_DATABASE_URL:
        on_db(database_url, _truncate_all)
    return database_url


@pytest.fixture
def seeded_database_url(cli_database_url: str) -> str:
    """The CLI tests' database with Furesø's areas loaded, like the `db` fixture."""

    async def seed(database: Database) -> None:
        async with database.session() as session:
            await seed_fureso_if_empty(session)

    on_db(cli_database_url, seed)
    return cli_database_url


@pytest.fixture
def nabovagt(cli_database_url: str, tmp_path: Path) -> Nabovagt:
    """The command line in-process on the test's database; run as `nabovagt("areas", "list")`."""
    return Nabovagt(tmp_path, {"DATABASE_URL": cli_database_url})


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        http_port=0,
        media_dir=str(tmp_path / "media"),
        spool_dir=str(tmp_path / "spool"),
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioFake]:
    fake = TwilioFake()
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.violations == [], f"calls that break Twilio's spec: {fake.violations}"


TELEGRAM_TOKEN = "123456:TEST-TOKEN"
COORDINATOR_ID = 9001


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(TELEGRAM_TOKEN)
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.violations == [], f"calls that break the Bot API spec: {fake.violations}"


@asynccontextmanager
async def running_app(
    db: Database,
    settings: Settings,
    *,
    telegram: FakeTelegram | None = None,
    twilio: TwilioFake | None = None,
) -> AsyncIterator[NabovagtApp]:
    """Start the real app on the given fakes' channels; the fake Twilio signs its webhooks."""
    port = free_port()
    update: dict[str, object] = {"http_port": port, "public_url": f"http://127.0.0.1:{port}"}
    if telegram is not None:
        update |= {
            "telegram_token": SecretStr(TELEGRAM_TOKEN),
            "telegram_api_url": telegram.url,
            "coordinators": f"telegram:{COORDINATOR_ID}",
        }
    if twilio is not None:
        update |= {
            "twilio_account_sid": twilio.account_sid,
            "twilio_auth_token": SecretStr(twilio.auth_token),
            "twilio_from": twilio.phone_number,
            "twilio_api_url": twilio.url,
        }
    running = NabovagtApp(settings.model_copy(update=update), db=db)
    await running.start()
    if twilio is not None:
        twilio.inbound_url = f"http://127.0.0.1:{port}/twilio/sms"
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def sms_app(
    db: Database, settings: Settings, twilio: TwilioFake
) -> AsyncIterator[NabovagtApp]:
    """The real app with only the SMS channel."""
    async with running_app(db, settings, twilio=twilio) as started:
        yield started


@pytest.fixture
async def app(
    db: Database, settings: Settings, telegram: FakeTelegram, twilio: TwilioFake
) -> AsyncIterator[NabovagtApp]:
    """The real app on both channels against the fakes; telegram:9001 is a coordinator."""
    async with running_app(db, settings, telegram=telegram, twilio=twilio) as started:
        yield started
