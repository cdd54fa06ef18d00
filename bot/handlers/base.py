"""The small interface every transport implements, and typed send outcomes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from starlette.routing import BaseRoute

from bot.core.messages import Inbound, Reply

InboundSink = Callable[[Inbound], Awaitable[list[Reply]]]
# Handles an event nobody waits for (a replay) and queues its replies in the same transaction.
QueuingSink = Callable[[Inbound], Awaitable[None]]
# Replies a transport could not deliver right away, handed back for the durable outbox.
LateSink = Callable[[str, list[Reply]], Awaitable[None]]


async def replay_event(
    event: Inbound, sink: InboundSink, queuing: QueuingSink | None, late: LateSink | None
) -> None:
    """Handle a spooled event now; its replies go through the outbox.

    With a queuing sink, handling and queueing are one transaction. Without one (a transport
    built on its own, as in tests), the replies are queued after the handling has committed.
    DatabaseUnavailable propagates, so the spool keeps the record.
    """
    if queuing is not None:
        await queuing(event)
        return
    replies = await sink(event)
    if replies and late is not None:
        await late(event.urn, replies)


# What no inbound text keeps: C0 controls but tab and newline, DEL and C1 controls, lone
# surrogates and the noncharacters U+FFFE/U+FFFF. XML 1.0 forbids most of them, so one echoed into
# TwiML makes the reply unparseable (Twilio error 12100); none of them is something a person typed.
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Characters XML 1.0 cannot carry at all, whatever the escaping: the last guard before TwiML.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Inbound text as a person meant it: line breaks unified, invisible control characters gone."""
    return _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids, so any reply makes well-formed markup."""
    return XML_FORBIDDEN.sub("", text)


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


class ChatLocks:
    """One lock per conversation: different chats are handled at once, one chat in order.

    asyncio.Lock wakes its waiters first come, first served, so events of one chat are handled in
    the order they arrived; a lock lives only while someone holds or waits for it.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
