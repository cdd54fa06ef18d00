"""The chat flows: /alert with preview and Send, representatives' limits, per-topic opt-outs."""

from __future__ import annotations

from sqlmodel import select

from bot.app.application import build_router
from bot.core.conversation import Conversation
from bot.core.messages import Inbound, Reply
from bot.core.settings import Settings
from storage import roles
from storage.broadcast_models import Broadcast, Delivery
from storage.db import Database
from tests.test_broadcast_helpers import add_residents, area_id

COORDINATOR = "telegram:1"


def chat(db: Database, settings: Settings):
    conversation = Conversation(
        db, settings.model_copy(update={"coordinators": COORDINATOR}), build_router()
    )

    async def say(urn: str, text: str = "", *, callback: str | None = None) -> list[Reply]:
        command = None
        args = ""
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
        event = Inbound(urn=urn, channel="telegram", text=text, command=command, args=args)
        event.callback = callback
        return await conversation.handle(event)

    return say


async def test_alert_flow_previews_then_sends_to_the_chosen_area(db, settings) -> None:
    await add_residents(db, "Farum", ["telegram:10", "tel:+4520000001"])
    await add_residents(db, "Værløse", ["telegram:11"])
    farum = await area_id(db, "Farum")
    say = chat(db, settings)
    (ask,) = await say(COORDINATOR, "/alert")
    assert [b.data for b in ask.flat_buttons()] == ["bc:prio:0", "bc:prio:1"]
    (areas,) = await say(COORDINATOR, callback="bc:prio:0")
    assert f"bc:a:{farum}" in [b.data for b in areas.flat_buttons()]
    (toggled,) = await say(COORDINATOR, callback=f"bc:a:{farum}")
    assert any(b.label == "✅ Farum" for b in toggled.flat_buttons())
    (write,) = await say(COORDINATOR, callback="bc:done")
    assert "114" in write.text
    (preview,) = await say(COORDINATOR, "Indbrud på Paltholmvej kl. 14!!! PANIK")
    assert "🚨 Nabovagt - Farum" in preview.text and "Paltholmvej" in preview.text
    assert "Modtagere: 2 · Telegram 1 · SMS 1" in preview.text
    assert "udråbstegn" in preview.text and "panik" in preview.text
    assert [b.data for b in preview.flat_buttons()] == ["bc:send", "bc:edit", "bc:cancel"]
    (queued,) = await say(COORDINATOR, callback="bc:send")
    assert queued.edit and "2" in queued.text
    async with db.session() as session:
        sent = (await session.exec(select(Broadcast))).one()
        rows = (await session.exec(select(Delivery))).all()
    assert sent.priority == 0 and sent.progress_urn == COORDINATOR and sent.area_ids == [farum]
    assert sorted(r.urn for r in rows) == ["tel:+4520000001", "telegram:10"]


async def test_representative_sees_only_own_areas_and_residents_cannot_send(db, settings) -> None:
    farum = await area_id(db, "Farum")
    async with db.session() as session:
        await roles.grant(
            session=session, urn="telegram:5", role=roles.REPRESENTATIVE, area_id=farum
        )
    say = chat(db, settings)
    (areas,) = await say("telegram:5", "/announce")
    assert [b.data for b in areas.flat_buttons()] == [f"bc:a:{farum}", "bc:done", "bc:cancel"]
    (refused,) = await say("telegram:6", "/tip_send")
    assert "koordinatorer" in refused.text


async def test_resident_opts_out_of_announcements_but_still_gets_alerts(db, settings) -> None:
    from storage import outbox

    await add_residents(db, "Farum", ["telegram:10"])
    say = chat(db, settings)
    (menu,) = await say("telegram:10", "/topics")
    assert "topic:announcements" in [b.data for b in menu.flat_buttons()]
    (after,) = await say("telegram:10", callback="topic:announcements")
    labels = {b.data: b.label for b in after.flat_buttons()}
    assert labels["topic:announcements"].startswith("✖")
    assert labels["topic:alerts"].startswith("✅")
    async with db.session() as session:
        news = await outbox.count_recipients(session=session, area_ids=None, topic="announcements")
        alerts = await outbox.count_recipients(session=session, area_ids=None, topic="alerts")
    assert news == {} and alerts == {"telegram": 1}
