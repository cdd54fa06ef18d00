"""Events as a service: local times, creating and inviting, answers with a waiting list, cancelling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import bot.events.texts  # noqa: F401  (registers this feature's texts)
from bot.core.i18n import t, t_channel
from bot.core.messages import CHANNEL_TRAITS, Button
from bot.core.quiet import in_quiet_hours, next_allowed, parse_quiet_hours
from bot.core.settings import Settings
from bot.events.ics import event_ics
from storage import events as store
from storage import outbox
from storage.broadcast_models import Delivery
from storage.event_models import KINDS, Event, Invitation
from storage.models import Contact

DEFAULT_REMINDERS = "7d,1d,2h"
# Reminders this far ahead ask those who have not answered; closer ones remind those coming.
UNANSWERED_FROM_MINUTES = 2 * 24 * 60
WEEKDAYS = {
    "da": ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
MONTHS = {
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "en": "January February March April May June July August September October November December",
}
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M")
OFFSET = re.compile(r"^(\d+)\s*([dhm])$")
UNITS = {"d": 24 * 60, "h": 60, "m": 1}


class EventError(ValueError):
    """Input that cannot make an event; the message is shown to the coordinator."""


# --- time --------------------------------------------------------------------------------------


def localize(naive: datetime, tz: tzinfo) -> datetime:
    """Local wall time to an aware UTC moment.

    A time that does not exist (spring forward, 02:30 in Copenhagen) moves forward by the gap,
    to 03:30; a time that happens twice (fall back) means the first, summer-time occurrence.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC)


def parse_local(text: str, tz: tzinfo) -> datetime:
    """'2026-12-03 19:00' in TIMEZONE as an aware UTC datetime."""
    cleaned = " ".join(text.strip().replace("kl.", " ").replace("kl", " ").split())
    for fmt in TIME_FORMATS:
        try:
            return localize(datetime.strptime(cleaned, fmt), tz)
        except ValueError:
            continue
    raise EventError(f"{text!r} is not a time like 2026-12-03 19:00")


def parse_offsets(text: str) -> list[int]:
    """'7d,1d,2h,30m' -> minutes, largest first; '' or 'none' -> no reminders."""
    if text.strip().casefold() in ("", "none", "ingen"):
        return []
    minutes = []
    for part in text.split(","):
        match = OFFSET.match(part.strip().casefold())
        if not match or int(match.group(1)) == 0:
            raise EventError(f"reminder {part.strip()!r} must look like 7d, 2h or 30m")
        minutes.append(int(match.group(1)) * UNITS[match.group(2)])
    return sorted(set(minutes), reverse=True)


def format_offset(minutes: int) -> str:
    for unit, size in UNITS.items():
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"  # pragma: no cover


def reminder_due(
    starts_at: datetime, offset_minutes: int, tz: tzinfo, quiet: tuple | None
) -> datetime:
    """When a reminder fires: whole days on the local calendar (same wall time even across a
    daylight-saving change), hours and minutes as elapsed time; in quiet hours it waits for the
    morning unless the morning is after the start."""
    if offset_minutes % (24 * 60) == 0:
        local = starts_at.astimezone(tz).replace(tzinfo=None)
        due = localize(local - timedelta(minutes=offset_minutes), tz)
    else:
        due = starts_at - timedelta(minutes=offset_minutes)
    if quiet is not None:
        local_due = due.astimezone(tz)
        if in_quiet_hours(local_due, quiet):
            morning = next_allowed(local_due, quiet).astimezone(UTC)
            if morning < starts_at:
                due = morning
    return due.astimezone(UTC).replace(second=0, microsecond=0)


def audience_for(offset_minutes: int) -> str:
    return "unanswered" if offset_minutes >= UNANSWERED_FROM_MINUTES else "attending"


