"""/mydata: everything stored about the person, readable on each channel."""

from __future__ import annotations

import bot.registration.texts  # noqa: F401  (registers this feature's texts)
from bot.core.conversation import Turn
from bot.core.i18n import CATALOG, date_text, language_name, number, t, time_text, tn
from bot.core.urns import urn_path, urn_scheme
from bot.registration import services


async def mydata(turn: Turn) -> None:
    if turn.resident is None:
        turn.say("mydata.none")
        return
    lang = turn.lang
    data = await services.my_data(session=turn.session, resident=turn.resident)
    consent_at = data.consent_at.astimezone(turn.settings.tz)
    turn.say(
        "mydata",
        name=data.display_name or "-",
        contacts=", ".join(_address(urn, lang) for urn in data.contacts),
        numbers=", ".join(urn_path(c) if urn_scheme(c) == "tel" else c for c in data.contacts),
        areas=(", ".join(data.areas) or t("no_areas", lang)) + _left(data, turn, lang),
        language=language_name(data.language),
        consent=t(
            "mydata.consent",
            lang,
            date=date_text(consent_at, lang),
            time=time_text(consent_at, lang),
        ),
        consent_day=date_text(consent_at, lang, "short"),
        status=t("status.stopped" if data.stopped else "status.active", lang),
        roles=t("mydata.roles", lang, roles=", ".join(data.roles)) if data.roles else "",
        topics=_listing([_topic(topic, on, lang) for topic, on in data.topics.items()], lang),
        tips=_counted(len(data.tips), [_tip(tip, turn, lang) for tip in reversed(data.tips)], lang),
        answers=_listing([_answer(a, turn, lang) for a in reversed(data.answers)], lang),
        observations=tn("mydata.observations", lang, sum(data.observations.values())),
        tip_count=tn("mydata.tips", lang, len(data.tips)),
        answer_count=tn("mydata.answers", lang, len(data.answers)),
        observation_count=tn("mydata.observations", lang, sum(data.observations.values())),
    )


MYDATA_LINES = 20  # newest first; the rest as a count, so the message stays readable


def _address(urn: str, lang: str) -> str:
    """A phone number as itself, a Telegram chat as "Telegram": never a raw telegram:1001."""
    scheme = urn_scheme(urn)
    if scheme == "tel":
        return urn_path(urn)
    key = f"mydata.address.{scheme}"
    return t(key, lang) if key in CATALOG else urn


def _counted(count: int, items: list[str], lang: str) -> str:
    """ "2 - T-1 (...), T-2 (...)": how many, then which."""
    return f"{number(count, lang)} - {_listing(items, lang)}" if items else number(0, lang)


def _listing(items: list[str], lang: str) -> str:
    if not items:
        return t("mydata.nothing", lang)
    shown = ", ".join(items[:MYDATA_LINES])
    more = len(items) - MYDATA_LINES
    return shown + tn("mydata.more", lang, more) if more > 0 else shown


def _left(data: services.MyData, turn: Turn, lang: str) -> str:
    """ " (tidligere: Farum til 2. dec. 2026)": the areas left, kept for past months' counts."""
    if not data.left_areas:
        return ""
    left = [
        t(
            "mydata.left_area",
            lang,
            area=area,
            date=date_text(left_at.astimezone(turn.settings.tz), lang, "medium"),
        )
        for area, left_at in data.left_areas
    ]
    return t("mydata.left_areas", lang, areas=_listing(left, lang))


def _topic(topic: str, on: bool, lang: str) -> str:
    key = f"mydata.topic.{topic}"
    name = t(key, lang) if key in CATALOG else topic
    return t(
        "mydata.topic", lang, topic=name, state=t(f"mydata.topic.{'on' if on else 'off'}", lang)
    )


def _tip(tip: services.TipLine, turn: Turn, lang: str) -> str:
    key = f"mydata.tipstatus.{tip.status}"
    return t(
        "mydata.tip",
        lang,
        reference=tip.reference,
        date=date_text(tip.created_at.astimezone(turn.settings.tz), lang, "medium"),
        status=t(key, lang) if key in CATALOG else tip.status,
    )


def _answer(answer: services.AnswerLine, turn: Turn, lang: str) -> str:
    key = f"mydata.answer.{answer.status}"
    text = t(
        "mydata.answer",
        lang,
        title=answer.title,
        date=date_text(answer.starts_at.astimezone(turn.settings.tz), lang, "medium"),
        answer=t(key, lang) if key in CATALOG else answer.status,
    )
    return text + (t("mydata.answer.listed", lang) if answer.share_name else "")
