"""Observations are collected, then saved: /obs on Telegram and OBS on SMS, as transcripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app.application import build_router
from bot.core.conversation import Conversation
from bot.core.messages import Location
from storage import residents
from storage.event_models import Event
from tests.chat_drivers import leave_alone
from tests.events_helpers import add_helper, new_event
from tests.walks_helpers import PHOTO, SMS, TG, Person, files_in, stored, walk_in_progress

# One table on both channels: what a person sends, and what the answer must say.
SHARED = [
    (("/obs", "OBS"), "hvad har du set"),
    (("press:Dårlig belysning", "1"), "Observationen gemmes, når du"),
    (("Mørk sti bag skolen", "Mørk sti bag skolen"), "Beskrivelse modtaget."),
    (("Gem", "GEM"), "Observationen er gemt"),
]


@pytest.mark.parametrize("urn", [TG, SMS])
async def test_a_description_is_collected_and_gem_saves_it_on_both_channels(
    db, settings, urn
) -> None:
    await add_helper(db, urn, name="Karen")
    event_id = await walk_in_progress(db, settings, urn)
    person = Person(Conversation(db, settings, build_router()), urn)
    column = 0 if urn == TG else 1
    for sends, wanted in SHARED:
        answer = await person.send(sends[column])
        assert wanted in answer, (sends[column], answer)
        if sends[column] in ("Gem", "GEM"):
            continue
        assert await stored(db) == []  # nothing is saved before Gem
    [saved] = await stored(db)
    assert (saved.event_id, saved.kind, saved.note) == (
        event_id,
        "belysning",
        "Mørk sti bag skolen",
    )


async def test_telegram_photos_location_and_note_in_any_order_then_gem(db, settings) -> None:
    karen = await add_helper(db, TG, name="Karen")
    await walk_in_progress(db, settings, TG)
    person = Person(Conversation(db, settings, build_router()), TG)
    async with db.session() as s:
        areas_before = [a.id for a in await residents.areas_of(session=s, resident_id=karen)]
    await person.send("/obs")
    await person.send("press:Hærværk")
    # A photo without caption does not save: it is acknowledged with what the observation holds.
    answer = await person.send("", photo=True)
    assert answer == "Foto 1 modtaget. Observationen har nu 1 foto. Send mere, eller tryk Gem."
    assert person.last is not None
    assert [b.label for b in person.last[0].flat_buttons()] == ["✅ Gem", "Kassér"]
    # A location during the observation is its place, never an area sign-up.
    answer = await person.send("", location=Location(55.8201, 12.3602))
    assert answer.startswith("Position modtaget. Observationen har nu 1 foto og en position.")
    assert "nabohjælper" not in answer
    assert "Foto 2 modtaget" in await person.send("", photo=True)
    # The description typed after the photos is kept, not "I didn't understand that".
    answer = await person.send("Graffiti på muren ved tunnelen")
    assert answer == (
        "Beskrivelse modtaget. Observationen har nu 2 fotos, en position og en beskrivelse. "
        "Send mere, eller tryk Gem."
    )
    assert "Tilføjet til beskrivelsen" in await person.send("Også på skiltet")
    assert await stored(db) == []
    answer = await person.send("press:Gem")
    assert answer.startswith("Tak! Observationen er gemt til protokollen (2 fotos, en position")
    [saved] = await stored(db)
    assert saved.note == "Graffiti på muren ved tunnelen\nOgså på skiltet"
    assert saved.kind == "haervaerk" and saved.resident_id == karen
    assert (saved.latitude, saved.longitude) == (55.8201, 12.3602)
    assert saved.photo_path is not None and len(saved.more_photos) == 1
    kept = files_in(settings.media_dir)
    assert {str(p) for p in kept} == {saved.photo_path, *saved.more_photos}
    assert set(kept.values()) == {PHOTO}
    async with db.session() as s:
        assert [
            a.id for a in await residents.areas_of(session=s, resident_id=karen)
        ] == areas_before
    # With the observation saved, a location is no longer the walk's: the usual offer answers.
    assert "Position modtaget" not in await person.send("", location=Location(55.82, 12.36))


async def test_sms_kind_note_place_then_gem(db, settings) -> None:
    await add_helper(db, SMS, name="Ib")
    await walk_in_progress(db, settings, SMS)
    person = Person(Conversation(db, settings, build_router()), SMS)
    kinds = await person.send("OBS")
    assert "Svar med nummeret" in kinds and "1) Dårlig belysning" in kinds
    assert "svarer GEM" in await person.send("2")
    answer = await person.send("Hækken skjuler indgangen")
    assert answer == (
        "Beskrivelse modtaget. Skriv evt. stedet (fx 'stien bag skolen'), eller svar GEM for at gemme."
    )
    answer = await person.send("Bybjerget 12")
    assert answer == (
        "Sted modtaget. Observationen har nu et sted og en beskrivelse. "
        "Svar GEM for at gemme den, eller skriv mere."
    )
    assert await stored(db) == []
    assert "Observationen er gemt" in await person.send("gem")
    [saved] = await stored(db)
    assert (saved.kind, saved.note, saved.place) == (
        "beplantning",
        "Hækken skjuler indgangen",
        "Bybjerget 12",
    )


async def test_gem_with_nothing_asks_for_content_and_discard_leaves_nothing(db, settings) -> None:
    await add_helper(db, TG, name="Karen")
    await walk_in_progress(db, settings, TG)
    person = Person(Conversation(db, settings, build_router()), TG)
    await person.send("/obs")
    await person.send("press:Andet")
    assert "Send først en beskrivelse" in await person.send("press:Gem")
    await person.send("", photo=True)
    assert len(files_in(settings.media_dir)) == 1
    assert "kasseret" in await person.send("press:Kassér")
    assert await stored(db) == [] and files_in(settings.media_dir) == {}


async def test_a_new_obs_saves_the_open_one_first(db, settings) -> None:
    await add_helper(db, TG, name="Karen")
    await walk_in_progress(db, settings, TG)
    person = Person(Conversation(db, settings, build_router()), TG)
    await person.send("/obs")
    await person.send("press:Dårlig belysning")
    await person.send("Lampen er gået ud")
    answer = await person.send("/obs")
    assert answer.startswith("Din forrige observation er gemt (en beskrivelse).")
    assert "hvad har du set" in answer
    assert [o.note for o in await stored(db)] == ["Lampen er gået ud"]


async def test_observations_count_from_half_an_hour_before_the_start(db, settings) -> None:
    await add_helper(db, TG, name="Karen")
    person = Person(Conversation(db, settings, build_router()), TG)
    now = datetime.now(UTC)
    event, _ = await new_event(
        db, settings, now, kind="tryghedsvandring", title="Aftenvandring",
        starts_at=now + timedelta(minutes=40), reminders="none",
    )  # fmt: skip
    assert "ingen tryghedsvandring" in await person.send("/obs")
    async with db.session() as s:
        row = await s.get(Event, event.id)
        assert row is not None
        row.starts_at = now + timedelta(minutes=20)  # the walkers gather early
        s.add(row)
    assert "hvad har du set" in await person.send("/obs")


async def test_forget_deletes_every_photo_of_an_observation(db, settings) -> None:
    await add_helper(db, TG, name="Karen")
    await walk_in_progress(db, settings, TG)
    person = Person(Conversation(db, settings, build_router()), TG)
    await person.send("/obs")
    await person.send("press:Hærværk")
    await person.send("", photo=True)
    await person.send("", photo=True)
    await person.send("Graffiti, spørg Karen")
    await person.send("press:Gem")
    assert len(files_in(settings.media_dir)) == 2
    await person.send("/forget")
    assert "slettet" in await person.send("press:Ja, slet alt")
    assert files_in(settings.media_dir) == {}
    [kept] = await stored(db)
    assert (kept.resident_id, kept.photo_path, kept.more_photos) == (None, None, [])
    assert "Karen" not in kept.note


async def test_cancel_drops_the_open_observation_and_its_photos(db, settings) -> None:
    await add_helper(db, TG, name="Karen")
    await walk_in_progress(db, settings, TG)
    person = Person(Conversation(db, settings, build_router()), TG)
    await person.send("/obs")
    await person.send("press:Hærværk")
    await person.send("", photo=True)
    assert len(files_in(settings.media_dir)) == 1
    assert (await person.send("/cancel")).startswith("Afbrudt.")
    assert await stored(db) == []
    assert files_in(settings.media_dir) == {}  # no orphaned photo left on disk


async def test_an_observation_left_open_is_saved_when_it_expires(db, settings) -> None:
    await add_helper(db, TG, name="Karen")
    await walk_in_progress(db, settings, TG)
    person = Person(Conversation(db, settings, build_router()), TG)
    await person.send("/obs")
    await person.send("press:Dårlig belysning")
    await person.send("Lygten ved stien er slukket")
    await leave_alone(db, TG, minutes=60)  # an hour of walking is not an expiry
    assert "Tilføjet til beskrivelsen" in await person.send("Også den næste")
    assert await stored(db) == []
    await leave_alone(db, TG, minutes=200)
    answer = await person.send("/help")
    assert "blev ikke gemt med Gem, så den er gemt nu" in answer
    [saved] = await stored(db)
    assert saved.note == "Lygten ved stien er slukket\nOgså den næste"
