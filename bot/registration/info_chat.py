"""Language, /help and /stats: what the person can do and how many help."""

from __future__ import annotations

from datetime import datetime

import bot.registration.texts  # noqa: F401  (registers this feature's texts)
from bot.core.callbacks import Pattern
from bot.core.conversation import Turn
from bot.core.i18n import language_name, month_text, number, t, tn
from bot.core.menu import as_lines, menu
from bot.core.messages import Button
from bot.registration import services
from storage.models import Resident

LANGUAGE_ALIASES = {"da": "da", "dk": "da", "en": "en", "uk": "en", "gb": "en"}
LANGUAGE = Pattern("lang:{lang:da|en}")


async def language(turn: Turn) -> None:
    wanted = _language_from(turn.inbound.args)
    if wanted is None:
        rows = [[Button(language_name(code).capitalize(), f"lang:{code}") for code in ("da", "en")]]
        turn.say("choose_language", buttons=rows)
        return
    await _set_language(turn, wanted)


async def language_button(turn: Turn) -> None:
    chosen = _language_from((turn.inbound.callback or "").partition(":")[2])
    await _set_language(turn, chosen or "da")


def _language_from(raw: str) -> str | None:
    word = raw.strip().casefold()[:2]
    return LANGUAGE_ALIASES.get(word) if word else None


async def _set_language(turn: Turn, lang: str) -> None:
    if turn.resident is not None:
        turn.resident = await services.set_language(
            session=turn.session, resident_id=_rid(turn.resident), language=lang
        )
    else:
        # Not registered yet: the choice waits in the flow until consent.
        await turn.set_state(turn.state or "idle", **(turn.data | {"lang": lang}))
    turn.say_text(t("language_set", lang))


async def help_command(turn: Turn) -> None:
    router = turn.router
    if turn.inbound.channel == "sms":
        text = turn.text("help")
    else:
        text = t("help", turn.lang, commands=as_lines(menu(router, turn.lang, staff=False)))
        if await turn.is_staff():
            staff = as_lines(menu(router, turn.lang, staff=True))
            text += t("help.coordinator", turn.lang, commands=staff)
    tip_button = [[turn.button("btn.tip", "tip:new")]] if "tip" in router.commands else None
    turn.say_text(text, buttons=tip_button if turn.traits.buttons else None)


async def stats_command(turn: Turn) -> None:
    """Helpers per area this month, then every feature's /stats section."""
    lang, tz = turn.lang, turn.settings.tz
    now = datetime.now(tz)
    found = await services.helper_stats(session=turn.session, now=now, tz=tz)
    rows = "\n".join(
        tn(
            "stats.row",
            lang,
            c.new,
            area=c.area,
            active=number(c.active, lang),
            stopped=number(c.stopped, lang),
        )
        for c in found.areas
    )
    turn.say(
        "stats",
        month=month_text(found.month, lang),
        rows=rows,
        total=tn("stats.active", lang, found.active),
        new=tn("stats.new", lang, found.new),
        stopped=number(found.stopped, lang),
    )
    for section in turn.router.stats_sections:
        if lines := await section(turn.session, turn.settings, lang, now):
            turn.replies[-1].text += "\n\n" + "\n".join(lines)


def _rid(resident: Resident) -> int:
    assert resident.id is not None
    return resident.id
