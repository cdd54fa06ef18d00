"""Safety walks: observations during a walk, their follow-up, the walkers' news and the protocol."""

from __future__ import annotations

from datetime import timedelta

import typer

from bot.core.conversation import Router
from bot.core.feature import Feature, Job, MenuEntry
from bot.walks import chat, followup_chat
from bot.walks.cli import walks_cli
from bot.walks.notices import walkers_job


def register_chat(router: Router) -> None:
    """The walkers' side (/obs) and the organisers' side (/obs_followup)."""
    chat.register(router)
    followup_chat.register(router)


def attach_cli(root: typer.Typer) -> None:
    root.add_typer(walks_cli, name="walks")


FEATURE = Feature(
    name="walks",
    chat=register_chat,
    cli=attach_cli,
    # A cheap query over untold observations; often enough that a fix is news within seconds.
    jobs=[Job("walk-walkers", walkers_job, timedelta(seconds=5), at_start=True)],
    menu=[MenuEntry("obs", 40), MenuEntry("obs_followup", 45, staff=True)],
    stats=followup_chat.stats_lines,
)
