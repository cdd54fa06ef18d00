"""What a coordinator sees before sending: both versions, segments, grammar, honest warnings."""

from __future__ import annotations

import logging

import pytest

from bot.broadcasts import services
from bot.core.gsm import segments
from bot.core.quiet import has_quiet_hours
from tests.test_broadcast_flow import COORDINATOR, chat
from tests.test_broadcast_helpers import add_residents, area_id

# The demo's alert: a usual one, saying what happened, where and what to do.
DEMO_ALERT = "Indbrud på Ny Vestergårdsvej i eftermiddag. Lås døre og vinduer, notér nummerplader og ring 114."


async def test_a_usual_alert_fits_one_sms(db, settings) -> None:
    farum = await area_id(db, "Farum")
    async with db.session() as session:
        shown = await services.preview(
            session=session, kind="alert", text=DEMO_ALERT, area_ids=[farum], lang="da"
        )
    assert shown.rendered["sms"].endswith("Akut: ring 112. Set noget? Ring 114.")
    assert shown.sms_segments == segments(shown.rendered["sms"]) == 1


async def test_the_alert_preview_shows_both_versions_and_recipients_per_channel(
    db, settings
) -> None:
    await add_residents(db, "Farum", ["telegram:10", "tel:+4520000001", "tel:+4520000002"])
    farum = await area_id(db, "Farum")
    say = chat(db, settings)
    await say(COORDINATOR, "/alert")
    await say(COORDINATOR, callback="bc:prio:1")
    await say(COORDINATOR, callback=f"bc:a:{farum}")
    await say(COORDINATOR, callback="bc:done")
    (preview,) = await say(COORDINATOR, DEMO_ALERT)
    telegram_part, sms_part, summary_part = preview.text.split("\n\n———\n")
    assert telegram_part.startswith("Sådan ser din indbrudsalarm ud på Telegram:\n\n🚨 Nabovagt")
    assert sms_part.startswith("Og som SMS (1 del):\n\nNabovagt - Farum\n\nIndbrud på Ny")
    assert "🚨" not in sms_part
    assert summary_part.startswith("Modtagere: 3 · Telegram 1 · SMS 2")


@pytest.mark.parametrize(
    ("command", "your"),
    [("tip_send", "dit gode råd"), ("announce", "din meddelelse"), ("alert", "din indbrudsalarm")],
)
async def test_the_broadcast_flows_speak_correct_danish(
    db, settings, command: str, your: str
) -> None:
    say = chat(db, settings)
    (first,) = await say(COORDINATOR, f"/{command}")
    if command == "alert":
        (first,) = await say(COORDINATOR, callback="bc:prio:1")
    assert f"Hvilke områder skal have {your}?" in first.text
    assert "din godt råd" not in first.text


@pytest.mark.parametrize(
    ("quiet", "warned"), [("21:00-08:00", True), ("00:00-00:00", False), ("22:00-22:00", False)]
)
async def test_the_announce_preview_warns_of_quiet_hours_only_when_there_are_any(
    db, settings, quiet: str, warned: bool
) -> None:
    await add_residents(db, "Farum", ["telegram:10"])
    say = chat(db, settings.model_copy(update={"quiet_hours": quiet}))
    await say(COORDINATOR, "/announce")
    await say(COORDINATOR, callback="bc:all")
    (preview,) = await say(COORDINATOR, "Borgermøde i Farum Kulturhus torsdag kl. 19.")
    assert ("stille timer" in preview.text) == warned
    assert has_quiet_hours(quiet) == warned


async def test_queueing_a_broadcast_logs_one_line_with_its_reach(
    db, settings, caplog: pytest.LogCaptureFixture
) -> None:
    await add_residents(db, "Farum", ["telegram:10", "tel:+4520000001"])
    farum = await area_id(db, "Farum")
    say = chat(db, settings)
    await say(COORDINATOR, "/tip_send")
    await say(COORDINATOR, callback=f"bc:a:{farum}")
    await say(COORDINATOR, callback="bc:done")
    await say(COORDINATOR, "Lås altid døren, også når du bare går ud med skraldet.")
    with caplog.at_level(logging.INFO, logger="bot.broadcasts.services"):
        await say(COORDINATOR, callback="bc:send")
    [line] = [r.getMessage() for r in caplog.records if "queued" in r.getMessage()]
    assert f"kind=tip areas={farum} recipients=sms=1 telegram=1" in line
