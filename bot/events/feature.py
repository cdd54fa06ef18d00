"""Events: citizen meetings and safety walks with invitations, answers and reminders."""

from __future__ import annotations

from datetime import timedelta

import typer

from bot.core.feature import Feature, Job, JobContext, MenuEntry
from bot.events import chat
from bot.events.cli import events_cli
from bot.events.reminders import fire_due_reminders


def attach_cli(root: typer.Typer) -> None:
    root.add_typer(events_cli, name="events")


async def reminders(context: JobContext) -> int:
    return await fire_due_reminders(
        db=context.db, now=context.now, timezone=context.settings.timezone
    )


FEATURE = Feature(
    name="events",
    chat=chat.register,
    cli=attach_cli,
    # Reminders are rows; this tick fires them, first at once so missed ones go out at start.
    jobs=[Job("event-reminders", reminders, timedelta(seconds=15), at_start=True)],
    menu=[MenuEntry("event", 50, staff=True)],
)
