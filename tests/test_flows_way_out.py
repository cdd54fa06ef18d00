"""Every flow has a way out and an end: /cancel (SMS: AFBRYD), expiry, and no loop of reprompts.

One table of conversations, run on Telegram and on SMS, through the fakes; plus the engine-wide
property that /cancel leaves every waiting state any feature registers.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app.application import build_router
from bot.core.conversation import Conversation
from bot.core.messages import Inbound
from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from storage import flows, roles
from storage.db import Database
from storage.models import Contact
from storage.tip_models import Tip
from tests.chat_drivers import Person, SmsPerson, TelegramPerson, flow_of, leave_alone
from tests.conftest import COORDINATOR_ID
from tests.events_helpers import add_helper
from tests.test_parity import areas_of

PHONE = "+4520304050"
CANCELLED = "Afbrudt. Intet er gemt eller ændret."
EXPIRED = "Dit forrige trin var udløbet"
GAVE_UP = "Det forstod jeg heller ikke, så jeg har afbrudt."


@pytest.fixture(params=["telegram", "sms"])
async def organiser(
    request: pytest.FixtureRequest, app: object, db: Database, telegram: FakeTelegram, twilio
) -> Person:
    """A coordinator, on Telegram (by setting) or on SMS (by role)."""
    if request.param == "telegram":
        return TelegramPerson(telegram, COORDINATOR_ID)
    async with db.session() as s:
        await roles.grant(session=s, urn=f"tel:{PHONE}", role=roles.COORDINATOR)
    return SmsPerson(twilio, PHONE)


@pytest.fixture(params=["telegram", "sms"])
async def resident(
    request: pytest.FixtureRequest, app: object, telegram: FakeTelegram, twilio: TwilioFake
) -> Person:
    if request.param == "telegram":
        return TelegramPerson(telegram, 2001)
    return SmsPerson(twilio, PHONE)


async def start_event(organiser: Person) -> str:
    """/event -> new -> Borgermøde -> a title: the flow now waits for a time."""
    await organiser.command("event")
    await organiser.presses("➕ Nyt arrangement")
    await organiser.presses("Borgermøde")
    return await organiser.says("Tryghed i Farum")


async def test_cancel_mid_event_leaves_the_flow(organiser: Person, db: Database) -> None:
    assert "Hvornår?" in await start_event(organiser)
    assert await organiser.command("cancel") == CANCELLED
    assert await flow_of(db, organiser.urn) is None
    # The time typed next is not taken for the event that was left.
    assert "Hvornår" not in await organiser.says("10. december kl. 19")


async def test_cancel_with_nothing_open_says_so(resident: Person) -> None:
    reply = await resident.command("cancel")
    assert reply.startswith("Der er ikke noget at afbryde.")
    assert "ikke tilmeldt" not in reply
    # On SMS the reply names the SMS keyword, on Telegram the command.
    assert ("HJÆLP" in reply) == (resident.channel == "sms")


async def test_cancel_leaves_the_area_list_and_a_number_no_longer_picks(
    resident: Person, db: Database
) -> None:
    if isinstance(resident, SmsPerson):
        await resident.says("TILMELD Farum")
    else:
        await resident.command("start")
        await resident.presses("Ja, tilmeld mig")
        await resident.says("Farum")
    await resident.command("areas")
    assert await resident.command("cancel") == "Afbrudt. Dine områder er uændret: Farum."
    await resident.says("2")
    assert await areas_of(db, resident.urn) == ["Farum"]


async def test_sms_stop_and_cancel_keep_meaning_stop_inside_a_flow(
    sms_app: object, twilio: TwilioFake, db: Database
) -> None:
    person = SmsPerson(twilio, PHONE)
    await person.says("TILMELD Farum")
    await person.command("areas")
    assert "ikke flere" in await person.says("CANCEL")
    async with db.session() as s:
        assert (await s.exec(select(Contact))).one().stopped_at is not None


@pytest.mark.parametrize("typed", ["afbryd", "Annullér", "AFBRUD", "fortryd"])
async def test_sms_cancel_words_and_near_misses(
    typed: str, sms_app: object, twilio: TwilioFake, db: Database
) -> None:
    person = SmsPerson(twilio, PHONE)
    await person.says("TILMELD Farum")
    await person.command("areas")
    assert await person.says(typed) == "Afbrudt. Dine områder er uændret: Farum."
    async with db.session() as s:
        assert (await s.exec(select(Contact))).one().stopped_at is None


async def test_a_flow_left_alone_expires(organiser: Person, db: Database) -> None:
    await start_event(organiser)
    await leave_alone(db, organiser.urn, minutes=31)
    reply = await organiser.says("10. december kl. 19", replies=2)
    assert reply.startswith(EXPIRED)
    assert "er det rigtigt" not in reply  # handled as if no flow were open
    assert await flow_of(db, organiser.urn) is None


async def test_a_flow_within_its_time_carries_on(organiser: Person, db: Database) -> None:
    await start_event(organiser)
    await leave_alone(db, organiser.urn, minutes=20)
    assert "er det rigtigt?" in await organiser.says("10. december kl. 19")


async def test_cancel_after_expiry_says_only_that_it_expired(
    organiser: Person, db: Database
) -> None:
    await start_event(organiser)
    await leave_alone(db, organiser.urn, minutes=45)
    assert (await organiser.command("cancel")).startswith(EXPIRED)


async def test_two_unexpected_answers_end_the_flow_with_the_way_out(
    organiser: Person, db: Database
) -> None:
    await start_event(organiser)
    first = await organiser.says("snart")
    assert first.startswith("Det kunne jeg ikke læse som en dag og et klokkeslæt")
    assert ("AFBRYD" in first) == (organiser.channel == "sms")
    assert ("/cancel" in first) == (organiser.channel == "telegram")
    second = await organiser.says("engang")
    assert second.startswith(GAVE_UP)
    assert await flow_of(db, organiser.urn) is None


async def test_a_good_answer_between_starts_the_count_afresh(organiser: Person) -> None:
    await organiser.command("event")
    await organiser.presses("➕ Nyt arrangement")
    await organiser.presses("Borgermøde")
    await organiser.says("Tryghed i Farum")
    await organiser.says("snart")  # one miss at the time
    await organiser.says("10. december 2030 kl. 19")
    await organiser.presses("Ja" if organiser.channel == "telegram" else "JA")
    await organiser.says("Farum Bibliotek")
    # The area picker waits for buttons: a stray text gets one pointer to them, not an end.
    pointer = await organiser.says("hmm")
    assert pointer.startswith("Det forstod jeg ikke.")
    assert ("numrene" in pointer) == (organiser.channel == "sms")
    assert (await organiser.says("hmm igen")).startswith(GAVE_UP)


async def test_sms_tip_left_at_the_category_question_says_the_tip_is_kept(
    sms_app: object, twilio: TwilioFake, db: Database
) -> None:
    await add_helper(db, f"tel:{PHONE}")
    person = SmsPerson(twilio, PHONE)
    await person.says("TIP cyklen blev stjålet i nat")
    assert await person.says("AFBRYD") == "OK. Dit tip er gemt som Andet."
    async with db.session() as s:
        assert len((await s.exec(select(Tip))).all()) == 1


async def test_before_consent_the_chosen_language_survives_expiry(
    app: object, telegram: FakeTelegram, db: Database
) -> None:
    person = TelegramPerson(telegram, 3001)
    await person.command("language", "en")
    await person.command("start")  # waits for consent, in English
    await leave_alone(db, person.urn, minutes=120)
    reply = await person.says("hello", replies=2)
    assert reply.startswith("Your earlier step had expired")
    flow = await flow_of(db, person.urn)
    assert flow is not None and flow.state == "idle" and flow.data == {"lang": "en"}
    # Only the language is left, and no expiry takes it: hours later the welcome is in English.
    await leave_alone(db, person.urn, minutes=600)
    assert (await person.command("start")).startswith("Welcome to Nabovagt")


@pytest.mark.parametrize("channel", ["telegram", "sms"])
async def test_cancel_leaves_every_waiting_state_any_feature_registers(
    channel: str, db: Database, settings
) -> None:
    """Engine-wide: no feature can forget the way out, whatever state it waits in."""
    router = build_router()
    convo = Conversation(db, settings, router)
    urn = "telegram:4001" if channel == "telegram" else "tel:+4520304099"
    await add_helper(db, urn)
    states = sorted(set(router.states) | set(router.leave_hooks))
    assert {"event_time", "choosing_areas", "tip_category"} <= set(states)
    for state in states:
        async with db.session() as s:
            await flows.set_flow(session=s, urn=urn, state=state, data={"choices": ["x:1"]})
        command, text = ("cancel", "/cancel") if channel == "telegram" else ("cancel", "AFBRYD")
        replies = await convo.handle(Inbound(urn=urn, channel=channel, text=text, command=command))
        assert [r.text for r in replies] and replies[0].text.startswith(("Afbrudt", "OK")), state
        assert await flow_of(db, urn) is None, state


async def test_a_yes_long_after_a_passed_over_question_confirms_nothing(
    app: object, twilio: TwilioFake, db: Database
) -> None:
    # SLET asks "JA?", the person does something else; a later JA (say, to an invitation) must
    # not delete everything they have.
    await add_helper(db, f"tel:{PHONE}", name="Inger")
    inger = SmsPerson(twilio, PHONE)
    assert "JA" in await inger.says("SLET")
    await inger.says("DATA")
    answer = await inger.says("JA")
    assert "slettet" not in answer
    async with db.session() as s:
        assert (await s.exec(select(Contact))).one().resident_id is not None
    # Asked again and answered at once, it works as before.
    assert "JA" in await inger.says("SLET")
    assert "slettet" in await inger.says("JA")
