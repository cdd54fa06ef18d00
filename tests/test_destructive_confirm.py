"""Destructive actions confirm, naming the consequence: forget me, removing an area, a CLI
broadcast."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from storage import roles
from storage.db import Database
from storage.models import Area, Contact, Membership, Role
from tests.chat_drivers import Person, SmsPerson, TelegramPerson
from tests.cli_helpers import Nabovagt, on_db
from tests.test_areas_conversation import join
from tests.test_broadcast_cli import _deliveries, _residents
from tests.test_broadcast_helpers import area_id
from tests.test_parity import areas_of


def _state(url: str) -> tuple[list[str], int, int]:
    async def read(db: Database) -> tuple[list[str], int, int]:
        async with db.session() as s:
            names = sorted(a.name for a in (await s.exec(select(Area))).all())
            members = len((await s.exec(select(Membership))).all())
            granted = len((await s.exec(select(Role))).all())
            return names, members, granted

    return on_db(url, read)


def _grant_representative(url: str, urn: str, area: str) -> None:
    async def grant(db: Database) -> None:
        aid = await area_id(db, area)
        async with db.session() as s:
            await roles.grant(session=s, urn=urn, role=roles.REPRESENTATIVE, area_id=aid)

    on_db(url, grant)


def _also_in(url: str, urn: str, area: str) -> None:
    async def join(db: Database) -> None:
        aid = await area_id(db, area)
        async with db.session() as s:
            contact = (await s.exec(select(Contact).where(Contact.urn == urn))).one()
            s.add(Membership(resident_id=contact.resident_id, area_id=aid))

    on_db(url, join)


def test_removing_an_area_names_who_loses_it_and_asks(
    nabovagt: Nabovagt, seeded_database_url: str
) -> None:
    _residents(seeded_database_url, "Farum", ["telegram:1", "telegram:2", "tel:+4520000001"])
    _also_in(seeded_database_url, "telegram:1", "Værløse")
    _grant_representative(seeded_database_url, "telegram:5", "Farum")
    before = _state(seeded_database_url)

    declined = nabovagt("areas", "remove", "Farum", stdin="n\n")
    assert declined.exit_code == 1, declined.output
    assert "3 neighbour helpers lose Farum" in declined.stdout
    assert "(2 of them have no other area and get no more alerts)" in declined.stdout
    assert "1 area representative roles for Farum end" in declined.stdout
    assert "Remove Farum? [y/N]" in declined.stdout
    assert _state(seeded_database_url) == before

    removed = nabovagt("areas", "remove", "Farum", stdin="y\n")
    assert removed.exit_code == 0, removed.output
    names, members, granted = _state(seeded_database_url)
    assert "Farum" not in names and members == before[1] - 3 and granted == before[2] - 1


def test_removing_an_area_with_yes_does_not_ask_and_unknown_names_are_refused(
    nabovagt: Nabovagt, seeded_database_url: str
) -> None:
    _residents(seeded_database_url, "Hareskov", ["telegram:3"])
    done = nabovagt("areas", "remove", "Hareskov", "--yes")
    assert done.exit_code == 0 and "1 neighbour helpers lose Hareskov" in done.stdout
    assert "[y/N]" not in done.stdout and "area Hareskov removed" in done.stdout
    unknown = nabovagt("areas", "remove", "Atlantis", "--yes")
    assert unknown.exit_code == 2 and "unknown area Atlantis" in unknown.stderr


def test_a_cli_broadcast_asks_naming_how_many_it_reaches(
    nabovagt: Nabovagt, seeded_database_url: str
) -> None:
    _residents(seeded_database_url, "Farum", ["telegram:1", "tel:+4520000001"])
    asked = nabovagt(
        "broadcast", "--kind", "tip", "--area", "Farum", "--text", "Lås døren.", stdin="n\n"
    )
    assert asked.exit_code == 1
    assert "Send to 2 recipients (1 on sms, 1 on telegram)? [y/N]" in asked.stdout
    assert "Og som SMS (1 del)" in asked.stdout
    assert _deliveries(seeded_database_url) == []


@pytest.fixture(params=["telegram", "sms"])
async def resident(
    request: pytest.FixtureRequest, app: object, telegram: FakeTelegram, twilio: TwilioFake
) -> Person:
    if request.param == "telegram":
        return TelegramPerson(telegram, 2001)
    return SmsPerson(twilio, "+4520304050")


async def test_forget_me_names_the_consequence_and_no_keeps_everything(
    resident: Person, db: Database
) -> None:
    await join(resident, "Farum")
    sms = isinstance(resident, SmsPerson)
    ask = await (resident.says("SLET") if sms else resident.command("forget"))
    assert "ingen" in ask and "beskeder mere" in ask.replace("SMS mere", "beskeder mere")
    assert "kan ikke fortrydes" in ask
    if sms:
        assert "Svar JA for at slette, NEJ for at beholde dem." in ask and "/" not in ask
        kept = await resident.says("NEJ")
    else:
        assert resident.labels() == ["Ja, slet alt", "Annuller"]
        kept = await resident.presses("Annuller")
    assert kept == "OK, intet er slettet."
    assert await areas_of(db, resident.urn) == ["Farum"]
