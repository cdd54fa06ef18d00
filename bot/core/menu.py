"""The command menu: which commands residents and staff see, described in each language."""

from __future__ import annotations

from bot.core.conversation import Router
from bot.core.i18n import CATALOG, LANGUAGES, t

# Order is the order people see; a command appears only if a feature registered it.
RESIDENT_MENU = (
    "start",
    "areas",
    "tip",
    "topics",
    "obs",
    "mydata",
    "language",
    "stop",
    "forget",
    "help",
)
STAFF_MENU = ("stats", "inbox", "alert", "announce", "tip_send", "event")

Menu = list[tuple[str, str]]


def menu(router: Router, lang: str, *, staff: bool) -> Menu:
    """(command, description) pairs for a resident's menu, or only the extra staff commands."""
    names = STAFF_MENU if staff else RESIDENT_MENU
    return [
        (n, t(f"cmd.{n}", lang)) for n in names if n in router.commands and f"cmd.{n}" in CATALOG
    ]


def menus(router: Router) -> dict[str, tuple[Menu, Menu]]:
    """Per language: (resident menu, extra staff commands)."""
    return {
        lang: (menu(router, lang, staff=False), menu(router, lang, staff=True))
        for lang in LANGUAGES
    }


def as_lines(entries: Menu) -> str:
    return "\n".join(f"/{name} - {description}" for name, description in entries)
