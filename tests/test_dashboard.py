"""The dashboard's core without a browser: login links from the bot, sessions, CSRF, overview."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from starlette.applications import Starlette

from bot.app.application import NabovagtApp
from bot.app.cli import cli
from bot.broadcasts.services import queue_broadcast
from bot.core.actors import OPERATOR
from bot.core.cli import invoke
from bot.core.settings import Settings
from bot.dashboard import auth
from bot.dashboard.feature import routes as dashboard_routes
from bot.dashboard.web import COOKIE
from bot.events.services import create_event
from bot.registration.services import helper_stats
from bot.tips.handling import acknowledge_tip
from bot.tips.services import submit_tip
from bot.walks import followup
from bot.walks.services import record_observation
from storage import roles
from storage.areas import find_by_name
from storage.db import Database
from storage.events import WALK_KIND

KAREN = 1001
OLE = 1002
COORDINATOR = 9001  # the app fixture makes telegram:9001 a coordinator
NUMBER = "+4520304050"
LINK = re.compile(r"(http://\S+/dashboard/login\?token=[\w-]+)")


def press(telegram, user_id: int, message, label: str) -> None:
    data = dict(telegram.buttons(message))[label]
    telegram.user_presses_button(user_id, message.message_id, data)


async def join(telegram, user_id: int, area: str, name: str) -> None:
    telegram.user_sends_text(user_id, "/start", first_name=name)
    welcome = await telegram.wait_for(user_id, "Vil du være nabohjælper")
    press(telegram, user_id, welcome, "Ja, tilmeld mig")
    await telegram.wait_for(user_id, "Vælg dit lokalområde")
    telegram.user_sends_text(user_id, area)
    await telegram.wait_for(user_id, f"nabohjælper i: {area}")


async def link_for(telegram, user_id: int) -> str:
    after = len(telegram.messages_to(user_id))
    telegram.user_sends_text(user_id, "/dashboard", first_name="Kim")
    message = await telegram.wait_for(user_id, "/dashboard/login?token=", after=after)
    found = LINK.search(message.text or "")
    assert found, message.text
    return found.group(1)


def client(app: NabovagtApp, cookies: dict[str, str] | None = None) -> httpx.AsyncClient:
    assert app.settings.public_url is not None
    return httpx.AsyncClient(
        base_url=app.settings.public_url, follow_redirects=False, cookies=cookies
    )


@asynccontextmanager
async def logged_in(app: NabovagtApp, url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client that has opened the login link."""
    async with client(app) as browser:
        yield await _open(browser, url)


async def _open(browser: httpx.AsyncClient, url: str) -> httpx.AsyncClient:
    opened = await browser.get(url)
    assert opened.status_code == 303, opened.text
    assert opened.headers["location"] == "/dashboard/"
    cookie = opened.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # PUBLIC_URL is http:// in the tests
    return browser


def area_row(html: str, area: str) -> list[str]:
    """The helper table's numbers for one area, as shown."""
    row = re.search(rf'<tr data-area="{area}">(.*?)</tr>', html, re.DOTALL)
    assert row, f"no row for {area}"
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


async def test_link_from_the_bot_opens_the_overview_with_the_stats_numbers(
    app, telegram, twilio, db: Database
) -> None:
    await join(telegram, KAREN, "Farum", "Karen")
    await join(telegram, OLE, "Farum", "Ole")
    await twilio.user_sends_sms(NUMBER, "tilmeld værløse")
    url = await link_for(telegram, COORDINATOR)
    assert url.startswith(f"{app.settings.public_url}/dashboard/login?token=")

    async with logged_in(app, url) as browser:
        page = await browser.get("/dashboard/")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        html = page.text
        assert '<html lang="da">' in html and "Nabohjælpere" in html

        # The same numbers as /stats, from the same service.
        async with db.session() as session:
            stats = await helper_stats(session=session, now=datetime.now(UTC), tz=app.settings.tz)
        farum = next(c for c in stats.areas if c.area == "Farum")
        assert (farum.active, farum.new) == (2, 2)
        assert area_row(html, "Farum") == ["2", "2", "0"]
        assert area_row(html, "Værløse") == ["1", "1", "0"]
        assert f'<strong id="kpi-active">{stats.active}</strong>' in html

        telegram.user_sends_text(COORDINATOR, "/stats", first_name="Kim")
        shown = await telegram.wait_for(COORDINATOR, "Nabohjælpere pr. område")
        assert "Farum: 2 (+2 nye, 0 stoppet)" in (shown.text or "")
        assert "I alt: 3 aktive" in (shown.text or "")

        # The CSV has the same numbers.
        exported = await browser.get("/dashboard/export/overview.csv")
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert rows[0] == ["section", "month", "name", "measure", "value"]
        assert ["helpers", stats.month.isoformat()[:7], "Farum", "active", "2"] in rows
        assert ["helpers", stats.month.isoformat()[:7], "total", "active", "3"] in rows
        # The running month's trend point equals the active helpers.
        trend = [r for r in rows if r[0] == "helpers_trend" and r[2] == "total"]
        assert len(trend) == 12 and trend[-1][4] == "3"


