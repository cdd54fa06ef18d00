"""Counting what the fakes received, residents writing in, and the numbers a run reports."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from tests.faults.cluster import Cluster

# Twilio retries a webhook only with connection overrides on its URL (#rc=5&rp=all); the fake
# posts once, so residents' phones here retry like that: same MessageSid, growing pauses.
TWILIO_RETRY_PAUSES = (1.0, 2.0, 4.0, 8.0, 16.0)
WELCOME = "Vil du være nabohjælper?"
APOLOGY = "Beklager"
REMINDER = "Husk at svare"

# (scenario, name, value) lines printed at the end of the run, for the closing note.
RESULTS: list[tuple[str, str, str]] = []


def report(scenario: str, **numbers: object) -> None:
    for name, value in numbers.items():
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        RESULTS.append((scenario, name, shown))
        print(f"[faults] {scenario}: {name} = {shown}")


def marker() -> str:
    return f"FAULT-{uuid.uuid4().hex[:8]}"


@dataclass
class Tally:
    """How many times each recipient received a message containing the needle."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [r for r, n in self.counts.items() if n == 0]

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.counts.values() if n > 1)

    @property
    def delivered(self) -> int:
        return sum(self.counts.values())

    def not_exactly_once(self) -> dict[str, int]:
        return {r: n for r, n in self.counts.items() if n != 1}

    def describe(self) -> str:
        missing = self.missing
        return (
            f"{len(self.counts)} recipients, {self.delivered} received, {len(missing)} missing "
            f"{missing[:10]}, {self.duplicates} duplicates"
        )


def count(
    telegram: FakeTelegram, twilio: TwilioFake, chats: list[int], numbers: list[str], needle: str
) -> Tally:
    counts: dict[str, int] = {}
    for chat in chats:
        counts[f"telegram:{chat}"] = sum(
            1 for m in telegram.messages_to(chat) if needle in (m.text or "")
        )
    for number in numbers:
        counts[f"tel:{number}"] = sum(1 for s in twilio.sms_to(number) if needle in s.body)
    return Tally(counts)


def longest_pause(telegram: FakeTelegram, needle: str, start: float) -> float:
    """Seconds of the longest gap in Telegram deliveries of `needle`, from `start` to the last."""
    times = sorted(m.at for m in telegram.sent if m.at >= start and needle in (m.text or ""))
    points = [start, *times]
    return max((b - a for a, b in itertools.pairwise(points)), default=0.0)


async def wait_all_received(
    cluster: Cluster,
    chats: list[int],
    numbers: list[str],
    needle: str,
    *,
    timeout: float = 60.0,  # noqa: ASYNC109
    settle: float = 3.0,
) -> Tally:
    """Wait until everyone has it and nothing more arrived for `settle` s (late duplicates)."""
    deadline = time.monotonic() + timeout
    last, still_since = -1, time.monotonic()
    while True:
        tally = count(cluster.telegram, cluster.twilio, chats, numbers, needle)
        now = time.monotonic()
        if tally.delivered != last:
            last, still_since = tally.delivered, now
        if not tally.missing and now - still_since >= settle:
            return tally
        if now > deadline:
            return tally
        await asyncio.sleep(0.25)


async def wait_until(check: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


@dataclass
class SmsAttempts:
    """What one resident's phone saw: the webhook's HTTP statuses, in order (0: no answer)."""

    number: str
    statuses: list[int] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return bool(self.statuses) and 200 <= self.statuses[-1] < 300


async def resident_texts(twilio: TwilioFake, number: str, body: str) -> SmsAttempts:
    """An inbound SMS through the load balancer, retried by "Twilio" on 5xx or no answer."""
    attempts = SmsAttempts(number)
    sid = f"SM{uuid.uuid4().hex}"
    for pause in (*TWILIO_RETRY_PAUSES, None):
        try:
            status, _text = await twilio.user_sends_sms(number, body, message_sid=sid)
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        attempts.statuses.append(status)
        if 200 <= status < 300 or (400 <= status < 500) or pause is None:
            return attempts
        await asyncio.sleep(pause)
    return attempts
