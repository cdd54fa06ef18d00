"""The small interface every transport implements, and typed send outcomes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from starlette.routing import BaseRoute

from bot.core.messages import Inbound, Reply

InboundSink = Callable[[Inbound], Awaitable[list[Reply]]]
# Replies a transport could not deliver right away, handed back for the durable outbox.
LateSink = Callable[[str, list[Reply]], Awaitable[None]]


class Outcome(Enum):
    """What a send attempt means for the product, whatever the provider said."""

    SENT = "sent"
    RETRY = "retry"  # rate limit, 5xx, timeout: try again later
    BLOCKED = "blocked"  # the person blocked the bot (Telegram 403)
    STOPPED = "stopped"  # the person opted out at the carrier (Twilio 21610)
    INVALID = "invalid"  # the address cannot receive messages (chat not found, bad number)
    FAILED = "failed"  # permanent for this message only (too long, bad markup)


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    provider_id: str | None = None
    retry_after: float | None = None
    detail: str = ""


class Transport(Protocol):
    """A channel: receives provider events as Inbound, sends neutral replies."""

    channel: str

    def routes(self) -> list[BaseRoute]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, urn: str, reply: Reply) -> SendResult: ...
