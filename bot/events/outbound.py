"""Event messages through the outbox: one message per language and channel, each in its wording."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Button
from storage import events as store
from storage import outbox
from storage.event_models import Invitation


@dataclass(frozen=True)
class Target:
    urn: str
    channel: str
    lang: str


@dataclass(frozen=True)
class Outgoing:
    """One wording of a message: text, buttons where the channel has them, maybe a file."""

    text: str
    buttons: list[list[Button]] | None = None
    attachment: tuple[str, bytes] | None = None


# (language, channel) -> the message in that language for that channel.
Render = Callable[[str, str], Outgoing]


async def targets_of(session: AsyncSession, rows: list[Invitation]) -> list[Target]:
    """Where each invitation's messages go: its address, that address's channel, the language."""
    if not rows:
        return []
    channels = await store.channels_of(session=session, urns=[r.urn for r in rows])
    langs = await store.languages_of(session=session, resident_ids=[r.resident_id for r in rows])
    return [
        Target(r.urn, channels.get(r.urn, "sms"), langs.get(r.resident_id, "da"))
        for r in rows
        if r.urn in channels
    ]


async def send_grouped(
    session: AsyncSession,
    targets: list[Target],
    render: Render,
    *,
    kind: str,
    key: str,
    now: datetime,
    respect_quiet: bool,
    topic: str | None = None,
    created_by: str = "system",
) -> list[int]:
    """Queue one outbox message per language and channel; return the broadcast ids."""
    groups: dict[tuple[str, str], list[str]] = {}
    for target in targets:
        groups.setdefault((target.lang, target.channel), []).append(target.urn)
    ids = []
    for (lang, channel), urns in sorted(groups.items()):
        message = render(lang, channel)
        broadcast = await outbox.enqueue_direct(
            session=session,
            urns=urns,
            text=message.text,
            kind=kind,
            buttons=message.buttons,
            respect_quiet=respect_quiet,
            topic=topic,
            created_by=created_by,
            dedupe_key=f"{key}:{channel}:{lang}"[:64],
            now=now,
            attachment=message.attachment,
        )
        assert broadcast.id is not None
        ids.append(broadcast.id)
    return ids