def when_text(moment: datetime, tz: tzinfo, lang: str) -> str:
    """'torsdag 3. december kl. 19:00' / 'Thursday 3 December at 19:00' in local time."""
    local = moment.astimezone(tz)
    day = WEEKDAYS.get(lang, WEEKDAYS["da"])[local.weekday()]
    month = MONTHS.get(lang, MONTHS["da"]).split()[local.month - 1]
    if lang == "en":
        return f"{day} {local.day} {month} at {local:%H:%M}"
    return f"{day} {local.day}. {month} kl. {local:%H:%M}"


# --- texts for one event -----------------------------------------------------------------------


def kind_label(event: Event, lang: str) -> str:
    return t(f"event.kind.{event.kind}", lang)


def values(event: Event, tz: tzinfo, lang: str) -> dict[str, str]:
    return {
        "kind": kind_label(event, lang),
        "title": event.title,
        "when": when_text(event.starts_at, tz, lang),
        "place": event.place,
        "description": f"\n\n{event.description}" if event.description else "",
    }


def invitation_text(event: Event, tz: tzinfo, lang: str, channel: str) -> str:
    return t_channel("event.invitation", lang, channel, **values(event, tz, lang))


def rsvp_buttons(event: Event, lang: str) -> list[list[Button]]:
    return [
        [
            Button(t("btn.event_yes", lang), f"rsvp:{event.id}:yes"),
            Button(t("btn.event_no", lang), f"rsvp:{event.id}:no"),
        ],
        [Button(t("btn.event_ics", lang), f"rsvp:{event.id}:ics")],
    ]


def ics_for(event: Event) -> tuple[str, bytes]:
    content = event_ics(
        uid=f"event-{event.id}@nabovagt",
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=event.place,
        description=event.description,
        now=event.created_at,
        cancelled=event.cancelled_at is not None,
    )
    return f"nabovagt-{event.id}.ics", content


# --- sending through the outbox ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    urn: str
    channel: str
    lang: str


async def targets_of(session: AsyncSession, rows: list[Invitation]) -> list[Target]:
    if not rows:
        return []
    urns = [r.urn for r in rows]
    query = select(Contact.urn, Contact.channel).where(col(Contact.urn).in_(urns))
    channels = dict((await session.exec(query)).all())
    from storage.models import Resident

    langs = dict(
        (
            await session.exec(
                select(Resident.id, Resident.language).where(
                    col(Resident.id).in_([r.resident_id for r in rows])
                )
            )
        ).all()
    )
    return [
        Target(r.urn, channels.get(r.urn, "sms"), langs.get(r.resident_id, "da"))
        for r in rows
        if r.urn in channels
    ]


