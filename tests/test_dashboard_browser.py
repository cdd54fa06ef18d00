"""The dashboard in a real headless Chromium, on the real app against the fake Telegram and Twilio.

Run with `pytest -m browser` (the quick command skips these); needs Debian's `chromium`.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytest.importorskip(
    "playwright.async_api", reason="!! Playwright missing: pip install -e '.[dev]' !!"
)

from playwright.async_api import Browser, Page, expect

from bot.app.application import NabovagtApp
from bot.broadcasts import services
from bot.broadcasts.render import summary
from bot.core.settings import Settings
from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from storage import roles
from storage.db import Database
from tests.browser_helpers import (
    SCENE_TIPS,
    ask_for_link,
    chromium_path,
    clipped_boxes,
    coordinator_opens_chat,
    dashboard_url,
    focus_is_visible,
    headless_chromium,
    horizontal_overflow,
    join_by_sms,
    join_on_telegram,
    log_in,
    login_link,
    login_link_in,
    new_page,
    press,
    seed_scene,
    stats_rows,
    stats_text,
    tab_to,
    table_rows,
    take_screenshots,
    tip_with_updates,
)
from tests.conftest import COORDINATOR_ID
from tests.test_broadcast_helpers import area_id

pytestmark = pytest.mark.browser

KAREN = 1001
OLE = 1002
REPRESENTATIVE = 7001
FARUM_SMS = "+4520304050"
VAERLOSE_SMS = "+4540506070"
PAGES = ("/", "/map", "/tips", "/compose", "/events")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if chromium_path() is None:
        reason = "!! Debian's chromium is not installed (apt-get install chromium): browser tests NOT run !!"
        if os.environ.get("REQUIRE_CHROMIUM"):
            pytest.fail(reason)
        pytest.skip(reason)
    async with headless_chromium() as launched:
        yield launched


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    async with new_page(browser) as opened:
        yield opened


async def test_login_link_opens_the_overview_once(
    app: NabovagtApp, telegram: FakeTelegram, browser: Browser, page: Page
) -> None:
    link = await log_in(page, telegram)
    await expect(page.get_by_role("heading", name="Overblik", exact=True)).to_be_visible()
    await expect(page.get_by_role("navigation")).to_contain_text("Tips")
    cookie = next(c for c in await page.context.cookies() if c["name"] == "nabovagt_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/dashboard"

    # The same link in another browser (no cookies): refused, and no data.
    async with new_page(browser) as stranger:
        response = await stranger.goto(link)
        assert response is not None and response.status == 400
        await expect(stranger.get_by_text("allerede brugt")).to_be_visible()
        await expect(stranger.get_by_role("navigation")).to_have_count(0)
        await stranger.goto(dashboard_url(link))
        await expect(stranger.get_by_text("Du er ikke logget ind")).to_be_visible()

    # Logging out ends the session for good.
    await page.get_by_role("button", name="Log ud").click()
    await expect(page.get_by_text("Du er logget ud")).to_be_visible()
    await page.goto(dashboard_url(link))
    await expect(page.get_by_text("Du er ikke logget ind")).to_be_visible()


async def test_without_a_session_no_page_shows_data(
    app: NabovagtApp, telegram: FakeTelegram, db: Database, settings: Settings, page: Page
) -> None:
    await seed_scene(db, settings)
    link = await login_link(telegram)  # not opened: only to learn the server's address
    # No cookie at all: every data address (pages, photos, CSV exports) sends one to log in.
    for path in (*PAGES, "/tips/1", "/events/1/walk", "/export/overview.csv", "/export/tips.csv"):
        response = await page.request.get(dashboard_url(link, path), max_redirects=0)
        assert response.status == 303, (path, response.status)
        assert response.headers["location"].endswith("/dashboard/login"), path
        assert "Farum" not in await response.text(), path
    await page.context.add_cookies(
        [{"name": "nabovagt_session", "value": "forged", "url": dashboard_url(link)}]
    )
    for path in PAGES:
        await page.goto(dashboard_url(link, path))
        await expect(page.get_by_text("Du er ikke logget ind")).to_be_visible()
        body = await page.inner_text("body")
        assert "Farum" not in body and "Paltholmvej" not in body, (path, body)


async def test_residents_are_refused_politely_on_both_channels(
    app: NabovagtApp, telegram: FakeTelegram, twilio: TwilioFake
) -> None:
    await join_on_telegram(telegram, KAREN, "Farum")
    answer = await ask_for_link(telegram, KAREN)
    assert "koordinatorer" in (answer.text or "") and login_link_in(answer) is None

    await join_by_sms(twilio, FARUM_SMS, "Farum")
    await twilio.user_sends_sms(FARUM_SMS, "WEB")
    refusal = twilio.sms_to(FARUM_SMS)[-1].body
    assert "koordinatorer" in refusal and "/dashboard/login" not in refusal


async def test_overview_numbers_equal_stats(
    app: NabovagtApp, telegram: FakeTelegram, twilio: TwilioFake, page: Page
) -> None:
    await join_on_telegram(telegram, KAREN, "Farum")
    await join_by_sms(twilio, FARUM_SMS, "Farum")
    await join_on_telegram(telegram, OLE, "Værløse", first_name="Ole")
    await join_by_sms(twilio, VAERLOSE_SMS, "Værløse")
    await twilio.user_sends_sms(VAERLOSE_SMS, "STOP")

    expected = stats_rows(await stats_text(telegram))
    assert expected["Farum"] == (2, 2, 0) and expected["Værløse"][::2] == (1, 1)
    assert len(expected) == 9  # eight areas and the total

    await log_in(page, telegram)
    assert await helper_table(page) == expected


async def helper_table(page: Page) -> dict[str, tuple[int, int, int]]:
    """The overview's helpers table: area -> (active, new this month, stopped this month)."""
    rows = await table_rows(page, "#helpers")
    header, *body = rows
    assert header == ["Område", "Aktive", "Nye i måneden", "Stoppet"], header
    return {name: (_int(a), _int(n), _int(s)) for name, a, n, s in body}


