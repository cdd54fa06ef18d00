"""Safety walks: observations sent during a walk, and the printable report for the association."""

from __future__ import annotations

import base64
import html
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.conversation import Router, Turn
from bot.core.i18n import t
from bot.core.keywords import register_keyword
from bot.core.messages import Button
from bot.core.settings import Settings
from bot.events import services as service
from storage import events as store
from storage.event_models import Event, Invitation, Observation

WALK_KINDS = ("belysning", "beplantning", "laase", "haervaerk", "andet")
WALK_HOURS = 3
NOTE_STATE = "walk_note"
FOLLOW_UPS = {
    "belysning": "Bed kommunen/grundejerforeningen om bedre eller tændt belysning; tjek lyskilder.",
    "beplantning": "Beskær buske og hække, så indgange og stier kan ses fra vej og naboer.",
    "laase": "Anbefal godkendte låse og dørbeslag; del forebyggelsestips med beboerne.",
    "haervaerk": "Anmeld hærværk til politiet på 114 og udbedr hurtigt, så stedet ser passet ud.",
    "andet": "Drøft på næste møde, hvem der følger op.",
}


def _now() -> datetime:
    return datetime.now(UTC)


def walk_window(event: Event) -> tuple[datetime, datetime]:
    """Observations count from the start until three hours after it (or the end, if later)."""
    end = event.starts_at + timedelta(hours=WALK_HOURS)
    if event.ends_at is not None and event.ends_at > end:
        end = event.ends_at
    return event.starts_at, end


async def current_walk(turn: Turn, now: datetime) -> Event | None:
    """The walk going on now that this person was invited to (any walk for organisers)."""
    query = select(Event).where(
        Event.kind == "tryghedsvandring",
        col(Event.cancelled_at).is_(None),
        Event.starts_at <= now,
        Event.starts_at > now - timedelta(hours=24),
    )
    walks = [e for e in (await turn.session.exec(query)).all() if walk_window(e)[1] >= now]
    if turn.resident is not None:
        invited = set(
            (
                await turn.session.exec(
                    select(Invitation.event_id).where(Invitation.resident_id == turn.resident.id)
                )
            ).all()
        )
        mine = [e for e in walks if e.id in invited]
        if mine:
            return mine[-1]
    from bot.events.chat import may_organise

    if walks and await may_organise(turn):
        return walks[-1]
    return None


