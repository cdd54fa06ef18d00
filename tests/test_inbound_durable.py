"""Nothing lost, nothing twice: inbound events while the database is away, duplicates, odd senders."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from bot.handlers.spool import MAX_ATTEMPTS, Spool, SpoolReplayer
from storage.broadcast_models import Broadcast
from storage.models import Contact
from tests.conftest import running_app
from tests.inbound_helpers import database_down, drops_once_at, seen_keys

NUMBER = "+4520304050"
KAREN = 4242
KEPT_DA = "Vi har modtaget din besked, men kan ikke svare lige nu"


def spooled(app) -> int:
    return len(Spool(app.settings.spool_dir).pending())


async def eventually(check, within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.05)


async def leading(app) -> None:
    """The app has started dispatching (an outage during its election is the scheduler's test)."""
    await asyncio.wait_for(app.scheduler.elected.wait(), 10)


async def contacts(db) -> list[str]:
    async with db.session() as session:
        return sorted(c.urn for c in (await session.exec(select(Contact))).all())


async def test_sms_while_the_database_is_away_is_kept_and_answered_once_it_is_back(
    sms_app, twilio, db
) -> None:
    await leading(sms_app)
    with database_down(db):
        status, body = await twilio.user_sends_sms(
            NUMBER, "tilmeld værløse", message_sid="SM" + "a" * 32
        )
        assert status == 200 and KEPT_DA in body
        assert spooled(sms_app) == 1
    late = await twilio.wait_for_sms(NUMBER, "nabohjælper i Værløse", timeout=20)
    assert late.source == "rest"  # through the outbox
    await eventually(lambda: spooled(sms_app) == 0)
    assert await contacts(db) == [f"tel:{NUMBER}"]
    # Twilio retrying the same message now changes nothing and says nothing.
    status, body = await twilio.user_sends_sms(
        NUMBER, "tilmeld værløse", message_sid="SM" + "a" * 32
    )
    assert status == 200 and "<Message>" not in body
    assert [s.body for s in twilio.sms_to(NUMBER)].count(late.body) == 1
    # The delivery reports of the late reply were recorded once each.
    await eventually(
        lambda: (
            len(twilio.status_callbacks) >= 2
            and all(c.http_status is not None for c in twilio.status_callbacks)
        )
    )
    assert {c.http_status for c in twilio.status_callbacks} == {204}
    keys = await seen_keys(db)
    assert f"twilio:SM{'a' * 32}" in keys and any(k.startswith("twilio:status:") for k in keys)


async def test_a_later_sms_of_the_same_sender_waits_behind_a_kept_one(sms_app, twilio, db) -> None:
    await leading(sms_app)
    await sms_app.replayer.stop()  # replay by hand, to see the order
    with database_down(db):
        await twilio.user_sends_sms(NUMBER, "tilmeld farum")
    # The database answers again, but the first SMS is still kept: the second queues behind it.
    status, body = await twilio.user_sends_sms(NUMBER, "hjælp")
    assert status == 200 and KEPT_DA in body and spooled(sms_app) == 2
    assert await sms_app.replayer.replay_once() and spooled(sms_app) == 0
    await eventually(lambda: len([s for s in twilio.sms_to(NUMBER) if s.source == "rest"]) >= 2)
    # Handled in arrival order: the replies were queued in that order (the wire order is the
    # dispatcher's business).
    async with db.session() as session:
        queued = (await session.exec(select(Broadcast).order_by(col(Broadcast.id)))).all()
    assert "nabohjælper i Farum" in queued[0].text and "TILMELD" in queued[1].text
    assert await contacts(db) == [f"tel:{NUMBER}"]


async def test_a_database_that_drops_as_the_kept_sms_is_answered_loses_neither_sms_nor_answer(
    sms_app, twilio, db
) -> None:
    await leading(sms_app)
    await sms_app.replayer.stop()  # replay by hand, to drop the database at the right moment
    with database_down(db):
        await twilio.user_sends_sms(NUMBER, "tilmeld farum", message_sid="SM" + "b" * 32)
    # The SMS is handled in the replay's transaction; then its answer is queued, and there the
    # database goes away.
    with drops_once_at(db, "INSERT INTO broadcast") as dropped:
        assert not await sms_app.replayer.replay_once()
        assert dropped and spooled(sms_app) == 1  # still kept
        assert await seen_keys(db) == []  # and not marked seen, so the retry handles it
    assert await sms_app.replayer.replay_once() and spooled(sms_app) == 0
    late = await twilio.wait_for_sms(NUMBER, "nabohjælper i Farum", timeout=20)
    assert late.source == "rest"
    assert await contacts(db) == [f"tel:{NUMBER}"]


async def test_telegram_webhook_answers_503_while_the_database_is_away_and_telegram_retries(
    db, settings, telegram
) -> None:
    webhook = settings.model_copy(
        update={"telegram_mode": "webhook", "telegram_webhook_secret": SecretStr("s3cret")}
    )
    async with running_app(db, webhook, telegram=telegram) as app:
        with database_down(db):
            telegram.user_sends_text(KAREN, "/start")
            await eventually(lambda: telegram._webhook_last_error is not None)
            assert "503" in telegram._webhook_last_error[1]
            assert telegram.pending_updates  # Telegram still holds it
            assert telegram.messages_to(KAREN) == []
        await telegram.wait_for(KAREN, "Nabovagt", timeout=10)
        assert len(telegram.messages_to(KAREN)) == 1
        assert len(await seen_keys(db)) == 1 and spooled(app) == 0


async def test_telegram_polling_keeps_the_update_says_so_and_answers_once_the_database_is_back(
    app, telegram, db
) -> None:
    await leading(app)
    with database_down(db):
        telegram.user_sends_text(KAREN, "/start", language_code="en")
        kept = await telegram.wait_for(KAREN, "We have received your message")
        assert "as soon as we can" in (kept.text or "")
        await eventually(lambda: not telegram.pending_updates)  # confirmed: it is on our disk
        assert spooled(app) == 1
    await telegram.wait_for(KAREN, "Nabovagt", after=1, timeout=20)
    await eventually(lambda: spooled(app) == 0)
    assert len(await seen_keys(db)) == 1
    assert len(telegram.messages_to(KAREN)) == 2


async def test_chats_are_handled_at_once_and_each_chat_in_order(app, telegram) -> None:
    transport = app.transport("telegram")
    handle, order = transport.sink, []
    neighbour_answered = asyncio.Event()

    async def karen_waits_for_her_neighbour(event):
        # A gate, not a sleep: if chats were handled one after another, Karen's first
        # update would hold the line and her neighbour would never be answered.
        order.append(event.text)
        if event.urn == f"telegram:{KAREN}":
            await asyncio.wait_for(neighbour_answered.wait(), timeout=20)
        return await handle(event)

    transport.sink = karen_waits_for_her_neighbour
    telegram.user_sends_text(KAREN, "/start")
    telegram.user_sends_text(KAREN, "/help")
    telegram.user_sends_text(KAREN + 1, "/start")
    await telegram.wait_for(KAREN + 1, "Nabovagt", timeout=15)  # not behind Karen's held one
    assert telegram.messages_to(KAREN) == []
    neighbour_answered.set()
    await telegram.wait_for(KAREN, "/", after=1, timeout=15)
    assert order.index("/start") < order.index("/help")
    karen = [m.text or "" for m in telegram.messages_to(KAREN)]
    assert "Nabovagt" in karen[0]


async def test_a_queue_of_updates_is_fetched_a_window_at_a_time_not_once_per_update(
    app, telegram
) -> None:
    await leading(app)
    chats = [KAREN + 10 + i for i in range(150)]
    polls_before = sum(1 for method, _ in telegram.calls if method == "getUpdates")
    for chat in chats * 2:
        telegram.user_sends_text(chat, "/help")
    await eventually(lambda: all(len(telegram.messages_to(c)) >= 2 for c in chats), within=60)
    polls = sum(1 for method, _ in telegram.calls if method == "getUpdates") - polls_before
    # Each getUpdates returns up to 100 updates from the offset, most of them still being
    # handled; asking again after every handled update made it one ask per update (300 here).
    assert polls < 100, f"{polls} getUpdates calls for 300 updates"


@pytest.mark.parametrize(
    ("sender", "body", "answer", "stored"),
    [
        ("+4520304050", "tilmeld farum", "nabohjælper i Farum", "tel:+4520304050"),
        # A range phonenumbers does not list yet, and a foreign number it calls invalid.
        ("+4512345678", "tilmeld farum", "nabohjælper i Farum", "tel:+4512345678"),
        ("+999123456789", "tilmeld farum", "nabohjælper i Farum", "tel:+999123456789"),
        ("Nabovagt", "tilmeld farum", None, None),
        ("", "tilmeld farum", None, None),
        ("+12", "tilmeld farum", None, None),
    ],
)
async def test_inbound_sms_senders(sms_app, twilio, db, sender, body, answer, stored) -> None:
    status, twiml = await twilio.user_sends_sms(sender, body)
    assert status == 200
    if answer is None:
        assert "<Message>" not in twiml
        assert await contacts(db) == [] and await seen_keys(db) == []
    else:
        assert answer in twiml
        assert await contacts(db) == [stored]


async def test_the_spool_replays_in_arrival_order_and_sets_aside_what_never_succeeds(
    tmp_path,
) -> None:
    spool = Spool(tmp_path / "spool")
    for n in range(3):
        await spool.put(channel="sms", kind="message", urn=f"tel:+45{n}", payload={"n": str(n)})
    (tmp_path / "spool" / "00000000000000000000-broken.json").write_text("{not json")
    assert [r.payload["n"] for r in spool.pending()] == ["0", "1", "2"]
    assert (tmp_path / "spool" / "failed" / "00000000000000000000-broken.json").exists()
    assert spool.holds("tel:+451") and not spool.holds("tel:+459")
    seen: list[str] = []

    async def replay(record) -> None:
        if record.payload["n"] == "1":
            raise ValueError("a bug in handling this one")
        seen.append(record.payload["n"])
        await spool.remove(record)

    async def healthy() -> bool:
        return True

    replayer = SpoolReplayer(spool, {"sms": replay}, healthy=healthy)
    for _ in range(MAX_ATTEMPTS - 1):
        assert not await replayer.replay_once()
    assert seen == ["0"]  # "2" never overtakes the failing "1"
    assert await replayer.replay_once()
    assert seen == ["0", "2"] and spool.pending() == [] and len(spool) == 0
    assert len(list((tmp_path / "spool" / "failed").iterdir())) == 2
