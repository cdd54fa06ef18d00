"""Choosing areas as a person does it, on Telegram and on SMS: the list is never a loop, numbers
say what they do, and a location, photo or number with nothing open never changes areas."""

from __future__ import annotations

import pytest

from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from tests.chat_drivers import Person, SmsPerson, TelegramPerson, flow_of
from tests.conftest import COORDINATOR_ID
from tests.test_parity import areas_of

PHONE = "+4520304050"
USER = 2001
IN_FARUM_MIDTPUNKT = (55.81, 12.372)
IN_FARUM_ONLY = (55.83, 12.34)
OUTSIDE = (55.676, 12.568)  # Copenhagen


@pytest.fixture(params=["telegram", "sms"])
async def resident(
    request: pytest.FixtureRequest, app: object, telegram: FakeTelegram, twilio: TwilioFake
) -> Person:
    if request.param == "telegram":
        return TelegramPerson(telegram, USER)
    return SmsPerson(twilio, PHONE)


async def join(person: Person, area: str) -> str:
    if isinstance(person, SmsPerson):
        return await person.says(f"TILMELD {area}")
    await person.command("start")
    await person.presses("Ja, tilmeld mig")
    return await person.says(area)


async def test_free_text_at_the_area_list_gets_one_pointer_then_the_list_ends(
    resident: Person, db
) -> None:
    await join(resident, "Farum")
    await resident.command("areas")
    pointer = await resident.says("tak for det")
    assert "kender" in pointer and "ikke" in pointer
    assert ("AFBRYD" in pointer) == (resident.channel == "sms")
    assert "Værløse" not in pointer, "the whole list again"
    ended = await resident.says("tak igen")
    assert (
        ended == "Det forstod jeg heller ikke, så jeg har afbrudt. Dine områder er uændret: Farum."
    )
    assert await flow_of(db, resident.urn) is None
    assert "forstod jeg ikke" in await resident.says("hej")
    assert await areas_of(db, resident.urn) == ["Farum"]


async def test_sms_join_with_an_unknown_area_shows_the_list_once(
    sms_app: object, twilio: TwilioFake, db
) -> None:
    person = SmsPerson(twilio, PHONE)
    first = await person.says("TILMELD Xyzzy")
    assert first.startswith("Det område kender jeg ikke.") and "Værløse" in first
    pointer = await person.says("tak for det")
    assert "Værløse" not in pointer and "AFBRYD" in pointer
    ended = await person.says("tak")
    assert "Du har ikke valgt et område endnu. Skriv OMRÅDER" in ended
    assert "/" not in ended
    assert await flow_of(db, person.urn) is None


async def test_sms_numbers_at_the_area_list_replace_and_say_so(
    sms_app: object, twilio: TwilioFake, db
) -> None:
    person = SmsPerson(twilio, PHONE)
    await person.says("TILMELD Farum")
    offer = await person.says("OMRÅDER")
    assert offer.startswith("Du har nu: Farum.") and "erstatter" in offer
    done = await person.presses("Værløse")
    assert done == "Dine områder er nu: Værløse."
    assert await areas_of(db, person.urn) == ["Værløse"]


async def test_sms_a_reprompted_list_still_takes_a_number(
    sms_app: object, twilio: TwilioFake, db
) -> None:
    person = SmsPerson(twilio, PHONE)
    await person.says("TILMELD Farum")
    await person.says("OMRÅDER")
    labels = person.labels()
    await person.says("tak for det")
    done = await person.says(f"{labels.index('Farum') + 1} {labels.index('Hareskov') + 1}")
    assert done == "Dine områder er nu: Farum, Hareskov."


async def test_joining_another_area_by_name_adds_it(resident: Person, db) -> None:
    await join(resident, "Farum")
    added = await resident.command("start", "Værløse")
    assert added == "Værløse er tilføjet. Dine områder er nu: Farum, Værløse."
    assert await areas_of(db, resident.urn) == ["Farum", "Værløse"]


async def test_already_registered_names_the_channels_own_words(resident: Person) -> None:
    await join(resident, "Farum")
    reply = await resident.command("start")
    assert reply.startswith("Du er allerede nabohjælper i: Farum.")
    if resident.channel == "sms":
        assert "OMRÅDER" in reply and "HJÆLP" in reply and "/" not in reply
    else:
        assert "/areas" in reply


