"""Dashboard pages without a browser: map, tip inbox and triage, composer, events (httpx on ASGI)."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from bot.app.web import build_web_app
from bot.core.actors import OPERATOR
from bot.core.settings import Settings
from bot.dashboard import auth
from bot.dashboard.feature import routes as dashboard_routes
from bot.events import services as events
from bot.registration.services import forget
from bot.reports.services import add_burglary
from bot.tips import services as tips
from bot.walks import services as walks
from storage import residents, roles
from storage import tips as tip_store
from storage.broadcast_models import Broadcast, Delivery
from storage.db import Database
from storage.tip_models import Tip
from tests.conftest import COORDINATOR_ID, running_app
from tests.test_broadcast_helpers import add_residents, area_id

COORDINATOR = f"telegram:{COORDINATOR_ID}"
REPRESENTATIVE = "telegram:5005"
TIPSTER = "tel:+4520304050"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
ONCE = re.compile(r'name="once" value="([\w-]+)"')
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def once() -> dict[str, str]:
    """A Send form's one-time value, as a preview page would put it in."""
    return {"once": secrets.token_urlsafe(18)}


def store_photo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(JPEG)


def staff_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"coordinators": COORDINATOR, "public_url": "http://dash.test"}
    )


@asynccontextmanager
async def browser(db: Database, settings: Settings, urn: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client logged in as `urn` through a one-time link, against the real dashboard routes."""
    app = build_web_app(db, list(dashboard_routes(db, settings)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://dash.test") as client:
        async with db.session() as session:
            secret = await auth.issue_login_link(session=session, urn=urn, now=datetime.now(UTC))
        landed = await client.get(f"/dashboard/login?token={secret}")
        assert landed.status_code == 303, landed.text
        yield client


async def csrf_of(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found, "the page has no form with a csrf field"
    return found.group(1)


async def tipster_tip(
    db: Database, settings: Settings, area: str, text: str, **extra: object
) -> Tip:
    """An SMS helper in `area` sends a tip and wants status updates."""
    urn = str(extra.pop("urn", TIPSTER))
    (resident_id,) = await add_residents(db, area, [urn])
    async with db.session() as session:
        found = await residents.get_contact(session=session, urn=urn)
        assert found is not None
        return await tips.submit_tip(
            session=session,
            settings=settings,
            channel="sms" if urn.startswith("tel:") else "telegram",
            resident_id=resident_id,
            contact_id=found.id,
            category="vandalism",
            text=text,
            area_id=await area_id(db, area),
            contact_mode="updates",
            **extra,  # type: ignore[arg-type]
        )


async def notices_to(db: Database, urn: str) -> list[str]:
    async with db.session() as session:
        query = (
            select(Broadcast.text)
            .join(Delivery, col(Delivery.broadcast_id) == col(Broadcast.id))
            .where(col(Delivery.urn) == urn)
            .order_by(col(Broadcast.id))
        )
        return list((await session.exec(query)).all())


async def grant_representative(db: Database, urn: str, area: str) -> None:
    async with db.session() as session:
        await roles.grant(
            session=session, urn=urn, role=roles.REPRESENTATIVE, area_id=await area_id(db, area)
        )


# --- tip inbox ---------------------------------------------------------------------------------


async def test_acknowledge_on_the_page_queues_the_tipsters_status_message(db, settings) -> None:
    settings = staff_settings(settings)
    tip = await tipster_tip(db, settings, "Farum", "Skuret ved legepladsen er smadret")
    async with browser(db, settings, COORDINATOR) as client:
        inbox = await client.get("/dashboard/tips")
        assert inbox.status_code == 200
        assert tip.reference and str(tip.reference) in inbox.text
        page = await client.get(f"/dashboard/tips/{tip.id}")
        assert "Skuret ved legepladsen er smadret" in page.text
        assert "20304050" not in page.text  # anonymous with updates: no contact shown
        token = CSRF.search(page.text)
        assert token
        done = await client.post(f"/dashboard/tips/{tip.id}/ack", data={"csrf": token.group(1)})
        assert done.status_code == 303
        shown = await client.get(done.headers["location"])
        assert f"{tip.reference} er markeret som modtaget." in shown.text
        again = await client.post(f"/dashboard/tips/{tip.id}/ack", data={"csrf": token.group(1)})
        assert "already" in again.headers["location"]
    assert f"Dit tip {tip.reference} er modtaget af kommunen." in await notices_to(db, TIPSTER)
    async with db.session() as session:
        stored = await session.get(Tip, tip.id)
        assert stored is not None and stored.status == "acknowledged"


async def test_forward_answer_and_resolve_reach_the_tipster_without_identities(
    db, settings
) -> None:
    settings = staff_settings(settings)
    tip = await tipster_tip(db, settings, "Farum", "Knallerter på stien")
    async with browser(db, settings, COORDINATOR) as client:
        csrf = await csrf_of(client, f"/dashboard/tips/{tip.id}")
        base = f"/dashboard/tips/{tip.id}"
        forwarded = await client.post(f"{base}/forward", data={"csrf": csrf, "target": "1"})
        assert forwarded.status_code == 303
        assert "Boligforeningen" in (await client.get(forwarded.headers["location"])).text
        bad = await client.post(f"{base}/forward", data={"csrf": csrf, "target": "9"})
        assert bad.status_code == 400
        answered = await client.post(
            f"{base}/answer", data={"csrf": csrf, "answer": "Vi sætter skilte op."}
        )
        assert "answered" in answered.headers["location"]
        resolved = await client.post(
            f"{base}/resolve", data={"csrf": csrf, "note": "Skilte sat op"}
        )
        assert resolved.status_code == 303
        page = await client.get(resolved.headers["location"])
        assert "Skilte sat op" in page.text  # the internal note is in the history
        closed = await client.get("/dashboard/tips")
        assert str(tip.reference) not in closed.text  # the default filter shows open tips
        every = await client.get("/dashboard/tips", params={"status": "all"})
        assert str(tip.reference) in every.text
    texts = await notices_to(db, TIPSTER)
    assert f"Dit tip {tip.reference} er sendt videre til Boligforeningen." in texts
    relayed = next(t for t in texts if "Svar fra kommunen" in t)
    assert "Vi sætter skilte op." in relayed and "9001" not in relayed
    assert any("markeret som løst" in t for t in texts)
    assert not any("Skilte sat op" in t for t in texts)


async def test_a_post_without_the_csrf_field_changes_nothing(db, settings) -> None:
    settings = staff_settings(settings)
    tip = await tipster_tip(db, settings, "Farum", "Lys ude ved stien")
    async with browser(db, settings, COORDINATOR) as client:
        refused = await client.post(f"/dashboard/tips/{tip.id}/ack", data={"csrf": "0" * 64})
        assert refused.status_code == 403
    async with db.session() as session:
        stored = await session.get(Tip, tip.id)
        assert stored is not None and stored.status == "new"


async def test_a_representative_sees_and_handles_only_their_areas_tips(db, settings) -> None:
    settings = staff_settings(settings)
    await grant_representative(db, REPRESENTATIVE, "Værløse")
    farum = await tipster_tip(db, settings, "Farum", "Graffiti på muren")
    await asyncio.to_thread(store_photo, Path(settings.media_dir) / "own.jpg")
    own = await tipster_tip(
        db, settings, "Værløse", "Løse hunde", urn="tel:+4520304051", photo_paths=["own.jpg"]
    )
    async with browser(db, settings, REPRESENTATIVE) as client:
        inbox = await client.get("/dashboard/tips")
        assert str(own.reference) in inbox.text and str(farum.reference) not in inbox.text
        assert (await client.get(f"/dashboard/tips/{farum.id}")).status_code == 403
        assert (await client.get(f"/dashboard/tips/{farum.id}/photos/1")).status_code == 403
        other = await client.get("/dashboard/tips", params={"area": await area_id(db, "Farum")})
        assert other.status_code == 403 and str(farum.reference) not in other.text
        csrf = await csrf_of(client, f"/dashboard/tips/{own.id}")
        refused = await client.post(f"/dashboard/tips/{farum.id}/ack", data={"csrf": csrf})
        assert refused.status_code == 403
        photo = await client.get(f"/dashboard/tips/{own.id}/photos/1")
        assert photo.status_code == 200 and photo.content == JPEG
        assert photo.headers["content-type"] == "image/jpeg"
        assert (await client.get(f"/dashboard/tips/{own.id}/photos/2")).status_code == 404
    async with db.session() as session:
        stored = await session.get(Tip, farum.id)
        assert stored is not None and stored.status == "new"


async def test_the_inbox_filters_by_area_category_and_status(db, settings) -> None:
    settings = staff_settings(settings)
    farum = await tipster_tip(db, settings, "Farum", "Hærværk ved skolen")
    hareskov = await tipster_tip(db, settings, "Hareskov", "Mere hærværk", urn="tel:+4520304052")
    async with browser(db, settings, COORDINATOR) as client:
        by_area = await client.get("/dashboard/tips", params={"area": await area_id(db, "Farum")})
        assert str(farum.reference) in by_area.text and str(hareskov.reference) not in by_area.text
        by_category = await client.get("/dashboard/tips", params={"category": "dogs"})
        assert (
            str(farum.reference) not in by_category.text
            and "Ingen tip matcher." in by_category.text
        )
        by_status = await client.get("/dashboard/tips", params={"status": "new"})
        assert str(farum.reference) in by_status.text and str(hareskov.reference) in by_status.text


async def test_pages_need_a_login(db, settings) -> None:
    settings = staff_settings(settings)
    app = build_web_app(db, list(dashboard_routes(db, settings)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://dash.test") as client:
        for path in ("/map", "/tips", "/tips/1", "/compose", "/compose/1", "/events"):
            answer = await client.get(f"/dashboard{path}")
            assert answer.status_code == 303, path
        posted = await client.post("/dashboard/compose/send", data={"text": "x"})
        assert posted.status_code == 303


# --- composer ----------------------------------------------------------------------------------


async def test_composer_previews_both_channels_then_sends_only_to_the_chosen_area(
    db, settings
) -> None:
    settings = staff_settings(settings)
    await add_residents(db, "Farum", ["telegram:10", "tel:+4520000001"])
    await add_residents(db, "Værløse", ["telegram:11"])
    farum = await area_id(db, "Farum")
    form = {
        "kind": "alert",
        "area": str(farum),
        "priority": "0",
        "text": "Indbrud på Paltholmvej kl. 14!!! PANIK",
    }
    async with browser(db, settings, COORDINATOR) as client:
        csrf = await csrf_of(client, "/dashboard/compose")
        preview = await client.post("/dashboard/compose/preview", data=form | {"csrf": csrf})
        assert preview.status_code == 200
        assert "🚨 Nabovagt - Farum" in preview.text and "Paltholmvej" in preview.text
        assert "Modtagere: 2 · Telegram 1 · SMS 1" in preview.text
        assert "SMS: 1 del pr. besked" in preview.text
        assert "udråbstegn" in preview.text and "panik" in preview.text
        assert "stille timer" not in preview.text  # alerts ignore quiet hours
        edit = await client.post("/dashboard/compose", data=form | {"csrf": csrf})
        assert "Paltholmvej" in edit.text and f'value="{farum}" checked' in edit.text
        assert 'name="once"' not in edit.text
        found = ONCE.search(preview.text)
        assert found, "the Send form carries no one-time value"
        sent = await client.post(
            "/dashboard/compose/send", data=form | {"csrf": csrf, "once": found.group(1)}
        )
        assert sent.status_code == 303
        progress_url = sent.headers["location"]
        page = await client.get(progress_url)
        assert page.status_code == 200 and "Sendt 0 af 2" in page.text
        assert 'http-equiv="refresh"' in page.text and "progress.js" in page.text
        status = (await client.get(f"{progress_url}/status")).json()
        assert status["finished"] is False and status["total"] == 2
    async with db.session() as session:
        row = (await session.exec(select(Broadcast).where(Broadcast.kind == "alert"))).one()
        assert row.area_ids == [farum] and row.priority == 0 and row.created_by == COORDINATOR
        urns = (
            await session.exec(select(Delivery.urn).where(Delivery.broadcast_id == row.id))
        ).all()
    assert sorted(urns) == ["tel:+4520000001", "telegram:10"]


@pytest.mark.parametrize(("quiet", "warned"), [("21:00-08:00", True), ("00:00-00:00", False)])
async def test_an_announcement_preview_warns_of_quiet_hours_only_when_there_are_some(
    db, settings, quiet, warned
) -> None:
    settings = staff_settings(settings).model_copy(update={"quiet_hours": quiet})
    await add_residents(db, "Farum", ["telegram:10"])
    form = {"kind": "announcement", "area": str(await area_id(db, "Farum")), "text": "Møde i aften"}
    async with browser(db, settings, COORDINATOR) as client:
        csrf = await csrf_of(client, "/dashboard/compose")
        preview = await client.post("/dashboard/compose/preview", data=form | {"csrf": csrf})
    assert preview.status_code == 200
    assert ("stille timer" in preview.text) is warned


async def test_sending_the_same_preview_twice_queues_one_broadcast(db, settings) -> None:
    """A double click on Send (or a reload of the POST) leads to the first broadcast's progress
    page; a new preview gets a new one-time value and may be sent again; a form without one is
    refused."""
    settings = staff_settings(settings)
    await add_residents(db, "Farum", ["telegram:10", "tel:+4520000001"])
    form = {"kind": "tip", "area": str(await area_id(db, "Farum")), "text": "Lås døren"}
    async with browser(db, settings, COORDINATOR) as client:
        csrf = await csrf_of(client, "/dashboard/compose")
        form |= {"csrf": csrf}
        preview = await client.post("/dashboard/compose/preview", data=form)
        found = ONCE.search(preview.text)
        assert found
        send = {**form, "once": found.group(1)}
        clicks = await asyncio.gather(
            *(client.post("/dashboard/compose/send", data=send) for _ in range(3))
        )
        assert [c.status_code for c in clicks] == [303, 303, 303]
        assert len({c.headers["location"] for c in clicks}) == 1
        reloaded = await client.post("/dashboard/compose/send", data=send)
        assert reloaded.headers["location"] == clicks[0].headers["location"]
        again = await client.post("/dashboard/compose/preview", data=form)
        second = ONCE.search(again.text)
        assert second and second.group(1) != found.group(1)
        other = await client.post("/dashboard/compose/send", data=form | {"once": second.group(1)})
        assert other.status_code == 303
        assert other.headers["location"] != clicks[0].headers["location"]
        stale = await client.post("/dashboard/compose/send", data=form)
        assert stale.status_code == 400 and "Se forhåndsvisningen igen" in stale.text
    async with db.session() as session:
        rows = (await session.exec(select(Broadcast))).all()
        deliveries = (await session.exec(select(Delivery))).all()
    assert len(rows) == 2 and len(deliveries) == 4


async def test_composer_refuses_empty_text_and_no_area(db, settings) -> None:
    settings = staff_settings(settings)
    async with browser(db, settings, COORDINATOR) as client:
        csrf = await csrf_of(client, "/dashboard/compose")
        empty = await client.post(
            "/dashboard/compose/preview", data={"csrf": csrf, "kind": "alert", "text": " "}
        )
        assert empty.status_code == 400
        assert "Teksten er tom" in empty.text and "Vælg mindst" in empty.text
        nobody = await client.post(
            "/dashboard/compose/send",
            data={"csrf": csrf, "kind": "tip", "area": "all", "text": "Lås døren"} | once(),
        )
        assert nobody.status_code == 400 and "Ingen nabohjælpere" in nobody.text
    async with db.session() as session:
        assert (await session.exec(select(Broadcast))).first() is None


async def test_a_representative_cannot_compose_to_another_area(db, settings) -> None:
    settings = staff_settings(settings)
    await grant_representative(db, REPRESENTATIVE, "Værløse")
    await add_residents(db, "Farum", ["telegram:10"])
    await add_residents(db, "Værløse", ["telegram:11"])
    farum, vaerloese = await area_id(db, "Farum"), await area_id(db, "Værløse")
    async with browser(db, settings, REPRESENTATIVE) as client:
        form = await client.get("/dashboard/compose")
        assert "Værløse" in form.text and f'name="area" value="{farum}"' not in form.text
        assert 'value="all"' not in form.text
        csrf = await csrf_of(client, "/dashboard/compose")
        text = {"csrf": csrf, "kind": "announcement", "text": "Møde i aften"}
        for path in ("/dashboard/compose/preview", "/dashboard/compose/send"):
            refused = await client.post(path, data=text | {"area": str(farum)} | once())
            assert refused.status_code == 403, path
        everywhere = await client.post(
            "/dashboard/compose/send", data=text | {"area": "all"} | once()
        )
        assert everywhere.status_code == 303  # "all" means all of their own areas
    async with db.session() as session:
        rows = (await session.exec(select(Broadcast))).all()
        assert [r.area_ids for r in rows] == [[vaerloese]]


async def test_progress_shows_the_final_report_once_delivered(db, settings) -> None:
    settings = staff_settings(settings)
    await add_residents(db, "Farum", ["telegram:10"])
    async with browser(db, settings, COORDINATOR) as client:
        csrf = await csrf_of(client, "/dashboard/compose")
        form = {"csrf": csrf, "kind": "tip", "area": str(await area_id(db, "Farum"))}
        sent = await client.post(
            "/dashboard/compose/send", data=form | {"text": "Lås døren"} | once()
        )
        async with db.session() as session:
            delivery = (await session.exec(select(Delivery))).one()
            delivery.status = "sent"
            session.add(delivery)
        page = await client.get(sent.headers["location"])
        assert "Færdig." in page.text and "Telegram: 1 leveret, 0 ikke leveret" in page.text
        assert "progress.js" not in page.text
        assert (await client.get("/dashboard/compose/999")).status_code == 404


# --- map ---------------------------------------------------------------------------------------


async def test_the_map_draws_every_area_and_marks_this_months_hotspot(db, settings) -> None:
    settings = staff_settings(settings)
    farum = await area_id(db, "Farum")
    today = datetime.now(settings.tz).date()
    async with db.session() as session:
        for n in range(4):
            await add_burglary(
                session=session,
                day=date(today.year, today.month, 1),
                area_id=farum,
                address=f"Vej {n}",
                kind=None,
            )
    located = await tipster_tip(
        db, settings, "Farum", "Lygten er gået", latitude=55.82, longitude=12.35
    )
    async with browser(db, settings, COORDINATOR) as client:
        page = await client.get("/dashboard/map")
    assert page.status_code == 200
    svg = page.text[page.text.index('<svg id="area-map"') : page.text.index("</svg>")]
    for name in ("Farum", "Farum Midtpunkt", "Stavnsholt", "Værløse", "Jonstrup"):
        assert f'data-area="{name}"' in svg
    assert 'data-area="Farum" data-level="hot"' in svg
    assert 'data-area="Hareskov" data-level="none"' in svg
    assert f"/dashboard/tips/{located.id}" in svg and 'class="marker tip"' in svg
    assert "Brændpunkt" in page.text


async def test_a_representative_map_shows_only_their_areas(db, settings) -> None:
    settings = staff_settings(settings)
    await grant_representative(db, REPRESENTATIVE, "Værløse")
    other = await tipster_tip(db, settings, "Farum", "Uden for", latitude=55.82, longitude=12.35)
    async with browser(db, settings, REPRESENTATIVE) as client:
        page = await client.get("/dashboard/map")
    assert 'data-area="Værløse"' in page.text and 'data-area="Farum"' not in page.text
    assert f"/dashboard/tips/{other.id}" not in page.text


# --- events ------------------------------------------------------------------------------------


async def test_events_show_answers_and_the_walk_protocol(db, settings) -> None:
    settings = staff_settings(settings)
    await add_residents(db, "Farum", ["telegram:10", "telegram:12"])
    now = datetime.now(UTC)
    async with db.session() as session:
        meeting, invited = await events.create_event(
            session=session,
            settings=settings,
            kind="borgermøde",
            title="Borgermøde om tryghed",
            starts_at=now + timedelta(days=10),
            place="Farum Kulturhus",
            area_ids=[await area_id(db, "Farum")],
            now=now,
            actor=OPERATOR,
        )
        walk, _ = await events.create_event(
            session=session,
            settings=settings,
            kind="tryghedsvandring",
            title="Vandring i Farum",
            starts_at=now + timedelta(hours=2),
            place="Farum Station",
            area_ids=None,
            now=now,
            actor=OPERATOR,
        )
        assert walk.id is not None
        await walks.record_observation(
            session=session,
            actor=OPERATOR,
            event_id=walk.id,
            now=walk.starts_at + timedelta(minutes=30),
            kind="belysning",
            note="Mørk sti bag hallen",
            latitude=55.81,
            longitude=12.36,
        )
    async with browser(db, settings, COORDINATOR) as client:
        page = await client.get("/dashboard/events")
        assert "Borgermøde om tryghed" in page.text and "Vandring i Farum" in page.text
        assert re.search(rf'<td class="num invited"[^>]*>{invited}</td>', page.text)
        protocol = await client.get(f"/dashboard/events/{walk.id}/walk")
        assert protocol.status_code == 200
        assert "Mørk sti bag hallen" in protocol.text and "Dårlig belysning" in protocol.text
        printable = await client.get(f"/dashboard/events/{walk.id}/walk/report")
        assert printable.status_code == 200 and "Mørk sti bag hallen" in printable.text
        assert "unsafe-inline" in printable.headers["content-security-policy"]
        not_walk = await client.get(f"/dashboard/events/{meeting.id}/walk")
        assert not_walk.status_code == 404


# --- end to end on the fakes -------------------------------------------------------------------


async def test_on_the_running_app_triage_and_an_alert_reach_people_on_both_fakes(
    db, settings, telegram, twilio
) -> None:
    await add_residents(db, "Farum", ["telegram:10", "tel:+4520000001"])
    await add_residents(db, "Værløse", ["telegram:11"])
    async with running_app(db, settings, telegram=telegram, twilio=twilio) as running:
        for user in (10, 11):  # bots can write only to people who wrote to them first
            telegram.user_sends_text(user, "/help")
            await telegram.wait_for(user, None)
        tip = await tipster_tip(db, running.settings, "Farum", "Knallerter på stien")
        async with httpx.AsyncClient(base_url=str(running.settings.public_url)) as client:
            async with db.session() as session:
                secret = await auth.issue_login_link(
                    session=session, urn=COORDINATOR, now=datetime.now(UTC)
                )
            assert (await client.get(f"/dashboard/login?token={secret}")).status_code == 303
            csrf = await csrf_of(client, f"/dashboard/tips/{tip.id}")
            done = await client.post(f"/dashboard/tips/{tip.id}/ack", data={"csrf": csrf})
            assert done.status_code == 303
            await twilio.wait_for_sms(TIPSTER.removeprefix("tel:"), f"Dit tip {tip.reference}")
            sent = await client.post(
                "/dashboard/compose/send",
                data={
                    "csrf": csrf,
                    "kind": "alert",
                    "priority": "0",
                    "area": str(await area_id(db, "Farum")),
                    "text": "Indbrud på Paltholmvej i eftermiddag. Lås døre og vinduer.",
                }
                | once(),
            )
            assert sent.status_code == 303
            await telegram.wait_for(10, "Paltholmvej")
            await twilio.wait_for_sms("+4520000001", "Paltholmvej")
            status_url = f"{sent.headers['location']}/status"
            for _ in range(100):
                status = (await client.get(status_url)).json()
                if status["finished"]:
                    break
                await asyncio.sleep(0.1)
            assert status["finished"] and "Telegram: 1 leveret" in status["report"]
    assert not any("Paltholmvej" in (m.text or "") for m in telegram.messages_to(11))


async def test_pages_speak_the_coordinators_language(db, settings) -> None:
    settings = staff_settings(settings)
    await add_residents(db, "Farum", [COORDINATOR], language="en")
    async with browser(db, settings, COORDINATOR) as client:
        inbox = await client.get("/dashboard/tips")
        assert "No tips match." in inbox.text and '<html lang="en">' in inbox.text
        composer = await client.get("/dashboard/compose")
        assert "Burglary alert" in composer.text and "Preview" in composer.text
        page = await client.get("/dashboard/map")
        assert "The figures behind the map" in page.text
        events_page = await client.get("/dashboard/events")
        assert "No events." in events_page.text


# --- authorization through the services --------------------------------------------------------


async def test_the_tip_log_names_the_viewers_address_and_forgetting_them_clears_it(
    db, settings
) -> None:
    """The page acts through the triage services with the viewer's Actor: the audit log names
    the same address the chat would, so /forget finds and clears it."""
    settings = staff_settings(settings)
    (resident_id,) = await add_residents(db, "Værløse", [REPRESENTATIVE])
    await grant_representative(db, REPRESENTATIVE, "Værløse")
    tip = await tipster_tip(db, settings, "Værløse", "Cykler smidt i søen")
    async with browser(db, settings, REPRESENTATIVE) as client:
        csrf = await csrf_of(client, f"/dashboard/tips/{tip.id}")
        done = await client.post(f"/dashboard/tips/{tip.id}/ack", data={"csrf": csrf})
        assert done.status_code == 303
    assert tip.id is not None
    async with db.session() as session:
        logged = await tip_store.events_of(session=session, tip_id=tip.id)
    assert {(e.action, e.actor) for e in logged} >= {
        ("viewed", REPRESENTATIVE),
        ("acknowledged", REPRESENTATIVE),
    }
    async with db.session() as session:
        await forget(
            session=session, resident_id=resident_id, media_dir=settings.media_dir, placeholder="-"
        )
    async with db.session() as session:
        logged = await tip_store.events_of(session=session, tip_id=tip.id)
    assert REPRESENTATIVE not in {e.actor for e in logged}


async def test_a_representative_sees_only_their_areas_events_and_walks(db, settings) -> None:
    settings = staff_settings(settings)
    await grant_representative(db, REPRESENTATIVE, "Værløse")
    now = datetime.now(UTC)
    async with db.session() as session:
        farum_walk, _ = await events.create_event(
            session=session,
            settings=settings,
            kind="tryghedsvandring",
            title="Vandring i Farum",
            starts_at=now + timedelta(hours=2),
            place="Farum Station",
            area_ids=[await area_id(db, "Farum")],
            now=now,
            actor=OPERATOR,
        )
        await events.create_event(
            session=session,
            settings=settings,
            kind="borgermøde",
            title="Borgermøde i Værløse",
            starts_at=now + timedelta(days=2),
            place="Værløse Bibliotek",
            area_ids=[await area_id(db, "Værløse")],
            now=now,
            actor=OPERATOR,
        )
    async with browser(db, settings, REPRESENTATIVE) as client:
        page = await client.get("/dashboard/events")
        assert "Borgermøde i Værløse" in page.text and "Vandring i Farum" not in page.text
        overview = await client.get("/dashboard/")
        assert "Borgermøde i Værløse" in overview.text and "Vandring i Farum" not in overview.text
        for path in ("walk", "walk/report", "walk/photos/1"):
            refused = await client.get(f"/dashboard/events/{farum_walk.id}/{path}")
            assert refused.status_code == 403, path
