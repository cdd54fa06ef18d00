"""One channel's sending pace: overall rate, a one-second window, per-address spacing, 429 pauses."""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter

from bot.handlers.base import Transport
from storage.delivery import Claimed

# Aim a little under the provider's limit: arrival jitter must not push a 1 s window over it.
RATE_HEADROOM = 0.99
MAX_ATTEMPTS = 6
BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
PER_ADDRESS_INTERVAL = {"telegram": 1.0}  # Telegram: about one message per second per chat


def backoff(attempts: int) -> float:
    """Exponential backoff with full jitter, capped."""
    growth: float = 2 ** (attempts - 1)  # an int power is Any to mypy (negative exponents)
    return random.uniform(0.5, 1.0) * min(BACKOFF_CAP, BACKOFF_BASE * growth)


@dataclass
class Pump:
    """One channel: its transport, overall limiter, per-address spacing and pause on 429."""

    transport: Transport
    rate: float
    queue: asyncio.Queue[Claimed] = field(default_factory=asyncio.Queue)
    paused_until: float = 0.0
    in_flight: int = 0  # taken from the queue, not yet marked
    sending: int = 0  # handed to the transport, no answer yet
    next_for_address: dict[str, float] = field(default_factory=dict)
    drained_until: float = 0.0  # the last claim found the queue empty: ask again after this

    def __post_init__(self) -> None:
        # Capacity one: sends are spaced evenly instead of bursting a whole second's worth.
        self.limiter = AsyncLimiter(1, 1.0 / (self.rate * RATE_HEADROOM))
        self.interval = PER_ADDRESS_INTERVAL.get(self.transport.channel, 0.0)
        self.window = max(1, int(self.rate))
        # At most this many sends may await being recorded (the in-flight window, 2 s of sends).
        self.unrecorded_limit = max(10, int(2 * self.rate))
        self.slots: deque[asyncio.Future[float]] = deque()

    async def window_slot(self) -> asyncio.Future[float]:
        """Start send i only a second after send i-N finished (N = the per-second limit).

        The provider counts arrivals; an arrival lies between our start and our answer, so
        this keeps every one-second window at N even when network jitter bunches requests.
        """
        slot: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.slots.append(slot)
        if len(self.slots) > self.window:
            ended = await self.slots.popleft()
            delay = ended + 1.0 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        return slot

    @property
    def channel(self) -> str:
        return self.transport.channel

    @property
    def batch(self) -> int:
        return max(10, int(self.rate * 2))

    @property
    def workers(self) -> int:
        return max(4, int(self.rate) + 4)

    async def wait_pause(self) -> None:
        """Wait while the provider asked this channel to slow down (it may ask again meanwhile)."""
        delay = self.paused_until - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
            await self.wait_pause()

    async def wait_turn(self, urn: str) -> None:
        """Wait out a channel pause, this address's spacing and the channel's rate."""
        await self.wait_pause()
        if self.interval:
            now = time.monotonic()
            ready = self.next_for_address.get(urn, 0.0)
            self.next_for_address[urn] = max(now, ready) + self.interval
            if ready > now:
                await asyncio.sleep(ready - now)
            if len(self.next_for_address) > 50_000:
                self.next_for_address = {u: t for u, t in self.next_for_address.items() if t > now}
        await self.limiter.acquire()
        await self.wait_pause()
