"""Registration flows on the neutral conversation engine, channel by channel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from bot.app.application import build_router
from bot.core.conversation import Conversation
from bot.core.i18n import date_text, month_text
from bot.core.messages import Inbound, Location
from bot.registration import services
from storage.models import Area, Contact, Departure, FlowState, Membership, Resident

URN = "telegram:1001"


def tg(**kw: Any) -> Inbound:
    return Inbound(urn=kw.pop("urn", URN), channel="telegram", display_name="Karen Hansen", **kw)


async def test_nothing_but_flow_state_is_kept_before_consent(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    [welcome] = await convo.handle(tg(command="start"))
    assert "nabohjælp" in welcome.text and "/forget" in welcome.text
    assert [b.data for b in welcome.flat_buttons()] == ["consent:yes", "consent:no"]
    async with db.session() as s:
        assert (await s.exec(select(Resident))).all() == []
        assert (await s.exec(select(Contact))).all() == []
        [flow] = (await s.exec(select(FlowState))).all()
        assert flow.urn == URN and flow.state == "awaiting_consent"


async def test_decline_stores_nothing(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await convo.handle(tg(command="start"))
    [reply] = await convo.handle(tg(callback="consent:no"))
    assert "ikke gemt" in reply.text
    async with db.session() as s:
        assert (await s.exec(select(Resident))).all() == []


async def test_postcode_is_ambiguous_and_offers_candidates(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await convo.handle(tg(command="start"))
    await convo.handle(tg(callback="consent:yes"))
    [reply] = await convo.handle(tg(text="3520"))
    assert [b.label for b in reply.flat_buttons()] == ["Farum", "Farum Midtpunkt", "Stavnsholt"]
    [done] = await convo.handle(tg(callback=reply.flat_buttons()[0].data))
    assert "nabohjælper i: Farum." in done.text


async def test_typed_name_without_diacritics_finds_the_area(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await convo.handle(tg(command="start"))
    await convo.handle(tg(callback="consent:yes"))
    [done] = await convo.handle(tg(text="Vaerloese"))
    assert "nabohjælper i: Værløse." in done.text
    async with db.session() as s:
        resident = (await s.exec(select(Resident))).one()
        assert resident.display_name == "Karen Hansen" and resident.consent_at is not None
        assert len((await s.exec(select(Membership))).all()) == 1


async def test_location_outside_every_area_explains_and_offers_buttons(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await convo.handle(tg(command="start"))
    await convo.handle(tg(callback="consent:yes"))
    outside, picker = await convo.handle(tg(location=Location(55.676, 12.568)))
    assert "uden for" in outside.text
    assert any(b.label == "Farum" for b in picker.flat_buttons())
    [ticked] = await convo.handle(tg(location=Location(55.82, 12.35)))
    assert "Tryk Færdig" in ticked.text and "✅ Farum" in [b.label for b in ticked.flat_buttons()]
    [done] = await convo.handle(tg(callback="area:done"))
    assert "nabohjælper i: Farum." in done.text


async def test_stop_keeps_resident_and_start_brings_them_back(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await convo.handle(tg(command="start"))
    await convo.handle(tg(callback="consent:yes"))
    await convo.handle(tg(text="Farum"))
    [stopped] = await convo.handle(tg(command="stop"))
    assert "ikke flere beskeder" in stopped.text
    [note] = await convo.handle(tg(text="hej"))
    assert "/start" in note.text
    [back] = await convo.handle(tg(command="start"))
    assert "Velkommen tilbage" in back.text and "Farum" in back.text
    async with db.session() as s:
        assert [d.kind for d in (await s.exec(select(Departure))).all()] == ["stop"]


async def test_forget_deletes_everything_personal(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await convo.handle(tg(command="start"))
    await convo.handle(tg(callback="consent:yes"))
    await convo.handle(tg(text="Farum"))
    [ask] = await convo.handle(tg(command="forget"))
    assert [b.data for b in ask.flat_buttons()] == ["forget:yes", "forget:no"]
    [gone] = await convo.handle(tg(callback="forget:yes"))
    assert "slettet" in gone.text
    async with db.session() as s:
        assert (await s.exec(select(Resident))).all() == []
        assert (await s.exec(select(Contact))).all() == []
        assert (await s.exec(select(Membership))).all() == []
        assert (await s.exec(select(FlowState))).all() == []
    [mydata] = await convo.handle(tg(command="mydata"))
    assert "intet gemt" in mydata.text


async def test_numbers_press_the_last_offered_buttons(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await convo.handle(tg(command="start"))
    await convo.handle(tg(callback="consent:yes"))
    await convo.handle(tg(text="3520"))
    [done] = await convo.handle(tg(text="2"))
    assert "Farum Midtpunkt" in done.text


async def test_unknown_text_always_gets_an_answer(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    [reply] = await convo.handle(tg(text="hvad er klokken?"))
    assert "/start" in reply.text
    [reply] = await convo.handle(tg(command="frobnicate"))
    assert reply.text


async def test_residents_are_refused_coordinator_commands(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    [reply] = await convo.handle(tg(command="stats"))
    assert "kun for koordinatorer" in reply.text


async def test_language_switch_changes_replies(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await convo.handle(tg(command="start"))
    await convo.handle(tg(callback="consent:yes"))
    await convo.handle(tg(text="Farum"))
    [done] = await convo.handle(tg(callback="lang:en"))
    assert done.text == "Language is now English."
    [helped] = await convo.handle(tg(command="help"))
    assert "What you can do" in helped.text


async def _join(convo: Conversation, urn: str, area: str) -> None:
    await convo.handle(tg(urn=urn, command="start"))
    await convo.handle(tg(urn=urn, callback="consent:yes"))
    await convo.handle(tg(urn=urn, text=area))


async def test_stats_counts_read_as_plurals_under_a_month_heading(db, settings) -> None:
    settings = settings.model_copy(update={"coordinators": "telegram:9001"})
    convo = Conversation(db, settings, build_router())
    await _join(convo, "telegram:1", "Farum")
    await _join(convo, "telegram:2", "Farum")
    await _join(convo, "telegram:3", "Værløse")
    [stats] = await convo.handle(tg(urn="telegram:9001", command="stats"))
    assert "Farum: 2 (+2 nye, 0 stoppet)" in stats.text
    assert "Værløse: 1 (+1 ny, 0 stoppet)" in stats.text
    assert "I alt: 3 aktive, 3 nye i måneden, 0 stoppet." in stats.text
    month = month_text(datetime.now(settings.tz).date(), "da")
    assert f"Nabohjælpere pr. område ({month}):" in stats.text
    await convo.handle(tg(urn="telegram:9001", callback="lang:en"))
    [stats] = await convo.handle(tg(urn="telegram:9001", command="stats"))
    assert "Værløse: 1 (+1 new, 0 stopped)" in stats.text
    assert "Total: 3 active, 3 new this month" in stats.text


async def test_mydata_shows_consent_date_and_language_in_words(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await _join(convo, URN, "Farum")
    [mine] = await convo.handle(tg(command="mydata"))
    today = date_text(datetime.now(settings.tz), "da")
    assert f"Samtykke givet: {today} kl. " in mine.text and "Sprog: dansk" in mine.text
    await convo.handle(tg(command="language", args="en"))
    [mine] = await convo.handle(tg(command="mydata"))
    assert "Language: English" in mine.text and " at " in mine.text


async def test_mydata_names_the_areas_a_helper_left_and_when(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await _join(convo, URN, "Farum")
    async with db.session() as s:
        resident = (await s.exec(select(Resident))).one()
        [værløse] = (await s.exec(select(Area).where(Area.name == "Værløse"))).all()
        assert resident.id is not None and værløse.id is not None
        await services.set_areas(session=s, resident_id=resident.id, area_ids=[værløse.id])
    [mine] = await convo.handle(tg(command="mydata"))
    today = date_text(datetime.now(settings.tz), "da", "medium")
    assert f"Områder: Værløse (tidligere: Farum til {today})" in mine.text


async def test_services_return_data_for_any_caller(db, settings) -> None:
    convo = Conversation(db, settings, build_router())
    await _join(convo, URN, "Farum")
    async with db.session() as s:
        resident = (await s.exec(select(Resident))).one()
        data = await services.my_data(session=s, resident=resident)
        assert data.areas == ["Farum"] and data.contacts == [URN] and not data.stopped
        found = await services.helper_stats(session=s, now=datetime.now(UTC), tz=settings.tz)
        farum = next(c for c in found.areas if c.area == "Farum")
        assert (farum.active, farum.new, found.active, found.new) == (1, 1, 1, 1)
        assert await services.stop(session=s, urn=URN)
        assert not await services.stop(session=s, urn="telegram:404")
        role = await services.grant_role(
            session=s, urn="telegram:5", role="representative", area="Farum"
        )
        assert role.area_id is not None
        listed = await services.list_roles(session=s)
        assert [(r.urn, r.role, r.area) for r in listed] == [
            ("telegram:5", "representative", "Farum")
        ]
        with pytest.raises(services.UnknownArea):
            await services.grant_role(
                session=s, urn="telegram:5", role="representative", area="Atlantis"
            )
        with pytest.raises(services.AreaNeeded):
            services.check_grant("telegram:5", "representative", None)
