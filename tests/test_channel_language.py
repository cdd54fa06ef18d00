"""Each channel speaks its own language: no SMS-facing text names a Telegram /command."""

from __future__ import annotations

import re

import pytest

import bot.broadcasts.texts
import bot.registration.texts
from bot.core.i18n import CATALOG, Catalog

# "/areas", "/help" - not "10/12", "km/t" or "</b>".
SLASH_COMMAND = re.compile(r"(?<![\w/<])/[a-z_]+\b")
CATALOGS: dict[str, Catalog] = {
    "registration": bot.registration.texts.TEXTS,
    "broadcasts": bot.broadcasts.texts.TEXTS,
}
# Texts that never reach an SMS, and why; anything else naming a /command needs a `.sms` variant.
TELEGRAM_ONLY = {
    "welcome": "SMS signs up by texting TILMELD, which is the consent; the welcome is Telegram's",
    "declined": "answers the consent button, which only Telegram shows",
    "location_already": "only Telegram shares a location",
}


def _sms_variant(key: str) -> str | None:
    """The key t_channel / tn_channel would use on SMS, if it differs from `key`."""
    if f"{key}.sms" in CATALOG:
        return f"{key}.sms"
    head, _, form = key.rpartition(".")
    if form in ("one", "other") and f"{head}.sms.{form}" in CATALOG:
        return f"{head}.sms.{form}"
    return None


@pytest.mark.parametrize("feature", sorted(CATALOGS))
def test_no_sms_facing_text_names_a_slash_command(feature: str) -> None:
    offenders = []
    for key in CATALOGS[feature]:
        if ".sms" in key or key in TELEGRAM_ONLY:
            continue
        shown_on_sms = CATALOG[_sms_variant(key) or key]
        for lang, text in shown_on_sms.items():
            if found := SLASH_COMMAND.findall(text):
                offenders.append(f"{key} ({lang}): {found}")
    assert offenders == [], "add a .sms variant naming the SMS keyword"


@pytest.mark.parametrize("feature", sorted(CATALOGS))
def test_sms_variants_name_keywords_not_commands(feature: str) -> None:
    offenders = [
        f"{key} ({lang})"
        for key, texts in CATALOGS[feature].items()
        if ".sms" in key
        for lang, text in texts.items()
        if SLASH_COMMAND.search(text)
    ]
    assert offenders == []


def test_the_guard_sees_a_slash_command() -> None:
    assert SLASH_COMMAND.findall("Skriv /areas for at ændre, /help for hjælp.") == [
        "/areas",
        "/help",
    ]
    assert SLASH_COMMAND.findall("10/12 kl. 19, 50 km/t, <b>fed</b>") == []
