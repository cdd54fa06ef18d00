"""The fake Telegram Bot API, exercised through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import struct
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from sandbox.telegram_fake import (
    NOT_MODIFIED,
    FakeTelegram,
    SentMessage,
    parse_html,
    parse_markdown_v2,
)

USER = 4242
OTHER = 4343


def png(width: int, height: int) -> bytes:
    """A minimal PNG header: enough for the fake to read the dimensions."""
    ihdr = struct.pack(">II", width, height) + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + ihdr + b"\x00" * 64


def message_of(update: Update | None) -> Message:
    """The update's message, which these updates all carry."""
    assert update is not None and update.message is not None
    return update.message


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake
        fake.assert_no_violations()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")
    async with bot:
        yield bot


async def test_get_me(bot: Bot, fake: FakeTelegram) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "nabovagt_bot" and me.id == 123456
    assert fake.calls[-1][0] == "getMe"


async def test_text_with_command_entity_and_offset_confirmation(
    bot: Bot, fake: FakeTelegram
) -> None:
    sent = fake.user_sends_text(USER, "/start@nabovagt_bot ja tak", first_name="Karen")
    fake.user_sends_location(USER, 55.79, 12.39)
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [sent["update_id"], sent["update_id"] + 1]
    message = message_of(updates[0])
    assert message.from_user is not None
    assert message.from_user.first_name == "Karen" and message.chat.type == "private"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 19
    location = message_of(updates[1]).location
    assert location is not None and location.latitude == pytest.approx(55.79)
    assert message_of(updates[1]).message_id == message.message_id + 1

    # Not confirmed yet: the same updates again; confirmed by a higher offset.
    assert len(await bot.get_updates()) == 2
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    assert fake.pending_updates == []


async def test_long_poll_wakes_up_when_a_user_writes(bot: Bot, fake: FakeTelegram) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    loop.call_later(0.1, fake.user_sends_text, USER, "hej")
    updates = await bot.get_updates(timeout=5)
    assert [message_of(u).text for u in updates] == ["hej"]
    assert loop.time() - started < 2
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_inline_keyboard_and_button_press(bot: Bot, fake: FakeTelegram) -> None:
    fake.user_sends_text(USER, "/start")
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Ja, tilmeld mig", callback_data="join:yes")],
            [InlineKeyboardButton("Nej", callback_data="join:no")],
            [InlineKeyboardButton("Læs mere", url="https://example.org")],
        ]
    )
    message = await bot.send_message(USER, "Vil du være med?", reply_markup=keyboard)
    assert message.reply_markup == keyboard
    record = await fake.wait_for(USER, "være med")
    assert isinstance(record, SentMessage) and record.method == "sendMessage"
    assert fake.buttons(record) == [("Ja, tilmeld mig", "join:yes"), ("Nej", "join:no")]

    with pytest.raises(LookupError, match="join:maybe"):
        fake.user_presses_button(USER, message.message_id, "join:maybe")
    with pytest.raises(LookupError):
        fake.user_presses_button(USER, 999, "join:yes")

    pressed = fake.user_presses_button(USER, message.message_id, "join:yes")
    updates = await bot.get_updates(offset=pressed["update_id"], timeout=1)
    query = updates[0].callback_query
    assert query is not None and query.message is not None
    assert query.data == "join:yes" and query.message.message_id == message.message_id
    assert query.from_user.id == USER
    assert fake.unanswered_callbacks() == [query.id]
    assert await query.answer("Tak!")
    answer = fake.callback_answers[query.id]
    assert answer is not None and answer["text"] == "Tak!"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()