async def _save_photo(turn: Turn, event_id: int) -> str | None:
    photos = getattr(turn.inbound, "photos", None) or []
    fetch = getattr(turn.inbound, "fetch_media", None)
    if not photos or fetch is None:
        return None
    content = await fetch(photos[-1])
    folder = Path(turn.settings.media_dir) / "walks" / str(event_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.jpg"
    path.write_bytes(content)
    return str(path)


def register(router: Router) -> None:
    """Attach /obs (SMS: OBS) and its steps to the router."""
    register_keyword("obs", "obs", "observation", "observe")

    @router.command("obs")
    async def obs(turn: Turn) -> None:
        walk = await current_walk(turn, _now())
        if walk is None:
            turn.say("walk.no_walk")
            return
        rows = [[Button(t(f"walk.kind.{k}", turn.lang), f"walk:{walk.id}:{k}")] for k in WALK_KINDS]
        turn.say("walk.ask_kind", buttons=rows)

    @router.callback("walk")
    async def kind_chosen(turn: Turn) -> None:
        _, event_id, kind = (turn.inbound.callback or "").split(":", 2)
        if kind not in WALK_KINDS:
            turn.say("expired_button")
            return
        await turn.set_state(NOTE_STATE, event_id=int(event_id), kind=kind)
        turn.say("walk.ask_note")

    @router.state(NOTE_STATE)
    async def note(turn: Turn) -> None:
        if turn.inbound.location is not None:
            loc = turn.inbound.location
            await turn.set_state(
                NOTE_STATE, **(turn.data | {"lat": loc.latitude, "lon": loc.longitude})
            )
            turn.say("walk.location_noted")
            return
        data = turn.data
        photo = await _save_photo(turn, int(data["event_id"])) or data.get("photo")
        turn.session.add(
            Observation(
                event_id=int(data["event_id"]),
                resident_id=turn.resident.id if turn.resident else None,
                kind=str(data["kind"]),
                note=turn.inbound.text.strip()[:2000],
                photo_path=photo,
                latitude=data.get("lat"),
                longitude=data.get("lon"),
            )
        )
        await turn.session.flush()
        await turn.clear_state()
        turn.say("walk.saved")


# --- the report --------------------------------------------------------------------------------


@dataclass
class WalkReport:
    event: Event
    areas: list[str]
    participants: int
    observations: list[Observation]
    by_kind: dict[str, list[Observation]] = field(default_factory=dict)


async def build_walk_report(*, session: AsyncSession, event_id: int) -> WalkReport | None:
    event = await store.get_event(session=session, event_id=event_id)
    if event is None:
        return None
    areas = [a.name for a in await store.event_areas(session=session, event_id=event_id)]
    rows = list(
        (
            await session.exec(
                select(Observation)
                .where(Observation.event_id == event_id)
                .order_by(col(Observation.created_at))
            )
        ).all()
    )
    counts = await store.counts(session=session, event_id=event_id)
    observers = {o.resident_id for o in rows if o.resident_id is not None}
    yes = {
        i.resident_id
        for i in await store.invitations(
            session=session, event_id=event_id, statuses=(store.ATTENDING,)
        )
    }
    report = WalkReport(event, areas, max(len(yes | observers), counts.yes), rows)
    for kind in WALK_KINDS:
        found = [o for o in rows if o.kind == kind]
        if found:
            report.by_kind[kind] = found
    return report


def _map_svg(observations: list[Observation]) -> str:
    """A small schematic map: the observations as numbered dots within their bounding box."""
    points = [(o.longitude, o.latitude) for o in observations if o.latitude is not None]
    if not points:
        return ""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span_x, span_y = (max(xs) - min(xs)) or 0.001, (max(ys) - min(ys)) or 0.001
    dots = []
    for number, o in enumerate(observations, start=1):
        if o.latitude is None:
            continue
        x = 20 + (o.longitude - min(xs)) / span_x * 360  # type: ignore[operator]
        y = 20 + (max(ys) - o.latitude) / span_y * 200
        dots.append(
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="7" fill="#c0392b"/>'
            f'<text x="{x + 9:.0f}" y="{y + 4:.0f}" font-size="12">{number}</text>'
        )
    return (
        '<svg width="420" height="240" style="border:1px solid #999;background:#f4f4ee">'
        + "".join(dots)
        + "</svg>"
    )


def render_html(report: WalkReport, settings: Settings) -> str:
    """One printable, self-contained page (photos embedded)."""
    e, esc = report.event, html.escape
    when = service.when_text(e.starts_at, settings.tz, "da")
    parts = [
        "<!doctype html><html lang='da'><head><meta charset='utf-8'>",
        f"<title>Tryghedsvandring: {esc(e.title)}</title>",
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
        "img{max-width:18em;display:block;margin:.5em 0}li{margin-bottom:1em}"
        "@media print{h2{page-break-before:auto}}</style></head><body>",
        f"<h1>Rapport fra tryghedsvandring: {esc(e.title)}</h1>",
        f"<p><b>Dato:</b> {esc(when)}<br><b>Sted:</b> {esc(e.place)}<br>"
        f"<b>Område:</b> {esc(', '.join(report.areas) or 'alle områder')}<br>"
        f"<b>Deltagere:</b> {report.participants}<br>"
        f"<b>Observationer:</b> {len(report.observations)}</p>",
    ]
    numbers = {id(o): n for n, o in enumerate(report.observations, start=1)}
    svg = _map_svg(report.observations)
    if svg:
        parts.append(f"<h2>Kort over observationerne</h2>{svg}")
    for kind, found in report.by_kind.items():
        parts.append(f"<h2>{esc(t(f'walk.kind.{kind}', 'da'))} ({len(found)})</h2><ol>")
        for o in found:
            item = f"<li value='{numbers[id(o)]}'>{esc(o.note or '-')}"
            if o.latitude is not None:
                item += (
                    f"<br>Position: {o.latitude:.5f}, {o.longitude:.5f} "
                    f"(<a href='https://www.openstreetmap.org/?mlat={o.latitude}&mlon="
                    f"{o.longitude}#map=18/{o.latitude}/{o.longitude}'>kort</a>)"
                )
            if o.photo_path and Path(o.photo_path).is_file():
                data = base64.b64encode(Path(o.photo_path).read_bytes()).decode()
                item += f"<img alt='foto' src='data:image/jpeg;base64,{data}'>"
            parts.append(item + "</li>")
        parts.append(f"</ol><p><b>Forslag til opfølgning:</b> {esc(FOLLOW_UPS[kind])}</p>")
    if not report.observations:
        parts.append("<p>Der blev ikke registreret observationer.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_pdf(report: WalkReport, settings: Settings) -> bytes:
    """The same content as a plain PDF, drawn with matplotlib (no extra PDF library needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    e = report.event
    lines = [
        f"Rapport fra tryghedsvandring: {e.title}",
        f"Dato: {service.when_text(e.starts_at, settings.tz, 'da')}",
        f"Sted: {e.place}   Område: {', '.join(report.areas) or 'alle områder'}",
        f"Deltagere: {report.participants}   Observationer: {len(report.observations)}",
        "",
    ]
    for kind, found in report.by_kind.items():
        lines.append(f"{t(f'walk.kind.{kind}', 'da')} ({len(found)})")
        for o in found:
            where = f" [{o.latitude:.5f}, {o.longitude:.5f}]" if o.latitude is not None else ""
            lines.append(f"  - {o.note[:90]}{where}")
        lines.append(f"  Opfølgning: {FOLLOW_UPS[kind]}")
        lines.append("")
    figure = Figure(figsize=(8.27, 11.69))
    figure.text(0.06, 0.96, "\n".join(lines[:60]), va="top", family="DejaVu Sans", fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    return buffer.getvalue()
