"""How a broadcast reads for residents, its preview summary, calm-wording hints and reports."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import bot.broadcasts.texts  # noqa: F401  (registers the catalog entries)
from bot.broadcasts.wording import CalmWarning
from bot.core.feature import OutboxPresenter
from bot.core.i18n import CATALOG, money, number, t, tn
from bot.core.messages import Button, Reply


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
    """A queued broadcast as the dispatcher sends it: the rendered text and its buttons."""
    rows = [[Button(label, data) for label, data in row] for row in buttons or []]
    return Reply(render_text(kind, text, lang, area_names), rows)


def summary(recipients: Mapping[str, int], sms_segments: int, sms_cost: Decimal, lang: str) -> str:
    """Recipients per channel and the SMS segments/cost estimate."""
    reach = t(
        "bc.summary.recipients",
        lang,
        total=number(sum(recipients.values()), lang),
        telegram=number(recipients.get("telegram", 0), lang),
        sms=number(recipients.get("sms", 0), lang),
    )
    cost = tn("bc.summary.sms", lang, sms_segments, cost=money(sms_cost, lang))
    return f"{reach}\n{cost}"


def sms_version(sms_text: str, sms_segments: int, lang: str) -> str:
    """The text SMS recipients get, with how many segments it costs each."""
    return tn("bc.preview.sms", lang, sms_segments, body=sms_text)


def warning_texts(warnings: list[CalmWarning], lang: str) -> list[str]:
    """The calm-wording findings as hints for the sender."""
    return [t(f"bc.warn.{w.code}", lang, words=", ".join(w.words)) for w in warnings]


def progress_text(lang: str, counts: Mapping[str, Mapping[str, int]], total: int) -> str:
    """ "Sendt 420 af 1.250 · Telegram 900 · SMS 350": settled deliveries per channel."""
    settled = {
        ch: sum(n for st, n in by.items() if st not in ("queued", "sending"))
        for ch, by in counts.items()
    }
    return t(
        "bc.progress",
        lang,
        done=number(sum(settled.values()), lang),
        total=number(total, lang),
        telegram=number(settled.get("telegram", 0), lang),
        sms=number(settled.get("sms", 0), lang),
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
        listed = "; ".join(f"{number(n, lang)}× {reason}" for reason, n in sorted(why.items()))
        rows.append(
            t(
                "bc.report.row",
                lang,
                channel=CHANNEL_NAMES.get(channel, channel),
                delivered=number(delivered, lang),
                failed=number(failed, lang),
                reasons=f" ({listed})" if listed else "",
            )
        )
    areas = ", ".join(area_names) if area_names else t("bc.all_areas", lang)
    kind_name = t(f"bc.kind.{kind}", lang) if f"bc.kind.{kind}" in CATALOG else kind
    return t("bc.report", lang, kind=kind_name, id=broadcast_id, areas=areas, rows="\n".join(rows))


PRESENTER = OutboxPresenter(render=render_reply, progress=progress_text, report=report_text)