async def test_edits_are_recorded_and_unchanged_edits_rejected(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.user_sends_text(USER, "/start")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    message = await bot.send_message(USER, "Først", reply_markup=keyboard)
    seen = len(fake.messages_to(USER))

    edited = await bot.edit_message_text(
        "Bagefter", USER, message.message_id, reply_markup=keyboard
    )
    assert isinstance(edited, Message)
    assert edited.text == "Bagefter" and edited.edit_date is not None
    record = await fake.wait_for(USER, after=seen)
    assert record.method == "editMessageText" and record.message_id == message.message_id
    assert fake.messages[(USER, message.message_id)] is record

    with pytest.raises(BadRequest) as excinfo:
        await bot.edit_message_text("Bagefter", USER, message.message_id, reply_markup=keyboard)
    assert excinfo.value.message == NOT_MODIFIED.removeprefix("Bad Request: ").capitalize()
    # Leaving reply_markup out removes the keyboard, as on Telegram.
    plain = await bot.edit_message_reply_markup(USER, message.message_id)
    assert isinstance(plain, Message) and plain.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", USER, 999)
    assert await bot.delete_message(USER, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, message.message_id)


async def test_unknown_parameter_and_method_are_violations(bot: Bot, fake: FakeTelegram) -> None:
    fake.user_sends_text(USER, "hej")
    with pytest.warns(UserWarning, match="Bot.sendMessage"):
        await bot.do_api_request(
            "sendMessage", api_kwargs={"chat_id": USER, "text": "x", "bogus": 1}
        )
    assert fake.violations == ["sendMessage: unknown parameter 'bogus'"]
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathicMessage", api_kwargs={"chat_id": USER})
    assert "unknown Bot API method" in fake.violations[-1]
    fake.violations.clear()


async def test_missing_parameter_wrong_types_and_raw_encodings(fake: FakeTelegram) -> None:
    fake.user_sends_text(USER, "hej")
    async with aiohttp.ClientSession() as http:
        api = f"{fake.url}/bot{fake.token}"
        # Method names are case-insensitive; JSON bodies and query strings both work.
        async with http.post(f"{api}/SENDMESSAGE", json={"chat_id": USER, "text": "a"}) as r:
            assert r.status == 200 and (await r.json())["result"]["text"] == "a"
        async with http.get(f"{api}/sendMessage", params={"chat_id": str(USER), "text": "b"}) as r:
            assert r.status == 200
        assert fake.violations == []

        async with http.post(f"{api}/sendMessage", data={"chat_id": str(USER)}) as r:
            assert r.status == 400
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
        assert fake.violations == ["sendMessage: required parameter 'text' is missing"]

        form = {"chat_id": str(USER), "text": "c", "disable_notification": "maybe"}
        async with http.post(f"{api}/sendMessage", data=form) as r:
            assert r.status == 200
        assert "'disable_notification' must be Boolean" in fake.violations[-1]
        form = {"chat_id": str(USER), "text": "d", "reply_markup": "{not json"}
        async with http.post(f"{api}/sendMessage", data=form) as r:
            assert (await r.json())["description"] == (
                "Bad Request: can't parse reply keyboard markup JSON object"
            )

        async with http.post(f"{fake.url}/bot1:WRONG/getMe") as r:
            assert r.status == 401
            assert await r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    fake.violations.clear()


async def test_wrong_token_raises_invalid_token(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("1:WRONG", base_url=f"{fake.url}/bot"):
            pass


async def test_injected_429_raises_retry_after(bot: Bot, fake: FakeTelegram) -> None:
    fake.user_sends_text(USER, "hej")
    fake.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(USER, "x")
    assert seconds(excinfo.value.retry_after) == 7
    assert fake.too_many_requests == 1
    assert (await bot.send_message(USER, "y")).text == "y"

    fake.fail_next(
        "sendMessage", error_code=403, description="Forbidden: user is deactivated", chat_id=OTHER
    )
    assert await bot.send_message(USER, "other chats are unaffected")


async def test_blocked_user_gives_forbidden(bot: Bot, fake: FakeTelegram) -> None:
    fake.user_sends_text(USER, "hej")
    event = fake.block_user(USER)
    assert event is not None and event["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hallo?")
    fake.user_sends_text(USER, "/start")  # writing again unblocks
    assert await bot.send_message(USER, "velkommen tilbage")
    assert fake.delivered_count[USER] == 1


async def test_unknown_chat_is_not_found(bot: Bot, fake: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999_999, "hej")
    fake.allow_unknown_chats = True
    assert (await bot.send_message(999_999, "hej")).chat.id == 999_999


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("linje<br>linje", 'Unsupported start tag "br" at byte offset 5'),
        ("<b>fed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("Fisk & chips", 'Unescaped "&" at byte offset 5'),
        ("&nbsp;hej", 'Unescaped "&" at byte offset 0'),
    ],
)
async def test_bad_html_is_rejected(bot: Bot, fake: FakeTelegram, html: str, error: str) -> None:
    fake.user_sends_text(USER, "hej")
    with pytest.raises(BadRequest, match="Can't parse entities") as excinfo:
        await bot.send_message(USER, html, parse_mode="HTML")
    # PTB strips "Bad Request: " and capitalize()s the rest, lower-casing it.
    assert error.lower() in excinfo.value.message.lower()


async def test_good_html_becomes_entities(bot: Bot, fake: FakeTelegram) -> None:
    fake.user_sends_text(USER, "hej")
    html = (
        '<b>Fed</b> <a href="https://x.dk/?a=1&amp;b=2">link</a> 1 &lt; 2 &#128512; '
        '<pre><code class="language-python">x = 1</code></pre> <blockquote expandable>q</blockquote>'
    )
    message = await bot.send_message(USER, html, parse_mode="HTML")
    assert message.text == "Fed link 1 < 2 😀 x = 1 q"
    kinds = [(e.type, e.offset, e.length) for e in message.entities]
    assert kinds == [
        ("bold", 0, 3),
        ("text_link", 4, 4),
        ("pre", 18, 5),
        ("expandable_blockquote", 24, 1),
    ]
    assert message.entities[1].url == "https://x.dk/?a=1&b=2"
    assert message.entities[2].language == "python"


def test_parsers_directly() -> None:
    assert parse_html("  <i>hi</i>  ") == ("hi", [{"type": "italic", "offset": 0, "length": 2}])
    text, entities = parse_markdown_v2(r"*fed* og [link](https://x.dk) 1\.5")
    assert text == "fed og link 1.5"
    assert [e["type"] for e in entities] == ["bold", "text_link"]
    with pytest.raises(ValueError, match=r"Character '\.' is reserved"):
        parse_markdown_v2("Hej.")


async def test_message_length_limit(bot: Bot, fake: FakeTelegram) -> None:
    fake.user_sends_text(USER, "hej")
    assert await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")


async def test_photo_round_trip(bot: Bot, fake: FakeTelegram) -> None:
    picture = png(1600, 1200)
    update = fake.user_sends_photo(USER, picture, caption="Mistænkelig bil")
    updates = await bot.get_updates(timeout=1)
    message = message_of(updates[0])
    assert message.caption == "Mistænkelig bil"
    assert [(p.width, p.height) for p in message.photo] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1280, 960),
        (1600, 1200),
    ]
    assert message.photo[-1].file_id == update["message"]["photo"][-1]["file_id"]
    file = await message.photo[-1].get_file()
    assert file.file_path is not None and file.file_path.startswith(
        f"{fake.url}/file/bot{fake.token}/photos/"
    )
    assert bytes(await file.download_as_bytearray()) == picture

    sent = await bot.send_photo(USER, png(200, 100), caption="<i>Tak</i>", parse_mode="HTML")
    assert sent.caption == "Tak" and sent.caption_entities[0].type == "italic"
    assert (sent.photo[-1].width, sent.photo[-1].height) == (200, 100)
    again = await bot.send_photo(USER, sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == png(200, 100)

    document = await bot.send_document(USER, b"BEGIN:VCALENDAR", filename="moede.ics")
    assert document.document is not None and document.document.file_name == "moede.ics"
    assert fake.file_bytes(document.document.file_id) == b"BEGIN:VCALENDAR"
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(USER, "no-such-file-id")


async def test_per_chat_rate_limit() -> None:
    async with FakeTelegram(per_chat_rate=1.0) as fake:
        fake.user_sends_text(USER, "hej")
        fake.user_sends_text(OTHER, "hej")
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            assert await bot.send_message(USER, "1")
            with pytest.raises(RetryAfter) as excinfo:
                await bot.send_message(USER, "2")
            assert seconds(excinfo.value.retry_after) == 1
            assert await bot.send_message(OTHER, "another chat is fine")
        assert fake.too_many_requests == 1
        assert fake.delivered_count == {USER: 1, OTHER: 1}
        assert fake.violations == []


async def test_global_rate_limit() -> None:
    async with FakeTelegram(global_rate=3) as fake:
        for user in range(1, 6):
            fake.user_sends_text(user, "hej")
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            results = await asyncio.gather(
                *(bot.send_message(user, "nyt") for user in range(1, 6)), return_exceptions=True
            )
        assert sum(isinstance(r, RetryAfter) for r in results) == 2
        assert fake.too_many_requests == 2


async def test_webhook_mode_posts_updates_with_secret(bot: Bot, fake: FakeTelegram) -> None:
    received: asyncio.Queue[tuple[str | None, dict[str, object]]] = asyncio.Queue()

    async def receive(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await received.put((secret, await request.json()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/telegram", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token="s3cr3t")
        sent = fake.user_sends_text(USER, "hej via webhook")
        secret, body = await asyncio.wait_for(received.get(), 5)
        assert secret == "s3cr3t"
        assert body == sent
        assert message_of(Update.de_json(body, bot)).text == "hej via webhook"

        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        info = await bot.get_webhook_info()
        assert info.url.endswith("/telegram") and info.pending_update_count == 0
        assert await bot.delete_webhook()
        fake.user_sends_text(USER, "tilbage til polling")
        polled = await bot.get_updates(timeout=1)
        assert [message_of(u).text for u in polled] == ["tilbage til polling"]
        assert received.empty()
    finally:
        await runner.cleanup()


async def test_commands_per_scope_and_language(bot: Bot) -> None:
    await bot.set_my_commands([("start", "Kom i gang"), ("hjaelp", "Hjælp")])
    await bot.set_my_commands([("start", "Get started")], language_code="en")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "hjaelp"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Get started"]
    assert await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Start!", "x")])


async def test_reply_parameters_and_chat_actions(bot: Bot, fake: FakeTelegram) -> None:
    incoming = fake.user_sends_text(USER, "Der står en mand i min have")
    user_message_id = incoming["message"]["message_id"]
    reply = await bot.send_message(
        USER, "Tak for tippet", reply_parameters=ReplyParameters(user_message_id)
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "Der står en mand i min have"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(USER, "x", reply_parameters=ReplyParameters(999))
    assert await bot.send_chat_action(USER, "typing")
    assert fake.chat_actions == [(USER, "typing")]


async def test_wait_for_reports_what_was_sent(bot: Bot, fake: FakeTelegram) -> None:
    fake.user_sends_text(USER, "hej")
    await bot.send_message(USER, "Velkommen til Nabovagt")
    assert (await fake.wait_for(USER, "VELKOMMEN")).text == "Velkommen til Nabovagt"
    with pytest.raises(AssertionError, match="Velkommen til Nabovagt"):
        await fake.wait_for(USER, "farvel", timeout=0.1)
    with pytest.raises(AssertionError, match="index >= 1"):
        await fake.wait_for(USER, timeout=0.05, after=1)


async def test_real_application_with_polling(fake: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_text(f"Hej {update.effective_user.first_name}!")

    application = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=10, drop_pending_updates=True)
        fake.user_sends_text(USER, "/start", first_name="Bent")
        assert (await fake.wait_for(USER, "hej", timeout=3)).text == "Hej Bent!"
        await application.updater.stop()
        await application.stop()
    names = {name for name, _params in fake.calls}
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage"} <= names
    sent = [params for name, params in fake.calls if name == "sendMessage"]
    assert [params["text"] for params in sent] == ["Hej Bent!"]


async def test_user_actions_from_another_thread(fake: FakeTelegram) -> None:
    update = await asyncio.to_thread(fake.user_sends_text, USER, "fra en anden tråd")
    assert fake.pending_updates[-1]["update_id"] == update["update_id"]


async def test_second_poller_conflicts_and_allowed_updates_filter(
    bot: Bot, fake: FakeTelegram
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    async with Bot(fake.token, base_url=fake.base_url) as other_instance:
        assert await other_instance.get_updates(timeout=0, allowed_updates=["callback_query"]) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    fake.user_sends_text(USER, "filtered out")
    assert fake.dropped_updates[-1]["message"]["text"] == "filtered out"
    assert fake.pending_updates == []
