"""`nabovagt run` as an operator starts and stops it, and the README's demo script."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.app.cli import cli
from bot.app.demo import run_demo
from storage.db import Database
from tests.cli_helpers import UNSET_SETTINGS, Nabovagt
from tests.conftest import TELEGRAM_TOKEN, free_port

ROOT = Path(__file__).resolve().parents[1]


async def test_run_serves_healthz_answers_residents_and_stops_on_sigterm(
    telegram, twilio, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    env.update(
        {
            "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_API_URL": telegram.url,
            "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token,
            "TWILIO_FROM": twilio.phone_number,
            "TWILIO_API_URL": twilio.url,
            "DATABASE_URL": database_url,
            "HTTP_PORT": str(port),
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert response.status == 200
                        assert (await response.json())["db"] == "ok"
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("healthz never answered")
        telegram.user_sends_text(4242, "/start", first_name="Ib")
        await telegram.wait_for(4242, "Velkommen", timeout=10)
        twilio.inbound_url = f"http://127.0.0.1:{port}/twilio/sms"
        await twilio.user_sends_sms("+4520304050", "forkert", signature="wrong")
    finally:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=15)
    assert process.returncode == 0, stderr.decode()
    assert time.monotonic() - started < 10
    log = stderr.decode()
    assert "signature" in log  # the forged webhook was logged ...
    assert TELEGRAM_TOKEN not in log and twilio.auth_token not in log  # ... without secrets


def test_installed_command_migrates_a_new_database(tmp_path: Path) -> None:
    """The one CLI test through a real process: `python -m bot`, its exit code and its output."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    env = {k: v for k, v in os.environ.items() if k not in UNSET_SETTINGS} | {"DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("applied 0001_skeleton, 0002_broadcasts")
    assert done.stdout.endswith(f", {Database.heads()[0]}\n")
    listed = Nabovagt(tmp_path, {"DATABASE_URL": url})("tips-library", "list")
    assert listed.exit_code == 0 and "114" in listed.stdout  # the migrations' seed is there


def test_upgrade_leaves_a_database_at_head_alone(
    nabovagt: Nabovagt, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("Alembic's upgrade ran on a database already at head")

    monkeypatch.setattr("storage.db.command.upgrade", refuse)
    done = nabovagt("db", "upgrade")
    assert done.exit_code == 0, done.output
    assert done.stdout == f"already up to date at {Database.heads()[0]}\n"


@pytest.mark.parametrize(
    "name", ["demo-script.txt", pytest.param("demo-full.txt", marks=pytest.mark.slow)]
)
async def test_readme_demo_scripts_pass(name: str, capsys) -> None:
    script = (ROOT / "examples" / name).read_text(encoding="utf-8").splitlines()
    assert await run_demo(script, commands=cli) == 0
    out = capsys.readouterr().out
    assert "demo script passed" in out and "FAILED" not in out


async def test_demo_script_fails_when_an_expected_reply_does_not_come(capsys) -> None:
    script = ["beboer> /start", "expect: Denne tekst kommer aldrig"]
    assert await run_demo(script, commands=cli, reply_wait=1.0) == 1
    assert "FAILED at line 2" in capsys.readouterr().out


def test_demo_relative_times_are_the_bots_local_time() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.app.demo import expand_times

    now = datetime(2026, 3, 29, 0, 40, tzinfo=UTC)  # 01:40 in Copenhagen, before the spring change
    line = 'events add --at "{now+30m}" then {now+1d}'
    assert expand_times(line, ZoneInfo("Europe/Copenhagen"), now) == (
        'events add --at "2026-03-29 03:10" then 2026-03-30 02:40'
    )
