"""Event reminders: a tick claims due reminder rows and queues their messages in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from bot.core.i18n import t_channel
from bot.events.outbound import Outgoing, Render, Target, send_grouped, targets_of
from bot.events.wording import rsvp_buttons, values
from storage import events as store
from storage.db import Database
from storage.event_models import Event, Reminder

log = logging.getLogger(__name__)

AUDIENCE_STATUSES = {"attending": (store.ATTENDING,), "unanswered": (store.INVITED,)}


async def fire_due_reminders(
    *, db: Database, now: datetime, timezone: str = "Europe/Copenhagen"
) -> int:
    """Send every reminder that is due and not yet sent; return how many messages were queued.

    Safe to call from any number of processes at any time, including right after a restart:
    the claim (UPDATE ... WHERE status='pending' RETURNING) and the outbox rows commit together,
    so a reminder is queued exactly once or, if anything fails, stays pending for the next tick.
    A reminder whose event has begun or was cancelled is skipped, and when several reminders of
    one event and audience are overdue at once (the bot was down) only the latest is sent.
    """
    tz = ZoneInfo(timezone)
    queued = 0
    async with db.session() as session:
        claimed = await store.claim_due_reminders(session=session, now=now)
        latest: dict[tuple[int, str], Reminder] = {}
        for reminder in claimed:
            key = (reminder.event_id, reminder.audience)
            if key not in latest or reminder.offset_minutes < latest[key].offset_minutes:
                latest[key] = reminder
        for reminder in claimed:
            event = await store.get_event(session=session, event_id=reminder.event_id)
            if (
                event is None
                or event.cancelled_at is not None
                or event.starts_at <= now
                or latest[(reminder.event_id, reminder.audience)] is not reminder
            ):
                reminder.status = "skipped"
                await store.save(session=session, row=reminder)
                continue
            assert event.id is not None
            rows = await store.invitations(
                session=session,
                event_id=event.id,
                statuses=AUDIENCE_STATUSES[reminder.audience],
            )
            targets: list[Target] = await targets_of(session, rows)
            await send_grouped(
                session,
                targets,
                _renderer(event, reminder.audience, tz),
                kind="reminder",
                key=f"reminder:{reminder.id}",
                now=now,
                respect_quiet=False,  # its due time already respects quiet hours
            )
            reminder.recipients = len(targets)
            await store.save(session=session, row=reminder)
            queued += len(targets)
            log.info("reminder %s for event %s queued for %d", reminder.id, event.id, len(targets))
    return queued


def _renderer(event: Event, audience: str, tz: tzinfo) -> Render:
    """A reminder's wording; asking those who have not answered comes with the answer buttons."""
    key = f"event.reminder.{audience}"

    def render(lang: str, channel: str) -> Outgoing:
        text = t_channel(key, lang, channel, **values(event, tz, lang))
        asks = audience == "unanswered" and channel == "telegram"
        return Outgoing(text, rsvp_buttons(event, lang)[:1] if asks else None)

    return render
