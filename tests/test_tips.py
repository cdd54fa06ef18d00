"""Tips on the neutral engine: the guided flow, SMS TIP, urgency guard, limits, triage and privacy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app.application import build_router
from bot.core.conversation import Conversation
from bot.core.messages import Inbound, Location, Reply
from bot.tips.categories import is_urgent
from storage import flows
from storage.broadcast_models import Broadcast, Delivery
from storage.models import Resident, utcnow
from storage.tip_models import Tip, TipEvent, TipPhoto

KAREN = "telegram:1001"
SMS = "tel:+4520304050"
COORDINATOR = "telegram:9001"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"coordinators": COORDINATOR})


@pytest.fixture
def convo(db, settings) -> Conversation:
    return Conversation(db, settings, build_router())


def tg(urn: str = KAREN, **kw) -> Inbound:
    return Inbound(urn=urn, channel="telegram", display_name="Karen Hansen", **kw)


def sms(text: str, urn: str = SMS) -> Inbound:
    from bot.core.keywords import parse_keyword

    command, args = parse_keyword(text)
    return Inbound(urn=urn, channel="sms", text=text, command=command, args=args if command else "")


async def join_telegram(convo: Conversation, urn: str = KAREN, area: str = "Farum") -> None:
    await convo.handle(tg(urn, command="start"))
    await convo.handle(tg(urn, callback="consent:yes"))
    await convo.handle(tg(urn, text=area))


async def fake_fetch(ref: str) -> bytes:
    return b"\xff\xd8jpeg:" + ref.encode()


async def telegram_tip(
    convo: Conversation, text: str, *, contact: str = "anonymous"
) -> list[Reply]:
    await convo.handle(tg(command="tip"))
    await convo.handle(tg(callback="tip:cat:moped"))
    await convo.handle(tg(text=text))
    await convo.handle(tg(callback="tip:next"))
    await convo.handle(tg(callback=f"tip:contact:{contact}"))
    return await convo.handle(tg(callback="tip:send"))


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("der er nogen der bryder ind lige nu", True),
        ("Det BRÆNDER i containeren", True),
        ("someone is breaking in, happening now", True),
        ("Fire in the shed", True),
        ("knallerter kører stærkt på stien ved Farum Sø", False),
        ("Lyset er gået ved billederne på stien", False),
    ],
)
def test_urgency_guard_cues(text: str, urgent: bool) -> None:
    assert is_urgent(text) is urgent


async def test_telegram_tip_with_photo_and_location_is_stored_and_reaches_coordinator(
    convo, db, settings
) -> None:
    await join_telegram(convo)
    [ask] = await convo.handle(tg(command="tip"))
    assert "Hvad handler det om?" in ask.text
    labels = [b.label for b in ask.flat_buttons()]
    assert labels[:2] == [
        "Unge i grupper / tilråb",
        "Højlydte personer i opgange eller på fællesarealer",
    ]
    assert "Andet" in labels and "Annuller" in labels
    [write] = await convo.handle(tg(callback="tip:cat:moped"))
    assert "ikke navne på personer" in write.text
    [extras] = await convo.handle(tg(text="Knallerter kører stærkt på stien"))
    assert "Område: Farum" in extras.text
    [added] = await convo.handle(tg(photos=["photo-1"], fetch_media=fake_fetch))
    assert "Billede 1" in added.text
    [located] = await convo.handle(tg(location=Location(55.81, 12.37)))
    assert "Farum Midtpunkt" in located.text
    [contact] = await convo.handle(tg(callback="tip:next"))
    assert [b.data for b in contact.flat_buttons()][:3] == [
        "tip:contact:anonymous",
        "tip:contact:updates",
        "tip:contact:open",
    ]
    [summary] = await convo.handle(tg(callback="tip:contact:updates"))
    assert "Knallertkørsel på stier" in summary.text and "Billeder: 1" in summary.text
    [thanks] = await convo.handle(tg(callback="tip:send"))
    assert "Reference: T-" in thanks.text

    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
        assert tip.reference in thanks.text and tip.reference == f"T-{tip.created_at.year}-0001"
        assert (tip.category, tip.channel, tip.status) == ("moped", "telegram", "new")
        assert tip.latitude == 55.81 and tip.notify_status and not tip.may_contact
        [photo] = (await s.exec(select(TipPhoto))).all()
        assert (Path(settings.media_dir) / photo.path).read_bytes() == b"\xff\xd8jpeg:photo-1"
        [notice] = (await s.exec(select(Broadcast))).all()
        assert tip.reference in notice.text and "Farum Midtpunkt" in notice.text
        assert "Billeder: 1" in notice.text and "openstreetmap.org/?mlat=55.81" in notice.text
        assert "Karen" not in notice.text and "1001" not in notice.text
        assert [label for row in notice.buttons for label, _ in row] == [
            "Modtaget",
            "Videresendt",
            "Løst",
            "Svar",
        ]
        [delivery] = (await s.exec(select(Delivery))).all()
        assert delivery.urn == COORDINATOR
        actions = [e.action for e in (await s.exec(select(TipEvent))).all()]
        assert actions == ["created", "notified"]


async def test_urgency_guard_answers_first_and_the_tip_is_still_recorded(convo, db) -> None:
    await join_telegram(convo)
    await convo.handle(tg(command="tip"))
    await convo.handle(tg(callback="tip:cat:suspicious"))
    first, *_ = await convo.handle(tg(text="der er nogen der bryder ind lige nu"))
    assert first.text == "Ved akut fare: ring 112. Politiet: 114."
    await convo.handle(tg(callback="tip:next"))
    await convo.handle(tg(callback="tip:contact:anonymous"))
    await convo.handle(tg(callback="tip:send"))
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
        assert tip.urgent
        notice = (await s.exec(select(Broadcast))).one()
        assert notice.priority == 0 and "AKUT" in notice.text


async def test_sms_tip_records_at_once_and_asks_category_by_number(convo, db) -> None:
    await convo.handle(sms("tilmeld farum"))
    [reply] = await convo.handle(sms("TIP knallerter kører stærkt på stien ved Farum Sø"))
    assert reply.text.startswith("Tak! Tip T-")
    assert [b.label for b in reply.flat_buttons()][2] == "Knallert på sti"
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
        assert tip.category == "other" and tip.text.startswith("knallerter")
        assert tip.channel == "sms" and not tip.may_contact
    [done] = await convo.handle(sms("3"))
    assert done.text == f"Tak. Tip {tip.reference}: Knallertkørsel på stier."
    async with db.session() as s:
        assert (await s.exec(select(Tip))).one().category == "moped"


async def test_sms_category_answer_after_ten_minutes_keeps_andet(convo, db) -> None:
    await convo.handle(sms("tilmeld farum"))
    await convo.handle(sms("TIP løse hunde på legepladsen"))
    async with db.session() as s:
        flow = await flows.get_flow(session=s, urn=SMS)
        assert flow is not None
        data = dict(flow.data) | {"until": (utcnow() - timedelta(seconds=1)).isoformat()}
        await flows.set_flow(session=s, urn=SMS, state=flow.state, data=data)
    [late] = await convo.handle(sms("4"))
    assert "gemt som Andet" in late.text
    async with db.session() as s:
        assert (await s.exec(select(Tip))).one().category == "other"


async def test_sms_urgent_tip_says_112_before_anything_else(convo) -> None:
    await convo.handle(sms("tilmeld farum"))
    [reply] = await convo.handle(sms("TIP der er nogen der bryder ind lige nu"))
    assert reply.text.startswith("Ved akut fare: ring 112. Politiet: 114.\nTak! Tip T-")


async def test_unregistered_sms_tip_is_asked_to_sign_up_and_nothing_stored(convo, db) -> None:
    [reply] = await convo.handle(sms("TIP noget mærkeligt"))
    assert "TILMELD" in reply.text
    async with db.session() as s:
        assert (await s.exec(select(Tip))).all() == []


async def test_limits_text_photos_and_tips_per_hour(convo, db) -> None:
    await join_telegram(convo)
    await convo.handle(tg(command="tip"))
    await convo.handle(tg(callback="tip:cat:other"))
    [too_long] = await convo.handle(tg(text="x" * 2001))
    assert "for lang (2001 tegn)" in too_long.text
    await convo.handle(tg(text="Lygten er gået ud"))
    for n in range(5):
        await convo.handle(tg(photos=[f"p{n}"], fetch_media=fake_fetch))
    [refused, *_] = await convo.handle(tg(photos=["p6"], fetch_media=fake_fetch))
    assert "højst vedhæfte 5 billeder" in refused.text
    await convo.handle(tg(callback="tip:next"))
    await convo.handle(tg(callback="tip:contact:anonymous"))
    await convo.handle(tg(callback="tip:send"))
    async with db.session() as s:
        assert len((await s.exec(select(TipPhoto))).all()) == 5

    await convo.handle(sms("tilmeld farum"))
    for n in range(10):
        [accepted] = await convo.handle(sms(f"TIP hærværk nummer {n}"))
        assert "Tak! Tip T-" in accepted.text
    [refused] = await convo.handle(sms("TIP endnu et"))
    assert "mange tip den seneste time" in refused.text
    async with db.session() as s:
        assert len((await s.exec(select(Tip))).all()) == 11  # 1 + 10, none lost


async def test_cancel_keeps_nothing(convo, db, settings) -> None:
    await join_telegram(convo)
    await convo.handle(tg(command="tip"))
    await convo.handle(tg(callback="tip:cat:dogs"))
    await convo.handle(tg(text="Løs hund", photos=["p1"], fetch_media=fake_fetch))
    [gone] = await convo.handle(tg(callback="tip:cancel"))
    assert "Intet er gemt" in gone.text
    async with db.session() as s:
        assert (await s.exec(select(Tip))).all() == []
    assert list((Path(settings.media_dir) / "tips").iterdir()) == []


async def test_answer_is_relayed_to_the_sms_tipster_without_identities(convo, db) -> None:
    await convo.handle(sms("tilmeld farum"))
    await convo.handle(sms("TIP knallerter kører stærkt på stien ved Farum Sø"))
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
        notice = (await s.exec(select(Broadcast))).one()
    assert "20304050" not in notice.text and "Anonym" in notice.text
    kim = COORDINATOR
    [ask] = await convo.handle(tg(kim, callback=f"tipc:ans:{tip.id}"))
    assert "uden dit navn" in ask.text
    [sent] = await convo.handle(tg(kim, text="Tak, vi sætter skilte op i næste uge."))
    assert tip.reference in sent.text
    async with db.session() as s:
        relay = (await s.exec(select(Broadcast).order_by(col(Broadcast.id).desc()))).first()
        assert relay.text == (
            f"Svar fra kommunen på dit tip {tip.reference}:\nTak, vi sætter skilte op i næste uge."
        )
        assert "Karen" not in relay.text and "9001" not in relay.text
        [delivery] = (await s.exec(select(Delivery).where(Delivery.broadcast_id == relay.id))).all()
        assert delivery.urn == SMS and delivery.channel == "sms"
        events = [(e.actor, e.action) for e in (await s.exec(select(TipEvent))).all()]
        assert (kim, "answered") in events
        assert (await s.get(Tip, tip.id)).acknowledged_at is not None


async def test_triage_buttons_change_status_and_notify_opted_in_tipster(convo, db) -> None:
    await join_telegram(convo)
    await telegram_tip(convo, "Mørk sti ved skolen", contact="updates")
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
    kim = COORDINATOR
    [ack] = await convo.handle(tg(kim, callback=f"tipc:ack:{tip.id}"))
    assert "modtaget" in ack.text
    [again] = await convo.handle(tg(kim, callback=f"tipc:ack:{tip.id}"))
    assert "allerede" in again.text
    [targets] = await convo.handle(tg(kim, callback=f"tipc:fwd:{tip.id}"))
    assert [b.label for b in targets.flat_buttons()] == [
        "Politiet",
        "Boligforeningen",
        "Kommunens driftsafdeling",
    ]
    await convo.handle(tg(kim, callback=targets.flat_buttons()[2].data))
    await convo.handle(tg(kim, callback=f"tipc:res:{tip.id}"))
    [resolved] = await convo.handle(tg(kim, text="Lampen er skiftet"))
    assert "løst" in resolved.text
    async with db.session() as s:
        tip = await s.get(Tip, tip.id)
        assert tip.status == "resolved" and tip.forwarded_to == "Kommunens driftsafdeling"
        assert tip.resolution_note == "Lampen er skiftet"
        to_karen = (
            await s.exec(
                select(Broadcast.text)
                .join(Delivery, col(Delivery.broadcast_id) == Broadcast.id)
                .where(Delivery.urn == KAREN)
            )
        ).all()
        assert any("er modtaget af kommunen" in x for x in to_karen)
        assert any("sendt videre til Kommunens driftsafdeling" in x for x in to_karen)
        assert any("markeret som løst" in x for x in to_karen)
        assert not any("Lampen" in x for x in to_karen)
        actions = [e.action for e in (await s.exec(select(TipEvent))).all()]
        assert actions == ["created", "notified", "acknowledged", "forwarded", "resolved"]


async def test_anonymous_tipster_without_updates_hears_nothing_but_answers(convo, db) -> None:
    await join_telegram(convo)
    await telegram_tip(convo, "Hærværk på bænken")
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
    await convo.handle(tg(COORDINATOR, callback=f"tipc:ack:{tip.id}"))
    async with db.session() as s:
        assert (await s.exec(select(Delivery).where(Delivery.urn == KAREN))).all() == []


async def test_open_tip_shows_contact_to_coordinator(convo, db) -> None:
    await convo.handle(sms("tilmeld farum"))
    await join_telegram(convo)
    await telegram_tip(convo, "Løse hunde", contact="open")
    async with db.session() as s:
        notice = (await s.exec(select(Broadcast))).one()
    assert "Må kontaktes: Karen Hansen (Telegram)" in notice.text


async def test_residents_cannot_triage_or_see_the_inbox(convo, db) -> None:
    await join_telegram(convo)
    await telegram_tip(convo, "Noget")
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
    [refused] = await convo.handle(tg(callback=f"tipc:ack:{tip.id}"))
    assert "kun koordinatorer" in refused.text
    [inbox] = await convo.handle(tg(command="inbox"))
    assert "kun for koordinatorer" in inbox.text


async def test_inbox_lists_open_tips_with_age_and_view_is_audited(convo, db) -> None:
    await join_telegram(convo)
    await telegram_tip(convo, "Knallerter på stien")
    await convo.handle(sms("tilmeld værløse"))
    await convo.handle(sms("TIP mørkt ved stationen"))
    [inbox] = await convo.handle(tg(COORDINATOR, command="inbox"))
    assert "Åbne tip (2)" in inbox.text
    assert "Værløse · Andet · 0 min · ny" in inbox.text
    assert "Farum · Knallertkørsel på stier · 0 min · ny" in inbox.text
    view = inbox.flat_buttons()[0]
    [detail] = await convo.handle(tg(COORDINATOR, callback=view.data))
    assert "mørkt ved stationen" in detail.text and "20304050" not in detail.text
    async with db.session() as s:
        viewed = (await s.exec(select(TipEvent).where(TipEvent.action == "viewed"))).one()
        assert viewed.actor == COORDINATOR


async def test_stats_shows_median_time_to_acknowledgement(convo, db) -> None:
    await join_telegram(convo)
    for text in ("a", "b", "c"):
        await telegram_tip(convo, text)
    async with db.session() as s:
        tips = (await s.exec(select(Tip).order_by(col(Tip.id)))).all()
        for tip, minutes in zip(tips, (10, 30, None), strict=True):
            if minutes is not None:
                tip.acknowledged_at = tip.created_at + timedelta(minutes=minutes)
                s.add(tip)
    [stats] = await convo.handle(tg(COORDINATOR, command="stats"))
    assert ": 3, kvitteret 2, median tid til kvittering: 20 min" in stats.text


async def test_forget_me_removes_the_tipster_link_and_answers_cannot_reach_them(convo, db) -> None:
    await join_telegram(convo)
    await telegram_tip(convo, "Knallerter")
    await convo.handle(tg(command="forget"))
    await convo.handle(tg(callback="forget:yes"))
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
        assert tip.resident_id is None and tip.contact_id is None and tip.text == "Knallerter"
        assert (await s.exec(select(Resident))).all() == []
    await convo.handle(tg(COORDINATOR, callback=f"tipc:ans:{tip.id}"))
    [reply] = await convo.handle(tg(COORDINATOR, text="Hej"))
    assert "kan ikke længere nås" in reply.text


async def test_help_offers_the_tip_button_on_telegram(convo) -> None:
    await join_telegram(convo)
    [helped] = await convo.handle(tg(command="help"))
    assert [b.data for b in helped.flat_buttons()] == ["tip:new"]
    [ask] = await convo.handle(tg(callback="tip:new"))
    assert "Hvad handler det om?" in ask.text


async def test_detail_view_sends_the_stored_photos_as_files(convo, db) -> None:
    await join_telegram(convo)
    await convo.handle(tg(command="tip"))
    await convo.handle(tg(callback="tip:cat:vandalism"))
    await convo.handle(tg(text="Smadret skur", photos=["p1"], fetch_media=fake_fetch))
    await convo.handle(tg(callback="tip:next"))
    await convo.handle(tg(callback="tip:contact:anonymous"))
    await convo.handle(tg(callback="tip:send"))
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
    detail, photo = await convo.handle(tg(COORDINATOR, callback=f"tipc:view:{tip.id}"))
    assert "Smadret skur" in detail.text and "Billeder: 1" in detail.text
    assert photo.attachment == (f"{tip.reference}-1.jpg", b"\xff\xd8jpeg:p1")


async def test_area_representatives_get_and_triage_only_their_areas_tips(convo, db) -> None:
    from storage import areas, roles

    async with db.session() as s:
        farum = await areas.find_by_name(session=s, name="Farum")
        hareskov = await areas.find_by_name(session=s, name="Hareskov")
        assert farum is not None and hareskov is not None
        await roles.grant(
            session=s, urn="telegram:7001", role=roles.REPRESENTATIVE, area_id=farum.id
        )
        await roles.grant(
            session=s, urn="telegram:7002", role=roles.REPRESENTATIVE, area_id=hareskov.id
        )
    await join_telegram(convo)
    await telegram_tip(convo, "Knallerter ved søen")
    async with db.session() as s:
        tip = (await s.exec(select(Tip))).one()
        urns = {d.urn for d in (await s.exec(select(Delivery))).all()}
    assert urns == {COORDINATOR, "telegram:7001"}
    [ok] = await convo.handle(tg("telegram:7001", callback=f"tipc:ack:{tip.id}"))
    assert "markeret som modtaget" in ok.text
    [refused] = await convo.handle(tg("telegram:7002", callback=f"tipc:res:{tip.id}"))
    assert "kun koordinatorer og områdets repræsentanter" in refused.text
    [inbox] = await convo.handle(tg("telegram:7002", command="inbox"))
    assert "Ingen åbne tip" in inbox.text
