"""The broadcast CLI: preview, writing into the outbox, listing, the tip library and roles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select

from storage.broadcast_models import Delivery
from storage.db import Database
from storage.models import Role
from tests.cli_helpers import Nabovagt, on_db
from tests.test_broadcast_helpers import add_residents


def _residents(url: str, area: str, urns: list[str]) -> None:
    async def add(db: Database) -> None:
        await add_residents(db, area, urns)

    on_db(url, add)


def _deliveries(url: str) -> Sequence[Delivery]:
    async def read(db: Database) -> Sequence[Delivery]:
        async with db.session() as session:
            return (await session.exec(select(Delivery))).all()

    return on_db(url, read)


def test_cli_broadcast_previews_and_writes_the_outbox(
    nabovagt: Nabovagt, seeded_database_url: str
) -> None:
    _residents(seeded_database_url, "Farum", ["telegram:1", "tel:+4520000001"])
    _residents(seeded_database_url, "Værløse", ["telegram:2"])
    done = nabovagt(
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
    assert done.exit_code == 0, done.output
    assert "🚨 Nabovagt - Farum" in done.stdout
    assert "Modtagere: 2 · Telegram 1 · SMS 1" in done.stdout
    assert "broadcast 1 queued for 2 recipients" in done.stdout
    rows = _deliveries(seeded_database_url)
    assert sorted((r.urn, r.priority) for r in rows) == [("tel:+4520000001", 0), ("telegram:1", 0)]

    listed = nabovagt("broadcasts", "list")
    assert "alert\turgent\tFarum\tqueued" in listed.stdout
    shown = nabovagt("broadcasts", "show", "1")
    assert "Sendt 0 af 2" in shown.stdout and "Paltholmvej" in shown.stdout


def test_cli_refuses_unknown_areas_and_sends_nothing_unconfirmed(
    nabovagt: Nabovagt, seeded_database_url: str
) -> None:
    _residents(seeded_database_url, "Farum", ["telegram:1"])
    unknown = nabovagt("broadcast", "--kind", "tip", "--area", "Atlantis", "--text", "x")
    assert unknown.exit_code == 2 and "unknown area Atlantis" in unknown.stderr
    shouting = nabovagt(
        "broadcast",
        "--kind",
        "announcement",
        "--all",
        "--text",
        "PANIK I FARUM!!! LÅS ALT",
        stdin="n\n",
    )
    assert shouting.exit_code == 1
    assert "STORE BOGSTAVER" in shouting.stdout and "udråbstegn" in shouting.stdout
    assert "panik" in shouting.stdout
    assert _deliveries(seeded_database_url) == []


def test_tips_library_and_representative_roles(
    nabovagt: Nabovagt, seeded_database_url: str
) -> None:
    listed = nabovagt("tips-library", "list").stdout.splitlines()
    if not seeded_database_url.startswith("postgresql"):
        # The PostgreSQL fixture truncates tables, the migration's seed too.
        assert len(listed) >= 12 and any("114" in line for line in listed)
    added = nabovagt("tips-library", "add", "Luk garagen.", "--theme", "Lås")
    assert added.exit_code == 0
    new_id = added.stdout.split()[1]
    assert nabovagt("tips-library", "remove", new_id).exit_code == 0
    assert nabovagt("tips-library", "remove", new_id).exit_code == 1

    granted = nabovagt("roles", "grant", "telegram:5", "representative", "--area", "Farum")
    assert granted.exit_code == 0 and "telegram:5 is representative for Farum" in granted.stdout
    refused = nabovagt("roles", "grant", "telegram:5", "representative")
    assert refused.exit_code == 2

    async def roles(db: Database) -> list[tuple[str, str]]:
        async with db.session() as session:
            return [(r.urn, r.role) for r in (await session.exec(select(Role))).all()]

    assert on_db(seeded_database_url, roles) == [("telegram:5", "representative")]
