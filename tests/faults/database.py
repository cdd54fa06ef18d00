"""The PostgreSQL side of the fault suite: a fresh database per test, outages, seed data, the CLI."""

from __future__ import annotations

import asyncio
import re
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, make_url, text, update
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, select

from bot.core.areas import seed_fureso_if_empty
from storage.broadcast_models import Delivery
from storage.db import Database
from storage.event_models import Reminder
from storage.models import Contact, Membership, utcnow
from tests.test_broadcast_helpers import add_residents

CONNECT_TIMEOUT = 5.0


async def admin(server_url: str, *statements: str) -> None:
    """Run statements on the server's own database (autocommit), in order."""
    engine = create_async_engine(
        server_url, isolation_level="AUTOCOMMIT", connect_args={"timeout": CONNECT_TIMEOUT}
    )
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def unreachable_reason(server_url: str | None) -> str | None:
    """Why the fault suite cannot run here, or None when PostgreSQL answers."""
    if not server_url:
        return (
            "the fault-injection suite needs PostgreSQL: set TEST_DATABASE_URL="
            "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
    if not server_url.startswith("postgresql+asyncpg://"):
        return f"the fault-injection suite needs PostgreSQL, TEST_DATABASE_URL is {server_url!r}"
    try:
        await asyncio.wait_for(admin(server_url, "SELECT 1"), CONNECT_TIMEOUT + 1)
    except Exception as exc:
        return f"PostgreSQL at TEST_DATABASE_URL does not answer: {type(exc).__name__}: {exc}"
    return None


async def create_database(server_url: str) -> tuple[str, str]:
    """A new, empty database on the server: (name, url)."""
    name = f"nabovagt_faults_{uuid.uuid4().hex[:10]}"
    await admin(server_url, f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    return name, url


async def drop_database(server_url: str, name: str) -> None:
    await admin(
        server_url,
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true',
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
    )


async def refuse_connections(server_url: str, name: str, seconds: float) -> float:
    """The database refuses every connection for `seconds`; returns how long it really did.

    New connections are refused (ALLOW_CONNECTIONS false, which binds superusers too) and the
    open ones are terminated, repeatedly, so a connection that slipped in is cut as well.
    """
    started = time.monotonic()
    await admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    terminate = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    )
    try:
        while time.monotonic() - started < seconds:
            await admin(server_url, terminate)
            await asyncio.sleep(0.5)
    finally:
        await admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    return time.monotonic() - started


# ----------------------------------------------------------------------------------- seed data


def telegram_ids(start: int, count: int) -> list[int]:
    return list(range(start, start + count))


def phone_numbers(start: int, count: int) -> list[str]:
    """Valid Danish mobile numbers +45 2130 xxxx (the SMS webhook ignores invalid ones)."""
    return [f"+452130{n:04d}" for n in range(start, start + count)]


async def migrate_and_seed(url: str, residents: dict[str, tuple[list[int], list[str]]]) -> None:
    """Schema, Furesø's areas, and residents per area: {area: (telegram ids, phone numbers)}."""
    db = Database(url)
    try:
        await db.upgrade()
        async with db.session() as session:
            await seed_fureso_if_empty(session)
        for area, (chats, numbers) in residents.items():
            urns = [f"telegram:{c}" for c in chats] + [f"tel:{n}" for n in numbers]
            await add_residents(db, area, urns)
    finally:
        await db.dispose()


# ------------------------------------------------------------------------------------- the CLI


async def nabovagt(env: dict[str, str], *args: str, timeout: float = 60.0) -> str:  # noqa: ASYNC109
    """`python -m bot ARGS` as an operator runs it (without blocking the fakes' event loop)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    if proc.returncode != 0:
        raise AssertionError(
            f"nabovagt {' '.join(args)} exited {proc.returncode}:\n{err.decode()}{out.decode()}"
        )
    return out.decode()


async def queue_broadcast(env: dict[str, str], area: str, body: str) -> int:
    """`nabovagt broadcast --kind alert --area AREA --text BODY --priority urgent --yes`."""
    out = await nabovagt(
        env, "broadcast", "--kind", "alert", "--area", area, "--text", body,
        "--priority", "urgent", "--yes",
    )  # fmt: skip
    found = re.search(r"broadcast (\d+) queued for (\d+) recipients", out)
    assert found, f"no broadcast queued:\n{out}"
    return int(found.group(1))


async def add_event(env: dict[str, str], area: str, title: str, tz_now: datetime) -> int:
    """An event eight days ahead in `area` with a 7-day reminder to those who have not answered."""
    starts = (tz_now + timedelta(days=8)).strftime("%Y-%m-%d %H:%M")
    out = await nabovagt(
        env, "events", "add", "--kind", "borgermøde", "--title", title, "--at", starts,
        "--place", "Byens Hus", "--area", area, "--reminders", "7d", "--yes",
    )  # fmt: skip
    found = re.search(r"event (\d+) created", out)
    assert found, f"no event created:\n{out}"
    return int(found.group(1))


async def reminder_due_at(url: str, event_id: int, at: datetime) -> None:
    """Move the event's reminder so it falls due at `at` (during the fault)."""
    db = Database(url)
    try:
        async with db.session() as session:
            await session.exec(
                update(Reminder).where(col(Reminder.event_id) == event_id).values(due_at=at)
            )
            await session.commit()
    finally:
        await db.dispose()


def seconds_from_now(seconds: float) -> datetime:
    return utcnow() + timedelta(seconds=seconds)


# ------------------------------------------------------------------------------- reading back


async def delivery_statuses(url: str) -> dict[str, int]:
    """Outbox rows by status (every broadcast), for the failure message and the numbers."""
    db = Database(url)
    try:
        async with db.session() as session:
            rows = await session.exec(
                select(Delivery.status, func.count()).group_by(col(Delivery.status))
            )
            return {status: int(n) for status, n in rows.all()}
    finally:
        await db.dispose()


async def sms_sign_ups(url: str, numbers: list[str]) -> Counter[str]:
    """How many contacts (with a membership) each number has: 1 is right, 0 is a lost sign-up."""
    db = Database(url)
    try:
        async with db.session() as session:
            rows = await session.exec(
                select(Contact.urn)
                .join(Membership, col(Membership.resident_id) == col(Contact.resident_id))
                .where(col(Contact.urn).in_([f"tel:{n}" for n in numbers]))
            )
            found = Counter(urn.removeprefix("tel:") for urn in rows.all())
    finally:
        await db.dispose()
    return Counter({n: found.get(n, 0) for n in numbers})
