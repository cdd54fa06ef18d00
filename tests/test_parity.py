"""One table of conversation cases, run on Telegram and on SMS: parity proven, not claimed."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from storage.db import Database
from storage.models import Area, Contact, Membership, Resident

TELEGRAM_USER = 2001
PHONE = "+4520304050"


class TelegramDriver:
    """A resident on Telegram: slash commands and button presses."""

    channel = "telegram"

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.urn = f"telegram:{TELEGRAM_USER}"

    async def _send(self, text: str) -> str:
        seen = len(self.fake.messages_to(TELEGRAM_USER))
        self.fake.user_sends_text(TELEGRAM_USER, text, first_name="Bent")
        return (await self.fake.wait_for(TELEGRAM_USER, after=seen)).text or ""

    async def _press_first(self, label: str) -> str:
        seen = len(self.fake.messages_to(TELEGRAM_USER))
        message = next(
            m
            for m in reversed(self.fake.messages_to(TELEGRAM_USER))
            if label in dict(self.fake.buttons(m))
        )
        data = dict(self.fake.buttons(message))[label]
        self.fake.user_presses_button(TELEGRAM_USER, message.message_id, data)
        return (await self.fake.wait_for(TELEGRAM_USER, after=seen)).text or ""

    async def join(self, area: str) -> str:
        await self._send("/start")
        await self._press_first("Ja, tilmeld mig")
        return await self._send(area)

    async def text(self, text: str) -> str:
        return await self._send(text)

    async def command(self, name: str) -> str:
        return await self._send(f"/{ {'delete': 'forget'}.get(name, name) }")

    async def confirm_delete(self) -> str:
        return await self._press_first("Ja, slet alt")


class SmsDriver:
    """A resident on a basic phone: keywords and numbers."""

    channel = "sms"

    def __init__(self, fake: TwilioFake) -> None:
        self.fake = fake
        self.urn = f"tel:{PHONE}"

    async def _send(self, text: str) -> str:
        seen = len(self.fake.sms_to(PHONE))
        await self.fake.user_sends_sms(PHONE, text)
        new = self.fake.sms_to(PHONE)[seen:]
        return "\n".join(sms.body for sms in new)

    async def join(self, area: str) -> str:
        return await self._send(f"TILMELD {area}")

    async def text(self, text: str) -> str:
        return await self._send(text)

    async def command(self, name: str) -> str:
        keyword = {"stop": "STOP", "start": "START", "help": "HJÆLP", "delete": "SLET"}[name]
        return await self._send(keyword)

    async def confirm_delete(self) -> str:
        return await self._send("JA")


@pytest.fixture(params=["telegram", "sms"])
def resident(
    request: pytest.FixtureRequest, app: object, telegram: FakeTelegram, twilio: TwilioFake
) -> TelegramDriver | SmsDriver:
    return TelegramDriver(telegram) if request.param == "telegram" else SmsDriver(twilio)


async def areas_of(db: Database, urn: str) -> list[str]:
    async with db.session() as s:
        contact = (await s.exec(select(Contact).where(Contact.urn == urn))).first()
        if contact is None:
            return []
        rows = await s.exec(select(Membership).where(Membership.resident_id == contact.resident_id))
        names = []
        for membership in rows.all():
            area = await s.get(Area, membership.area_id)
            assert area is not None
            names.append(area.name)
        return sorted(names)


REGISTERED = r"nabohjælper i:? {}"


async def test_join_by_area_name(resident, db) -> None:
    reply = await resident.join("farum")
    assert re.search(REGISTERED.format("Farum"), reply)
    assert await areas_of(db, resident.urn) == ["Farum"]


async def test_join_by_name_without_diacritics(resident, db) -> None:
    reply = await resident.join("Vaerloese")
    assert re.search(REGISTERED.format("Værløse"), reply)
    assert await areas_of(db, resident.urn) == ["Værløse"]


async def test_join_by_postcode_then_number_from_the_list(resident, db) -> None:
    offer = await resident.join("3520")
    assert "Flere områder passer" in offer
    reply = await resident.text("2")
    assert re.search(REGISTERED.format("Farum Midtpunkt"), reply)
    assert await areas_of(db, resident.urn) == ["Farum Midtpunkt"]


async def test_stop_then_start(resident, db) -> None:
    await resident.join("Farum")
    assert "ikke flere" in await resident.command("stop")
    async with db.session() as s:
        assert (await s.exec(select(Contact))).one().stopped_at is not None
    assert "Velkommen tilbage" in await resident.command("start")
    async with db.session() as s:
        assert (await s.exec(select(Contact))).one().stopped_at is None
    assert await areas_of(db, resident.urn) == ["Farum"]


async def test_help_lists_what_one_can_do_and_the_emergency_number(resident) -> None:
    await resident.join("Farum")
    reply = await resident.command("help")
    assert "112" in reply and ("STOP" in reply or "/stop" in reply)


async def test_delete_after_confirmation(resident, db) -> None:
    await resident.join("Farum")
    assert "slette" in await resident.command("delete")
    assert "slettet" in await resident.confirm_delete()
    async with db.session() as s:
        assert (await s.exec(select(Resident))).all() == []
        assert (await s.exec(select(Contact))).all() == []


async def test_unknown_text_gets_a_helpful_answer(resident) -> None:
    await resident.join("Farum")
    reply = await resident.text("hvornår kommer skraldebilen?")
    assert "forstod jeg ikke" in reply
