"""The organisers' /event flow as a person has it, on Telegram and on SMS: a time typed the way
one says it and echoed back, a preview that names who gets it, and a cancel that asks first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from storage import roles
from storage.broadcast_models import TopicPreference
from storage.db import Database
from storage.event_models import Event
from tests.chat_drivers import Person, SmsPerson, TelegramPerson, flow_of
from tests.conftest import COORDINATOR_ID
from tests.events_helpers import add_helper, new_event, outbox_messages

PHONE = "+4520304050"


@pytest.fixture(params=["telegram", "sms"])
async def organiser(
    request: pytest.FixtureRequest,
    app: object,
    db: Database,
    telegram: FakeTelegram,
    twilio: TwilioFake,
) -> Person:
    """A coordinator, on Telegram (by setting) or on SMS (by role)."""
    if request.param == "telegram":
        return TelegramPerson(telegram, COORDINATOR_ID)
    async with db.session() as s:
        await roles.grant(session=s, urn=f"tel:{PHONE}", role=roles.COORDINATOR)
    return SmsPerson(twilio, PHONE)


def yes(person: Person) -> str:
    return "Ja" if person.channel == "telegram" else "JA"


async def draft_until_the_time(organiser: Person) -> None:
    await organiser.command("event")
    await organiser.presses("➕ Nyt arrangement")
    await organiser.presses("Borgermøde")
    await organiser.says("Borgermøde om tryghed")


async def draft_until_the_preview(organiser: Person, when: str) -> str:
    await draft_until_the_time(organiser)
    await organiser.says(when)
    await organiser.presses(yes(organiser))
    await organiser.says("Farum Kulturhus")
    await organiser.presses("Farum")
    await organiser.presses("Færdig")
    return await organiser.says("0")


async def test_a_time_typed_as_one_says_it_is_echoed_for_a_yes(
    organiser: Person, db: Database
) -> None:
    await draft_until_the_time(organiser)
    echo = await organiser.says("10. december 2030 kl. 19")
    assert echo.startswith("Tirsdag 10. december 2030 kl. 19:00 - er det rigtigt?")
    if organiser.channel == "telegram":
        assert organiser.labels() == ["Ja", "Ret"]
    else:
        assert "Svar JA" in echo
    # "Ret" (SMS: NEJ) asks again; a time typed at the question is echoed in its turn.
    again = await organiser.presses("Ret" if organiser.channel == "telegram" else "NEJ")
    assert again.startswith("Hvornår?")
    await organiser.says("10/12/2030 19:00")
    echo = await organiser.says("11/12/2030 18:30")
    assert echo.startswith("Onsdag 11. december 2030 kl. 18:30 - er det rigtigt?")
    assert "Hvor foregår det?" in await organiser.presses(yes(organiser))
    flow = await flow_of(db, organiser.urn)
    assert flow is not None and flow.data["starts_at"].startswith("2030-12-11T17:30")


async def test_the_preview_names_the_recipients_per_channel(
    organiser: Person, db: Database
) -> None:
    await add_helper(db, "telegram:1001")
    await add_helper(db, "telegram:1002")
    await add_helper(db, "tel:+4520304060")
    opted_out = await add_helper(db, "telegram:1003")
    await add_helper(db, "telegram:1004", area="Værløse")
    async with db.session() as s:
        s.add(TopicPreference(resident_id=opted_out, topic="meetings", enabled=False))
    preview = await draft_until_the_preview(organiser, "10. december 2030 kl. 19")
    assert "Modtagere: 3 nabohjælpere (2 på Telegram, 1 på SMS)" in preview
    assert "Påmindelser: 7d, 1d, 2h" in preview and "Bemærk" not in preview
    await organiser.presses("Send invitation")
    sent = {urn for urn, _, _ in await outbox_messages(db, kind="invitation")}
    assert sent == {"telegram:1001", "telegram:1002", "tel:+4520304060"}


async def test_the_preview_warns_when_every_reminder_is_already_past(
    organiser: Person, db: Database, settings
) -> None:
    soon = (datetime.now(UTC) + timedelta(hours=1, minutes=5)).astimezone(settings.tz)
    preview = await draft_until_the_preview(organiser, soon.strftime("%d/%m/%Y %H:%M"))
    assert "Modtagere: 0 nabohjælpere" in preview
    assert "ingen nabohjælpere i de valgte områder" in preview
    assert "Påmindelser: ingen" in preview
    assert "alle påmindelser (7d, 1d, 2h før) ligger allerede før nu" in preview


async def test_cancelling_an_event_asks_first_and_names_who_is_told(
    organiser: Person, db: Database, settings
) -> None:
    for n in range(12):
        await add_helper(db, f"telegram:{1100 + n}")
    event, _ = await new_event(
        db, settings, datetime.now(UTC), starts_at=datetime.now(UTC) + timedelta(days=9)
    )
    await organiser.command("event")
    await organiser.presses(organiser.labels()[0])
    question = await organiser.presses("Aflys arrangementet")
    assert "12 inviterede får besked om aflysningen" in question
    if organiser.channel == "telegram":
        assert organiser.labels() == ["Ja, aflys", "Nej, behold"]
    kept = await organiser.presses("Nej, behold" if organiser.channel == "telegram" else "NEJ")
    assert kept == "OK, Borgermøde om tryghed er ikke aflyst. Ingen har fået besked."
    assert await outbox_messages(db, kind="notice") == []
    if organiser.channel == "telegram":
        # The old question's "Ja, aflys" no longer cancels anything.
        assert "udløbet" in await organiser.presses("Ja, aflys")
    async with db.session() as s:
        assert (await s.get(Event, event.id)).cancelled_at is None  # type: ignore[union-attr]
    await organiser.command("event")
    await organiser.presses(organiser.labels()[0])
    await organiser.presses("Aflys arrangementet")
    done = await organiser.presses("Ja, aflys" if organiser.channel == "telegram" else "JA")
    assert done.startswith("Borgermøde om tryghed er aflyst. 12 inviterede får besked")
    # Queued for all of them (the running dispatcher may already be delivering some).
    notices = await outbox_messages(db, kind="notice")
    assert notices and all(
        text.startswith("AFLYST: Borgermøde om tryghed") for _, text, _ in notices
    )


async def test_cancel_at_the_cancel_question_keeps_the_event(
    organiser: Person, db: Database, settings
) -> None:
    event, _ = await new_event(
        db, settings, datetime.now(UTC), starts_at=datetime.now(UTC) + timedelta(days=9)
    )
    await organiser.command("event")
    await organiser.presses(organiser.labels()[0])
    await organiser.presses("Aflys arrangementet")
    left = await organiser.command("cancel")
    assert left == "Afbrudt. Arrangementet er ikke aflyst, og ingen har fået besked."
    async with db.session() as s:
        assert (await s.exec(select(Event))).one().cancelled_at is None
    del event
