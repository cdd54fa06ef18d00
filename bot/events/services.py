"""Events as a service: creating and inviting, answers with a waiting list, cancelling, overviews.

Plain async functions on a session with explicit arguments, returning data; the chat, the CLI
(and later the web dashboard) present the results. Whatever changes something or shows a person
takes the `actor` asking and checks them (bot.events.access); a refusal raises NotAllowed before
anything changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.actors import Actor
from bot.core.i18n import t_channel
from bot.core.messages import CHANNEL_TRAITS
from bot.core.quiet import next_allowed, parse_quiet_hours
from bot.core.settings import Settings
from bot.events.access import (
    event_areas,
    may_manage,
    may_see_people,
    require_areas,
    require_invitation,
    require_manager,
    require_viewer,
)
from bot.events.outbound import Outgoing, Target, send_grouped, targets_of
from bot.events.timing import (
    DEFAULT_REMINDERS,
    EventError,
    audience_for,
    format_offset,
    parse_offsets,
    reminder_due,
)
from bot.events.wording import ics_for, invitation_text, rsvp_buttons, values
from storage import events as store
from storage.event_models import KINDS, Event, Reminder
from storage.events import Counts

# The topic residents may opt out of: invitations to meetings and walks.
TOPIC = "meetings"

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
    actor: Actor,
    ends_at: datetime | None = None,
    capacity: int | None = None,
    description: str = "",
    reminders: str = DEFAULT_REMINDERS,
    created_by: str | None = None,
) -> tuple[Event, int]:
    """Save the event and its reminders and queue the invitations; return (event, invited).

    A representative may create events only for areas they represent (never for all areas).
    """
    await require_areas(session=session, actor=actor, area_ids=area_ids)
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
    assert event.id is not None
    for minutes, due in planned_reminders(settings, starts_at, offsets, now):
        await store.add_reminder(
            session=session,
            event_id=event.id,
            offset_minutes=minutes,
            audience=audience_for(minutes),
            due_at=due,
        )
    invited = await _invite(session=session, settings=settings, event=event, now=now)
    return event, invited


def planned_reminders(
    settings: Settings, starts_at: datetime, offsets: list[int], now: datetime
) -> list[tuple[int, datetime]]:
    """(offset, due) of the reminders that will be sent: those falling between now and the start."""
    tz, quiet = settings.tz, parse_quiet_hours(settings.quiet_hours)
    dues = [(minutes, reminder_due(starts_at, minutes, tz, quiet)) for minutes in offsets]
    return [(minutes, due) for minutes, due in dues if now < due < starts_at]


async def _invitees(session: AsyncSession, area_ids: list[int] | None) -> list[tuple[int, Target]]:
    """(resident, address) for every neighbour helper of the areas (None: all) who has not opted
    out of meetings: one address each, Telegram preferred."""
    people = await store.residents_in(session=session, area_ids=area_ids)
    unwilling = await store.opted_out(
        session=session, resident_ids=[r.id for r, _ in people if r.id is not None], topic=TOPIC
    )
    out = []
    for resident, contacts in people:
        assert resident.id is not None
        if resident.id in unwilling:
            continue
        contact = min(contacts, key=lambda c: (c.channel != "telegram", c.id or 0))
        out.append((resident.id, Target(contact.urn, contact.channel, resident.language)))
    return out


@dataclass(frozen=True)
class InvitationPreview:
    """What sending a draft would do: who gets it per channel, which reminders go out."""

    recipients: dict[str, int]
    reminders: list[int]
    past_reminders: list[int]


async def invitation_preview(
    *,
    session: AsyncSession,
    settings: Settings,
    area_ids: list[int] | None,
    starts_at: datetime,
    now: datetime,
    reminders: str = DEFAULT_REMINDERS,
) -> InvitationPreview:
    """The recipients per channel and the reminders of a draft event, before anything is sent."""
    by_channel: dict[str, int] = {}
    for _, target in await _invitees(session, area_ids):
        by_channel[target.channel] = by_channel.get(target.channel, 0) + 1
    offsets = parse_offsets(reminders)
    planned = [minutes for minutes, _ in planned_reminders(settings, starts_at, offsets, now)]
    past = [minutes for minutes in offsets if minutes not in planned]
    return InvitationPreview(by_channel, planned, past)


def _can_wait_for_morning(settings: Settings, now: datetime, starts_at: datetime) -> bool:
    """Whether a non-urgent message about an event may wait out quiet hours: only when they end
    before the event begins (an invitation at 21:30 to a walk at 21:45 goes now, not at 08:00)."""
    tz, quiet = settings.tz, parse_quiet_hours(settings.quiet_hours)
    return next_allowed(now.astimezone(tz), quiet).astimezone(UTC) < starts_at


async def _invite(*, session: AsyncSession, settings: Settings, event: Event, now: datetime) -> int:
    """Queue the invitation to every neighbour helper of the event's areas (one address each,
    Telegram preferred) who has not opted out of meetings, and record who got it."""
    assert event.id is not None
    area_ids = None
    if not event.all_areas:
        area_ids = [
            a.id
            for a in await store.event_areas(session=session, event_id=event.id)
            if a.id is not None
        ]
    invitees = await _invitees(session, area_ids)
    resident_of = {target.urn: resident_id for resident_id, target in invitees}
    targets = [target for _, target in invitees]
    tz = settings.tz

    def render(lang: str, channel: str) -> Outgoing:
        text = invitation_text(event, tz, lang, channel)
        if not CHANNEL_TRAITS[channel].buttons:
            return Outgoing(text)
        # Channels with buttons also take files: the calendar file comes with the invitation.
        return Outgoing(text, rsvp_buttons(event, lang), ics_for(event))

    ids = await send_grouped(
        session,
        targets,
        render,
        kind="invitation",
        key=f"event:{event.id}:invite",
        now=now,
        respect_quiet=_can_wait_for_morning(settings, now, event.starts_at),
        topic=TOPIC,
        created_by=event.created_by or "system",
    )
    reached = await store.delivered_urns(session=session, broadcast_ids=ids)
    for urn in reached:
        await store.add_invitation(
            session=session, event_id=event.id, resident_id=resident_of[urn], urn=urn
        )
    return len(reached)


async def cancel_reach(*, session: AsyncSession, event_id: int, actor: Actor) -> tuple[Event, int]:
    """Before cancelling, the event and how many invited would be told (NotAllowed for those who
    may not cancel it; EventError when it is gone or already cancelled)."""
    await require_manager(session=session, actor=actor, event_id=event_id)
    event = await store.get_event(session=session, event_id=event_id)
    if event is None or event.cancelled_at is not None:
        raise EventError(f"event {event_id} is gone or already cancelled")
    invited = await store.invitations(session=session, event_id=event_id)
    return event, len(await targets_of(session, invited))


async def cancel_event(
    *, session: AsyncSession, settings: Settings, event_id: int, now: datetime, actor: Actor
) -> tuple[Event, int]:
    """Cancel: stop every reminder and tell everyone invited; return (event, notified)."""
    await require_manager(session=session, actor=actor, event_id=event_id)
    event = await store.get_event(session=session, event_id=event_id, lock=True)
    if event is None:
        raise EventError(f"no event {event_id}")
    if event.cancelled_at is not None:
        raise EventError(f"event {event_id} is already cancelled")
    await store.cancel_event(session=session, event=event, now=now)
    invited = await store.invitations(session=session, event_id=event_id)
    targets = await targets_of(session, invited)
    # A cancellation that could wait for morning does; one for an event before then does not.
    wait = _can_wait_for_morning(settings, now, event.starts_at)
    tz = settings.tz

    def render(lang: str, channel: str) -> Outgoing:
        return Outgoing(t_channel("event.cancelled", lang, channel, **values(event, tz, lang)))

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
    actor: Actor,
    coming: bool,
    now: datetime,
) -> Answer | None:
    """Record yes/no to the actor's own invitation (NotAllowed without one); a full event puts
    a yes on the waiting list, a freed place moves it up. None when there is no such event."""
    event = await store.get_event(session=session, event_id=event_id, lock=True)
    if event is None:
        return None
    resident_id = await require_invitation(session=session, actor=actor, event_id=event_id)
    if event.cancelled_at is not None or event.starts_at <= now:
        return Answer("gone", event)
    invitation = await store.invitation_of(
        session=session, event_id=event_id, resident_id=resident_id
    )
    assert invitation is not None  # require_invitation found it
    invitation.urn = actor.urn  # reminders follow the address the answer came from
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
    assert event.id is not None
    counts = await store.counts(session=session, event_id=event.id)
    free = (event.capacity or 0) - counts.yes
    if free <= 0:
        return
    waiting = await store.invitations(session=session, event_id=event.id, statuses=(store.WAITING,))
    promoted = waiting[:free]
    for row in promoted:
        row.status = store.ATTENDING
        await store.save(session=session, row=row)
    tz = settings.tz

    def render(lang: str, channel: str) -> Outgoing:
        return Outgoing(t_channel("event.promoted", lang, channel, **values(event, tz, lang)))

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


async def open_to_answer(*, session: AsyncSession, resident_id: int, now: datetime) -> list[Event]:
    """The events a typed yes/no may answer: those not answered yet, else every open one."""
    found = await store.open_invitations(session=session, resident_id=resident_id, now=now)
    unanswered = [e for i, e in found if i.status == store.INVITED]
    return unanswered or [e for _, e in found]


async def share_name(*, session: AsyncSession, event_id: int, actor: Actor) -> Event | None:
    """The actor agrees to appear on their invitation's attendee list (NotAllowed when not
    invited); None when there is no such event."""
    event = await store.get_event(session=session, event_id=event_id)
    if event is None:
        return None
    resident_id = await require_invitation(session=session, actor=actor, event_id=event_id)
    row = await store.invitation_of(session=session, event_id=event_id, resident_id=resident_id)
    assert row is not None
    row.share_name = True
    await store.save(session=session, row=row)
    return event


# --- looking at events -------------------------------------------------------------------------


async def invited_event(*, session: AsyncSession, event_id: int, actor: Actor) -> Event | None:
    """An event the actor was invited to (or organises), e.g. for its calendar file."""
    event = await store.get_event(session=session, event_id=event_id)
    if event is None:
        return None
    _, area_ids = await event_areas(session=session, event_id=event_id)
    if not may_see_people(actor, area_ids):
        await require_invitation(session=session, actor=actor, event_id=event_id)
    return event


async def upcoming_events(*, session: AsyncSession, since: datetime | None) -> list[Event]:
    """Events starting at or after `since` (None: every event), soonest first."""
    return await store.list_events(session=session, since=since)


async def event_summaries(
    *, session: AsyncSession, since: datetime | None
) -> list[tuple[Event, Counts]]:
    """Like upcoming_events, each with its answer counts."""
    out = []
    for event in await store.list_events(session=session, since=since):
        assert event.id is not None
        out.append((event, await store.counts(session=session, event_id=event.id)))
    return out


async def visible_events(
    *, session: AsyncSession, since: datetime | None, actor: Actor
) -> list[tuple[Event, bool]]:
    """The events the actor organises or may look into, each with whether they may cancel it."""
    out = []
    for event in await store.list_events(session=session, since=since):
        assert event.id is not None
        _, area_ids = await event_areas(session=session, event_id=event.id)
        if may_see_people(actor, area_ids):
            out.append((event, may_manage(actor, area_ids)))
    return out


async def attendee_names(*, session: AsyncSession, event_id: int, actor: Actor) -> list[str]:
    """Names of those coming who agreed to be listed (organisers of the event's areas only)."""
    await require_viewer(session=session, actor=actor, event_id=event_id)
    return await store.attendee_names(session=session, event_id=event_id)


@dataclass(frozen=True)
class EventOverview:
    """One event for its organisers: areas, answers, listed attendees and reminders."""

    event: Event
    areas: list[str]
    counts: Counts
    names: list[str]
    reminders: list[Reminder]
    may_cancel: bool


async def event_overview(
    *, session: AsyncSession, event_id: int, actor: Actor
) -> EventOverview | None:
    """The event for one of its organisers (NotAllowed for others); None when there is none."""
    event = await store.get_event(session=session, event_id=event_id)
    if event is None:
        return None
    await require_viewer(session=session, actor=actor, event_id=event_id)
    _, area_ids = await event_areas(session=session, event_id=event_id)
    return EventOverview(
        event=event,
        areas=[a.name for a in await store.event_areas(session=session, event_id=event_id)],
        counts=await store.counts(session=session, event_id=event_id),
        names=await store.attendee_names(session=session, event_id=event_id),
        reminders=await store.reminders_of(session=session, event_id=event_id),
        may_cancel=may_manage(actor, area_ids),
    )
