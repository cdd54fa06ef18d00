"""The chat flows: /alert with preview and Send, representatives' limits, per-topic opt-outs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from bot.app.application import build_router
from bot.broadcasts import services
from bot.broadcasts.render import summary
from bot.core.actors import OPERATOR, Actor, actor_for
from bot.core.conversation import Conversation
from bot.core.gsm import segments
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
    assert "SMS: 1 del pr. besked, ca. 0,45\xa0kr. i alt" in preview.text  # Babel: no-break space
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


async def test_preview_counts_recipients_segments_and_cost_as_data(db, settings) -> None:
    await add_residents(db, "Farum", ["telegram:10", "tel:+4520000001", "tel:+4520000002"])
    farum = await area_id(db, "Farum")
    # Long enough for several SMS parts, with an escape character in it.
    text = "Indbrud på Paltholmvej. " * 8 + "Pris: 100 €."
    async with db.session() as session:
        shown = await services.preview(
            session=session, kind="alert", text=text, area_ids=[farum], lang="da"
        )
    assert shown.recipients == {"telegram": 1, "sms": 2} and shown.total == 3
    assert shown.area_names == ["Farum"] and not shown.respects_quiet
    assert shown.rendered["telegram"].startswith("🚨 Nabovagt - Farum")
    assert shown.rendered["sms"].startswith("Nabovagt - Farum")  # no emoji in GSM-7
    assert shown.sms_segments == segments(shown.rendered["sms"]) == 2
    assert shown.sms_cost == Decimal("1.80")
    lines = summary(shown.recipients, shown.sms_segments, shown.sms_cost, "da")
    assert (
        lines == "Modtagere: 3 · Telegram 1 · SMS 2\nSMS: 2 dele pr. besked, ca. 1,80\xa0kr. i alt"
    )
    english = summary({"telegram": 1250, "sms": 1}, 1, Decimal("0.45"), "en")
    assert english.endswith("SMS: 1 segment each, about DKK0.45 in total")
    assert english.startswith("Recipients: 1,251 · Telegram 1,250")


async def test_queue_broadcast_refuses_other_areas_and_empty_reach(db, settings) -> None:
    farum, vaerlose = await area_id(db, "Farum"), await area_id(db, "Værløse")
    await add_residents(db, "Værløse", ["telegram:11"])
    representative = Actor(urn="telegram:5", urns=("telegram:5",), areas=frozenset({farum}))
    nobody = Actor(urn="telegram:6", urns=("telegram:6",))
    async with db.session() as session:
        for actor, area_ids in ((representative, None), (representative, [vaerlose])):
            with pytest.raises(services.NotAllowed):
                await services.queue_broadcast(
                    session=session, actor=actor, kind="tip", text="Lås.", area_ids=area_ids
                )
        for area_ids in (None, [farum], []):
            with pytest.raises(services.NotAllowed):
                await services.queue_broadcast(
                    session=session, actor=nobody, kind="tip", text="Lås.", area_ids=area_ids
                )
        with pytest.raises(services.NoRecipients):
            await services.queue_broadcast(
                session=session,
                actor=representative,
                kind="tip",
                text="Lås.",
                area_ids=[farum],
                require_recipients=True,
            )
        sent = await services.queue_broadcast(
            session=session, actor=OPERATOR, kind="tip", text=" Lås. ", area_ids=[vaerlose]
        )
        assert sent.id is not None and sent.total == 1 and sent.text == "Lås."
        assert sent.created_by == OPERATOR.urn
    async with db.session() as session:
        found = await services.broadcast_status(
            session=session, broadcast_id=sent.id, with_reasons=True
        )
        recent = await services.recent_broadcasts(session=session)
    assert found is not None and found.counts == {"telegram": {"queued": 1}}
    assert found.status == "queued" and found.area_names == ["Værløse"]
    assert [r.id for r in recent] == [sent.id]


async def test_allowed_areas_for_coordinators_representatives_and_residents(db, settings) -> None:
    farum = await area_id(db, "Farum")
    configured = settings.model_copy(update={"coordinators": COORDINATOR})
    async with db.session() as session:
        await roles.grant(
            session=session, urn="telegram:5", role=roles.REPRESENTATIVE, area_id=farum
        )
        await roles.grant(session=session, urn="telegram:7", role=roles.COORDINATOR)
        found = [
            services.allowed_areas(await actor_for(session=session, settings=configured, urn=urn))
            for urn in (COORDINATOR, "telegram:7", "telegram:5", "telegram:6")
        ]
    assert found == [None, None, [farum], []]


async def test_topics_toggle_through_the_service(db, settings) -> None:
    (resident,) = await add_residents(db, "Farum", ["telegram:10"])
    async with db.session() as session:
        assert await services.toggle_topic(
            session=session, resident_id=resident, topic="weekly_tip"
        )
        choices = await services.topic_choices(session=session, resident_id=resident)
        with pytest.raises(ValueError, match="unknown topic"):
            await services.set_topic(session=session, resident_id=resident, topic="x", enabled=True)
    assert choices["weekly_tip"] and choices["alerts"]
