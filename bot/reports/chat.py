"""The monthly report's "Vis grafen" button: the chart as a file for coordinators and representatives."""

from __future__ import annotations

import asyncio

from bot.core.callbacks import Pattern
from bot.core.conversation import Router, Turn
from bot.core.messages import Reply
from bot.reports.render import chart_filename, month_label, render_png
from bot.reports.services import build_report

REPORT_CHART = Pattern("report:png:{month:month}")


async def report_png(turn: Turn) -> None:
    """`report:png:YYYY-MM`: that month's chart, drawn in the presser's language."""
    if not await turn.is_staff():
        turn.say("coordinators_only")
        return
    month = turn.pressed.month("month")
    report = await build_report(session=turn.session, month=month, tz=turn.settings.tz)
    lang = turn.lang
    # matplotlib is slow and synchronous: keep it off the event loop.
    chart = await asyncio.to_thread(render_png, report, lang)
    turn.replies.append(
        Reply(month_label(month, lang), attachment=(chart_filename(month, lang), chart))
    )


def register(router: Router) -> None:
    """Attach the chart button."""
    router.callback("report", REPORT_CHART)(report_png)
