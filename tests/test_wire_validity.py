"""Every reply valid on its wire: well-formed TwiML, bounded GSM-7 SMS, sane Telegram calls."""

from __future__ import annotations

import time
from typing import Any
from xml.etree import ElementTree

import pytest
from telegram import Bot, Message, Update
from twilio.twiml.messaging_response import MessagingResponse

from bot.core.gsm import MAX_BODY_CHARS, fit_gsm7, is_gsm7, segments, to_gsm7
from bot.core.i18n import CATALOG, LANGUAGES, t_channel
from bot.core.keywords import one_typo_apart, parse_keyword
from bot.core.messages import Button, Reply
from bot.handlers.base import clean_text, xml_safe
from bot.handlers.sms import render_sms
from bot.handlers.telegram import MAX_CALLBACK_DATA, _markup, _unchanged, update_to_inbound
from bot.tips.texts import CATEGORIES
from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake

NUMBER = "+4520304050"
CONTROL = [chr(c) for c in range(0x20)] + ["\x7f"]


def _twiml(body: str) -> str:
    response = MessagingResponse()
    response.message(body)
    return str(response)


# ------------------------------------------------------------------------------------ TwiML


@pytest.mark.parametrize("char", [*CONTROL, "\ufffe", "\uffff", "\ud800", "\udfff"])
def test_any_reply_text_renders_to_well_formed_twiml(char: str) -> None:
    reply = Reply(f"Jeg kender ikke Far{char}um", [[Button(f"Far{char}um", "area:set:1")]])
    body = render_sms(reply)
    root = ElementTree.fromstring(_twiml(body))
    assert root.tag == "Response" and (root[0].text or "").startswith("Jeg kender ikke Far")


def test_inbound_text_loses_control_characters_but_keeps_lines() -> None:
    assert clean_text("tilmeld Far\x0cum") == "tilmeld Farum"
    assert clean_text("a\r\nb\rc\td\x00\x1b\x7f\x85\ud800\ufffe") == "a\nb\nc\td"
    assert xml_safe("a\x0cb\nc\td\x00") == "ab\nc\td"


async def test_each_control_character_in_an_sms_gets_a_well_formed_twiml_reply(
    sms_app: Any, twilio: TwilioFake
) -> None:
    for index, char in enumerate(CONTROL):
        number = f"+45203000{index:02d}"
        status, body = await twilio.user_sends_sms(number, f"tilmeld Far{char}um")
        assert status == 200
        root = ElementTree.fromstring(body)  # raises on anything XML 1.0 forbids
        assert root.tag == "Response" and len(root) >= 1, repr(char)
        for message in root:
            assert not any(c in (message.text or "") for c in CONTROL if c not in "\n\t\r")
    assert twilio.violations == []


# ------------------------------------------------------------------------------ SMS lengths


def test_a_mostly_danish_reply_stays_gsm7_whatever_it_quotes() -> None:
    assert fit_gsm7('Jeg kender ikke "مرحبا بالعالم" her') == 'Jeg kender ikke "?" her'
    assert fit_gsm7("Tak 🏠 for tippet") == "Tak for tippet"
    arabic = "مرحبا بالعالم هذه رسالة"
    assert fit_gsm7(arabic) == arabic  # a message mostly in another script stays readable
    assert len(render_sms(Reply("x" * 5000))) == MAX_BODY_CHARS


@pytest.mark.parametrize(
    "body",
    ["tilmeld " + "x" * 1600, "tilmeld مرحبا بالعالم", "tilmeld 🏠🏠🏠 Farum?", "مرحبا", "😀" * 40],
)
async def test_sms_replies_to_long_or_foreign_input_do_not_echo_it(
    sms_app: Any, twilio: TwilioFake, body: str
) -> None:
    status, _ = await twilio.user_sends_sms(NUMBER, body)
    assert status == 200
    replies = twilio.sms_to(NUMBER)
    assert replies
    for reply in replies:
        assert is_gsm7(reply.body), reply.body
        assert reply.num_segments <= 2, reply.body
        assert "xxxxxxxxxx" not in reply.body


async def test_sms_tip_receipt_is_one_segment(sms_app: Any, twilio: TwilioFake) -> None:
    await twilio.user_sends_sms(NUMBER, "tilmeld farum")
    await twilio.user_sends_sms(NUMBER, "TIP knallerter kører stærkt på stien ved Farum Sø")
    receipt = twilio.sms_to(NUMBER)[-1]
    assert receipt.body.startswith("Tak! Tip T-") and receipt.num_segments == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sms_tip_receipt_with_its_categories_fits_one_segment(lang: str) -> None:
    labels = [t_channel(f"tipcat.{k}", lang, "sms") for k in CATEGORIES]
    thanks = t_channel("tip.thanks", lang, "sms", reference="T-2026-12345")
    reply = Reply(thanks, [[Button(label, "x")] for label in labels])
    assert segments(render_sms(reply)) == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_sms_text_in_the_catalog_is_gsm7(lang: str) -> None:
    """Catalog texts never switch a message to UCS-2 by themselves (only data could)."""
    for key, entry in CATALOG.items():
        if key.endswith(".sms"):
            text = entry.get(lang) or entry["da"]
            assert is_gsm7(to_gsm7(text)), key


