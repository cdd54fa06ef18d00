"""A person in a chat, on Telegram or on SMS, driven through the fakes: what they type and press,
and everything the bot answered."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from storage.db import Database
from storage.models import FlowState


class TelegramPerson:
    """Slash commands, typed text and button presses; `replies` says how many messages to await."""

    channel = "telegram"

    def __init__(self, fake: FakeTelegram, user_id: int) -> None:
        self.fake, self.user_id = fake, user_id
        self.urn = f"telegram:{user_id}"

    async def _answers(self, seen: int, replies: int) -> str:
        await self.fake.wait_for(self.user_id, after=seen + replies - 1)
        return "\n".join(m.text or "" for m in self.fake.messages_to(self.user_id)[seen:])

    async def command(self, name: str, args: str = "", *, replies: int = 1) -> str:
        return await self.says(f"/{name} {args}".strip(), replies=replies)

    async def says(self, text: str, *, replies: int = 1) -> str:
        seen = len(self.fake.messages_to(self.user_id))
        self.fake.user_sends_text(self.user_id, text, first_name="Karen")
        return await self._answers(seen, replies)

    def labels(self) -> list[str]:
        """The buttons of the last message that has any."""
        for message in reversed(self.fake.messages_to(self.user_id)):
            if self.fake.buttons(message):
                return [label for label, _ in self.fake.buttons(message)]
        return []

    async def presses(self, label: str, *, replies: int = 1) -> str:
        seen = len(self.fake.messages_to(self.user_id))
        message = next(
            m
            for m in reversed(self.fake.messages_to(self.user_id))
            if label in dict(self.fake.buttons(m))
        )
        data = dict(self.fake.buttons(message))[label]
        self.fake.user_presses_button(self.user_id, message.message_id, data)
        return await self._answers(seen, replies)


class SmsPerson:
    """Keywords, typed text, and numbers for the offered choices."""

    channel = "sms"
    KEYWORDS = {"cancel": "AFBRYD", "event": "ARRANGEMENT", "areas": "OMRÅDER", "stop": "STOP"}

    def __init__(self, fake: TwilioFake, phone: str) -> None:
        self.fake, self.phone = fake, phone
        self.urn = f"tel:{phone}"

    async def command(self, name: str, args: str = "", *, replies: int = 1) -> str:
        return await self.says(f"{self.KEYWORDS.get(name, name.upper())} {args}".strip())

    async def says(self, text: str, *, replies: int = 1) -> str:
        seen = len(self.fake.sms_to(self.phone))
        await self.fake.user_sends_sms(self.phone, text)
        return "\n".join(sms.body for sms in self.fake.sms_to(self.phone)[seen:])

    def labels(self) -> list[str]:
        """The numbered choices of the last SMS ("1) Ja" -> "Ja")."""
        last = self.fake.sms_to(self.phone)[-1].body
        return [line.partition(") ")[2] for line in last.splitlines() if line[:1].isdigit()]

    async def presses(self, label: str, *, replies: int = 1) -> str:
        """Answer with the number of the choice labelled `label`; YES/NO questions by keyword."""
        if label in ("JA", "NEJ"):
            return await self.says(label)
        # SMS carries GSM-7 only: "➕ Nyt arrangement" arrives as "Nyt arrangement".
        plain = [shown.strip() for shown in self.labels()]
        return await self.says(str(plain.index(label.lstrip("➕📅 ").strip()) + 1))


Person = TelegramPerson | SmsPerson


async def flow_of(db: Database, urn: str) -> FlowState | None:
    async with db.session() as s:
        return (await s.exec(select(FlowState).where(FlowState.urn == urn))).first()


async def leave_alone(db: Database, urn: str, minutes: int) -> None:
    """As if the person had not written for `minutes`."""
    async with db.session() as s:
        flow = (await s.exec(select(FlowState).where(FlowState.urn == urn))).one()
        flow.updated_at = flow.updated_at - timedelta(minutes=minutes)
        s.add(flow)
