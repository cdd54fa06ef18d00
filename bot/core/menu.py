"""The command menu: which commands residents and staff see, described in each language."""

from __future__ import annotations

from bot.core.conversation import Router
from bot.core.feature import MenuEntry
from bot.core.i18n import CATALOG, LANGUAGES, t

Menu = list[tuple[str, str]]
# The engine answers /cancel in every flow (no feature may register it), so every menu shows it.
ENGINE_MENU = (MenuEntry("cancel", 85),)


def menu(router: Router, lang: str, *, staff: bool) -> Menu:
    """(command, description) pairs for a resident's menu, or only the extra staff commands."""
    entries = sorted(
        (e for e in (*router.menu, *ENGINE_MENU) if e.staff == staff), key=lambda e: e.position
    )
    return [
        (e.command, t(f"cmd.{e.command}", lang))
        for e in entries
        if (e.command in router.commands or e in ENGINE_MENU) and f"cmd.{e.command}" in CATALOG
    ]


def menus(router: Router) -> dict[str, tuple[Menu, Menu]]:
    """Per language: (resident menu, extra staff commands)."""
    return {
        lang: (menu(router, lang, staff=False), menu(router, lang, staff=True))
        for lang in LANGUAGES
    }


def as_lines(entries: Menu) -> str:
    return "\n".join(f"/{name} - {description}" for name, description in entries)