async def send_grouped(
    session: AsyncSession,
    targets: list[Target],
    render,  # type: ignore[no-untyped-def]  # (lang, channel) -> (text, buttons | None)
    *,
    kind: str,
    key: str,
    now: datetime,
    respect_quiet: bool,
    topic: str | None = None,
    created_by: str = "system",
) -> list[int]:
    """One outbox message per language and channel, each with its own wording.

    `render(lang, channel)` returns (text, buttons) or (text, buttons, (filename, bytes)).
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for target in targets:
        groups.setdefault((target.lang, target.channel), []).append(target.urn)
    ids = []
    for (lang, channel), urns in sorted(groups.items()):
        text, buttons, *file = render(lang, channel)
        broadcast = await outbox.enqueue_direct(
            session=session,
            urns=urns,
            text=text,
            kind=kind,
            buttons=buttons,
            respect_quiet=respect_quiet,
            topic=topic,
            created_by=created_by,
            dedupe_key=f"{key}:{channel}:{lang}"[:64],
            now=now,
            attachment=file[0] if file else None,
        )
        ids.append(broadcast.id)
    return ids  # type: ignore[return-value]


# --- creating, inviting, cancelling ------------------------------------------------------------


async def create_event(
    *,
    session: AsyncSession,
    settings: Settings,
    kind: str,
    title: str,
    starts_at: datetime,
    place: str,
    area_ids: list[int] | None,
    now: datetime,
    ends_at: datetime | None = None,
    capacity: int | None = None,
    description: str = "",
    reminders: str = DEFAULT_REMINDERS,
    created_by: str | None = None,
) -> tuple[Event, int]:
    """Save the event and its reminders and queue the invitations; return (event, invited)."""
    if kind not in KINDS:
        raise EventError(f"kind must be one of {', '.join(KINDS)}")
    if not title.strip() or not place.strip():
        raise EventError("title and place are required")
    if starts_at <= now:
        raise EventError("the event must start in the future")
    if ends_at is not None and ends_at <= starts_at:
        raise EventError("the end must be after the start")
    if capacity is not None and capacity < 1:
        capacity = None
    offsets = parse_offsets(reminders)
    if area_ids is not None and not area_ids:
        raise EventError("choose at least one area (or all)")
    event = await store.create_event(
        session=session,
        event=Event(
            kind=kind,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            description=description.strip(),
            capacity=capacity,
            all_areas=area_ids is None,
            reminders=",".join(format_offset(m) for m in offsets),
            created_by=created_by,
            created_at=now,
        ),
        area_ids=area_ids or [],
    )
    tz, quiet = settings.tz, parse_quiet_hours(settings.quiet_hours)
    for minutes in offsets:
        due = reminder_due(starts_at, minutes, tz, quiet)
        if now < due < starts_at:
            await store.add_reminder(
                session=session,
                event_id=event.id,  # type: ignore[arg-type]
                offset_minutes=minutes,
                audience=audience_for(minutes),
                due_at=due,
            )
    invited = await invite(session=session, settings=settings, event=event, now=now)
    return event, invited


async def invite(*, session: AsyncSession, settings: Settings, event: Event, now: datetime) -> int:
    """Queue the invitation to every neighbour helper of the event's areas (one address each,
    Telegram preferred) who has not opted out of meetings, and record who got it."""
    area_ids = None
    if not event.all_areas:
        area_ids = [a.id for a in await store.event_areas(session=session, event_id=event.id)]  # type: ignore[arg-type]
    people = await store.residents_in(session=session, area_ids=area_ids)  # type: ignore[arg-type]
    resident_of: dict[str, int] = {}
    targets = []
    for resident, contacts in people:
        contact = min(contacts, key=lambda c: (c.channel != "telegram", c.id))
        resident_of[contact.urn] = resident.id  # type: ignore[assignment]
        targets.append(Target(contact.urn, contact.channel, resident.language))
    tz = settings.tz

    def render(lang: str, channel: str):  # type: ignore[no-untyped-def]
        if not CHANNEL_TRAITS[channel].buttons:
            return invitation_text(event, tz, lang, channel), None
        # Channels with buttons also take files: the calendar file comes with the invitation.
        return invitation_text(event, tz, lang, channel), rsvp_buttons(event, lang), ics_for(event)

    ids = await send_grouped(
        session,
        targets,
        render,
        kind="invitation",
        key=f"event:{event.id}:invite",
        now=now,
        respect_quiet=True,
        topic="meetings",
        created_by=event.created_by or "system",
    )
    if not ids:
        return 0
    reached = (
        await session.exec(select(Delivery.urn).where(col(Delivery.broadcast_id).in_(ids)))
    ).all()
    for urn in reached:
        await store.add_invitation(
            session=session,
            event_id=event.id,  # type: ignore[arg-type]
            resident_id=resident_of[urn],
            urn=urn,
        )
    return len(reached)


async def cancel_event(
    *, session: AsyncSession, settings: Settings, event_id: int, now: datetime
) -> tuple[Event, int]:
    """Cancel: stop every reminder and tell everyone invited; return (event, notified)."""
    event = await store.get_event(session=session, event_id=event_id, lock=True)
    if event is None:
        raise EventError(f"no event {event_id}")
    if event.cancelled_at is not None:
        raise EventError(f"event {event_id} is already cancelled")
    await store.cancel_event(session=session, event=event, now=now)
    invited = await store.invitations(session=session, event_id=event_id)
    targets = await targets_of(session, invited)
    tz, quiet = settings.tz, parse_quiet_hours(settings.quiet_hours)
    # A cancellation that could wait for morning does; one for an event before then does not.
    wait = next_allowed(now.astimezone(tz), quiet).astimezone(UTC) < event.starts_at

    def render(lang: str, channel: str):  # type: ignore[no-untyped-def]
        return t_channel("event.cancelled", lang, channel, **values(event, tz, lang)), None

    await send_grouped(
        session,
        targets,
        render,
        kind="notice",
        key=f"event:{event_id}:cancel",
        now=now,
        respect_quiet=wait,
    )
    return event, len(targets)


# --- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: str  # yes, no, waiting, gone
    event: Event
    position: int = 0


async def answer(
    *,
    session: AsyncSession,
    settings: Settings,
    event_id: int,
    resident_id: int,
    urn: str,
    coming: bool,
    now: datetime,
) -> Answer | None:
    """Record yes/no; a full event puts a yes on the waiting list, a freed place moves it up."""
    event = await store.get_event(session=session, event_id=event_id, lock=True)
    if event is None:
        return None
    if event.cancelled_at is not None or event.starts_at <= now:
        return Answer("gone", event)
    invitation = await store.invitation_of(
        session=session, event_id=event_id, resident_id=resident_id
    )
    if invitation is None:
        invitation = await store.add_invitation(
            session=session, event_id=event_id, resident_id=resident_id, urn=urn
        )
    invitation.urn = urn  # reminders follow the address the answer came from
    before = invitation.status
    if coming:
        if before not in (store.ATTENDING, store.WAITING):
            counts = await store.counts(session=session, event_id=event_id)
            full = event.capacity is not None and counts.yes >= event.capacity
            invitation.status = store.WAITING if full else store.ATTENDING
            invitation.answered_at = now
    else:
        invitation.status = store.DECLINED
        invitation.answered_at = now
    await store.save(session=session, row=invitation)
    if before == store.ATTENDING and invitation.status == store.DECLINED:
        await _move_up(session, settings, event, now)
    position = 0
    if invitation.status == store.WAITING:
        waiting = await store.invitations(
            session=session, event_id=event_id, statuses=(store.WAITING,)
        )
        position = [w.id for w in waiting].index(invitation.id) + 1
    return Answer(invitation.status, event, position)


async def _move_up(session: AsyncSession, settings: Settings, event: Event, now: datetime) -> None:
    counts = await store.counts(session=session, event_id=event.id)  # type: ignore[arg-type]
    free = (event.capacity or 0) - counts.yes
    if free <= 0:
        return
    waiting = await store.invitations(
        session=session,
        event_id=event.id,  # type: ignore[arg-type]
        statuses=(store.WAITING,),
    )
    promoted = waiting[:free]
    for row in promoted:
        row.status = store.ATTENDING
        await store.save(session=session, row=row)
    tz = settings.tz

    def render(lang: str, channel: str):  # type: ignore[no-untyped-def]
        return t_channel("event.promoted", lang, channel, **values(event, tz, lang)), None

    for row in promoted:
        await send_grouped(
            session,
            await targets_of(session, [row]),
            render,
            kind="notice",
            key=f"event:{event.id}:up:{row.id}:{now:%Y%m%d%H%M%S}",
            now=now,
            respect_quiet=False,
        )


async def attendee_names(*, session: AsyncSession, event_id: int) -> list[str]:
    """Names of those coming who agreed to be listed."""
    from storage.models import Resident

    query = (
        select(Resident.display_name)
        .join(Invitation, col(Invitation.resident_id) == col(Resident.id))
        .where(
            Invitation.event_id == event_id,
            Invitation.status == store.ATTENDING,
            col(Invitation.share_name).is_(True),
        )
        .order_by(Resident.display_name)
    )
    return [n for n in (await session.exec(query)).all() if n]
