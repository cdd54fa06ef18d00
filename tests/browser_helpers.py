"""Headless Chromium for the dashboard tests and screenshots: launch, log in, people, page checks."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Browser, Locator, Page, ViewportSize, async_playwright

from bot.core.actors import OPERATOR, Actor, actor_for
from bot.core.settings import Settings
from bot.events import services as events
from bot.registration import services as registration
from bot.reports import services as reports
from bot.tips import handling
from bot.tips import services as tips
from bot.walks import services as walks
from sandbox.telegram_fake import FakeTelegram, SentMessage
from sandbox.twilio_fake import TwilioFake
from storage.db import Database
from storage.models import Area
from tests.conftest import COORDINATOR_ID

# Debian's package; Playwright's own browser download does not work here (no downloads).
CHROMIUM_NAMES = ("chromium", "chromium-browser")
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)
LOGIN_LINK = re.compile(r"https?://[^\s\"'<>]+/dashboard/login\?token=[A-Za-z0-9_\-.~%]+")
# "Farum: 2 (+2 nye, 0 stoppet)" in /stats (Danish); "(+1 new, 0 stopped)" in English.
STATS_ROW = re.compile(
    r"^(?P<area>[^:\n]+): (?P<active>\d+) \(\+(?P<new>\d+) \w+, (?P<stopped>\d+)"
)
# "I alt: 3 aktive, 3 nye i måneden, 0 stoppet."
STATS_TOTAL = re.compile(r"^I alt: (?P<active>\d+) \w+, (?P<new>\d+) [\w ]+, (?P<stopped>\d+)")
TOTAL = "I alt"


class ChromiumMissing(RuntimeError):
    """Debian's chromium is not installed: `apt-get install chromium` (.ci/run does)."""


def chromium_path() -> str | None:
    """CHROMIUM from the environment, else Debian's chromium on PATH."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        return shutil.which(configured)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@asynccontextmanager
async def headless_chromium() -> AsyncIterator[Browser]:
    """Playwright's async API driving the system's Chromium binary, in the caller's event loop."""
    path = chromium_path()
    if path is None:
        raise ChromiumMissing("no chromium on PATH: apt-get install chromium (or set CHROMIUM)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def new_page(browser: Browser, *, phone: bool = False) -> AsyncIterator[Page]:
    """A fresh browser context (no cookies) with one page: a laptop screen or a phone."""
    context = await browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=1,
        locale="da-DK",
        timezone_id="Europe/Copenhagen",
    )
    context.set_default_timeout(5_000)
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


# The bot side: what people send and what the bot answers.


def message_source(message: SentMessage) -> str:
    """All of a sent message, raw parameters included, so a link in HTML or a button is found."""
    return json.dumps(message.params, ensure_ascii=False) + "\n" + (message.text or "")


def login_link_in(message: SentMessage) -> str | None:
    found = LOGIN_LINK.search(message_source(message))
    return found.group(0).replace("&amp;", "&") if found else None


async def ask_for_link(telegram: FakeTelegram, user_id: int = COORDINATOR_ID) -> SentMessage:
    """Send /dashboard as `user_id` and return the bot's answer."""
    seen = len(telegram.messages_to(user_id))
    telegram.user_sends_text(user_id, "/dashboard", first_name="Kim")
    return await telegram.wait_for(user_id, after=seen)


async def login_link(telegram: FakeTelegram, user_id: int = COORDINATOR_ID) -> str:
    """The one-time link a coordinator gets from the bot on Telegram."""
    answer = await ask_for_link(telegram, user_id)
    link = login_link_in(answer)
    assert link, f"no dashboard link in the bot's answer: {answer.text!r}"
    return link


async def log_in(page: Page, telegram: FakeTelegram, user_id: int = COORDINATOR_ID) -> str:
    """Get a link from the bot and open it: the browser lands on the overview, logged in."""
    link = await login_link(telegram, user_id)
    await page.goto(link)
    assert page.url.rstrip("/").endswith("/dashboard"), page.url
    return link


def dashboard_url(link: str, path: str = "/") -> str:
    """A dashboard page's address on the server the login link points at."""
    base = link.split("/dashboard/login", 1)[0]
    return f"{base}/dashboard{path}"