def _int(cell: str) -> int:
    return int(re.sub(r"[^\d]", "", cell))


async def test_a_representative_sees_only_their_own_areas(
    app: NabovagtApp, telegram: FakeTelegram, db: Database, settings: Settings, page: Page
) -> None:
    await seed_scene(db, settings)
    async with db.session() as session:
        await roles.grant(
            session=session,
            urn=f"telegram:{REPRESENTATIVE}",
            role=roles.REPRESENTATIVE,
            area_id=await area_id(db, "Farum"),
        )
    link = await log_in(page, telegram, REPRESENTATIVE)
    await expect(page.get_by_text("Repræsentant")).to_be_visible()
    assert list(await helper_table(page)) == ["Farum"]

    await page.goto(dashboard_url(link, "/tips"))
    areas = {row[2] for row in (await table_rows(page))[1:]}
    assert areas == {"Farum"}, areas
    vaerlose_tip = 1 + next(i for i, tip in enumerate(SCENE_TIPS) if "kælderdøren" in tip[2])
    response = await page.goto(dashboard_url(link, f"/tips/{vaerlose_tip}"))
    assert response is not None and response.status == 403
    assert "kælderdøren" not in await page.inner_text("body")


async def test_acknowledging_a_tip_with_the_keyboard_tells_the_tipster(
    app: NabovagtApp, telegram: FakeTelegram, page: Page
) -> None:
    await coordinator_opens_chat(telegram)
    await join_on_telegram(telegram, KAREN, "Farum")
    reference = await tip_with_updates(telegram, KAREN, "Skuret ved legepladsen er smadret")
    await telegram.wait_for(COORDINATOR_ID, f"Nyt tip {reference}")

    await log_in(page, telegram)
    # Keyboard only from here: Tab to the menu's tips link, Enter; Tab to the tip, Enter; ...
    await tab_to(page, page.get_by_role("navigation").get_by_role("link", name="Tips"))
    assert await focus_is_visible(page)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/dashboard/tips")
    await tab_to(page, page.get_by_role("link", name=reference))
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("Skuret ved legepladsen er smadret")).to_be_visible()
    await tab_to(page, page.get_by_role("button", name="Modtaget", exact=True))
    assert await focus_is_visible(page)
    await page.keyboard.press("Enter")

    await telegram.wait_for(KAREN, f"Dit tip {reference} er modtaget af kommunen")
    await expect(page.locator("#tip-status")).to_have_text("modtaget")
    # The Telegram inbox shows what the page did.
    seen = len(telegram.messages_to(COORDINATOR_ID))
    telegram.user_sends_text(COORDINATOR_ID, "/inbox", first_name="Kim")
    inbox = await telegram.wait_for(COORDINATOR_ID, reference, after=seen)
    assert "modtaget" in (inbox.text or "")

    # And the other way round: resolved in Telegram, the page shows it.
    notice = await telegram.wait_for(COORDINATOR_ID, f"Nyt tip {reference}")
    seen = len(telegram.messages_to(COORDINATOR_ID))
    press(telegram, COORDINATOR_ID, notice, "Løst")
    ask = await telegram.wait_for(COORDINATOR_ID, "intern note", after=seen)
    press(telegram, COORDINATOR_ID, ask, "Løs uden note")
    await telegram.wait_for(KAREN, f"Dit tip {reference} er markeret som løst")
    await page.reload()
    await expect(page.locator("#tip-status")).to_have_text("løst")


