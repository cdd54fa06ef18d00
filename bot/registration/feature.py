"""Registration: joining, areas, stop, my data, forget, language, help and /stats."""

from __future__ import annotations

import typer

from bot.core.feature import Feature, MenuEntry
from bot.registration import chat
from bot.registration.cli import areas_cli, coordinators_cli, roles_cli


def attach_cli(root: typer.Typer) -> None:
    root.add_typer(areas_cli, name="areas")
    root.add_typer(coordinators_cli, name="coordinators")
    root.add_typer(roles_cli, name="roles")


FEATURE = Feature(
    name="registration",
    chat=chat.register,
    cli=attach_cli,
    menu=[
        MenuEntry("start", 0),
        MenuEntry("areas", 10),
        MenuEntry("mydata", 50),
        MenuEntry("language", 60),
        MenuEntry("stop", 70),
        MenuEntry("forget", 80),
        MenuEntry("help", 90),
        MenuEntry("stats", 0, staff=True),
    ],
)
