"""Registration flows on the neutral conversation engine, channel by channel."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.app.application import build_router
from bot.core.conversation import Conversation
from bot.core.messages import Inbound, Location
from storage.models import Contact, Departure, FlowState, Membership, Resident

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
    [done] = await convo.handle(tg(location=Location(55.82, 12.35)))
    assert "Farum" in done.text


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
