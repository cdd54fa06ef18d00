"""Shared by the safety-walk tests: a walk in progress, a person talking, what is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from bot.app.application import build_router
from bot.core.conversation import Conversation
from bot.core.messages import Inbound, Location, Reply
from bot.core.settings import Settings
from bot.handlers.sms import form_to_inbound, render_sms
from storage.db import Database
from storage.event_models import Event, Observation
from tests.events_helpers import new_event

TG, SMS = "telegram:1001", "tel:+4520304050"
PHOTO = b"\xff\xd8\xff\xe0" + b"walk-photo" * 8 + b"\xff\xd9"


async def walk_in_progress(db: Database, settings: Settings, *attendees: str) -> int:
    """A safety walk in Farum that the attendees said yes to and that began 20 minutes ago."""
    now = datetime.now(UTC)
    event, _ = await new_event(
        db, settings, now, kind="tryghedsvandring", title="Aftenvandring",
        starts_at=now + timedelta(minutes=10), reminders="none",
    )  # fmt: skip
    assert event.id is not None
    convo = Conversation(db, settings, build_router())
    for urn in attendees:
        channel = "telegram" if urn.startswith("telegram:") else "sms"
        await convo.handle(Inbound(urn=urn, channel=channel, callback=f"rsvp:{event.id}:yes"))
    async with db.session() as s:
        row = await s.get(Event, event.id)
        assert row is not None
        row.starts_at = now - timedelta(minutes=20)
        s.add(row)
    return event.id


@dataclass
class Person:
    """One resident talking to the bot on one channel; `send` returns the replies' texts."""

    convo: Conversation
    urn: str

    @property
    def channel(self) -> str:
        return "telegram" if self.urn.startswith("telegram:") else "sms"

    async def send(
        self, what: str, *, photo: bool = False, location: Location | None = None
    ) -> str:
        if self.channel == "sms":
            inbound = form_to_inbound({"From": self.urn.removeprefix("tel:"), "Body": what})
            assert inbound is not None
        elif what.startswith("/"):
            inbound = Inbound(urn=self.urn, channel="telegram", command=what[1:])
        elif what.startswith("press:"):
            inbound = Inbound(urn=self.urn, channel="telegram", callback=self.button(what[6:]))
        else:
            inbound = Inbound(urn=self.urn, channel="telegram", text=what, location=location)
        if photo:

            async def fetch(ref: str) -> bytes:
                return PHOTO

            inbound.photos, inbound.fetch_media = ["file-1"], fetch
        self.last = await self.convo.handle(inbound)
        shown = [render_sms(r) if self.channel == "sms" else r.text for r in self.last]
        return "\n".join(shown)

    last: list[Reply] | None = None

    def button(self, label: str) -> str:
        assert self.last is not None
        buttons = [b for r in self.last for b in r.flat_buttons()]
        return next(b.data for b in buttons if label in b.label)


def files_in(folder: str) -> dict[Path, bytes]:
    """The photos kept on disk, with their content."""
    return {p: p.read_bytes() for p in Path(folder).rglob("*.jpg")}


async def stored(db: Database) -> list[Observation]:
    async with db.session() as s:
        return list((await s.exec(select(Observation).order_by(col(Observation.id)))).all())
