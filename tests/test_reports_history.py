"""The monthly report tells the truth for its month: helpers as they were, whole-number axes,
a chart drawn in a child process, and `report monthly --out` into a folder that is not there."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.app.application import build_router
from bot.core.conversation import Conversation
from bot.core.messages import Inbound
from bot.registration import services as registration
from bot.reports import draw
from bot.reports.monthly import monthly_report_job
from bot.reports.services import AreaFigures, MonthlyReport
from storage.db import Database
from storage.models import Area, Contact, Membership, PastMembership
from tests.cli_helpers import Nabovagt
from tests.events_helpers import add_helper, local, outbox_messages


async def helper_since(
    db: Database, urn: str, joined: str, stopped: str | None = None, lang: str = "da"
) -> None:
    """A Farum helper who joined at `joined` (and stopped every message at `stopped`)."""
    resident = await add_helper(db, urn, lang=lang)
    async with db.session() as s:
        [membership] = (
            await s.exec(select(Membership).where(Membership.resident_id == resident))
        ).all()
        membership.joined_at = local(joined)
        s.add(membership)
        if stopped is not None:
            [contact] = (await s.exec(select(Contact).where(Contact.urn == urn))).all()
            contact.stopped_at = local(stopped)
            s.add(contact)


def farum_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("Farum:"))


async def test_a_past_months_report_counts_the_helpers_of_that_month(db, settings) -> None:
    settings = settings.model_copy(update={"coordinators": "telegram:9001"})
    await helper_since(db, "telegram:1", "2026-10-10 12:00")  # a helper all November
    await helper_since(db, "telegram:2", "2026-12-02 10:00")  # joined after November
    await helper_since(db, "telegram:3", "2026-09-01 12:00", stopped="2026-12-03 12:00")
    await helper_since(db, "telegram:4", "2026-11-05 12:00", stopped="2026-11-20 12:00")
    await helper_since(db, "telegram:5", "2026-11-10 12:00")  # joined in November
    # Just after midnight on 1 December (local time) belongs to December.
    await helper_since(db, "telegram:6", "2026-12-01 00:30")
    assert await monthly_report_job(db=db, settings=settings, now=local("2026-12-01 09:00")) == 1
    [(_, text, _)] = await outbox_messages(db, kind="report")
    # 1, 3 and 5 were helpers on 30 November; 4 and 5 joined in it, 4 stopped again.
    assert farum_line(text) == "Farum: 0 / 0.0 / 0.0 - 3 nabohjælpere (+1)"


async def test_the_running_month_counts_todays_helpers(db, settings) -> None:
    settings = settings.model_copy(update={"coordinators": "telegram:9001"})
    await helper_since(db, "telegram:1", "2026-10-10 12:00")
    await helper_since(db, "telegram:2", "2026-12-02 10:00")
    await helper_since(db, "telegram:3", "2026-09-01 12:00", stopped="2026-12-03 12:00")
    assert await monthly_report_job(db=db, settings=settings, now=local("2027-01-01 09:00")) == 1
    [(_, text, _)] = await outbox_messages(db, kind="report")
    assert text.startswith("Månedsrapport for december 2026")
    assert farum_line(text) == "Farum: 0 / 0.0 / 0.0 - 2 nabohjælpere (+0)"


async def test_a_helper_who_moved_to_another_area_still_counts_where_they_were(
    db, settings
) -> None:
    settings = settings.model_copy(update={"coordinators": "telegram:9001"})
    await helper_since(db, "telegram:1", "2026-10-10 12:00")
    await helper_since(db, "telegram:2", "2026-10-10 12:00")
    async with db.session() as s:  # on 2 December, helper 1 picks Værløse instead of Farum
        [resident] = await s.exec(select(Contact.resident_id).where(Contact.urn == "telegram:1"))
        [værløse] = (await s.exec(select(Area.id).where(Area.name == "Værløse"))).all()
        await registration.set_areas(session=s, resident_id=resident, area_ids=[værløse])
    async with db.session() as s:
        [past] = (await s.exec(select(PastMembership))).all()
        assert past.joined_at == local("2026-10-10 12:00")
        past.left_at = local("2026-12-02 10:00")
        s.add(past)
        [now_in] = await s.exec(select(Membership).where(Membership.resident_id == resident))
        now_in.joined_at = past.left_at
        s.add(now_in)

    assert await monthly_report_job(db=db, settings=settings, now=local("2026-12-01 09:00")) == 1
    [(_, november, _)] = await outbox_messages(db, kind="report")
    assert farum_line(november) == "Farum: 0 / 0.0 / 0.0 - 2 nabohjælpere (+0)"
    assert await monthly_report_job(db=db, settings=settings, now=local("2027-01-01 09:00")) == 1
    december = next(
        text for _, text, _ in await outbox_messages(db, kind="report") if "december" in text
    )
    assert farum_line(december) == "Farum: 0 / 0.0 / 0.0 - 1 nabohjælpere (-1)"
    værløse_line = next(line for line in december.splitlines() if line.startswith("Værløse:"))
    assert værløse_line.endswith("- 1 nabohjælpere (+1)")


def small_report() -> MonthlyReport:
    areas = [
        AreaFigures("Farum", last=1, avg3=0.3, avg12=0.1, helpers=2, new_helpers=1, stopped_helpers=0),
        AreaFigures("Værløse", last=0, avg3=0.0, avg12=0.2, helpers=1, new_helpers=0, stopped_helpers=0),
    ]  # fmt: skip
    return MonthlyReport(month=date(2026, 11, 1), areas=areas)


def test_the_chart_counts_helpers_and_burglaries_in_whole_numbers() -> None:
    figure = draw.draw_figure(small_report(), "da")
    burglaries, helpers = figure.axes
    assert helpers.get_ylabel() == "Nabohjælpere"
    for axes in (burglaries, helpers):
        ticks = list(axes.get_yticks())
        assert len(ticks) >= 2 and all(tick == int(tick) for tick in ticks), ticks


async def test_the_chart_is_drawn_by_a_child_process_and_a_stuck_one_is_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    png = await draw.draw_chart(small_report(), "en")
    assert png[:4] == b"\x89PNG"
    with pytest.raises(draw.ChartError, match=r"took longer than 0 s"):
        await draw.draw_chart(small_report(), "en", limit=0.001)
    monkeypatch.setattr("sys.executable", "/bin/false")
    with pytest.raises(draw.ChartError, match=r"drawing the chart failed: exit status 1"):
        await draw.draw_chart(small_report(), "en")


async def test_a_coordinator_hears_when_the_chart_cannot_be_drawn(
    db, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings.model_copy(update={"coordinators": "telegram:9001"})
    monkeypatch.setattr(draw, "CHART_TIMEOUT", 0.001)
    convo = Conversation(db, settings, build_router())
    [reply] = await convo.handle(
        Inbound(urn="telegram:9001", channel="telegram", callback="report:png:2026-11")
    )
    assert reply.attachment is None
    assert reply.text == "Grafen kunne ikke tegnes lige nu. Prøv igen om lidt."


async def test_a_month_without_a_report_gets_its_chart_drawn_when_asked(db, settings) -> None:
    settings = settings.model_copy(update={"coordinators": "telegram:9001"})
    convo = Conversation(db, settings, build_router())
    [reply] = await convo.handle(
        Inbound(urn="telegram:9001", channel="telegram", callback="report:png:2026-10")
    )
    assert reply.text == "oktober 2026"
    assert reply.attachment is not None and reply.attachment[0] == "rapport-2026-10.png"
    assert reply.attachment[1][:4] == b"\x89PNG"


def test_report_monthly_makes_the_folder_it_is_asked_to_write_into(
    nabovagt: Nabovagt, tmp_path
) -> None:
    out = tmp_path / "some" / "missing" / "folder" / "x.pdf"
    done = nabovagt("report", "monthly", "--month", "2026-11", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert out.read_bytes()[:5] == b"%PDF-"
    assert f"chart written to {out}" in done.output
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    refused = nabovagt("report", "monthly", "--month", "2026-11", "--out", f"{blocker}/x.png")
    assert refused.exit_code == 2
    assert refused.stderr.strip().splitlines() == [
        f"nabovagt: cannot write {blocker}/x.png: File exists"
    ]
