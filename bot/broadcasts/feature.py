"""Broadcasts: alerts, prevention tips and announcements to areas, topics, the weekly tip."""

from __future__ import annotations

from datetime import timedelta

import typer

from bot.broadcasts import chat
from bot.broadcasts.cli import broadcast, broadcasts_cli, prevention_tips_cli
from bot.broadcasts.prevention import weekly_prevention_tip_job
from bot.broadcasts.render import PRESENTER
from bot.core.feature import Feature, Job, JobContext, MenuEntry


def attach_cli(root: typer.Typer) -> None:
    root.command("broadcast")(broadcast)
    root.add_typer(broadcasts_cli, name="broadcasts")
    # The command keeps its name so existing scripts keep working.
    root.add_typer(prevention_tips_cli, name="tips-library")


async def weekly_prevention_tip(context: JobContext) -> int:
    queued = await weekly_prevention_tip_job(context.db, context.settings.tz, context.now)
    return queued.total if queued is not None else 0


FEATURE = Feature(
    name="broadcasts",
    chat=chat.register,
    cli=attach_cli,
    jobs=[Job("weekly-prevention-tip", weekly_prevention_tip, timedelta(seconds=60))],
    menu=[
        MenuEntry("topics", 30),
        MenuEntry("alert", 20, staff=True),
        MenuEntry("announce", 30, staff=True),
        MenuEntry("tip_send", 40, staff=True),
    ],
    presenter=PRESENTER,
)