async def test_a_bare_number_with_nothing_open_changes_nothing(resident: Person, db) -> None:
    await join(resident, "Farum")
    reply = await resident.says("2")
    assert reply.startswith("Et tal alene") and "Intet er ændret" in reply
    assert ("OMRÅDER" in reply) == (resident.channel == "sms")
    assert await areas_of(db, resident.urn) == ["Farum"]


async def test_a_location_with_nothing_open_only_offers_its_area(
    app: object, telegram: FakeTelegram, db
) -> None:
    person = TelegramPerson(telegram, USER)
    await join(person, "Farum")
    seen = len(telegram.messages_to(USER))
    telegram.user_sends_location(USER, *IN_FARUM_MIDTPUNKT)
    offer = await telegram.wait_for(USER, after=seen)
    assert offer.text == (
        "Du delte en placering i Farum Midtpunkt. Vil du også have beskeder for Farum Midtpunkt?"
    )
    assert person.labels() == ["Ja, tilføj", "Nej tak"]
    assert await areas_of(db, person.urn) == ["Farum"]
    assert await person.presses("Nej tak") == "OK. Dine områder er uændret: Farum."
    assert await areas_of(db, person.urn) == ["Farum"]

    seen = len(telegram.messages_to(USER))
    telegram.user_sends_location(USER, *IN_FARUM_MIDTPUNKT)
    await telegram.wait_for(USER, "Vil du også have beskeder", after=seen)
    added = await person.presses("Ja, tilføj")
    assert added == "Farum Midtpunkt er tilføjet. Dine områder er nu: Farum, Farum Midtpunkt."
    assert await areas_of(db, person.urn) == ["Farum", "Farum Midtpunkt"]


@pytest.mark.parametrize(
    ("where", "says"),
    [(IN_FARUM_ONLY, "du får allerede beskeder derfra"), (OUTSIDE, "uden for vores lokalområder")],
)
async def test_a_location_in_ones_own_area_or_outside_changes_nothing(
    app: object, telegram: FakeTelegram, db, where: tuple[float, float], says: str
) -> None:
    person = TelegramPerson(telegram, USER)
    await join(person, "Farum")
    seen = len(telegram.messages_to(USER))
    telegram.user_sends_location(USER, *where)
    reply = await telegram.wait_for(USER, after=seen)
    assert says in (reply.text or "") and "intet er ændret" in (reply.text or "").casefold()
    assert not telegram.buttons(reply)
    assert await areas_of(db, person.urn) == ["Farum"]


async def test_a_location_during_sign_up_ticks_the_area_and_waits_for_done(
    app: object, telegram: FakeTelegram, db
) -> None:
    person = TelegramPerson(telegram, USER)
    await person.command("start")
    await person.presses("Ja, tilmeld mig")
    seen = len(telegram.messages_to(USER))
    telegram.user_sends_location(USER, *IN_FARUM_MIDTPUNKT)
    ticked = await telegram.wait_for(USER, after=seen)
    assert "Tryk Færdig" in (ticked.text or "") and "✅ Farum Midtpunkt" in person.labels()
    assert await areas_of(db, person.urn) == []
    assert "nabohjælper i: Farum Midtpunkt" in await person.presses("Færdig")


async def test_a_photo_with_nothing_open_is_explained_not_taken(
    app: object, telegram: FakeTelegram, db
) -> None:
    person = TelegramPerson(telegram, USER)
    await join(person, "Farum")
    seen = len(telegram.messages_to(USER))
    telegram.user_sends_photo(USER, b"\xff\xd8\xff\xe0 not really a jpeg")
    reply = await telegram.wait_for(USER, after=seen)
    assert (reply.text or "").startswith("Billedet er ikke gemt") and "/tip" in (reply.text or "")
    assert await areas_of(db, person.urn) == ["Farum"]


async def test_a_coordinators_start_names_the_staff_tools(
    app: object, telegram: FakeTelegram
) -> None:
    coordinator = TelegramPerson(telegram, COORDINATOR_ID)
    welcome = await coordinator.command("start")
    assert "Som koordinator eller områderepræsentant har du også:" in welcome
    assert "/alert - Send indbrudsalarm" in welcome and "/stats" in welcome
    resident = TelegramPerson(telegram, USER)
    assert "koordinator" not in await resident.command("start")