def stats_rows(text: str) -> dict[str, tuple[int, int, int]]:
    """/stats per area and "I alt": name -> (active, new this month, stopped this month)."""
    rows: dict[str, tuple[int, int, int]] = {}
    for line in text.splitlines():
        total = STATS_TOTAL.match(line.strip())
        found = total or STATS_ROW.match(line.strip())
        if found:
            name = TOTAL if total else found["area"].strip()
            rows[name] = (int(found["active"]), int(found["new"]), int(found["stopped"]))
    return rows


async def stats_text(telegram: FakeTelegram, user_id: int = COORDINATOR_ID) -> str:
    seen = len(telegram.messages_to(user_id))
    telegram.user_sends_text(user_id, "/stats", first_name="Kim")
    return (await telegram.wait_for(user_id, "Nabohjælpere pr. område", after=seen)).text or ""


async def coordinator_opens_chat(telegram: FakeTelegram) -> None:
    """Bots can only write to people who have written to them first."""
    seen = len(telegram.messages_to(COORDINATOR_ID))
    telegram.user_sends_text(COORDINATOR_ID, "/help", first_name="Kim")
    await telegram.wait_for(COORDINATOR_ID, "Koordinator", after=seen)


def press(telegram: FakeTelegram, user_id: int, message: SentMessage, label: str) -> None:
    data = dict(telegram.buttons(message))[label]
    telegram.user_presses_button(user_id, message.message_id, data)


async def join_on_telegram(
    telegram: FakeTelegram, user_id: int, area: str, first_name: str = "Karen"
) -> None:
    """A resident joins `area` through the real chat flow."""
    seen = len(telegram.messages_to(user_id))
    telegram.user_sends_text(user_id, "/start", first_name=first_name)
    welcome = await telegram.wait_for(user_id, "Vil du være nabohjælper", after=seen)
    press(telegram, user_id, welcome, "Ja, tilmeld mig")
    await telegram.wait_for(user_id, "Vælg dit lokalområde", after=seen)
    telegram.user_sends_text(user_id, area, first_name=first_name)
    await telegram.wait_for(user_id, f"nabohjælper i: {area}", after=seen)


async def join_by_sms(twilio: TwilioFake, number: str, area: str) -> None:
    await twilio.user_sends_sms(number, f"tilmeld {area}")
    assert any(area in sms.body for sms in twilio.sms_to(number)), twilio.sms_to(number)


async def tip_with_updates(telegram: FakeTelegram, user_id: int, text: str) -> str:
    """A Telegram helper sends a tip and asks for status updates; returns its reference."""
    seen = len(telegram.messages_to(user_id))
    telegram.user_sends_text(user_id, "/tip")
    choose = await telegram.wait_for(user_id, "Hvad handler det om?", after=seen)
    press(telegram, user_id, choose, "Hærværk på bænke, skure, containere m.m.")
    await telegram.wait_for(user_id, "Skriv kort, hvad der skete", after=seen)
    telegram.user_sends_text(user_id, text)
    photos = await telegram.wait_for(user_id, "Tilføj gerne op til 5 billeder", after=seen)
    press(telegram, user_id, photos, "Videre ▶")
    contact = await telegram.wait_for(user_id, "Må kommunen kontakte dig", after=seen)
    press(telegram, user_id, contact, "Anonymt, men send mig opdateringer")
    summary = await telegram.wait_for(user_id, "Send tippet?", after=seen)
    press(telegram, user_id, summary, "Send tip")
    thanks = await telegram.wait_for(user_id, "Reference: T-", after=seen)
    return (thanks.text or "").split("Reference: ")[1].split(".")[0]


# The page side.


async def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: nothing sticks out)."""
    return int(
        await page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth,"
            " document.body ? document.body.scrollWidth : 0) - window.innerWidth"
        )
    )


async def tab_to(page: Page, target: Locator, *, limit: int = 80) -> None:
    """Press Tab until `target` has the keyboard focus (fails if it is never reached)."""
    handle = await target.element_handle()
    assert handle is not None
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await handle.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} is not reachable with Tab within {limit} presses")


async def clipped_boxes(page: Page) -> list[str]:
    """Boxes whose content is wider than they are (a table cut off behind a scrollbar, say)."""
    found: list[str] = await page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.scrollWidth > el.clientWidth + 1
                && ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX))
            .map(el => `${el.tagName.toLowerCase()}#${el.id}.${el.className}: `
                + `${el.scrollWidth}px in ${el.clientWidth}px: `
                + el.innerText.replace(/\\s+/g, ' ').slice(0, 60))"""
    )
    return found


