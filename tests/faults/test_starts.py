"""Starting several instances: all at once on an empty database, and two in polling mode."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults.conftest import Setup
from tests.faults.database import migrate_and_seed, telegram_ids
from tests.faults.tally import WELCOME, report, wait_all_received

pytestmark = pytest.mark.faults

START_LIMIT = 60.0
# PTB long-polls with a 10 s timeout: two pollers would have clashed several times by then.
POLLING_WATCH_SECONDS = 15.0
RACE_SIGNS = ("duplicate key", "UniqueViolation")


async def test_three_instances_started_at_once_on_an_empty_database_all_come_up(
    world: Setup,
) -> None:
    cluster = world.cluster
    started = time.monotonic()
    instances = await cluster.add_instances(3)
    assert cluster.http is not None
    up: dict[str, float] = {}
    while time.monotonic() - started < START_LIMIT:
        for instance in instances:
            if instance.name not in up and instance.alive:
                status, _body, _took = await instance.healthz(cluster.http)
                if status == 200:
                    up[instance.name] = time.monotonic() - started
        if len(up) == len(instances) or not any(i.alive for i in instances if i.name not in up):
            break
        await asyncio.sleep(0.3)
    await asyncio.sleep(2)  # one that crashes right after answering counts as crashed
    crashed = [i.name for i in instances if not i.alive]
    racing = [i.name for i in instances if any(sign in i.log() for sign in RACE_SIGNS)]
    tracebacks = sum(i.log().count("Traceback") for i in instances)
    report(
        "3 starts, empty database",
        instances_up=f"{len(up)} of {len(instances)}",
        crashed=",".join(crashed) or "-",
        migration_races_in=",".join(racing) or "-",
        tracebacks=tracebacks,
        seconds_until_all_up=max(up.values()) if len(up) == len(instances) else "-",
    )
    assert len(up) == len(instances) and not crashed and not racing, (
        f"up: {up}, crashed: {crashed}, migrations raced (duplicate key) in: {racing}\n"
        f"{cluster.logs()}"
    )


async def test_two_instances_in_polling_mode_never_cause_a_409(world: Setup) -> None:
    cluster = world.cluster
    await migrate_and_seed(world.url, {})
    instances = await cluster.add_instances(2, mode="polling")
    await cluster.wait_up(instances)
    leader, _ = await cluster.wait_leader(timeout=30)
    watching = time.monotonic()
    people = telegram_ids(800_000, 3)
    for index, person in enumerate(people):
        cluster.telegram.user_sends_text(person, "/start", first_name=f"Nabo{index}")
    welcomes = await wait_all_received(cluster, people, [], WELCOME, timeout=30)
    await asyncio.sleep(max(0.0, watching + POLLING_WATCH_SECONDS - time.monotonic()))
    pollers = [i.name for i in instances if i.tap.polls]
    conflicts = cluster.conflicts()
    report(
        "2 instances, polling",
        conflicts_409=conflicts,
        instances_polling=",".join(pollers) or "-",
        leader=leader.name if leader else "-",
        welcome_not_exactly_once=len(welcomes.not_exactly_once()),
    )
    problems = []
    if conflicts:
        problems.append(f"the fake answered getUpdates {conflicts} times with 409 Conflict")
    if len(pollers) != 1 or (leader is not None and pollers != [leader.name]):
        problems.append(f"instances that polled: {pollers}; only the leader should")
    if welcomes.not_exactly_once():
        problems.append(f"/start not answered exactly once: {welcomes.not_exactly_once()}")
    assert not problems, "\n".join(problems) + f"\n{cluster.logs()}"
