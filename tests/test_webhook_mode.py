"""Telegram webhook mode on the wire: setWebhook, the secret token, replies, switching back."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest
from pydantic import SecretStr
from sqlmodel import select

from bot.app.application import NabovagtApp
from bot.core.metrics import REGISTRY
from bot.handlers.telegram import TelegramTransport
from storage.models import Contact, InboundSeen
from tests.conftest import TELEGRAM_TOKEN, TEST_DATABASE_URL, running_app
from tests.inbound_helpers import seen_keys

SECRET = "s3cret-token_1"
KAREN = 4242


def webhook(settings):
    return settings.model_copy(
        update={"telegram_mode": "webhook", "telegram_webhook_secret": SecretStr(SECRET)}
    )


def set_webhook_calls(telegram) -> list[dict[str, object]]:
    return [params for method, params in telegram.calls if method == "setWebhook"]


async def delivered(telegram, count: int) -> list[dict[str, object]]:
    """The updates the fake delivered by webhook (it records one once the bot answered 2xx)."""
    for _ in range(200):
        if len(telegram.webhook_deliveries) >= count:
            break
        await asyncio.sleep(0.01)
    return list(telegram.webhook_deliveries)


async def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, data=body, headers={"Content-Type": "application/json", **headers}
        ) as response,
    ):
        return response.status


async def test_webhook_mode_sets_the_webhook_and_answers_updates_it_delivers(
    db, settings, telegram
) -> None:
    async with running_app(db, webhook(settings), telegram=telegram) as app:
        [params] = set_webhook_calls(telegram)
        assert params["url"] == f"{app.settings.public_url}/telegram"
        assert params["secret_token"] == SECRET
        assert params["allowed_updates"] == ["message", "callback_query"]
        before = (
            REGISTRY.get_sample_value(
                "nabovagt_inbound_events_total", {"channel": "telegram", "kind": "message"}
            )
            or 0
        )
        telegram.user_sends_text(KAREN, "/start", first_name="Karen")
        welcome = await telegram.wait_for(KAREN, "Nabovagt")
        assert telegram.buttons(welcome)  # the consent buttons
        assert len(await delivered(telegram, 1)) == 1
        transport = app.transport("telegram")
        assert isinstance(transport, TelegramTransport) and transport.poller is None
        assert not any(method == "getUpdates" for method, _ in telegram.calls)
        after = REGISTRY.get_sample_value(
            "nabovagt_inbound_events_total", {"channel": "telegram", "kind": "message"}
        )
        assert after == before + 1
        update_id = (await delivered(telegram, 1))[0]["update_id"]
        assert await seen_keys(db) == [f"telegram:update:123456:{update_id}"]


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b'{"update_id": 1, "message": null}', 403),
        ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, b'{"update_id": 1}', 403),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]}, b'{"update_id": 1}', 403),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, b"not json", 400),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, b'["update_id", 1]', 400),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET}, b'{"update_id": "1"}', 400),
    ],
)
async def test_a_request_without_the_secret_or_not_an_update_is_refused_and_stores_nothing(
    db, settings, telegram, headers, body, status
) -> None:
    telegram.user_sends_text(KAREN, "/start")  # what a forger would copy
    update = telegram.pending_updates[0]
    forged = (
        body.replace(
            b'"update_id": 1',
            f'"update_id": 1, "message": {json.dumps(update["message"])}'.encode(),
        )
        if status == 403
        else body
    )
    async with running_app(db, webhook(settings), telegram=telegram) as app:
        await telegram.wait_for(KAREN, "Nabovagt")  # the real update, delivered with the secret
        answered = len(telegram.messages_to(KAREN))
        url = f"{app.settings.public_url}/telegram"
        assert await post(url, forged, headers) == status
        assert len(telegram.messages_to(KAREN)) == answered
        assert len(await seen_keys(db)) == 1


async def test_a_retried_update_is_handled_once(db, settings, telegram) -> None:
    async with running_app(db, webhook(settings), telegram=telegram) as app:
        telegram.user_sends_text(KAREN, "/start")
        await telegram.wait_for(KAREN, "Nabovagt")
        again = json.dumps((await delivered(telegram, 1))[0]).encode()
        url = f"{app.settings.public_url}/telegram"
        secret = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        statuses = await asyncio.gather(post(url, again, secret), post(url, again, secret))
        assert list(statuses) == [200, 200]
        await asyncio.sleep(0.2)
        assert len(telegram.messages_to(KAREN)) == 1
        assert len(await seen_keys(db)) == 1


async def test_switching_back_to_polling_deletes_the_webhook(db, settings, telegram) -> None:
    async with running_app(db, webhook(settings), telegram=telegram):
        assert telegram.webhook_url.endswith("/telegram")
    async with running_app(db, settings, telegram=telegram):
        assert telegram.webhook_url == ""
        assert any(method == "deleteWebhook" for method, _ in telegram.calls)
        telegram.user_sends_text(KAREN, "/start")
        await telegram.wait_for(KAREN, "Nabovagt")


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="several instances need PostgreSQL")
async def test_two_instances_in_polling_mode_only_the_leader_polls(
    db, settings, telegram, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    async with running_app(db, settings, telegram=telegram) as first:
        async with running_app(db, settings, telegram=telegram) as second:
            await asyncio.sleep(2.5)  # both have tried the election at least once
            transports = [app.transport("telegram") for app in (first, second)]
            assert all(isinstance(t, TelegramTransport) for t in transports)
            running = [
                t.poller.running
                for t in transports
                if isinstance(t, TelegramTransport) and t.poller
            ]
            assert running == [True, False]
            for user in (KAREN, KAREN + 1, KAREN + 2):
                telegram.user_sends_text(user, "/start")
            for user in (KAREN, KAREN + 1, KAREN + 2):
                await telegram.wait_for(user, "Nabovagt")
                assert len(telegram.messages_to(user)) == 1
        assert not [r for r in caplog.records if "409" in r.getMessage()]
    async with db.session() as session:
        assert len((await session.exec(select(InboundSeen))).all()) == 3
        assert (await session.exec(select(Contact))).all() == []  # no consent given yet
    assert isinstance(first, NabovagtApp)


async def test_a_second_deployment_polling_the_same_bot_is_one_warning_line_not_a_traceback(
    app, telegram, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    other = TelegramTransport(
        token=TELEGRAM_TOKEN, api_url=telegram.url, sink=app.conversation.handle
    )
    await other.application.initialize()
    assert other.poller is not None
    await other.poller.start()
    try:
        await asyncio.sleep(1.0)
    finally:
        await other.poller.stop()
        await other.application.shutdown()
    conflicts = [r for r in caplog.records if "409" in r.getMessage()]
    assert conflicts and all(r.levelno == logging.WARNING and r.exc_info is None for r in conflicts)
    assert len(conflicts) <= 2  # one per poller, not one per retry
    telegram.user_sends_text(KAREN, "/start")
    await telegram.wait_for(KAREN, "Nabovagt", timeout=10)  # the leader polls on
