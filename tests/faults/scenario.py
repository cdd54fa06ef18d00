"""The stage every broadcast fault shares: residents, three instances, an event, an alert under way."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.faults.cluster import Cluster, Instance
from tests.faults.conftest import Setup
from tests.faults.database import (
    add_event,
    delivery_statuses,
    migrate_and_seed,
    phone_numbers,
    queue_broadcast,
    telegram_ids,
)
from tests.faults.tally import Tally, count, marker, wait_all_received, wait_until

# The alert goes to Farum; the event (invitation, then a reminder during the fault) to Hareskov.
FARUM_CHATS = telegram_ids(100_000, 300)
FARUM_NUMBERS = phone_numbers(0, 60)
HARESKOV_CHATS = telegram_ids(200_000, 20)
HARESKOV_NUMBERS = phone_numbers(500, 5)
# The fault strikes once this many alerts are out (about 2 s into a 12 s broadcast).
MID_BROADCAST = 60
# Two seconds of sending at Telegram's 30/s: the most a single fault may duplicate.
MAX_DUPLICATES = 60
TAKEOVER_LIMIT = 10.0
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass
class Stage:
    world: Setup
    leader: Instance
    event_id: int
    alert: str = ""  # the marker in the alert's text
    alert_id: int = 0

    @property
    def cluster(self) -> Cluster:
        return self.world.cluster

    @property
    def env(self) -> dict[str, str]:
        return self.cluster.env("webhook")

    def alert_tally(self) -> Tally:
        return count(
            self.cluster.telegram, self.cluster.twilio, FARUM_CHATS, FARUM_NUMBERS, self.alert
        )

    async def outbox(self) -> dict[str, int]:
        return await delivery_statuses(self.world.url)


async def three_instances_with_residents(world: Setup) -> Stage:
    """360 helpers in Farum and 25 in Hareskov, three instances up, the Hareskov event invited."""
    await migrate_and_seed(
        world.url,
        {"Farum": (FARUM_CHATS, FARUM_NUMBERS), "Hareskov": (HARESKOV_CHATS, HARESKOV_NUMBERS)},
    )
    cluster = world.cluster
    instances = await cluster.add_instances(3)
    await cluster.wait_up(instances)
    leader, _ = await cluster.wait_leader(timeout=30)
    assert leader is not None, f"no leader among three instances\n{cluster.logs()}"
    title = f"Borgermøde {marker()}"
    event_id = await add_event(cluster.env("webhook"), "Hareskov", title, datetime.now(COPENHAGEN))
    invited = await wait_all_received(
        cluster, HARESKOV_CHATS, HARESKOV_NUMBERS, title, timeout=40, settle=1
    )
    assert not invited.missing, f"invitations: {invited.describe()}\n{cluster.logs()}"
    return Stage(world, leader, event_id)


async def alert_under_way(stage: Stage) -> float:
    """Queue the alert with the CLI; return once MID_BROADCAST are out (time.monotonic())."""
    stage.alert = marker()
    text = f"Indbrud meldt på Skovvej i nat. Hold øje og ring 114 ved mistanke. {stage.alert}"
    stage.alert_id = await queue_broadcast(stage.env, "Farum", text)
    started = await wait_until(lambda: stage.alert_tally().delivered >= MID_BROADCAST, 30)
    assert started, f"the alert did not get going: {stage.alert_tally().describe()}"
    return time.monotonic()


def check_deliveries(problems: list[str], tally_text: str, missing: int, duplicates: int) -> None:
    if missing:
        problems.append(f"{missing} alert deliveries missing ({tally_text})")
    if duplicates > MAX_DUPLICATES:
        problems.append(f"{duplicates} duplicate alerts, more than {MAX_DUPLICATES}")


def check_takeover(problems: list[str], new: Instance | None, seconds: float) -> None:
    if new is None:
        problems.append(f"no other instance took the lead within {seconds:.1f} s")
    elif seconds >= TAKEOVER_LIMIT:
        problems.append(f"takeover took {seconds:.1f} s, limit {TAKEOVER_LIMIT:.0f} s")


def verdict(problems: list[str], cluster: Cluster, outbox: dict[str, int]) -> None:
    """Fail with every problem at once, the outbox's state and the instances' logs."""
    assert not problems, (
        "\n".join(problems) + f"\noutbox rows by status: {outbox}\n{cluster.logs()}"
    )
