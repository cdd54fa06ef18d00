"""How a broadcast reads for residents, its preview summary, calm-wording hints and reports."""

from __future__ import annotations

import re
from collections.abc import Mapping

import bot.broadcasts.texts  # noqa: F401  (registers the catalog entries)
from bot.core.feature import OutboxPresenter
from bot.core.gsm import segments, to_gsm7
from bot.core.i18n import CATALOG, t
from bot.core.messages import Button, Reply

# Price of one SMS segment in DKK for the cost estimate (Twilio's Danish list price, rounded).
SMS_SEGMENT_PRICE_DKK = 0.45
ALARMING_WORDS = ("panik", "panic", "farlig", "dangerous", "bande", "gang", "rædsel", "terror")


def render_text(kind: str, text: str, lang: str, area_names: list[str] | None) -> str:
    """The message body residents get: a short header for broadcasts, the text, alert advice."""
    if kind == "alert":
        areas = ", ".join(area_names) if area_names else t("bc.all_areas", lang)
        head = t("bc.header.alert", lang, areas=areas)
        return f"{head}\n\n{text.strip()}\n\n{t('bc.footer.alert', lang)}"
    if kind in ("tip", "announcement"):
        return f"{t(f'bc.header.{kind}', lang)}\n\n{text.strip()}"
    return text


def render_reply(
    kind: str,
    text: str,
    lang: str,
    area_names: list[str] | None,
    buttons: list[list[list[str]]] | None,
) -> Reply:
    rows = [[Button(label, data) for label, data in row] for row in buttons or []]
    return Reply(render_text(kind, text, lang, area_names), rows)


def sms_segments(kind: str, text: str, lang: str, area_names: list[str] | None) -> int:
    return segments(to_gsm7(render_text(kind, text, lang, area_names)))


def danish_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def summary(
    counts: Mapping[str, int], kind: str, text: str, lang: str, area_names: list[str] | None
) -> str:
    """Recipients per channel and the SMS segments/cost estimate."""
    per = sms_segments(kind, text, lang, area_names)
    sms = counts.get("sms", 0)
    cost = f"{per * sms * SMS_SEGMENT_PRICE_DKK:.2f}"
    return t(
        "bc.summary",
        lang,
        total=danish_number(sum(counts.values())),
        telegram=danish_number(counts.get("telegram", 0)),
        sms=danish_number(sms),
        segments=per,
        cost=cost.replace(".", ",") if lang == "da" else cost,
    )


def calm_warnings(text: str, lang: str) -> list[str]:
    """Hints when wording is likely to spread insecurity rather than calm."""
    found = []
    letters = [c for c in text if c.isalpha()]
    upper_words = re.findall(r"\b[A-ZÆØÅ]{4,}\b", text)
    if letters and (
        sum(c.isupper() for c in letters) / len(letters) > 0.5 or len(upper_words) >= 2
    ):
        found.append(t("bc.warn.caps", lang))
    if text.count("!") >= 2:
        found.append(t("bc.warn.exclaim", lang))
    lowered = text.casefold()
    words = [w for w in ALARMING_WORDS if re.search(rf"\b{w}", lowered)]
    if words:
        found.append(t("bc.warn.words", lang, words=", ".join(words)))
    return found


def progress_text(lang: str, counts: Mapping[str, Mapping[str, int]], total: int) -> str:
    """ "Sendt 420 af 1.250 · Telegram 900 · SMS 350": settled deliveries per channel."""
    settled = {
        ch: sum(n for st, n in by.items() if st not in ("queued", "sending"))
        for ch, by in counts.items()
    }
    return t(
        "bc.progress",
        lang,
        done=danish_number(sum(settled.values())),
        total=danish_number(total),
        telegram=danish_number(settled.get("telegram", 0)),
        sms=danish_number(settled.get("sms", 0)),
    )


CHANNEL_NAMES = {"telegram": "Telegram", "sms": "SMS"}


def report_text(
    lang: str,
    broadcast_id: int,
    kind: str,
    area_names: list[str] | None,
    counts: Mapping[str, Mapping[str, int]],
    reasons: Mapping[str, Mapping[str, int]],
) -> str:
    """Delivered / not delivered per channel, with the reasons for the failures."""
    rows = []
    for channel in sorted(counts):
        by = counts[channel]
        delivered = by.get("sent", 0) + by.get("delivered", 0)
        failed = sum(n for st, n in by.items() if st not in ("sent", "delivered"))
        why = reasons.get(channel, {})
        listed = "; ".join(f"{n}× {reason}" for reason, n in sorted(why.items()))
        rows.append(
            t(
                "bc.report.row",
                lang,
                channel=CHANNEL_NAMES.get(channel, channel),
                delivered=danish_number(delivered),
                failed=danish_number(failed),
                reasons=f" ({listed})" if listed else "",
            )
        )
    areas = ", ".join(area_names) if area_names else t("bc.all_areas", lang)
    kind_name = t(f"bc.kind.{kind}", lang) if f"bc.kind.{kind}" in CATALOG else kind
    return t("bc.report", lang, kind=kind_name, id=broadcast_id, areas=areas, rows="\n".join(rows))


PRESENTER = OutboxPresenter(render=render_reply, progress=progress_text, report=report_text)