async def test_a_link_works_once(app, telegram) -> None:
    url = await link_for(telegram, COORDINATOR)
    async with logged_in(app, url):
        pass
    async with client(app) as other:
        again = await other.get(url)
        assert again.status_code == 400
        assert "allerede brugt" in again.text
        assert COOKIE not in again.headers.get("set-cookie", "")


async def test_an_expired_or_unknown_link_is_refused(app, db: Database) -> None:
    async with db.session() as session:
        secret = await auth.issue_login_link(
            session=session,
            urn=f"telegram:{COORDINATOR}",
            now=datetime.now(UTC) - timedelta(minutes=11),
        )
    async with client(app) as browser:
        expired = await browser.get(f"/dashboard/login?token={secret}")
        assert expired.status_code == 400 and "udløbet" in expired.text
        unknown = await browser.get("/dashboard/login?token=not-a-real-token")
        assert unknown.status_code == 400 and "kender vi ikke" in unknown.text


async def test_a_link_preview_does_not_spend_the_link(app, telegram) -> None:
    url = await link_for(telegram, COORDINATOR)
    async with client(app) as preview:
        fetched = await preview.get(url, headers={"user-agent": "TelegramBot (like TwitterBot)"})
        assert fetched.status_code == 200 and COOKIE not in fetched.headers.get("set-cookie", "")
    async with logged_in(app, url):
        pass


async def test_without_a_session_cookie_there_is_no_data(app, telegram, twilio) -> None:
    await join(telegram, KAREN, "Farum", "Karen")
    async with client(app) as browser:
        for path in ("/dashboard/", "/dashboard/export/overview.csv", "/dashboard/export/tips.csv"):
            answer = await browser.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"] == "/dashboard/login"
            assert "Farum" not in answer.text
        landing = await browser.get("/dashboard/login")
        assert "Send /dashboard" in landing.text and "Farum" not in landing.text
    async with client(app, {COOKIE: "made-up"}) as forged:
        assert (await forged.get("/dashboard/")).status_code == 303


async def test_residents_are_refused_politely_on_both_channels(app, telegram, twilio) -> None:
    await join(telegram, KAREN, "Farum", "Karen")
    telegram.user_sends_text(KAREN, "/dashboard", first_name="Karen")
    refusal = await telegram.wait_for(KAREN, "koordinatorer")
    assert "token=" not in (refusal.text or "")
    await twilio.user_sends_sms(NUMBER, "tilmeld farum")
    await twilio.user_sends_sms(NUMBER, "WEB")
    answer = twilio.sms_to(NUMBER)[-1].body
    assert "kun for koordinatorer" in answer and "token=" not in answer


