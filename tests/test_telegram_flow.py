"""Registration on Telegram end to end: real PTB Application against the fake Bot API."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from sandbox.telegram_fake import FakeTelegram, SentMessage
from storage.models import Area, Contact, Membership, Resident
from tests.conftest import COORDINATOR_ID

KAREN = 1001


def commands_in(params: dict[str, Any]) -> set[str]:
    raw = params["commands"]
    return {c["command"] for c in (json.loads(raw) if isinstance(raw, str) else raw)}


def labels(telegram: FakeTelegram, message: SentMessage) -> list[str]:
    return [label for label, _ in telegram.buttons(message)]


def press(telegram: FakeTelegram, user_id: int, message: SentMessage, label: str) -> None:
    data = dict(telegram.buttons(message))[label]
    telegram.user_presses_button(user_id, message.message_id, data)


async def consent(telegram: FakeTelegram, user_id: int = KAREN, name: str = "Karen") -> SentMessage:
    telegram.user_sends_text(user_id, "/start", first_name=name)
    welcome = await telegram.wait_for(user_id, "Vil du være nabohjælper")
    press(telegram, user_id, welcome, "Ja, tilmeld mig")
    return await telegram.wait_for(
        user_id, "Vælg dit lokalområde", after=len(telegram.messages_to(user_id)) - 1
    )


async def test_welcome_explains_purpose_storage_and_deletion(app, telegram) -> None:
    telegram.user_sends_text(KAREN, "/start", first_name="Karen")
    welcome = await telegram.wait_for(KAREN, "Velkommen til Nabovagt")
    for words in ("indbrud", "Telegram-id", "områder", "/forget"):
        assert words in welcome.text
    assert labels(telegram, welcome) == ["Ja, tilmeld mig", "Nej tak"]


async def test_register_in_farum_by_buttons(app, telegram, db) -> None:
    picker = await consent(telegram)
    assert labels(telegram, picker)[:2] == ["Farum", "Farum Midtpunkt"]
    assert "Næste ▶" in labels(telegram, picker) and "Færdig" in labels(telegram, picker)
    seen = len(telegram.messages_to(KAREN))
    press(telegram, KAREN, picker, "Farum")
    edited = await telegram.wait_for(KAREN, "Vælg dit lokalområde", after=seen)
    assert edited.method == "editMessageText" and edited.message_id == picker.message_id
    assert "✅ Farum" in labels(telegram, edited)
    press(telegram, KAREN, edited, "Færdig")
    done = await telegram.wait_for(KAREN, "Du er nu nabohjælper i: Farum.")
    assert done.parse_mode == "HTML"
    async with db.session() as s:
        resident = (await s.exec(select(Resident))).one()
        assert resident.display_name == "Karen" and resident.consent_at is not None
        contact = (await s.exec(select(Contact))).one()
        assert contact.urn == f"telegram:{KAREN}"
        membership = (await s.exec(select(Membership))).one()
        assert (await s.get(Area, membership.area_id)).name == "Farum"


async def test_register_in_farum_by_location(app, telegram) -> None:
    await consent(telegram)
    telegram.user_sends_location(KAREN, 55.82, 12.35)
    # The location ticks its area; saving it is the explicit step.
    ticked = await telegram.wait_for(KAREN, "Du delte en placering i Farum; det er nu valgt.")
    assert "✅ Farum" in labels(telegram, ticked)
    press(telegram, KAREN, ticked, "Færdig")
    await telegram.wait_for(KAREN, "Du er nu nabohjælper i: Farum.")


async def test_register_by_typing_3520_then_choosing(app, telegram) -> None:
    await consent(telegram)
    telegram.user_sends_text(KAREN, "3520")
    offer = await telegram.wait_for(KAREN, "Flere områder passer på")
    assert labels(telegram, offer) == ["Farum", "Farum Midtpunkt", "Stavnsholt"]
    press(telegram, KAREN, offer, "Farum")
    await telegram.wait_for(KAREN, "Du er nu nabohjælper i: Farum.")


async def test_mydata_forget_and_stats(app, telegram, db) -> None:
    await consent(telegram)
    telegram.user_sends_text(KAREN, "Farum")
    await telegram.wait_for(KAREN, "nabohjælper i: Farum")

    telegram.user_sends_text(COORDINATOR_ID, "/stats", first_name="Kim")
    stats = await telegram.wait_for(COORDINATOR_ID, "Nabohjælpere pr. område")
    assert "Farum: 1 (+1 ny, 0 stoppet)" in stats.text

    telegram.user_sends_text(KAREN, "/mydata")
    mydata = await telegram.wait_for(KAREN, "Det har vi gemt om dig")
    assert (
        "Karen" in mydata.text
        and "Områder: Farum" in mydata.text
        and "Adresser: Telegram\n" in mydata.text
        and f"telegram:{KAREN}" not in mydata.text
    )

    telegram.user_sends_text(KAREN, "/forget")
    ask = await telegram.wait_for(KAREN, "Det kan ikke fortrydes")
    press(telegram, KAREN, ask, "Ja, slet alt")
    await telegram.wait_for(KAREN, "Alle dine oplysninger er slettet")
    async with db.session() as s:
        assert (await s.exec(select(Resident))).all() == []

    telegram.user_sends_text(COORDINATOR_ID, "/stats", first_name="Kim")
    stats = await telegram.wait_for(COORDINATOR_ID, "Nabohjælpere", after=1)
    assert "Farum: 0" in stats.text and "1 stoppet" in stats.text


async def test_resident_is_refused_stats_politely(app, telegram) -> None:
    telegram.user_sends_text(KAREN, "/stats")
    await telegram.wait_for(KAREN, "kun for koordinatorer")


async def test_user_typed_html_is_escaped(app, telegram) -> None:
    await consent(telegram)
    telegram.user_sends_text(KAREN, "<b>Farum & co</b>")
    reply = await telegram.wait_for(KAREN, "Jeg kender ikke området")
    assert reply.parse_mode == "HTML" and "&lt;b&gt;" in reply.params["text"]


async def test_command_menus_in_danish_and_english_and_for_coordinators(app, telegram) -> None:
    calls = [params for method, params in telegram.calls if method == "setMyCommands"]
    by_language = {
        params.get("language_code"): params
        for params in calls
        if "chat_id" not in str(params.get("scope", ""))
    }
    assert "Bliv nabohjælper" in str(by_language[None]["commands"])
    assert "Become a neighbour helper" in str(by_language["en"]["commands"])
    coordinator_menus = [p for p in calls if str(COORDINATOR_ID) in str(p.get("scope", ""))]
    assert len(coordinator_menus) == 2
    staff_only = {"stats", "inbox", "alert", "announce", "tip_send", "event"}
    for params in coordinator_menus:
        assert staff_only <= commands_in(params)
    for params in by_language.values():
        assert not staff_only & commands_in(params)
        assert {"start", "tip", "topics", "forget", "cancel"} <= commands_in(params)


async def test_help_lists_every_command_and_staff_commands_only_for_staff(app, telegram) -> None:
    telegram.user_sends_text(KAREN, "/help")
    resident_help = await telegram.wait_for(KAREN, "Det kan du med Nabovagt")
    assert "/tip - " in resident_help.text and "/alert" not in resident_help.text
    assert "/cancel - Afbryd det, du er i gang med" in resident_help.text  # the way out of a flow
    telegram.user_sends_text(COORDINATOR_ID, "/help", first_name="Kim")
    staff_help = await telegram.wait_for(COORDINATOR_ID, "Det kan du med Nabovagt")
    for command in ("/stats", "/inbox", "/alert", "/announce", "/tip_send", "/event"):
        assert f"{command} - " in staff_help.text


async def test_rate_limited_reply_is_not_lost_but_retried_through_the_outbox(app, telegram) -> None:
    telegram.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=KAREN)
    telegram.user_sends_text(KAREN, "/help")
    reply = await telegram.wait_for(KAREN, "Det kan du med Nabovagt", timeout=15)
    assert reply.method == "sendMessage"
    refused = [c for c in telegram.calls if c[0] == "sendMessage" and str(KAREN) in str(c[1])]
    assert len(refused) == 2  # the 429, then the retry after retry_after
    assert len([m for m in telegram.messages_to(KAREN) if "Det kan du" in (m.text or "")]) == 1


async def test_a_refused_command_menu_does_not_stop_the_bot(db, settings, telegram) -> None:
    from tests.conftest import running_app

    telegram.fail_next(
        "setMyCommands", error_code=400, description="Bad Request: chat not found", times=2
    )
    async with running_app(db, settings, telegram=telegram):
        telegram.user_sends_text(KAREN, "/start")
        await telegram.wait_for(KAREN, "Velkommen til Nabovagt")
