"""Tips end to end on both channels: real PTB against the fake Bot API, real twilio against its fake."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from storage.tip_models import Tip, TipEvent, TipPhoto

KAREN = 1001
COORDINATOR = 9001  # the app fixture makes telegram:9001 a coordinator
NUMBER = "+4520304050"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def press(telegram, user_id: int, message, label: str) -> None:
    data = dict(telegram.buttons(message))[label]
    telegram.user_presses_button(user_id, message.message_id, data)


def seen(telegram, user_id: int) -> int:
    return len(telegram.messages_to(user_id))


async def coordinator_opens_chat(telegram) -> None:
    """Bots can only write to people who have written to them first."""
    telegram.user_sends_text(COORDINATOR, "/help", first_name="Kim")
    await telegram.wait_for(COORDINATOR, "Koordinator")


async def join_farum(telegram) -> None:
    telegram.user_sends_text(KAREN, "/start", first_name="Karen")
    welcome = await telegram.wait_for(KAREN, "Vil du være nabohjælper")
    press(telegram, KAREN, welcome, "Ja, tilmeld mig")
    await telegram.wait_for(KAREN, "Vælg dit lokalområde")
    telegram.user_sends_text(KAREN, "Farum")
    await telegram.wait_for(KAREN, "nabohjælper i: Farum")


async def test_demo_sms_and_telegram_tips_reach_the_coordinator_and_answers_come_back(
    app, telegram, twilio, db, settings
) -> None:
    await coordinator_opens_chat(telegram)
    # SMS tip from a basic phone.
    await twilio.user_sends_sms(NUMBER, "tilmeld farum")
    await twilio.user_sends_sms(NUMBER, "TIP knallerter kører stærkt på stien ved Farum Sø")
    assert twilio.sms_to(NUMBER)[-1].body.startswith("Tak! Tip T-")
    sms_notice = await telegram.wait_for(COORDINATOR, "knallerter kører stærkt")
    assert NUMBER not in sms_notice.text and "20304050" not in sms_notice.text
    assert [label for label, _ in telegram.buttons(sms_notice)] == [
        "Modtaget",
        "Videresendt",
        "Løst",
        "Svar",
    ]

    # Telegram tip with a photo and a location.
    await join_farum(telegram)
    telegram.user_sends_text(KAREN, "/tip")
    choose = await telegram.wait_for(KAREN, "Hvad handler det om?")
    press(telegram, KAREN, choose, "Hærværk på bænke, skure, containere m.m.")
    await telegram.wait_for(KAREN, "Skriv kort, hvad der skete")
    telegram.user_sends_text(KAREN, "Skuret ved legepladsen er smadret")
    await telegram.wait_for(KAREN, "Tilføj gerne op til 5 billeder")
    telegram.user_sends_photo(KAREN, JPEG)
    photo_ok = await telegram.wait_for(KAREN, "Billede 1 af højst 5 modtaget")
    telegram.user_sends_location(KAREN, 55.81, 12.37)
    await telegram.wait_for(KAREN, "Position modtaget. Område: Farum Midtpunkt")
    press(telegram, KAREN, photo_ok, "Videre ▶")
    contact = await telegram.wait_for(KAREN, "Må kommunen kontakte dig")
    press(telegram, KAREN, contact, "Anonymt, men send mig opdateringer")
    summary = await telegram.wait_for(KAREN, "Send tippet?")
    press(telegram, KAREN, summary, "Send tip")
    thanks = await telegram.wait_for(KAREN, "Tak for dit tip! Reference: T-")
    reference = thanks.text.split("Reference: ")[1].split(".")[0]

    tg_notice = await telegram.wait_for(COORDINATOR, f"Nyt tip {reference}")
    assert "Farum Midtpunkt" in tg_notice.text and "Billeder: 1" in tg_notice.text
    assert "Karen" not in tg_notice.text and str(KAREN) not in tg_notice.text
    async with db.session() as s:
        photo = (await s.exec(select(TipPhoto))).one()
        assert (Path(settings.media_dir) / photo.path).read_bytes() == JPEG
    assert any(method == "getFile" for method, _ in telegram.calls)

    # The inbox shows both.
    telegram.user_sends_text(COORDINATOR, "/inbox", first_name="Kim")
    inbox = await telegram.wait_for(COORDINATOR, "Åbne tip (2)")
    assert reference in inbox.text
    press(telegram, COORDINATOR, inbox, f"Vis {reference}")
    await telegram.wait_for(
        COORDINATOR, "Skuret ved legepladsen er smadret", after=seen(telegram, COORDINATOR) - 1
    )
    caption = await telegram.wait_for(COORDINATOR, f"{reference} · billede 1")
    after = telegram.messages_to(COORDINATOR).index(caption) + 1
    document = await telegram.wait_for(COORDINATOR, None, after=after)
    assert document.method == "sendDocument"

    # "Modtaget" notifies the opted-in Telegram tipster.
    press(telegram, COORDINATOR, tg_notice, "Modtaget")
    await telegram.wait_for(COORDINATOR, f"{reference} er markeret som modtaget")
    await telegram.wait_for(KAREN, f"Dit tip {reference} er modtaget af kommunen")

    # "Svar" to each tipster, on their own channel, without the coordinator's identity.
    for notice, answer in (
        (tg_notice, "Vi har bedt driften rydde op."),
        (sms_notice, "Vi sætter skilte op ved stien."),
    ):
        before = seen(telegram, COORDINATOR)
        press(telegram, COORDINATOR, notice, "Svar")
        await telegram.wait_for(COORDINATOR, "Skriv dit svar", after=before)
        telegram.user_sends_text(COORDINATOR, answer, first_name="Kim")
        await telegram.wait_for(COORDINATOR, "Svaret er sendt", after=before)
    relayed = await telegram.wait_for(KAREN, "Svar fra kommunen på dit tip")
    assert "Vi har bedt driften rydde op." in relayed.text and "Kim" not in relayed.text
    sms_relay = await twilio.wait_for_sms(NUMBER, "Svar fra kommunen på dit tip")
    assert "Vi sætter skilte op ved stien." in sms_relay.body and "Kim" not in sms_relay.body

    async with db.session() as s:
        answered = (await s.exec(select(TipEvent).where(TipEvent.action == "answered"))).all()
        assert {e.actor for e in answered} == {f"telegram:{COORDINATOR}"}
        assert len((await s.exec(select(Tip))).all()) == 2


async def test_urgent_telegram_tip_says_112_first(app, telegram) -> None:
    await join_farum(telegram)
    before = seen(telegram, KAREN)
    telegram.user_sends_text(KAREN, "/tip der er nogen der bryder ind lige nu")
    await telegram.wait_for(KAREN, "Hvad handler det om?", after=before)
    first = telegram.messages_to(KAREN)[before]
    assert first.text == "Ved akut fare: ring 112. Politiet: 114."


async def test_forward_choices_come_from_settings_and_coordinator_menu_has_inbox(
    app, telegram
) -> None:
    await coordinator_opens_chat(telegram)
    await join_farum(telegram)
    telegram.user_sends_text(KAREN, "/tip Lygten på stien er gået ud")
    choose = await telegram.wait_for(KAREN, "Hvad handler det om?")
    press(telegram, KAREN, choose, "Dårlig belysning eller dårlige oversigtsforhold")
    extras = await telegram.wait_for(KAREN, "Tilføj gerne")
    press(telegram, KAREN, extras, "Videre ▶")
    contact = await telegram.wait_for(KAREN, "Må kommunen kontakte dig")
    press(telegram, KAREN, contact, "Anonymt, ingen opdateringer")
    press(telegram, KAREN, await telegram.wait_for(KAREN, "Send tippet?"), "Send tip")
    notice = await telegram.wait_for(COORDINATOR, "Lygten på stien")
    press(telegram, COORDINATOR, notice, "Videresendt")
    targets = await telegram.wait_for(COORDINATOR, "Hvem er")
    press(telegram, COORDINATOR, targets, "Kommunens driftsafdeling")
    await telegram.wait_for(COORDINATOR, "videresendt til Kommunens driftsafdeling")
    menus = [p for m, p in telegram.calls if m == "setMyCommands"]
    assert any("inbox" in str(p["commands"]) for p in menus if str(COORDINATOR) in str(p))
    assert any("tip" in str(p["commands"]) for p in menus)
