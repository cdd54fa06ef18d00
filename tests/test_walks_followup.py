"""Safety walks that lead to fixes: owner, deadline and outcome per observation, the protocol (HTML
and PDF with photos and map), the walkers' news exactly once, and the counts."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PIL import Image
from pypdf import PdfReader
from sqlmodel import select

from bot.app.application import build_router
from bot.core.actors import OPERATOR
from bot.core.conversation import Conversation
from bot.core.i18n import t
from bot.core.messages import Inbound, Location
from bot.reports.render import report_text
from bot.reports.services import build_report
from bot.walks import followup
from bot.walks.notices import tell_walkers
from bot.walks.pdf import render_pdf
from bot.walks.report import render_html
from bot.walks.services import build_walk_report, followup_counts
from storage import roles
from storage.broadcast_models import Broadcast
from storage.db import Database
from storage.event_models import Observation
from tests.cli_helpers import Nabovagt
from tests.events_helpers import CPH, add_helper, area_id, outbox_messages
from tests.walks_helpers import SMS, TG, Person, stored, walk_in_progress

COORDINATOR = "telegram:9001"


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, format="JPEG")
    return out.getvalue()


async def observed_walk(db: Database, settings) -> tuple[int, list[Observation]]:
    """Karen (Telegram) records a dark path with a photo and a position; Ib (SMS) a hedge."""
    await add_helper(db, TG, name="Karen")
    await add_helper(db, SMS, name="Ib")
    event_id = await walk_in_progress(db, settings, TG, SMS)
    convo = Conversation(db, settings, build_router())
    karen, ib = Person(convo, TG), Person(convo, SMS)
    await karen.send("/obs")
    await karen.send("press:Dårlig belysning")
    await karen.send("", photo=True)
    await karen.send("", location=Location(55.8201, 12.3602))
    await karen.send("Mørk sti bag skolen")
    await karen.send("press:Gem")
    await ib.send("OBS")
    await ib.send("2")
    await ib.send("Høje buske ved indgangen")
    await ib.send("Bybjerget 12")
    await ib.send("GEM")
    rows = await stored(db)
    assert len(rows) == 2
    return event_id, rows


def oid(observation: Observation) -> int:
    assert observation.id is not None
    return observation.id


def run_cli(database_url: str, tmp_path: Path, *args: str):
    return Nabovagt(tmp_path, {"DATABASE_URL": database_url})(*args)


async def test_cli_assigns_and_resolves_and_the_protocol_pdf_shows_photos_and_follow_up(
    db, settings, database_url, tmp_path
) -> None:
    event_id, (dark, hedge) = await observed_walk(db, settings)
    # Replace the test photo by a real picture, as a phone sends.
    assert dark.photo_path is not None
    await asyncio.to_thread(Path(dark.photo_path).write_bytes, jpeg("navy"))

    def cli(*args: str):
        return asyncio.to_thread(run_cli, database_url, tmp_path, *args)

    done = await cli(
        "walks", "assign", str(dark.id), "--owner", "kommune_veje", "--due", "2099-12-31"
    )
    assert done.exit_code == 0, done.output
    assert f"observation {dark.id}: owner kommune_veje, due 2099-12-31" in done.stdout
    done = await cli("walks", "resolve", str(dark.id), "--fixed", "--note", "Ny lampe sat op")
    assert done.exit_code == 0 and "fixed" in done.stdout
    done = await cli(
        "walks", "assign", str(hedge.id), "--owner", "boligselskab", "--due", "1-1-2000"
    )
    assert done.exit_code == 2 and "in the past" in done.output
    wrong = await cli("walks", "assign", str(hedge.id), "--owner", "naboen")
    assert wrong.exit_code == 2 and "kommune_veje" in wrong.output
    assert (await cli("walks", "resolve", "999", "--fixed")).exit_code == 1
    listed = await cli("walks", "open")
    assert (
        f"{hedge.id}\tAftenvandring\tbeplantning" in listed.stdout
        and "Mørk sti" not in listed.stdout
    )

    out = tmp_path / "protokol.pdf"
    done = await cli("walks", "report", str(event_id), "--out", str(out))
    assert done.exit_code == 0, done.output
    assert "2 observation(s), 1 photo(s)" in done.stdout
    reader = PdfReader(io.BytesIO(await asyncio.to_thread(out.read_bytes)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for part in (
        "Rapport fra tryghedsvandring: Aftenvandring",
        "Kort over observationerne",
        "Dårlig belysning (1)",
        "Mørk sti bag skolen",
        "Ejer: Kommunen (veje)",
        "Frist: 31. december 2099",
        "Status: Udbedret",
        "Note: Ny lampe sat op",
        "Skjulesteder/beplantning (1)",
        "Sted: Bybjerget 12",
        "Status: Åben",
        "55.82010, 12.36020",
    ):
        assert part in text, part
    # Karen's photo, embedded as an image (a thumbnail of the picture), nothing else.
    [photo] = [image for page in reader.pages for image in page.images]
    assert photo.image is not None and photo.image.size[0] >= 300

    page = await asyncio.to_thread(
        run_cli,
        database_url,
        tmp_path,
        "walks",
        "report",
        str(event_id),
        "--out",
        str(tmp_path / "p.html"),
    )
    assert page.exit_code == 0
    html = await asyncio.to_thread((tmp_path / "p.html").read_text, encoding="utf-8")
    assert "<dt>Ejer</dt><dd>Kommunen (veje)</dd>" in html and "data:image/jpeg;base64," in html
    assert "1 åbne (0 over fristen), 1 udbedret, 0 udbedres ikke" in html


async def test_the_pdf_needs_no_browser_and_reads_in_english(db, settings) -> None:
    event_id, _ = await observed_walk(db, settings)
    async with db.session() as s:
        report = await build_walk_report(session=s, event_id=event_id)
    assert report is not None
    english = render_pdf(report, settings, "en")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(english)).pages)
    assert "Report from the safety walk" in text and "Owner: not set" in text
    assert "Poor lighting (1)" in render_html(report, settings, "en")


async def test_coordinator_follows_up_by_buttons_and_a_typed_date(db, settings) -> None:
    settings = settings.model_copy(update={"coordinators": COORDINATOR})
    _, (dark, _) = await observed_walk(db, settings)
    kim = Person(Conversation(db, settings, build_router()), COORDINATOR)
    listing = await kim.send("/obs_followup")
    assert listing.startswith("Åbne observationer fra tryghedsvandringer (2)")
    detail = await kim.send(f"press:#{dark.id} Dårlig belysning")
    assert "Ejer: ikke sat" in detail and "Frist: ikke sat" in detail and "Status: Åben" in detail
    assert "Hvem skal udbedre" in await kim.send("press:Ejer")
    assert "Ejer: Kommunen (veje)" in await kim.send("press:Kommunen (veje)")
    assert "Tryk en knap, eller skriv en dato" in await kim.send("press:Frist")
    assert "Den dato kan jeg ikke bruge" in await kim.send("i går")
    answer = await kim.send("24. december 2099")
    assert "Frist: 24. december 2099" in answer
    assert "skriv en kort note" in await kim.send("press:Udbedret")
    answer = await kim.send("Ny lampe sat op")
    assert "Status: Udbedret: Ny lampe sat op" in answer
    [row] = [o for o in await stored(db) if o.id == dark.id]
    assert (row.owner, row.due_on, row.status) == ("kommune_veje", date(2099, 12, 24), "fixed")
    assert row.resolution_note == "Ny lampe sat op" and row.resolved_at is not None
    assert "(1)" in await kim.send("/obs_followup")


async def test_deadline_buttons_and_no_note(db, settings) -> None:
    settings = settings.model_copy(update={"coordinators": COORDINATOR})
    _, (_, hedge) = await observed_walk(db, settings)
    kim = Person(Conversation(db, settings, build_router()), COORDINATOR)
    await kim.send("/obs_followup")
    await kim.send(f"press:#{hedge.id}")
    await kim.send("press:Frist")
    answer = await kim.send("press:2 uger")
    due = datetime.now(CPH).date() + timedelta(days=14)
    assert f"Frist: {due.day}." in answer
    await kim.send("press:Udbedres ikke")
    assert "Status: Udbedres ikke" in await kim.send("press:Uden note")


async def test_only_organisers_of_the_walks_area_may_follow_up(db, settings) -> None:
    _, (dark, _) = await observed_walk(db, settings)
    async with db.session() as s:
        await roles.grant(
            session=s, urn="telegram:7001", role=roles.REPRESENTATIVE,
            area_id=await area_id(db, "Værløse"),
        )  # fmt: skip
        await roles.grant(
            session=s, urn="telegram:7002", role=roles.REPRESENTATIVE,
            area_id=await area_id(db, "Farum"),
        )  # fmt: skip
    convo = Conversation(db, settings, build_router())
    karen, other, own = (
        Person(convo, TG),
        Person(convo, "telegram:7001"),
        Person(convo, "telegram:7002"),
    )
    assert await karen.send("/obs_followup") == t("not_allowed", "da")
    # Another area's representative sees none of Farum's and cannot press a forged button.
    assert await other.send("/obs_followup") == t("walk.fu.list_empty", "da")
    [refused] = await convo.handle(
        Inbound(urn="telegram:7001", channel="telegram", callback=f"wf:done:{dark.id}:fixed")
    )
    assert refused.text == t("not_allowed", "da")
    assert "(2)" in await own.send("/obs_followup")
    assert all(o.status == "open" for o in await stored(db))


async def told(db: Database) -> list[tuple[str, str]]:
    return [(urn, text) for urn, text, _ in await outbox_messages(db, kind="walk_followup")]


async def test_walkers_hear_once_when_everything_is_settled(db, settings) -> None:
    event_id, (dark, hedge) = await observed_walk(db, settings)
    await add_helper(db, "telegram:1003", name="Nej-siger")  # invited, said no: not told
    now = datetime.now(UTC)
    tz = settings.tz

    async def job(at: datetime) -> int:
        async with db.session() as s:
            return await tell_walkers(session=s, now=at, tz=tz)

    assert await job(now) == 0
    async with db.session() as s:
        await followup.resolve(
            session=s, actor=OPERATOR, observation_id=oid(dark), status="fixed",
            note="Ny lampe sat op", now=now,
        )  # fmt: skip
    assert await job(now) == 0  # the hedge is still open
    async with db.session() as s:
        await followup.resolve(
            session=s, actor=OPERATOR, observation_id=oid(hedge), status="wont_fix",
            note="Hækken er privat", now=now,
        )  # fmt: skip
    # Two leaders at once (a change of leadership mid-run): one claims, the other finds nothing.
    assert sorted(await asyncio.gather(job(now), job(now))) == [0, 2]
    assert await job(now + timedelta(days=1)) == 0
    messages = dict(await told(db))
    assert set(messages) == {TG, SMS}
    assert (
        messages[TG].startswith('Nyt fra tryghedsvandringen "Aftenvandring"')
        and "alle 2 observationer er fulgt op" in messages[TG]
    )
    assert "1. Dårlig belysning: Mørk sti bag skolen - Udbedret (Ny lampe sat op)" in messages[TG]
    assert "2. Skjulesteder/beplantning: Høje buske ved indgangen - Udbedres ikke" in messages[TG]
    assert "1 udbedret, 1 udbedres ikke" in messages[SMS]
    async with db.session() as s:
        keys = {b.dedupe_key for b in (await s.exec(select(Broadcast))).all()}
    assert {k for k in keys if k and k.startswith("walk-")} == {
        f"walk-settled:{event_id}:sms:da",
        f"walk-settled:{event_id}:telegram:da",
    }


async def test_at_the_latest_deadline_walkers_hear_what_is_still_open(db, settings) -> None:
    _, (dark, hedge) = await observed_walk(db, settings)
    today = datetime.now(settings.tz).date()
    async with db.session() as s:
        await followup.assign(
            session=s, actor=OPERATOR, observation_id=oid(dark), due_on=today + timedelta(days=7)
        )
        await followup.assign(
            session=s, actor=OPERATOR, observation_id=oid(hedge), due_on=today + timedelta(days=14)
        )

    async def job(days: int) -> int:
        at = datetime.now(UTC) + timedelta(days=days)
        async with db.session() as s:
            return await tell_walkers(session=s, now=at, tz=settings.tz)

    assert await job(8) == 0  # the first deadline passed, the latest not yet
    assert await job(15) == 2
    assert await job(16) == 0
    messages = dict(await told(db))
    assert "fristen er passeret, og 2 af 2 observationer er stadig åbne" in messages[TG]
    assert "2 af 2 observationer er stadig åbne" in messages[SMS]


async def test_stats_and_the_monthly_counts_tell_the_period_as_it_was(db, settings) -> None:
    settings = settings.model_copy(update={"coordinators": COORDINATOR})
    _, (dark, hedge) = await observed_walk(db, settings)
    now = datetime.now(UTC)
    async with db.session() as s:
        await followup.assign(
            session=s, actor=OPERATOR, observation_id=oid(hedge), due_on=date(2000, 1, 1)
        )
        await followup.resolve(
            session=s,
            actor=OPERATOR,
            observation_id=oid(dark),
            status="fixed",
            note="",
            now=now + timedelta(hours=1),
        )
    kim = Person(Conversation(db, settings, build_router()), COORDINATOR)
    stats = await kim.send("/stats")
    assert (
        "Observationer fra tryghedsvandringer: 1 åbne (1 over fristen), 1 udbedret, "
        "0 udbedres ikke." in stats
    )
    async with db.session() as s:
        # A period that ended before the fix (an hour from now): both were open then.
        before = await followup_counts(
            session=s, start=now - timedelta(days=1), end=now + timedelta(minutes=30)
        )
        after = await followup_counts(
            session=s, start=now - timedelta(days=1), end=now + timedelta(days=1)
        )
    assert (before.recorded, before.open, before.fixed, before.overdue) == (2, 2, 0, 1)
    assert (after.recorded, after.open, after.fixed, after.overdue) == (2, 1, 1, 1)


async def test_the_monthly_report_counts_the_walk_observations(db, settings) -> None:
    await observed_walk(db, settings)
    today = datetime.now(settings.tz).date()
    async with db.session() as s:
        report = await build_report(session=s, month=today.replace(day=1), tz=settings.tz)
    text = report_text(report, "da")
    assert (
        "Tryghedsvandringer: 2 nye observationer, 0 udbedret, 0 udbedres ikke; "
        "2 åbne ved månedens udgang (0 over fristen)." in text
    )
