"""The broadcast CLI: preview, writing into the outbox, listing, the tip library and roles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from storage.broadcast_models import Delivery
from storage.db import Database
from storage.models import Role
from tests.test_broadcast_helpers import add_residents


def nabovagt(url: str, cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    env["DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_cli_broadcast_previews_and_writes_the_outbox(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await add_residents(db, "Farum", ["telegram:1", "tel:+4520000001"])
    await add_residents(db, "Værløse", ["telegram:2"])
    done = nabovagt(
        database_url,
        tmp_path,
        "broadcast",
        "--kind",
        "alert",
        "--area",
        "Farum",
        "--text",
        "Indbrud på Paltholmvej kl. 14. Lås døre, notér nummerplader, ring 114.",
        "--priority",
        "urgent",
        "--yes",
    )
    assert done.returncode == 0, done.stderr
    assert "🚨 Nabovagt - Farum" in done.stdout
    assert "Modtagere: 2 · Telegram 1 · SMS 1" in done.stdout
    assert "broadcast 1 queued for 2 recipients" in done.stdout
    async with db.session() as session:
        rows = (await session.exec(select(Delivery))).all()
    assert sorted((r.urn, r.priority) for r in rows) == [("tel:+4520000001", 0), ("telegram:1", 0)]

    listed = nabovagt(database_url, tmp_path, "broadcasts", "list")
    assert "alert\turgent\tFarum\tqueued" in listed.stdout
    shown = nabovagt(database_url, tmp_path, "broadcasts", "show", "1")
    assert "Sendt 0 af 2" in shown.stdout and "Paltholmvej" in shown.stdout


async def test_cli_refuses_unknown_areas_and_sends_nothing_unconfirmed(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await add_residents(db, "Farum", ["telegram:1"])
    unknown = nabovagt(
        database_url, tmp_path, "broadcast", "--kind", "tip", "--area", "Atlantis", "--text", "x"
    )
    assert unknown.returncode == 2 and "unknown area Atlantis" in unknown.stderr
    shouting = nabovagt(
        database_url,
        tmp_path,
        "broadcast",
        "--kind",
        "announcement",
        "--all",
        "--text",
        "PANIK I FARUM!!! LÅS ALT",
        stdin="n\n",
    )
    assert shouting.returncode == 1
    assert "STORE BOGSTAVER" in shouting.stdout and "udråbstegn" in shouting.stdout
    assert "panik" in shouting.stdout
    async with db.session() as session:
        assert (await session.exec(select(Delivery))).all() == []


async def test_tips_library_and_representative_roles(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    listed = nabovagt(database_url, tmp_path, "tips-library", "list").stdout.splitlines()
    if not db.is_postgres:  # the PostgreSQL fixture truncates tables, the migration's seed too
        assert len(listed) >= 12 and any("114" in line for line in listed)
    added = nabovagt(
        database_url, tmp_path, "tips-library", "add", "Luk garagen.", "--theme", "Lås"
    )
    assert added.returncode == 0
    new_id = added.stdout.split()[1]
    assert nabovagt(database_url, tmp_path, "tips-library", "remove", new_id).returncode == 0
    assert nabovagt(database_url, tmp_path, "tips-library", "remove", new_id).returncode == 1

    granted = nabovagt(
        database_url, tmp_path, "roles", "grant", "telegram:5", "representative", "--area", "Farum"
    )
    assert granted.returncode == 0 and "telegram:5 is representative for Farum" in granted.stdout
    refused = nabovagt(database_url, tmp_path, "roles", "grant", "telegram:5", "representative")
    assert refused.returncode == 2
    async with db.session() as session:
        roles = (await session.exec(select(Role))).all()
    assert [(r.urn, r.role) for r in roles] == [("telegram:5", "representative")]
