"""The dashboard as a feature: /dashboard (SMS: WEB), `nabovagt dashboard-link`, the /dashboard routes."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute

from bot.core.feature import Feature, MenuEntry
from bot.core.settings import Settings
from bot.dashboard import chat, composer, events, exports, inbox, map, overview, web
from bot.dashboard.cli import attach_cli
from storage.db import Database


def routes(db: Database, settings: Settings) -> Sequence[BaseRoute]:
    """One Mount("/dashboard"): login/logout/static from web.py plus every page module's routes."""
    pages = [
        *overview.routes(db, settings),
        *exports.routes(db, settings),
        *map.routes(db, settings),
        *inbox.routes(db, settings),
        *composer.routes(db, settings),
        *events.routes(db, settings),
    ]
    return [web.mount(db, settings, pages)]


FEATURE = Feature(
    name="dashboard",
    chat=chat.register,
    cli=attach_cli,
    menu=[MenuEntry("dashboard", 90, staff=True)],
    web=routes,
)
