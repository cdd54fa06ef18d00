"""The leader dies (kill -9) or freezes (SIGSTOP for 30 s) mid-broadcast; another takes over."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults.conftest import Setup
from tests.faults.database import reminder_due_at, seconds_from_now
from tests.faults.scenario import (
    FARUM_CHATS,
    FARUM_NUMBERS,
    HARESKOV_CHATS,
    HARESKOV_NUMBERS,
    MAX_DUPLICATES,
    alert_under_way,
    check_deliveries,
    check_takeover,
    three_instances_with_residents,
    verdict,
)
from tests.faults.tally import REMINDER, longest_pause, report, wait_all_received

pytestmark = pytest.mark.faults

FREEZE_SECONDS = 30.0
# After waking, a fenced leader may finish what it had in flight (2 s of sending), no more.
IN_FLIGHT_SECONDS = 2.0
IN_FLIGHT_SENDS = MAX_DUPLICATES


async def test_kill_9_of_the_leader_mid_broadcast_loses_nothing(world: Setup) -> None:
    stage = await three_instances_with_residents(world)
    cluster = stage.cluster
    # The event's reminder falls due while the leader is being replaced.
    await reminder_due_at(world.url, stage.event_id, seconds_from_now(3))
    await alert_under_way(stage)
    old = stage.leader
    old.kill()
    killed = time.monotonic()
    new, takeover = await cluster.wait_leader(exclude=old, timeout=30, since=killed)

    alerts, reminders = await asyncio.gather(
        wait_all_received(cluster, FARUM_CHATS, FARUM_NUMBERS, stage.alert, timeout=60),
        wait_all_received(cluster, HARESKOV_CHATS, HARESKOV_NUMBERS, REMINDER, timeout=45),
    )
    outbox = await stage.outbox()
    report(
        "kill -9 leader",
        takeover_seconds=takeover if new else f"none within {takeover:.0f} s",
        longest_pause_in_sending_seconds=longest_pause(cluster.telegram, stage.alert, killed),
        leader_found_via=new.leader_source if new else "-",
        alerts_received=alerts.delivered,
        alerts_missing=len(alerts.missing),
        alert_duplicates=alerts.duplicates,
        reminders_not_exactly_once=len(reminders.not_exactly_once()),
    )
    problems: list[str] = []
    check_takeover(problems, new, takeover)
    check_deliveries(problems, alerts.describe(), len(alerts.missing), alerts.duplicates)
    if reminders.not_exactly_once():
        problems.append(f"reminders not exactly once: {reminders.not_exactly_once()}")
    verdict(problems, cluster, outbox)


async def test_leader_frozen_for_30_s_is_replaced_and_fences_itself_off(world: Setup) -> None:
    stage = await three_instances_with_residents(world)
    cluster = stage.cluster
    await reminder_due_at(world.url, stage.event_id, seconds_from_now(3))
    await alert_under_way(stage)
    old = stage.leader
    old.freeze()
    frozen = time.monotonic()
    new, takeover = await cluster.wait_leader(exclude=old, timeout=FREEZE_SECONDS - 1, since=frozen)
    # The alert should be finished by the new leader while the old one is still frozen.
    during = stage.alert_tally()
    await asyncio.sleep(max(0.0, frozen + FREEZE_SECONDS - time.monotonic()))
    old.thaw()
    woke = time.monotonic()

    alerts, reminders = await asyncio.gather(
        wait_all_received(cluster, FARUM_CHATS, FARUM_NUMBERS, stage.alert, timeout=45, settle=5),
        wait_all_received(cluster, HARESKOV_CHATS, HARESKOV_NUMBERS, REMINDER, timeout=45),
    )
    await asyncio.sleep(max(0.0, woke + 8 - time.monotonic()))  # room for late sends
    alerts = stage.alert_tally()
    after_wake = old.tap.sends_between(woke)
    late = old.tap.sends_between(woke + IN_FLIGHT_SECONDS + 1)
    leaders = [i.name for i in await cluster.leaders()]
    outbox = await stage.outbox()
    report(
        "SIGSTOP leader 30 s",
        takeover_seconds=takeover if new else f"none within {takeover:.0f} s",
        longest_pause_in_sending_seconds=longest_pause(cluster.telegram, stage.alert, frozen),
        leader_found_via=new.leader_source if new else "-",
        alerts_missing_while_frozen=len(during.missing),
        alerts_received=alerts.delivered,
        alerts_missing=len(alerts.missing),
        alert_duplicates=alerts.duplicates,
        frozen_leader_sends_after_waking=after_wake,
        frozen_leader_sends_after_in_flight=late,
        leaders_after_waking=",".join(leaders) or "-",
        reminders_not_exactly_once=len(reminders.not_exactly_once()),
    )
    problems: list[str] = []
    check_takeover(problems, new, takeover)
    check_deliveries(problems, alerts.describe(), len(alerts.missing), alerts.duplicates)
    if after_wake > IN_FLIGHT_SENDS or late:
        problems.append(
            f"the frozen leader sent {after_wake} messages after waking ({late} of them more "
            f"than {IN_FLIGHT_SECONDS + 1:.0f} s later); its in-flight window allows "
            f"{IN_FLIGHT_SENDS}, then nothing"
        )
    if len(leaders) != 1:
        problems.append(f"after waking, instances claiming the lead: {leaders or 'none'}")
    if reminders.not_exactly_once():
        problems.append(f"reminders not exactly once: {reminders.not_exactly_once()}")
    verdict(problems, cluster, outbox)