# --------------------------------------------------------------------------- stop keywords


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("STOPP", "stop"),
        ("stop.", "stop"),
        ("Stopp venligst", "stop"),
        ("STOOOP", "stop"),
        ("afmelde", "stop"),
        ("Afmeldt", "stop"),
        ("afmedl", "stop"),
        ("unsubscibe", "stop"),
        ("SLETT", "forget"),
        ("stor brand ved skolen", None),  # one letter from STOP, but an ordinary message
        ("step", None),
        ("top", None),
        ("sket et indbrud", None),
        ("slot", None),
        ("tilmeld farum", "start"),
        ("jaa", None),
    ],
)
def test_near_miss_stop_words_stop_but_ordinary_words_do_not(text: str, command: str) -> None:
    assert parse_keyword(text)[0] == command


def test_one_typo_apart() -> None:
    assert one_typo_apart("afmeld", "afmled") and one_typo_apart("afmeld", "afmel")
    assert one_typo_apart("afmeld", "afmeldx") and one_typo_apart("afmeld", "afneld")
    assert not one_typo_apart("afmeld", "fmelda") and not one_typo_apart("afmeld", "afmeld")


async def test_stopp_stops_and_an_unknown_text_says_how_to_stop(
    sms_app: Any, twilio: TwilioFake
) -> None:
    await twilio.user_sends_sms(NUMBER, "tilmeld farum")
    await twilio.user_sends_sms(NUMBER, "hvad er klokken")
    assert "STOP" in twilio.sms_to(NUMBER)[-1].body
    await twilio.user_sends_sms(NUMBER, "Stopp venligst")
    assert "afmeldt" in twilio.sms_to(NUMBER)[-1].body


# ------------------------------------------------------------------------------- Telegram


def _update(data: dict[str, Any]) -> Update:
    update = Update.de_json({"update_id": 1, **data}, Bot("1:x"))
    assert update is not None
    return update


def _message(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "message_id": 5,
        "date": int(time.time()),
        "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "Bent"},
        "text": text,
        **extra,
    }


def test_edited_messages_are_not_read_as_new_ones() -> None:
    assert update_to_inbound(_update({"message": _message("/stop")})) is not None
    edited = _update({"edited_message": _message("/stop", edit_date=int(time.time()))})
    assert update_to_inbound(edited) is None


def test_telegram_text_and_callback_data_lose_control_characters() -> None:
    inbound = update_to_inbound(_update({"message": _message("hej\x00 med\x1b dig")}))
    assert inbound is not None and inbound.text == "hej med dig"


def test_an_edit_to_what_the_message_already_shows_is_skipped() -> None:
    bot = Bot("1:x")
    reply = Reply("Vælg område", [[Button("Farum", "area:set:1")]], edit=True)
    markup = _markup(reply)
    assert markup is not None
    same = Message.de_json(_message("Vælg område", reply_markup=markup.to_dict()), bot)
    other = Message.de_json(_message("Vælg område", reply_markup=None), bot)
    assert same is not None and other is not None
    assert _unchanged(same, reply) and not _unchanged(other, reply)
    assert not _unchanged(same, Reply("Vælg område ✔", reply.buttons, edit=True))


def test_buttons_are_within_telegram_limits() -> None:
    too_long = "x" * (MAX_CALLBACK_DATA + 1)
    reply = Reply("t", [[Button("ok", "a:1"), Button("bad", too_long)], [Button("  ", "b:2")]])
    markup = _markup(reply)
    assert markup is not None
    rows = markup.inline_keyboard
    assert [[b.callback_data for b in row] for row in rows] == [["a:1"], ["b:2"]]
    assert rows[1][0].text.strip()
    long_label = _markup(Reply("t", [[Button("ø" * 300, "a:1")]]))
    assert long_label is not None and len(long_label.inline_keyboard[0][0].text) <= 64


async def test_an_edited_command_is_not_run_again(app: Any, telegram: FakeTelegram) -> None:
    telegram.user_sends_text(3001, "/help")
    help_text = (await telegram.wait_for(3001)).text
    sent = len(telegram.messages_to(3001))
    message = _message("/forget", edit_date=int(time.time()))
    message["chat"]["id"] = message["from"]["id"] = 3001
    telegram.enqueue_update({"edited_message": message})
    telegram.user_sends_text(3001, "/help")
    await telegram.wait_for(3001, after=sent)
    # Only the second /help was answered; the edit into /forget asked nothing.
    assert [m.text for m in telegram.messages_to(3001)[sent:]] == [help_text]
