"""The monthly report's "Vis grafen" button: the chart as a file for coordinators and representatives."""

from __future__ import annotations

import logging

from bot.core.callbacks import Pattern
from bot.core.conversation import Router, Turn
from bot.core.messages import Reply
from bot.reports import draw
from bot.reports.draw import ChartError, draw_chart
from bot.reports.render import chart_filename, month_label
from bot.reports.services import build_report
from storage import reports as report_store

log = logging.getLogger(__name__)

REPORT_CHART = Pattern("report:png:{month:month}")


async def report_png(turn: Turn) -> None:
    """`report:png:YYYY-MM`: that month's chart in the presser's language.

    The chart the report went out with, when there is one: it shows the figures of the text the
    button sits under and costs no drawing. Otherwise it is drawn, within the turn's deadline
    (twice the database timeout) so a slow drawing is "try again", not a database outage.
    """
    if not await turn.is_staff():
        turn.say("coordinators_only")
        return
    month = turn.pressed.month("month")
    lang = turn.lang
    name = chart_filename(month, lang)
    try:
        chart = await report_store.queued_chart(session=turn.session, name=name)
        if chart is None:
            report = await build_report(session=turn.session, month=month, tz=turn.settings.tz)
            limit = min(draw.CHART_TIMEOUT, turn.settings.db_timeout * 1.5)
            chart = await draw_chart(report, lang, limit=limit)
    except ChartError as exc:
        log.error("chart for %s: %s", f"{month:%Y-%m}", exc)
        turn.say("report.chart_failed")
        return
    turn.replies.append(Reply(month_label(month, lang), attachment=(name, chart)))


def register(router: Router) -> None:
    """Attach the chart button."""
    router.callback("report", REPORT_CHART)(report_png)