ALERT = "Indbrud på Paltholmvej i eftermiddag. Lås døre og vinduer."


async def test_composer_alert_reaches_exactly_the_chosen_area_on_both_channels(
    app: NabovagtApp, telegram: FakeTelegram, twilio: TwilioFake, db: Database, page: Page
) -> None:
    await join_on_telegram(telegram, KAREN, "Farum")
    await join_by_sms(twilio, FARUM_SMS, "Farum")
    await join_on_telegram(telegram, OLE, "Værløse", first_name="Ole")
    await join_by_sms(twilio, VAERLOSE_SMS, "Værløse")
    seen_ole, seen_sms = len(telegram.messages_to(OLE)), len(twilio.sent)

    link = await log_in(page, telegram)
    await page.goto(dashboard_url(link, "/compose"))
    await page.get_by_label("Indbrudsalarm").check()
    await page.get_by_label("Farum", exact=True).check()
    await page.get_by_label("Tekst").fill(
        "Indbrud på Paltholmvej i eftermiddag. Lås døre og vinduer."
    )
    await page.get_by_role("button", name="Se forhåndsvisning").click()

    await expect(page.get_by_text("I Telegram")).to_be_visible()
    await expect(page.get_by_text("Som SMS")).to_be_visible()
    await expect(page.get_by_text("Modtagere: 2 · Telegram 1 · SMS 1")).to_be_visible()
    # Segments and cost as the chat's /alert preview computes them.
    farum = await area_id(db, "Farum")
    async with db.session() as session:
        shown = await services.preview(
            session=session, kind="alert", text=ALERT, area_ids=[farum], lang="da"
        )
    for line in summary(shown.recipients, shown.sms_segments, shown.sms_cost, "da").split("\n"):
        await expect(page.get_by_text(line, exact=True)).to_be_visible()
    await page.get_by_role("button", name="Send", exact=True).click()

    # Live progress (polled by progress.js), then the final report per channel.
    await page.wait_for_url(re.compile(r"/dashboard/compose/\d+$"))
    report = page.locator("#report")
    await expect(report).to_contain_text("Telegram: 1 leveret", timeout=15_000)
    await expect(report).to_contain_text("SMS: 1")
    await expect(page.locator("#progress-line")).to_contain_text("Sendt 2 af 2")

    alert = await telegram.wait_for(KAREN, "Paltholmvej")
    assert "Farum" in (alert.text or "")
    await twilio.wait_for_sms(FARUM_SMS, "Paltholmvej")
    assert all("Paltholmvej" not in (m.text or "") for m in telegram.messages_to(OLE)[seen_ole:])
    assert all(
        "Paltholmvej" not in sms.body for sms in twilio.sent[seen_sms:] if sms.to == VAERLOSE_SMS
    )


async def test_every_page_reads_on_a_laptop_and_a_phone(
    app: NabovagtApp,
    telegram: FakeTelegram,
    db: Database,
    settings: Settings,
    browser: Browser,
    page: Page,
) -> None:
    await seed_scene(db, settings)
    link = await log_in(page, telegram)
    for path in PAGES:
        await page.goto(dashboard_url(link, path))
        assert await horizontal_overflow(page) <= 0, f"{path} is wider than a laptop screen"
        assert await clipped_boxes(page) == [], f"{path} hides content behind a scrollbar"
    async with new_page(browser, phone=True) as phone:
        await log_in(phone, telegram)
        for path in PAGES:
            await phone.goto(dashboard_url(link, path))
            assert await horizontal_overflow(phone) <= 0, f"{path} is wider than a phone"


async def test_readme_screenshots_render(
    app: NabovagtApp,
    telegram: FakeTelegram,
    db: Database,
    settings: Settings,
    browser: Browser,
    tmp_path: Path,
) -> None:
    """The same code as scripts/screenshots.py, so the README's images cannot go stale silently."""
    await seed_scene(db, settings)
    written = await take_screenshots(browser, telegram, tmp_path)
    assert [p.name for p in written] == ["overview.png", "map.png", "inbox.png", "composer.png"]
    for path in written:
        header = path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert (int.from_bytes(header[16:20]), int.from_bytes(header[20:24])) == (1280, 800)