async def test_a_representative_sees_only_their_areas(app, telegram, twilio, db: Database) -> None:
    await join(telegram, KAREN, "Farum", "Karen")
    await twilio.user_sends_sms(NUMBER, "tilmeld værløse")
    async with db.session() as session:
        farum = await find_by_name(session=session, name="Farum")
        assert farum is not None
        await roles.grant(
            session=session, urn="telegram:7001", role=roles.REPRESENTATIVE, area_id=farum.id
        )
    telegram.user_sends_text(7001, "/help", first_name="Rita")
    await telegram.wait_for(7001)
    url = await link_for(telegram, 7001)
    async with logged_in(app, url) as browser:
        html = (await browser.get("/dashboard/")).text
        assert area_row(html, "Farum") == ["1", "1", "0"]
        assert 'data-area="Værløse"' not in html
        assert "kpi-active" not in html  # totals span areas they do not represent
        rows = list(
            csv.reader(io.StringIO((await browser.get("/dashboard/export/overview.csv")).text))
        )
        assert {r[2] for r in rows[1:] if r[0] == "helpers"} == {"Farum"}

        # Taking the role away closes the dashboard at once.
        async with db.session() as session:
            for role in await roles.roles_of(session=session, urns=["telegram:7001"]):
                await session.delete(role)
        closed = await browser.get("/dashboard/")
        assert closed.status_code == 403 and "Farum" not in closed.text


async def test_forms_need_the_csrf_token_and_logout_ends_the_session(app, telegram) -> None:
    url = await link_for(telegram, COORDINATOR)
    async with logged_in(app, url) as browser:
        page = (await browser.get("/dashboard/")).text
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert token
        refused = await browser.post("/dashboard/logout", data={})
        assert refused.status_code == 403
        wrong = await browser.post("/dashboard/logout", data={"csrf": "0" * 64})
        assert wrong.status_code == 403
        assert (await browser.get("/dashboard/")).status_code == 200  # still logged in

        secret = browser.cookies[COOKIE]
        async with client(app, {COOKIE: secret}) as copied:
            assert (await copied.get("/dashboard/")).status_code == 200
        out = await browser.post("/dashboard/logout", data={"csrf": token.group(1)})
        assert out.status_code == 200 and "logget ud" in out.text
        assert COOKIE not in browser.cookies
    # A copy of the old cookie opens nothing either: the session ended on the server.
    async with client(app, {COOKIE: secret}) as copied:
        assert (await copied.get("/dashboard/")).status_code == 303


async def test_tips_export_has_no_contact_data(app, telegram, twilio) -> None:
    await twilio.user_sends_sms(NUMBER, "tilmeld farum")
    await twilio.user_sends_sms(NUMBER, "TIP knallert på stien, ring 20 30 40 50")
    url = await link_for(telegram, COORDINATOR)
    async with logged_in(app, url) as browser:
        exported = await browser.get("/dashboard/export/tips.csv")
        assert exported.status_code == 200
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert "contact" not in rows[0] and len(rows) == 2
        assert NUMBER not in exported.text and "20 30 40 50" not in exported.text


async def test_dashboard_without_public_url_says_so(db: Database, settings: Settings) -> None:
    """The chat service refuses to hand out a link nobody could open."""
    async with db.session() as session:
        await roles.grant(session=session, urn="telegram:5", role=roles.COORDINATOR)
        actor = await auth.staff_actor(session=session, settings=settings, urn="telegram:5")
    assert actor is not None and actor.coordinator
    assert auth.login_url(settings, "x") is None


def test_dashboard_link_cli(seeded_database_url: str) -> None:
    env = {"DATABASE_URL": seeded_database_url, "PUBLIC_URL": "https://nabovagt.example.dk"}
    code, output = invoke(cli, ["dashboard-link", "telegram:abc"], env=env)
    assert code == 2 and "telegram" in output
    code, output = invoke(cli, ["dashboard-link", "telegram:42"], env=env)
    assert code == 1 and "neither a coordinator nor a representative" in output
    env["COORDINATORS"] = "telegram:42"
    code, output = invoke(cli, ["dashboard-link", "telegram:42"], env=env)
    assert code == 0
    assert re.fullmatch(r"https://nabovagt\.example\.dk/dashboard/login\?token=[\w-]+\n", output)