async def focus_is_visible(page: Page) -> bool:
    """The focused element draws an outline or a box shadow (keyboard users see where they are)."""
    return bool(
        await page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return false;
                const style = getComputedStyle(el);
                const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                return outline || style.boxShadow !== 'none';
            }"""
        )
    )


async def table_rows(page: Page, selector: str = "table") -> list[list[str]]:
    """Every row of the matching tables as cell texts (header rows included), whitespace folded."""
    rows: list[list[str]] = await page.eval_on_selector_all(
        f"{selector} tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.replace(/\\s+/g, ' ').trim()))",
    )
    return rows


# Deterministic demo data for the screenshots (services only, as the chat and CLI would call them).


@dataclass(frozen=True)
class Helper:
    urn: str
    area: str
    name: str | None = None


SCENE_HELPERS = [
    Helper("telegram:1001", "Farum", "Karen"),
    Helper("telegram:1002", "Farum", "Ole"),
    Helper("telegram:1003", "Farum", "Lise"),
    Helper("tel:+4520304050", "Farum"),
    Helper("tel:+4520304051", "Farum"),
    Helper("telegram:1004", "Værløse", "Mette"),
    Helper("telegram:1005", "Værløse", "Jens"),
    Helper("tel:+4520304052", "Værløse"),
    Helper("telegram:1006", "Farum Midtpunkt", "Aisha"),
    Helper("tel:+4520304053", "Farum Midtpunkt"),
    Helper("telegram:1007", "Stavnsholt", "Peter"),
    Helper("tel:+4520304054", "Hareskov"),
]
# The app fixture makes telegram:COORDINATOR_ID a coordinator; the scene's tips were handled by them.
SCENE_COORDINATOR = Actor(
    urn=f"telegram:{COORDINATOR_ID}", urns=(f"telegram:{COORDINATOR_ID}",), coordinator=True
)
# (helper index, category, text, latitude, longitude, what the coordinator has done)
SCENE_TIPS = [
    (
        0,
        "suspicious",
        "Ukendt varevogn kører langsomt rundt om Paltholmvej om aftenen",
        55.821,
        12.352,
        "new",
    ),
    (1, "moped", "Knallerter kører stærkt på stien ved Farum Sø", 55.812, 12.345, "acknowledged"),
    (8, "vandalism", "Skuret ved legepladsen er smadret", 55.81, 12.372, "new"),
    (5, "lighting", "Lygterne på stien til stationen er gået ud", 55.775, 12.37, "resolved"),
    (6, "suspicious", "Nogen har prøvet at åbne kælderdøren i nr. 12", 55.78, 12.38, "new"),
    (10, "noise", "Larm i opgangen hver nat efter kl. 23", None, None, "new"),
]


async def _area_ids(db: Database) -> dict[str, int]:
    async with db.session() as session:
        found: list[Area] = await registration.list_areas(session=session)
    return {a.name: a.id for a in found if a.id is not None}


async def seed_scene(db: Database, settings: Settings) -> None:
    """Helpers in five areas, six tips (some handled), a walk with observations, an event ahead,
    a year of burglaries."""
    await seed_burglaries(db, settings)
    areas = await _area_ids(db)
    now = datetime.now(UTC)
    residents: list[tuple[int, int | None]] = []
    async with db.session() as session:
        for helper in SCENE_HELPERS:
            channel = "telegram" if helper.urn.startswith("telegram:") else "sms"
            resident, contact = await registration.register_helper(
                session=session,
                urn=helper.urn,
                channel=channel,
                display_name=helper.name,
                language="da",
            )
            assert resident.id is not None
            await registration.set_areas(
                session=session, resident_id=resident.id, area_ids=[areas[helper.area]]
            )
            residents.append((resident.id, contact.id))
    async with db.session() as session:
        for index, category, text, lat, lon, state in SCENE_TIPS:
            resident_id, contact_id = residents[index]
            tip = await tips.submit_tip(
                session=session,
                settings=settings,
                channel="telegram" if SCENE_HELPERS[index].urn.startswith("telegram:") else "sms",
                resident_id=resident_id,
                contact_id=contact_id,
                category=category,
                text=text,
                area_id=areas[SCENE_HELPERS[index].area],
                latitude=lat,
                longitude=lon,
            )
            actor = SCENE_COORDINATOR
            if state in ("acknowledged", "resolved"):
                await handling.acknowledge_tip(session=session, tip=tip, actor=actor)
            if state == "resolved":
                await handling.resolve_tip(
                    session=session, tip=tip, actor=actor, note="Driften har skiftet pærerne"
                )
    async with db.session() as session:
        walk, _ = await events.create_event(
            session=session,
            settings=settings,
            kind="tryghedsvandring",
            title="Tryghedsvandring i Farum Midtpunkt",
            starts_at=now - timedelta(hours=1),
            place="Pladsen ved Midtpunktet",
            area_ids=[areas["Farum Midtpunkt"]],
            now=now - timedelta(days=7),
            actor=OPERATOR,
        )
        assert walk.id is not None
        walker = await actor_for(
            session=session,
            settings=settings,
            urn=SCENE_HELPERS[8].urn,
            resident_id=residents[8][0],
        )
        for kind, note, lat, lon in (
            ("belysning", "Mørk passage ved blok 21", 55.808, 12.37),
            ("beplantning", "Buske skjuler stien til skolen", 55.812, 12.375),
            ("haervaerk", "Graffiti på cykelskuret", 55.81, 12.368),
        ):
            await walks.record_observation(
                session=session,
                actor=walker,
                event_id=walk.id,
                kind=kind,
                now=now,
                note=note,
                latitude=lat,
                longitude=lon,
            )
        await events.create_event(
            session=session,
            settings=settings,
            kind="borgermøde",
            title="Borgermøde om tryghed i Farum",
            starts_at=now + timedelta(days=9),
            place="Farum Rådhus, sal 1",
            area_ids=[areas["Farum"]],
            now=now,
            actor=OPERATOR,
            capacity=40,
        )


# The README's screenshots: (file name, dashboard path), taken on a laptop-sized window.
SCREENSHOTS = [("overview", "/"), ("map", "/map"), ("inbox", "/tips"), ("composer", "/compose")]
COMPOSED = "Indbrud på Paltholmvej i eftermiddag. Lås døre og vinduer, og ring 114 ved mistanke."


async def take_screenshots(browser: Browser, telegram: FakeTelegram, folder: Path) -> list[Path]:
    """Log in as the coordinator and save overview, map, inbox and a composer preview as PNGs."""
    written: list[Path] = []  # Playwright creates the folder
    async with new_page(browser) as page:
        link = await log_in(page, telegram)
        for name, path in SCREENSHOTS:
            await page.goto(dashboard_url(link, path))
            if name == "composer":
                await page.get_by_label("Indbrudsalarm").check()
                await page.get_by_label("Farum", exact=True).check()
                await page.get_by_label("Tekst").fill(COMPOSED)
                await page.get_by_role("button", name="Se forhåndsvisning").click()
                await page.wait_for_load_state()
            target = folder / f"{name}.png"
            await page.screenshot(path=str(target), animations="disabled", caret="hide")
            written.append(target)
    return written


# Burglaries per month in the 12 months before this one, and so far this month: Farum is a
# hotspot, Værløse above its average, the rest at or below theirs (the map's colours).
SCENE_BURGLARIES = {
    "Farum": (2, 5),
    "Værløse": (2, 3),
    "Farum Midtpunkt": (1, 1),
    "Stavnsholt": (1, 0),
    "Hareskov": (1, 1),
}


async def seed_burglaries(db: Database, settings: Settings) -> None:
    areas = await _area_ids(db)
    today = datetime.now(settings.tz).date()
    async with db.session() as session:
        for area, (usual, now_) in SCENE_BURGLARIES.items():
            days = [reports.month_start(today, back) + timedelta(days=9) for back in range(1, 13)]
            days = [d for d in days for _ in range(usual)] + [reports.month_start(today)] * now_
            for day in days:
                await reports.add_burglary(
                    session=session, day=day, area_id=areas[area], address=None, kind=None
                )
