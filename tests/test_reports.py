"""Monthly report job timing and once-only; safety-walk observations and their HTML report."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, delete, select
from typer.testing import CliRunner

from bot.app.application import build_router
from bot.app.cli import cli
from bot.core.conversation import Conversation
from bot.core.messages import Inbound, Location
from bot.reports.monthly import monthly_report_job
from bot.walks.report import render_html, render_pdf
from bot.walks.services import WalkReport, build_walk_report
from storage.broadcast_models import Broadcast
from storage.burglaries import BurglaryRow, add_burglaries
from storage.db import Database
from storage.event_models import Event, Observation
from storage.models import Membership
from tests.events_helpers import add_helper, area_id, local, new_event, outbox_messages


async def test_monthly_report_goes_to_coordinators_once_at_nine_on_the_first(
    db, settings, monkeypatch
) -> None:
    settings = settings.model_copy(update={"coordinators": "telegram:9001"})
    farum = await area_id(db, "Farum")
    async with db.session() as s:
        rows = [BurglaryRow(date(2026, 11, d), farum, None, None) for d in (3, 4, 5)]
        await add_burglaries(session=s, rows=rows)
    assert await monthly_report_job(db=db, settings=settings, now=local("2026-12-01 08:59")) == 0
    assert await monthly_report_job(db=db, settings=settings, now=local("2026-12-01 09:00")) == 1
    assert await monthly_report_job(db=db, settings=settings, now=local("2026-12-01 09:01")) == 0
    [(urn, text, buttons)] = await outbox_messages(db, kind="report")
    assert urn == "telegram:9001"
    assert text.startswith("Månedsrapport for november 2026")
    assert "Hotspots: Farum (3 mod gns. 0.0)" in text
    assert buttons == [[["Vis grafen (PNG)", "report:png:2026-11"]]]
    async with db.session() as s:
        [queued] = (await s.exec(select(Broadcast).where(Broadcast.kind == "report"))).all()
    assert queued.attachment_name == "rapport-2026-11.png" and queued.attachment[:4] == b"\x89PNG"
    # The button shows the chart the report went out with, without drawing it again.
    monkeypatch.setattr("sys.executable", "/bin/false")  # a drawing would fail now
    convo = Conversation(db, settings, build_router())
    [chart] = await convo.handle(
        Inbound(urn="telegram:9001", channel="telegram", callback="report:png:2026-11")
    )
    assert chart.attachment == ("rapport-2026-11.png", queued.attachment)


@pytest.mark.slow  # draws a chart per language in child processes
async def test_monthly_report_follows_each_recipients_language(db, settings) -> None:
    settings = settings.model_copy(update={"coordinators": "telegram:9001,telegram:9002"})
    alex = await add_helper(db, "telegram:9002", name="Alex", lang="en")
    async with db.session() as s:
        # Alex has been a helper since October, so November's report counts them.
        [membership] = (
            await s.exec(select(Membership).where(Membership.resident_id == alex))
        ).all()
        membership.joined_at = local("2026-10-15 12:00")
        s.add(membership)
    farum = await area_id(db, "Farum")
    async with db.session() as s:
        await add_burglaries(session=s, rows=[BurglaryRow(date(2026, 11, 3), farum, None, None)])
    first = local("2026-12-01 09:00")
    assert await monthly_report_job(db=db, settings=settings, now=first) == 2
    assert await monthly_report_job(db=db, settings=settings, now=first) == 0
    by_urn = {urn: (text, buttons) for urn, text, buttons in await outbox_messages(db, "report")}
    danish, english = by_urn["telegram:9001"], by_urn["telegram:9002"]
    assert danish[0].startswith("Månedsrapport for november 2026")
    assert danish[1] == [[["Vis grafen (PNG)", "report:png:2026-11"]]]
    assert english[0].startswith("Monthly report for November 2026")
    assert "Burglaries in total: 1." in english[0] and "No hotspots." in english[0]
    assert "Farum: 1 / 0.0 / 0.0 - 1 neighbour helper (" in english[0]
    assert english[1] == [[["Show the chart (PNG)", "report:png:2026-11"]]]
    async with db.session() as s:
        names = {b.attachment_name for b in (await s.exec(select(Broadcast))).all()}
    assert names == {"rapport-2026-11.png", "report-2026-11.png"}
    convo = Conversation(db, settings, build_router())
    [chart] = await convo.handle(
        Inbound(urn="telegram:9002", channel="telegram", callback="report:png:2026-11")
    )
    assert chart.text == "November 2026"
    assert chart.attachment is not None and chart.attachment[0] == "report-2026-11.png"


async def test_report_monthly_cli_prints_the_report_in_the_asked_language(
    db, database_url, tmp_path, monkeypatch
) -> None:
    farum = await area_id(db, "Farum")
    async with db.session() as s:
        rows = [BurglaryRow(date(2026, 11, d), farum, None, None) for d in (3, 4, 5)]
        await add_burglaries(session=s, rows=rows)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    out = tmp_path / "report.png"
    args = ["report", "monthly", "--month", "2026-11", "--out", str(out)]
    runner = CliRunner()
    # The command runs its own event loop: give it a thread without one.
    english = await asyncio.to_thread(runner.invoke, cli, [*args, "--lang", "en"])
    assert english.exit_code == 0, english.output
    assert english.output.startswith("Monthly report for November 2026")
    assert "Hotspots: Farum (3 against avg. 0.0)." in english.output
    assert out.read_bytes()[:4] == b"\x89PNG"
    danish = await asyncio.to_thread(runner.invoke, cli, args)
    assert danish.output.startswith("Månedsrapport for november 2026")
    wrong = await asyncio.to_thread(runner.invoke, cli, [*args, "--lang", "de"])
    assert wrong.exit_code == 2 and "da, en" in wrong.output


async def test_observations_during_a_walk_make_the_report(db, settings, tmp_path) -> None:
    karen = await add_helper(db, "telegram:1001", name="Karen")
    start = datetime.now(UTC) + timedelta(minutes=40)  # observations count from 30 min before
    event, _ = await new_event(
        db, settings, datetime.now(UTC), kind="tryghedsvandring", title="Aftenvandring",
        starts_at=start, reminders="none",
    )  # fmt: skip
    assert event.id is not None
    convo = Conversation(db, settings, build_router())

    def tg(**kw):
        return Inbound(urn="telegram:1001", channel="telegram", **kw)

    [early] = await convo.handle(tg(command="obs"))
    assert "ingen tryghedsvandring" in early.text
    await convo.handle(tg(callback=f"rsvp:{event.id}:yes"))
    # The walk begins: move its start into the past.
    async with db.session() as s:
        row = await s.get(Event, event.id)
        row.starts_at = datetime.now(UTC) - timedelta(minutes=30)
        s.add(row)
    [kinds] = await convo.handle(tg(command="obs"))
    assert kinds.flat_buttons()[0].label == "Dårlig belysning"
    await convo.handle(tg(callback=kinds.flat_buttons()[0].data))
    [noted] = await convo.handle(tg(location=Location(55.8201, 12.3602)))
    assert "Position modtaget" in noted.text
    await convo.handle(tg(text="Mørk sti bag skolen"))
    [saved] = await convo.handle(tg(callback="walk:save"))
    assert "Observationen er gemt" in saved.text
    await convo.handle(tg(command="obs"))
    await convo.handle(tg(callback=f"walk:{event.id}:beplantning"))
    await convo.handle(tg(text="Høje buske ved indgangen"))
    await convo.handle(tg(text="Gem"))
    async with db.session() as s:
        stored = (await s.exec(select(Observation).order_by(col(Observation.id)))).all()
        assert [(o.kind, o.resident_id) for o in stored] == [
            ("belysning", karen),
            ("beplantning", karen),
        ]
        assert stored[0].latitude == 55.8201
        report = await build_walk_report(session=s, event_id=event.id)
    assert report is not None
    page = render_html(report, settings)
    assert "Rapport fra tryghedsvandring: Aftenvandring" in page
    assert "<b>Deltagere:</b> 1" in page and "<b>Område:</b> Farum" in page
    assert "Dårlig belysning (1)" in page and "Mørk sti bag skolen" in page
    assert "55.82010, 12.36020" in page and "<svg" in page
    assert "Forslag til opfølgning" in page
    assert render_pdf(report, settings)[:5] == b"%PDF-"


def test_walk_report_follows_the_coordinators_language_and_escapes(settings) -> None:
    walk = Event(
        id=7, kind="tryghedsvandring", title="<Aften> & 'sti'", place="Skolen",
        starts_at=datetime(2026, 12, 3, 18, 0, tzinfo=UTC),
    )  # fmt: skip
    seen = Observation(event_id=7, kind="haervaerk", note="Graffiti <script>")
    report = WalkReport(walk, [], 2, [seen], {"haervaerk": [seen]})
    english = render_html(report, settings, "en")
    assert "<html lang='en'>" in english
    assert "Report from the safety walk: &lt;Aften&gt; &amp; &#39;sti&#39;" in english
    assert "<b>Date:</b> Thursday 3 December at 19:00" in english
    assert "<b>Area:</b> all areas" in english and "Vandalism (1)" in english
    assert "Graffiti &lt;script&gt;" in english and "<script>" not in english
    assert "Suggested follow-up:</b> Report vandalism to the police on 114" in english
    danish = render_html(report, settings)
    assert "<b>Dato:</b> torsdag 3. december kl. 19:00" in danish
    assert "Forslag til opfølgning:</b> Anmeld hærværk" in danish
    assert render_pdf(report, settings, "en")[:5] == b"%PDF-"


async def test_monthly_report_reaches_representatives_only_when_asked(db, settings) -> None:
    from storage import roles

    settings = settings.model_copy(update={"coordinators": "telegram:9001"})
    async with db.session() as s:
        await roles.grant(
            session=s,
            urn="telegram:7001",
            role=roles.REPRESENTATIVE,
            area_id=await area_id(db, "Farum"),
        )
    first = local("2026-12-01 09:00")
    assert await monthly_report_job(db=db, settings=settings, now=first) == 1
    await _forget_reports(db)
    sent = await monthly_report_job(db=db, settings=settings, now=first, representatives=True)
    assert sent == 2
    assert {urn for urn, _, _ in await outbox_messages(db, kind="report")} == {
        "telegram:9001",
        "telegram:7001",
    }


async def _forget_reports(db: Database) -> None:
    """Let the same month's report be queued again, as on a fresh installation."""
    async with db.session() as s:
        await s.exec(delete(Broadcast).where(col(Broadcast.kind) == "report"))
