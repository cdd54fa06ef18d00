"""The dispatcher through the real PTB client against the fake Bot API: what chats receive."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.broadcasts.render import PRESENTER
from bot.handlers.telegram import TelegramTransport
from bot.scheduler.dispatcher import Dispatcher
from sandbox.telegram_fake import FakeTelegram
from storage import outbox
from storage.broadcast_models import Delivery
from storage.models import Contact
from tests.test_broadcast_helpers import add_residents, area_id

TOKEN = "123456:TEST"
NOON = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


async def test_alert_on_the_telegram_wire_with_blocked_429_and_long_text(db, settings) -> None:
    fake = FakeTelegram(TOKEN)
    fake.allow_unknown_chats = True
    await fake.start()

    async def sink(_):
        return []

    transport = TelegramTransport(token=TOKEN, api_url=fake.url, sink=sink)
    await transport.application.initialize()
    try:
        await add_residents(db, "Farum", ["telegram:101", "telegram:102", "telegram:103"])
        await add_residents(db, "Værløse", ["telegram:104"])
        fake.block_user(102, notify=False)
        fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=103)
        long_text = "\n\n".join(f"Afsnit {i}: <b>ikke fed</b> & " + "ord " * 200 for i in range(8))
        async with db.session() as session:
            await outbox.enqueue_broadcast(
                session=session,
                kind="alert",
                text=long_text,
                created_by="telegram:1",
                area_ids=[await area_id(db, "Farum")],
                now=NOON,
            )
        dispatcher = Dispatcher(
            db, settings, {"telegram": transport}, PRESENTER, clock=lambda: NOON
        )
        await dispatcher.drain(NOON)
        later = datetime(2026, 11, 24, 11, 0, 5, tzinfo=UTC)
        await dispatcher.drain(later)

        to_101 = [m for m in fake.messages_to(101) if m.method == "sendMessage"]
        assert len(to_101) > 1  # split, never cut a word
        assert "".join(m.text or "" for m in to_101).count("<b>ikke fed</b>") == 8
        assert all(len(m.text or "") <= 4096 for m in to_101)
        assert len([m for m in fake.messages_to(103) if m.method == "sendMessage"]) == len(to_101)
        assert fake.messages_to(104) == []
        async with db.session() as session:
            rows = {r.urn: r for r in (await session.exec(select(Delivery))).all()}
            blocked = (
                await session.exec(select(Contact).where(Contact.urn == "telegram:102"))
            ).one()
        assert rows["telegram:101"].status == "sent"
        assert rows["telegram:102"].status == "blocked" and blocked.blocked_at is not None
        assert rows["telegram:103"].status == "sent" and rows["telegram:103"].attempts == 2
        assert fake.too_many_requests == 1
        assert fake.violations == []
    finally:
        await transport.application.shutdown()
        await fake.stop()


async def test_rate_limit_in_the_middle_of_a_split_reply_does_not_repeat_its_start() -> None:
    from bot.core.messages import Reply
    from bot.handlers.base import Outcome

    async def nobody(event):
        return []

    # Like Telegram: about one message per second per chat, 429 with retry_after beyond that.
    async with FakeTelegram("123456:TEST-TOKEN", per_chat_rate=1.0) as telegram:
        transport = TelegramTransport(token="123456:TEST-TOKEN", api_url=telegram.url, sink=nobody)
        await transport.application.initialize()
        try:
            telegram.user_sends_text(7, "hej")  # the chat exists
            first, second = "Første afsnit. " * 200, "Andet afsnit. " * 200
            result = await transport.send(
                "telegram:7", Reply(f"{first.strip()}\n\n{second.strip()}")
            )
            texts = [m.text or "" for m in telegram.messages_to(7)]
            assert result.outcome is Outcome.SENT
            assert telegram.too_many_requests == 1
            assert len(texts) == 2
            assert texts[0].startswith("Første") and texts[1].startswith("Andet")
        finally:
            await transport.application.shutdown()
        assert telegram.violations == []
