"""Safety walks: observations during a walk and the report for the association."""

from __future__ import annotations

import typer

from bot.core.feature import Feature, MenuEntry
from bot.walks import chat
from bot.walks.cli import walks_cli


def attach_cli(root: typer.Typer) -> None:
    root.add_typer(walks_cli, name="walks")


FEATURE = Feature(name="walks", chat=chat.register, cli=attach_cli, menu=[MenuEntry("obs", 40)])