async def test_the_overview_shows_tips_broadcasts_events_and_walks(
    db: Database, settings: Settings
) -> None:
    """Every section filled, read through the mount without a server, in Danish and English."""
    now = datetime.now(UTC)
    async with db.session() as session:
        farum = await find_by_name(session=session, name="Farum")
        assert farum is not None and farum.id is not None
        tip = await submit_tip(
            session=session,
            settings=settings,
            channel="sms",
            resident_id=None,
            contact_id=None,
            category="moped",
            text="Knallerter på stien",
            area_id=farum.id,
        )
        await acknowledge_tip(session=session, tip=tip, actor=OPERATOR)
        await queue_broadcast(
            session=session, actor=OPERATOR, kind="alert", text="Indbrud i Farum", area_ids=None
        )
        await create_event(
            session=session,
            settings=settings,
            kind="borgermøde",
            title="Borgermøde i Farum",
            starts_at=now + timedelta(days=3),
            place="Farum Rådhus",
            area_ids=[farum.id],
            now=now,
            actor=OPERATOR,
        )
        walk, _ = await create_event(
            session=session,
            settings=settings,
            kind=WALK_KIND,
            title="Tryghedsvandring Farum Midtpunkt",
            starts_at=now - timedelta(days=2),
            place="Farum Midtpunkt",
            area_ids=[farum.id],
            now=now - timedelta(days=3),
            actor=OPERATOR,
        )
        assert walk.id is not None
        dark, bench, _bush = [
            await record_observation(
                session=session,
                actor=OPERATOR,
                event_id=walk.id,
                kind=kind,
                note=note,
                now=walk.starts_at + timedelta(hours=1),
            )
            for kind, note in (
                ("belysning", "Mørk sti"),
                ("haervaerk", "Knust bænk"),
                ("beplantning", "Tæt busk"),
            )
        ]
        # One open past its deadline, one fixed, one open without a deadline.
        assert dark.id is not None and bench.id is not None
        overdue = now.astimezone(settings.tz).date() - timedelta(days=1)
        await followup.assign(
            session=session, actor=OPERATOR, observation_id=dark.id, owner="kommune_veje",
            due_on=overdue,
        )  # fmt: skip
        await followup.resolve(
            session=session, actor=OPERATOR, observation_id=bench.id, status="fixed",
            note="Ny bænk", now=now,
        )  # fmt: skip
        await roles.grant(session=session, urn="telegram:5", role=roles.COORDINATOR)
        login = await auth.issue_login_link(session=session, urn="telegram:5", now=now)
        secret = await auth.redeem_login(session=session, settings=settings, secret=login, now=now)
    assert isinstance(secret, str)
    transport = httpx.ASGITransport(app=Starlette(routes=list(dashboard_routes(db, settings))))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", cookies={COOKIE: secret}
    ) as browser:
        page = await browser.get("/dashboard/")
        assert page.status_code == 200, page.text
        html = page.text
        for shown in (
            "Knallertkørsel på stier",
            "Indbrudsalarm",
            "Alle områder",
            "Borgermøde i Farum",
            "Tryghedsvandring Farum Midtpunkt",
            f"/dashboard/events/{walk.id}/walk",
            "Observationer i alt: 3; 2 åbne, heraf 1 over fristen, og 1 afsluttet.",
        ):
            assert shown in html, shown
        walk_row = html[html.index(f"/dashboard/events/{walk.id}/walk") :].split("</tr>")[0]
        cells = [c.split("<")[0] for c in walk_row.split('<td class="num">')[1:]]
        assert cells == ["3", "2", "1", "1"]
        rows = list(
            csv.reader(io.StringIO((await browser.get("/dashboard/export/overview.csv")).text))
        )
        assert [
            "walk",
            rows[-1][1],
            "Tryghedsvandring Farum Midtpunkt",
            "observations",
            "3",
        ] in rows
        walk_figures = {r[3]: r[4] for r in rows if r[0] == "walk"}
        assert walk_figures == {"observations": "3", "open": "2", "overdue": "1", "settled": "1"}
        assert any(r[0] == "reaction" and r[3] == "acknowledged" and r[4] == "1" for r in rows)
        tips = list(csv.reader(io.StringIO((await browser.get("/dashboard/export/tips.csv")).text)))
        assert len(tips) == 2 and tips[1][4] == "acknowledged"

    english = settings.model_copy(update={"default_language": "en"})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=Starlette(routes=list(dashboard_routes(db, english)))),
        base_url="http://test",
        cookies={COOKIE: secret},
    ) as browser:
        html = (await browser.get("/dashboard/")).text
        assert '<html lang="en">' in html and "Neighbour helpers" in html
        assert "Mopeds on footpaths" in html and "Burglary alert" in html
