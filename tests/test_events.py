"""Events: invitations through the outbox, answers on both channels, waiting list, /event flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.app.application import build_router
from bot.core.conversation import Conversation
from bot.core.messages import Inbound
from storage.broadcast_models import Broadcast, TopicPreference
from storage.event_models import Event, Invitation
from tests.events_helpers import add_helper, area_id, local, new_event, outbox_messages

SOON = datetime.now(UTC) + timedelta(days=10)
NUMBER = "+4520304050"


def tg(urn: str = "telegram:1001", **kw) -> Inbound:
    return Inbound(urn=urn, channel="telegram", display_name="Karen Hansen", **kw)


async def statuses(db) -> dict[int, str]:
    async with db.session() as s:
        rows = (await s.exec(select(Invitation))).all()
    return {r.resident_id: r.status for r in rows}


async def test_invitation_reaches_area_helpers_who_want_meetings(db, settings) -> None:
    await add_helper(db, "telegram:1001")
    await add_helper(db, f"tel:{NUMBER}")
    await add_helper(db, "telegram:1002", area="Værløse")
    opted_out = await add_helper(db, "telegram:1003")
    async with db.session() as s:
        s.add(TopicPreference(resident_id=opted_out, topic="meetings", enabled=False))
    _, invited = await new_event(db, settings, datetime.now(UTC), starts_at=SOON)
    assert invited == 2
    sent = {u: (text, b) for u, text, b in await outbox_messages(db, kind="invitation")}
    assert set(sent) == {"telegram:1001", f"tel:{NUMBER}"}
    text, buttons = sent["telegram:1001"]
    assert text.startswith("Invitation - Borgermøde: Borgermøde om tryghed")
    assert "Sted: Farum Kulturhus" in text
    assert [[label for label, _ in row] for row in buttons] == [
        ["Jeg kommer", "Jeg kommer ikke"],
        ["📅 Kalenderfil"],
    ]
    sms_text, sms_buttons = sent[f"tel:{NUMBER}"]
    assert "Svar JA hvis du kommer, NEJ hvis ikke." in sms_text and sms_buttons == []
    # The calendar file travels with the invitation where the channel takes files.
    async with db.session() as s:
        rows = (await s.exec(select(Broadcast).where(Broadcast.kind == "invitation"))).all()
    files = {r.text.startswith("Invitation"): (r.attachment_name, r.attachment) for r in rows}
    name, content = files[True]
    assert name.endswith(".ics") and b"BEGIN:VEVENT" in content
    assert files[False] == (None, None)


@pytest.mark.parametrize(
    ("created", "starts", "waits"),
    [
        ("2026-12-07 21:30", "2026-12-07 21:45", False),  # the walk is tonight: go now
        ("2026-12-07 21:30", "2026-12-08 19:00", True),  # morning is soon enough
        ("2026-12-08 07:00", "2026-12-08 07:30", False),  # before quiet hours end
        ("2026-12-08 12:00", "2026-12-08 19:00", True),  # daytime: nothing to wait for
    ],
)
async def test_an_invitation_waits_out_quiet_hours_only_when_morning_is_before_the_event(
    db, settings, created: str, starts: str, waits: bool
) -> None:
    await add_helper(db, "telegram:1001")
    quiet = settings.model_copy(update={"quiet_hours": "21:00-08:00"})
    await new_event(db, quiet, local(created), starts_at=local(starts), reminders="none")
    async with db.session() as s:
        (invitation,) = (
            await s.exec(select(Broadcast).where(Broadcast.kind == "invitation"))
        ).all()
    assert invitation.respect_quiet is waits


async def test_button_press_signs_up_and_sends_a_calendar_file(db, settings) -> None:
    karen = await add_helper(db, "telegram:1001")
    event, _ = await new_event(db, settings, datetime.now(UTC), starts_at=SOON)
    convo = Conversation(db, settings, build_router())
    [reply] = await convo.handle(tg(callback=f"rsvp:{event.id}:yes"))
    assert reply.text.startswith("Tak! Du er tilmeldt Borgermøde om tryghed")
    assert reply.attachment is not None
    name, content = reply.attachment
    assert name.endswith(".ics") and b"BEGIN:VEVENT" in content
    assert b"SUMMARY:Borgerm\xc3\xb8de om tryghed" in content
    assert SOON.strftime("DTSTART:%Y%m%dT%H%M").encode() in content
    assert await statuses(db) == {karen: "yes"}
    [shared] = await convo.handle(tg(callback=f"rsvp:{event.id}:name"))
    assert "deltagerlisten" in shared.text


async def test_sms_ja_answers_the_only_open_invitation(sms_app, twilio, db, settings) -> None:
    ole = await add_helper(db, f"tel:{NUMBER}")
    await new_event(db, settings, datetime.now(UTC), starts_at=SOON)
    await twilio.user_sends_sms(NUMBER, "JA")
    assert twilio.sms_to(NUMBER)[-1].body.startswith("Tak! Du er tilmeldt Borgermøde om tryghed")
    assert await statuses(db) == {ole: "yes"}
    await twilio.user_sends_sms(NUMBER, "nej")
    assert "Du er ikke tilmeldt" in twilio.sms_to(NUMBER)[-1].body
    assert await statuses(db) == {ole: "no"}


async def test_sms_ja_with_two_open_invitations_asks_which_by_number(
    sms_app, twilio, db, settings
) -> None:
    ole = await add_helper(db, f"tel:{NUMBER}")
    first, _ = await new_event(db, settings, datetime.now(UTC), starts_at=SOON)
    second, _ = await new_event(
        db, settings, datetime.now(UTC), starts_at=SOON + timedelta(days=1), title="Tryghedsdag"
    )
    await twilio.user_sends_sms(NUMBER, "ja")
    question = twilio.sms_to(NUMBER)[-1].body
    assert question.startswith("Du er inviteret til flere arrangementer. Svar med nummeret:")
    assert "1) Tryghedsdag" in question and "2) Borgermøde om tryghed" in question
    await twilio.user_sends_sms(NUMBER, "2")
    assert twilio.sms_to(NUMBER)[-1].body.startswith("Tak! Du er tilmeldt Borgermøde")
    async with db.session() as s:
        rows = {r.event_id: r.status for r in (await s.exec(select(Invitation))).all()}
    assert rows == {first.id: "yes", second.id: "invited"}
    del ole


async def test_ja_without_invitation_says_so(sms_app, twilio, db) -> None:
    await add_helper(db, f"tel:{NUMBER}")
    await twilio.user_sends_sms(NUMBER, "JA")
    assert "ingen invitationer" in twilio.sms_to(NUMBER)[-1].body


async def test_full_event_has_a_waiting_list_that_moves_up(db, settings) -> None:
    await add_helper(db, "telegram:1001")
    await add_helper(db, "telegram:1002")
    await add_helper(db, "telegram:1003")
    event, _ = await new_event(db, settings, datetime.now(UTC), starts_at=SOON, capacity=1)
    convo = Conversation(db, settings, build_router())
    await convo.handle(tg(callback=f"rsvp:{event.id}:yes"))
    [waiting] = await convo.handle(tg("telegram:1002", callback=f"rsvp:{event.id}:yes"))
    assert "venteliste som nr. 1" in waiting.text
    [second] = await convo.handle(tg("telegram:1003", callback=f"rsvp:{event.id}:yes"))
    assert "venteliste som nr. 2" in second.text
    await convo.handle(tg(callback=f"rsvp:{event.id}:no"))
    promoted = [(u, t) for u, t, _ in await outbox_messages(db, kind="notice")]
    assert promoted == [("telegram:1002", promoted[0][1])]
    assert promoted[0][1].startswith("Der er blevet plads! Du er nu tilmeldt")
    assert sorted((await statuses(db)).values()) == ["no", "waiting", "yes"]


async def test_answer_to_a_cancelled_event_is_refused(db, settings) -> None:
    await add_helper(db, "telegram:1001")
    event, _ = await new_event(db, settings, datetime.now(UTC), starts_at=SOON)
    async with db.session() as s:
        row = await s.get(Event, event.id)
        row.cancelled_at = datetime.now(UTC)
        s.add(row)
    convo = Conversation(db, settings, build_router())
    [reply] = await convo.handle(tg(callback=f"rsvp:{event.id}:yes"))
    assert "aflyst eller allerede begyndt" in reply.text


async def test_coordinator_creates_an_event_with_the_guided_flow(db, settings) -> None:
    settings = settings.model_copy(update={"coordinators": "telegram:9001"})
    await add_helper(db, "telegram:1001")
    convo = Conversation(db, settings, build_router())
    boss = "telegram:9001"
    [menu] = await convo.handle(tg(boss, command="event"))
    assert menu.flat_buttons()[-1].data == "ev:new"
    [kinds] = await convo.handle(tg(boss, callback="ev:new"))
    assert [b.label for b in kinds.flat_buttons()][:2] == ["Borgermøde", "Miniborgermøde"]
    await convo.handle(tg(boss, callback="ev:kind:miniborgermøde"))
    await convo.handle(tg(boss, text="Tryghed i Farum"))
    [bad] = await convo.handle(tg(boss, text="i morgen"))
    assert "10. december kl. 19" in bad.text and "/cancel" in bad.text
    when = (datetime.now(UTC) + timedelta(days=5)).astimezone(settings.tz)
    [check] = await convo.handle(tg(boss, text=when.strftime("%d/%m 19:00")))
    assert check.text.endswith("kl. 19:00 - er det rigtigt?")
    assert [b.label for b in check.flat_buttons()] == ["Ja", "Ret"]
    [ask_place] = await convo.handle(tg(boss, callback="ev:time:ok"))
    assert "Hvor" in ask_place.text
    [areas] = await convo.handle(tg(boss, text="Farum Bibliotek"))
    assert "Hvilke områder" in areas.text
    farum = await area_id(db, "Farum")
    await convo.handle(tg(boss, callback=f"ev:area:{farum}"))
    [capacity] = await convo.handle(tg(boss, callback="ev:area:done"))
    assert "pladser" in capacity.text
    [preview] = await convo.handle(tg(boss, text="30"))
    assert "Forhåndsvisning" in preview.text and "Inviterer: Farum" in preview.text
    assert "Pladser: 30" in preview.text
    [done] = await convo.handle(tg(boss, callback="ev:send"))
    assert done.text == "Invitationen til Tryghed i Farum er sendt til 1 nabohjælpere."
    async with db.session() as s:
        event = (await s.exec(select(Event))).one()
    assert event.kind == "miniborgermøde" and event.capacity == 30
    assert event.starts_at.astimezone(settings.tz).strftime("%H:%M") == "19:00"
    await convo.handle(tg(callback=f"rsvp:{event.id}:yes"))
    [details] = await convo.handle(tg(boss, callback=f"ev:show:{event.id}"))
    assert "Kommer: 1/30" in details.text and "Ikke svaret: 0" in details.text
    [ask] = await convo.handle(tg(boss, callback=f"ev:cancel:{event.id}"))
    assert "1 inviteret får besked om aflysningen" in ask.text
    [cancelled] = await convo.handle(tg(boss, callback=f"ev:cancel:{event.id}:yes"))
    assert "er aflyst" in cancelled.text


async def test_residents_cannot_use_event(db, settings) -> None:
    await add_helper(db, "telegram:1001")
    convo = Conversation(db, settings, build_router())
    [reply] = await convo.handle(tg(command="event"))
    assert "kun for koordinatorer" in reply.text
