"""Tip categories (built-in and coordinators' own) and the urgency guard's cues."""

from __future__ import annotations

import re

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import t, t_channel
from bot.tips.texts import CATEGORIES
from storage import tips as tip_store
from storage.folding import fold
from storage.tip_models import TipCategory

# Cues that something is happening now or someone is in danger, folded like fold() does.
URGENT_CUES = [
    fold(cue)
    for cue in (
        "lige nu",
        "i gang",
        "igang",
        "bryder ind",
        "bryde ind",
        "brænder",
        "ild",
        "brand",
        "kniv",
        "våben",
        "pistol",
        "overfald",
        "overfalder",
        "røveri",
        "slås",
        "slagsmål",
        "happening now",
        "right now",
        "breaking in",
        "break in",
        "fire",
        "burning",
        "knife",
        "gun",
        "weapon",
        "attack",
        "attacking",
        "robbery",
        "fighting",
    )
]
_URGENT = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in URGENT_CUES) + r")\b")
_KEY = re.compile(r"[a-z][a-z0-9_]{1,31}")


class CategoryError(ValueError):
    """A category that cannot be added; `reason` is "key", "builtin" or "exists"."""

    def __init__(self, reason: str, key: str) -> None:
        super().__init__(f"{reason}: {key}")
        self.reason = reason
        self.key = key


def is_urgent(text: str) -> bool:
    """True when the text suggests an ongoing crime or danger (Danish or English cues)."""
    return _URGENT.search(fold(text)) is not None


def _label(category: TipCategory, lang: str) -> str:
    return category.label_en if lang == "en" else category.label_da


async def category_choices(
    *, session: AsyncSession, lang: str, channel: str
) -> list[tuple[str, str]]:
    """(key, label) for every category: built-ins, then coordinators' own, "other" last."""
    builtin = [(k, t_channel(f"tipcat.{k}", lang, channel)) for k in CATEGORIES]
    custom = [(c.key, _label(c, lang)) for c in await tip_store.custom_categories(session=session)]
    return builtin[:-1] + custom + builtin[-1:]


async def category_label(*, session: AsyncSession, key: str, lang: str) -> str:
    """The category's full label in `lang`; an unknown key reads as itself."""
    if key in CATEGORIES:
        return t(f"tipcat.{key}", lang)
    for c in await tip_store.custom_categories(session=session):
        if c.key == key:
            return _label(c, lang)
    return key


async def add_category(
    *, session: AsyncSession, key: str, label_da: str, label_en: str | None = None
) -> TipCategory:
    """A coordinator's own category (shown before "other"); raises CategoryError when refused."""
    if not _KEY.fullmatch(key):
        raise CategoryError("key", key)
    if key in CATEGORIES:
        raise CategoryError("builtin", key)
    if any(c.key == key for c in await tip_store.custom_categories(session=session)):
        raise CategoryError("exists", key)
    return await tip_store.add_category(
        session=session, key=key, label_da=label_da, label_en=label_en or label_da
    )
