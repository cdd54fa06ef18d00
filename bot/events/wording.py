"""How an event reads in messages: its local time, invitation text, answer buttons, calendar file."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TypedDict

import bot.events.texts  # noqa: F401  (registers this feature's texts)
from bot.core.i18n import datetime_text, t, t_channel
from bot.core.messages import Button
from bot.events.ics import event_ics
from storage.event_models import Event


class EventValues(TypedDict):
    """The placeholders every event text may use."""

    kind: str
    title: str
    when: str
    place: str
    description: str


def when_text(moment: datetime, tz: tzinfo, lang: str) -> str:
    """'torsdag 3. december kl. 19:00' / 'Thursday 3 December at 19:00' in local time."""
    return datetime_text(moment.astimezone(tz), lang, t("event.when_format", lang))


def kind_label(event: Event, lang: str) -> str:
    return t(f"event.kind.{event.kind}", lang)


def values(event: Event, tz: tzinfo, lang: str) -> EventValues:
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
    """(file name, .ics bytes); a cancelled event's file cancels it in the calendar."""
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
