"""PostgreSQL refuses connections for 20 s mid-broadcast while residents write on both channels."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults.conftest import Setup
from tests.faults.database import (
    phone_numbers,
    refuse_connections,
    reminder_due_at,
    seconds_from_now,
    sms_sign_ups,
    telegram_ids,
)
from tests.faults.scenario import (
    FARUM_CHATS,
    FARUM_NUMBERS,
    HARESKOV_CHATS,
    HARESKOV_NUMBERS,
    alert_under_way,
    check_deliveries,
    three_instances_with_residents,
    verdict,
)
from tests.faults.tally import (
    APOLOGY,
    REMINDER,
    WELCOME,
    SmsAttempts,
    count,
    longest_pause,
    report,
    resident_texts,
    wait_all_received,
)

pytestmark = pytest.mark.faults

OUTAGE_SECONDS = 20.0
WRITERS = 10  # new residents per channel, one every 2 s through the outage
NEW_CHATS = telegram_ids(700_000, WRITERS)
NEW_NUMBERS = phone_numbers(900, WRITERS)
SIGNED_UP = "nabohjælper i Værløse"  # the reply to "tilmeld værløse"
HEALTHZ_LIMIT = 2.0
# Written while the database is up: proves the harness sees inbound and its answers at all.
CONTROL_CHAT = 699_999
CONTROL_NUMBER = phone_numbers(899, 1)[0]


async def test_database_outage_mid_broadcast_loses_no_inbound_and_no_alert(world: Setup) -> None:
    stage = await three_instances_with_residents(world)
    cluster = stage.cluster
    cluster.telegram.user_sends_text(CONTROL_CHAT, "/start", first_name="Kontrol")
    control = await resident_texts(cluster.twilio, CONTROL_NUMBER, "tilmeld værløse")
    controls = await asyncio.gather(
        wait_all_received(cluster, [CONTROL_CHAT], [], WELCOME, timeout=20, settle=0),
        wait_all_received(cluster, [], [CONTROL_NUMBER], SIGNED_UP, timeout=20, settle=0),
    )
    assert not any(c.missing for c in controls), (
        f"with the database up, /start or an SMS sign-up got no answer (SMS webhook said "
        f"{control.statuses}): the harness is broken, not the fault handling\n{cluster.logs()}"
    )
    await reminder_due_at(world.url, stage.event_id, seconds_from_now(8))  # mid-outage
    await alert_under_way(stage)
    outage = asyncio.create_task(
        refuse_connections(world.server_url, world.database, OUTAGE_SECONDS)
    )
    began = time.monotonic()

    async def write(index: int) -> SmsAttempts:
        await asyncio.sleep(0.5 + 2 * index)
        cluster.telegram.user_sends_text(NEW_CHATS[index], "/start", first_name=f"Nabo{index}")
        return await resident_texts(cluster.twilio, NEW_NUMBERS[index], "tilmeld værløse")

    writers = [asyncio.create_task(write(i)) for i in range(WRITERS)]
    probes: list[tuple[str, int | None, object, float]] = []
    for at in (5.0, 12.0):
        await asyncio.sleep(max(0.0, began + at - time.monotonic()))
        assert cluster.http is not None
        for instance in cluster.instances:
            status, body, took = await instance.healthz(cluster.http)
            probes.append((instance.name, status, body, took))
    refused_for = await outage
    texts = await asyncio.gather(*writers)

    # Waited for together, so a run that loses something fails in one timeout, not four.
    alerts, welcomes, sms_replies, reminders = await asyncio.gather(
        wait_all_received(cluster, FARUM_CHATS, FARUM_NUMBERS, stage.alert, timeout=60),
        wait_all_received(cluster, NEW_CHATS, [], WELCOME, timeout=45),
        wait_all_received(cluster, [], NEW_NUMBERS, SIGNED_UP, timeout=45),
        wait_all_received(cluster, HARESKOV_CHATS, HARESKOV_NUMBERS, REMINDER, timeout=45),
    )
    leader, _ = await cluster.wait_leader(timeout=20)
    sign_ups = await sms_sign_ups(world.url, NEW_NUMBERS)
    telegram_apologies = count(cluster.telegram, cluster.twilio, NEW_CHATS, [], APOLOGY)
    sms_apologies = count(cluster.telegram, cluster.twilio, [], NEW_NUMBERS, APOLOGY)
    outbox = await stage.outbox()
    slowest = max(took for *_, took in probes)
    lost_tg = [c for c, n in welcomes.counts.items() if n == 0]
    lost_sms = [n for n, c in sign_ups.items() if c == 0]
    report(
        "database refused 20 s",
        refused_seconds=refused_for,
        longest_pause_in_sending_seconds=longest_pause(cluster.telegram, stage.alert, began),
        alerts_received=alerts.delivered,
        alerts_missing=len(alerts.missing),
        alert_duplicates=alerts.duplicates,
        telegram_inbound_lost=f"{len(lost_tg)} of {WRITERS}",
        telegram_welcome_not_exactly_once=len(welcomes.not_exactly_once()),
        sms_inbound_lost=f"{len(lost_sms)} of {WRITERS}",
        sms_reply_not_exactly_once=len(sms_replies.not_exactly_once()),
        sms_webhook_statuses=" ".join("/".join(map(str, t.statuses)) for t in texts),
        apologies_telegram=telegram_apologies.delivered,
        apologies_sms=sms_apologies.delivered,
        healthz_slowest_seconds=slowest,
        healthz_during_outage=" ".join(f"{name}:{status}" for name, status, *_ in probes),
        leader_after_outage=leader.name if leader else "-",
        reminders_not_exactly_once=len(reminders.not_exactly_once()),
        load_balancer_failovers=cluster.balancer.failovers,
    )
    problems: list[str] = []
    check_deliveries(problems, alerts.describe(), len(alerts.missing), alerts.duplicates)
    if lost_tg or welcomes.duplicates:
        problems.append(
            f"Telegram /start during the outage: {len(lost_tg)} lost {lost_tg}, "
            f"not answered exactly once: {welcomes.not_exactly_once()}"
        )
    if lost_sms or any(n > 1 for n in sign_ups.values()):
        problems.append(f"SMS sign-ups during the outage, contacts per number: {dict(sign_ups)}")
    if sms_replies.not_exactly_once():
        problems.append(f"SMS sign-up replies not exactly once: {sms_replies.not_exactly_once()}")
    if slowest > HEALTHZ_LIMIT:
        problems.append(f"/healthz took {slowest:.1f} s during the outage (limit 2 s): {probes}")
    if any(status != 503 for _name, status, *_ in probes):
        problems.append(f"/healthz during the outage should say 503: {probes}")
    if leader is None:
        problems.append("no leader after the database came back")
    if reminders.not_exactly_once():
        problems.append(f"reminders not exactly once: {reminders.not_exactly_once()}")
    verdict(problems, cluster, outbox)
