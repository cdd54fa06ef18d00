""" "Forget me" forgets: after /forget and SLET + JA no table names the person; counts stay."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import SQLModel, col, select

from bot.core.gsm import segments
from bot.tips.retention import anonymise_expired_tips
from storage import events as event_store
from storage import outbox, residents
from storage import tips as tip_store
from storage.broadcast_models import Broadcast
from storage.db import Database
from storage.event_models import Event, Invitation, Observation
from storage.models import Departure
from storage.residents import scrubber
from storage.tip_models import Tip, TipPhoto
from tests.events_helpers import add_helper, new_event

TG_ID = 7340985521
FIRST, LAST = "Ingeborg", "Quistgaard"
NUMBER = "+4528193746"
COORDINATOR = 9001  # the app fixture makes telegram:9001 a coordinator
TIP_PHOTO = b"\xff\xd8\xff\xe0" + b"tip-photo" * 8 + b"\xff\xd9"
WALK_PHOTO = b"\xff\xd8\xff\xe0" + b"walk-photo" * 8 + b"\xff\xd9"

# Every form the person's identity could take in a stored value.
IDENTIFIERS = [
    re.compile(FIRST, re.IGNORECASE),
    re.compile(LAST, re.IGNORECASE),
    re.compile(rf"(?<!\d){TG_ID}(?!\d)"),
    re.compile(r"(?<!\d)(\+?45)?28\D?19\D?37\D?46(?!\d)"),
]


@pytest.fixture
def settings(settings):
    """No quiet hours: the walk below starts in ten minutes, whatever the hour the suite runs."""
    return settings.model_copy(update={"quiet_hours": "00:00-00:00"})


def press(telegram, user_id: int, message, label: str) -> None:
    data = dict(telegram.buttons(message))[label]
    telegram.user_presses_button(user_id, message.message_id, data)


def seen(telegram, user_id: int) -> int:
    return len(telegram.messages_to(user_id))


def says(telegram, text: str, **kw) -> None:
    telegram.user_sends_text(TG_ID, text, first_name=FIRST, last_name=LAST, **kw)


async def sms(twilio, body: str) -> str:
    await twilio.user_sends_sms(NUMBER, body)
    return str(twilio.sms_to(NUMBER)[-1].body)


async def dump(db: Database) -> list[str]:
    """Every row of every table, each as one line of text (bytes decoded as far as they go)."""
    lines = []
    async with db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await conn.execute(table.select())).all():
                values = [
                    v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row
                ]
                lines.append(f"{table.name}: {' | '.join(values)}")
    return lines


async def telegram_joins_and_tips(telegram) -> str:
    says(telegram, "/start")
    welcome = await telegram.wait_for(TG_ID, "Vil du være nabohjælper")
    press(telegram, TG_ID, welcome, "Ja, tilmeld mig")
    await telegram.wait_for(TG_ID, "Vælg dit lokalområde")
    says(telegram, "Farum")
    await telegram.wait_for(TG_ID, "nabohjælper i: Farum")
    says(telegram, "/tip")
    choose = await telegram.wait_for(TG_ID, "Hvad handler det om?")
    press(telegram, TG_ID, choose, "Hærværk på bænke, skure, containere m.m.")
    await telegram.wait_for(TG_ID, "Skriv kort, hvad der skete")
    says(telegram, f"Skuret er smadret. Spørg efter {FIRST} {LAST} i nr. 3")
    await telegram.wait_for(TG_ID, "Tilføj gerne op til 5 billeder")
    telegram.user_sends_photo(TG_ID, TIP_PHOTO, first_name=FIRST, last_name=LAST)
    photo_ok = await telegram.wait_for(TG_ID, "Billede 1 af højst 5 modtaget")
    telegram.user_sends_location(TG_ID, 55.81, 12.37, first_name=FIRST, last_name=LAST)
    await telegram.wait_for(TG_ID, "Position modtaget")
    press(telegram, TG_ID, photo_ok, "Videre ▶")
    contact = await telegram.wait_for(TG_ID, "Må kommunen kontakte dig")
    press(telegram, TG_ID, contact, "Kommunen må kontakte mig")
    summary = await telegram.wait_for(TG_ID, "Send tippet?")
    press(telegram, TG_ID, summary, "Send tip")
    thanks = await telegram.wait_for(TG_ID, "Tak for dit tip! Reference: T-")
    return str(thanks.text).split("Reference: ")[1].split(".")[0]


async def coordinator_answers(telegram, notice, answer: str) -> None:
    before = seen(telegram, COORDINATOR)
    press(telegram, COORDINATOR, notice, "Svar")
    await telegram.wait_for(COORDINATOR, "Skriv dit svar", after=before)
    telegram.user_sends_text(COORDINATOR, answer, first_name="Kim")
    await telegram.wait_for(COORDINATOR, "Svaret er sendt", after=before)


async def test_forget_leaves_no_trace_of_the_person_and_keeps_the_counts(
    app, telegram, twilio, db, settings
) -> None:
    telegram.user_sends_text(COORDINATOR, "/help", first_name="Kim")
    await telegram.wait_for(COORDINATOR, "Koordinator")

    # Telegram: joins, a tip with contact allowed, a photo and a location; chooses a topic.
    reference = await telegram_joins_and_tips(telegram)
    card = await telegram.wait_for(COORDINATOR, f"Nyt tip {reference}")
    assert FIRST in card.text  # they allowed contact, so the coordinators saw who they are
    says(telegram, "/topics")
    topics = await telegram.wait_for(TG_ID, "Hvad vil du have beskeder om")
    before = seen(telegram, TG_ID)
    press(telegram, TG_ID, topics, "✅ Gode råd")
    await telegram.wait_for(TG_ID, "beskeder om", after=before)

    # SMS: joins, an SMS tip, a topic choice.
    assert "Farum" in await sms(twilio, "tilmeld farum")
    assert (await sms(twilio, "TIP knallerter ved søen, skriv til 28193746")).startswith("Tak! Tip")
    assert "2)" in await sms(twilio, "EMNER")
    await sms(twilio, "2")
    sms_card = await telegram.wait_for(COORDINATOR, "knallerter ved søen")
    # The coordinator answers both; the answers are relayed.
    await coordinator_answers(telegram, card, f"Tak {FIRST}, vi kigger på det.")
    await coordinator_answers(telegram, sms_card, "Tak, vi sætter skilte op.")
    await telegram.wait_for(TG_ID, "Svar fra kommunen")
    await twilio.wait_for_sms(NUMBER, "Svar fra kommunen")

    # A safety walk in Farum: both say yes, it begins, both send an observation.
    now = datetime.now(UTC)
    walk, _ = await new_event(
        db, settings, now, kind="tryghedsvandring", title="Aftenvandring",
        starts_at=now + timedelta(minutes=10), reminders="none",
    )  # fmt: skip
    assert walk.id is not None
    invitation = await telegram.wait_for(TG_ID, "Aftenvandring")
    press(telegram, TG_ID, invitation, "Jeg kommer")
    await telegram.wait_for(TG_ID, "Du er tilmeldt", after=seen(telegram, TG_ID) - 1)
    await twilio.wait_for_sms(NUMBER, "Aftenvandring")
    await sms(twilio, "JA")
    async with db.session() as s:
        assert (await event_store.counts(session=s, event_id=walk.id)).yes == 2
        row = await s.get(Event, walk.id)
        assert row is not None
        row.starts_at = datetime.now(UTC) - timedelta(minutes=20)
        s.add(row)

    says(telegram, "/obs")
    kinds = await telegram.wait_for(TG_ID, "hvad har du set")
    press(telegram, TG_ID, kinds, "Dårlig belysning")
    await telegram.wait_for(TG_ID, "kort beskrivelse")
    telegram.user_sends_photo(
        TG_ID, WALK_PHOTO, caption=f"Mørk sti, spørg {FIRST} {LAST}", first_name=FIRST
    )
    held = await telegram.wait_for(TG_ID, "Foto 1 modtaget")
    press(telegram, TG_ID, held, "✅ Gem")
    await telegram.wait_for(TG_ID, "Observationen er gemt")
    assert "1)" in await sms(twilio, "OBS")
    assert "beskriv kort" in await sms(twilio, "1")
    assert "stedet" in await sms(twilio, "Lampen ved stien er i stykker")
    assert "er gemt" in await sms(twilio, "GEM")

    # /mydata shows all of it; the SMS version stays short.
    says(telegram, "/mydata")
    mine = await telegram.wait_for(TG_ID, "Det har vi gemt om dig")
    for part in (
        reference,
        "Aftenvandring",
        "ja",
        "1 observation",
        "gode råd fra",
        "Adresser: Telegram\n",
        f"Tip du har sendt: 1 - {reference}",
    ):
        assert part in mine.text, part
    assert f"telegram:{TG_ID}" not in mine.text
    sms_mine = await sms(twilio, "DATA")
    assert NUMBER in sms_mine and "1 tip" in sms_mine and "1 observation" in sms_mine
    assert segments(sms_mine) <= 2

    async with db.session() as s:
        tips_before = len((await s.exec(select(Tip))).all())
        photos = [Path(settings.media_dir) / p.path for p in (await s.exec(select(TipPhoto))).all()]
        walk_photos = [
            Path(settings.media_dir) / o.photo_path
            for o in (await s.exec(select(Observation))).all()
            if o.photo_path
        ]
    assert tips_before == 2 and len(photos) == 1 and len(walk_photos) == 1
    assert all(p.exists() for p in photos + walk_photos)
    found = [line for line in await dump(db) if any(p.search(line) for p in IDENTIFIERS)]
    assert found  # the check below looks where the person is stored

    # Forget on both channels.
    says(telegram, "/forget")
    ask = await telegram.wait_for(TG_ID, "Det kan ikke fortrydes")
    press(telegram, TG_ID, ask, "Ja, slet alt")
    await telegram.wait_for(TG_ID, "Alle dine oplysninger er slettet")
    assert "JA" in await sms(twilio, "SLET")
    assert "slettet" in await sms(twilio, "JA")

    left = [line for line in await dump(db) if any(p.search(line) for p in IDENTIFIERS)]
    assert left == [], "\n".join(left)
    async with db.session() as s:
        tips = (await s.exec(select(Tip).order_by(col(Tip.id)))).all()
        assert len(tips) == tips_before
        assert all(t.resident_id is None and t.contact_id is None for t in tips)
        assert not any(t.may_contact or t.notify_status for t in tips)
        assert tips[0].text.startswith("Skuret er smadret") and tips[0].latitude == 55.81
        observations = (await s.exec(select(Observation))).all()
        assert len(observations) == 2
        assert all(o.resident_id is None and o.photo_path is None for o in observations)
        assert (await event_store.counts(session=s, event_id=walk.id)).yes == 2
        departures = [d.kind for d in (await s.exec(select(Departure))).all()]
        assert departures.count("forget") == 2
        assert (await s.exec(select(TipPhoto))).all() == []
    # The photos they sent are deleted: a picture can show who took it, their home, their car.
    assert not any(p.exists() for p in photos + walk_photos)


def test_the_scrubber_finds_every_form_of_the_number_and_the_name() -> None:
    scrub = scrubber(
        names=["Ingeborg Quist-Mørk"], urns=["tel:+4528193746", "telegram:734"], placeholder="[x]"
    )
    assert scrub("tel:+4528193746, +45 28 19 37 46, 28-19-37-46, 4528193746") == (
        "[x], [x], [x], [x]"
    )
    assert scrub("ring 281937460 eller 1281937 46") == "ring 281937460 eller 1281937 46"
    assert scrub("INGEBORG QUIST-MØRK, Ingeborg, Mørk, mørk sti, Quist") == (
        "[x], [x], [x], mørk sti, [x]"
    )
    assert scrub("telegram:734 and 734 but not 7345") == "[x] and [x] but not 7345"


async def test_answers_count_only_for_events_that_have_begun(db, settings) -> None:
    now = datetime.now(UTC)
    past, _ = await new_event(db, settings, now, starts_at=now + timedelta(hours=1))
    coming, _ = await new_event(db, settings, now, starts_at=now + timedelta(days=3))
    async with db.session() as s:
        begun = await s.get(Event, past.id)
        assert begun is not None
        begun.starts_at = now - timedelta(hours=1)
        s.add(begun)
    karen = await add_helper(db, "telegram:1001", name="Karen")
    async with db.session() as s:
        for event in (past, coming):
            assert event.id is not None
            row = await event_store.add_invitation(
                session=s, event_id=event.id, resident_id=karen, urn="telegram:1001"
            )
            row.status, row.share_name = event_store.ATTENDING, True
            s.add(row)
    async with db.session() as s:
        gone = await residents.forget_resident(session=s, resident_id=karen)
    assert gone.answers_counted == 1
    async with db.session() as s:
        assert past.id is not None and coming.id is not None
        assert (await event_store.counts(session=s, event_id=past.id)).yes == 1
        # Nobody can reach them or expect them at an event still to come.
        assert (await event_store.counts(session=s, event_id=coming.id)).yes == 0
        assert (await s.exec(select(Invitation))).all() == []
        assert await event_store.attendee_names(session=s, event_id=past.id) == []


async def test_retention_also_empties_the_stored_notices_about_the_tip(db, settings) -> None:
    old = datetime.now(UTC) - timedelta(days=settings.tip_retention_days + 1)
    async with db.session() as s:
        tip = await tip_store.create_tip(
            session=s, channel="telegram", category="other", text="Bil holder ved nr. 3",
            resident_id=None, contact_id=None, area_id=None, now=old,
        )  # fmt: skip
        await outbox.enqueue_direct(
            session=s, urns=["telegram:9001"], text=f"Nyt tip {tip.reference}: Bil holder ved nr. 3",
            created_by=f"tip:{tip.reference}",
        )  # fmt: skip
    assert await anonymise_expired_tips(db, settings, datetime.now(UTC)) == 1
    async with db.session() as s:
        [notice] = (await s.exec(select(Broadcast))).all()
        assert notice.text == ""
