"""Fixtures of the fault suite: PostgreSQL or a loud skip, and a fresh database and cluster per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.cluster import Cluster
from tests.faults.database import create_database, drop_database, unreachable_reason
from tests.faults.tally import RESULTS


@dataclass
class Setup:
    """One test's world: the server, its own database, and the cluster on it."""

    server_url: str
    database: str
    url: str
    cluster: Cluster


@pytest.fixture
async def server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    reason = await unreachable_reason(url)
    if reason is not None:
        pytest.skip(reason)
    assert url is not None
    return url


@pytest.fixture
async def world(server_url: str, tmp_path: Path) -> AsyncIterator[Setup]:
    """A fresh PostgreSQL database (dropped afterwards) and the fakes + load balancer, started."""
    name, url = await create_database(server_url)
    cluster = Cluster(url, tmp_path)
    try:
        await cluster.start()
        yield Setup(server_url, name, url, cluster)
    finally:
        await cluster.stop()
        await drop_database(server_url, name)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    terminalreporter.section("fault-injection numbers")
    for scenario, name, value in RESULTS:
        terminalreporter.write_line(f"{scenario:<28} {name:<34} {value}")
