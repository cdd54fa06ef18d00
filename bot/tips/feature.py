"""Tips from residents: the /tip and TIP flows, triage, answers, retention."""

from __future__ import annotations

from datetime import timedelta

import typer

from bot.core.conversation import Router
from bot.core.feature import Feature, Job, JobContext, MenuEntry
from bot.tips import chat, triage
from bot.tips.cli import tips_cli
from bot.tips.retention import anonymise_expired_tips


def register_chat(router: Router) -> None:
    """The resident side and the triage side; neither module knows the other."""
    chat.register(router)
    triage.register(router)


def attach_cli(root: typer.Typer) -> None:
    root.add_typer(tips_cli, name="tips")


async def retention(context: JobContext) -> int:
    await anonymise_expired_tips(context.db, context.settings, context.now)
    return 0  # anonymising queues no messages


FEATURE = Feature(
    name="tips",
    chat=register_chat,
    cli=attach_cli,
    jobs=[Job("tip-retention", retention, timedelta(hours=1))],
    menu=[MenuEntry("tip", 20), MenuEntry("inbox", 10, staff=True)],
    stats=triage.stats_lines,
)
