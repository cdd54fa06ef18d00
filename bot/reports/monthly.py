"""The monthly hotspot report job: 09:00 local on the 1st, to coordinators, exactly once per month."""

from __future__ import annotations

import logging
from datetime import date, datetime

from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.settings import Settings
from bot.reports.draw import ChartError, draw_chart
from bot.reports.render import chart_filename, report_text
from bot.reports.services import build_report, previous_month
from storage import outbox, roles
from storage import reports as report_store
from storage.db import Database

log = logging.getLogger(__name__)

SEND_HOUR = 9
# A report missed while the bot was down still goes out during the first days of the month.
CATCH_UP_DAYS = 3


async def report_recipients(
    *, db: Database, settings: Settings, representatives: bool
) -> list[str]:
    """Coordinators (settings and granted roles), and representatives when asked for."""
    async with db.session() as session:
        wanted = [roles.COORDINATOR] + ([roles.REPRESENTATIVE] if representatives else [])
        granted = [r.urn for r in await roles.list_roles(session=session) if r.role in wanted]
    return list(dict.fromkeys([*settings.coordinator_urns, *granted]))


def report_key(month: date) -> str:
    """The dedupe key prefix of a month's report; each language's copy adds `:lang`."""
    return f"monthly-report:{month:%Y-%m}"


def chart_button(month: date, lang: str) -> Button:
    return Button(t("report.show_chart", lang), f"report:png:{month:%Y-%m}")


async def monthly_report_job(
    *, db: Database, settings: Settings, now: datetime, representatives: bool = False
) -> int:
    """Queue last month's report if it is time and it was not queued yet; return recipients."""
    local = now.astimezone(settings.tz)
    if local.day > CATCH_UP_DAYS or (local.day == 1 and local.hour < SEND_HOUR):
        return 0
    month = previous_month(now, settings.tz)
    urns = await report_recipients(db=db, settings=settings, representatives=representatives)
    if not urns:
        return 0
    key = report_key(month)
    async with db.session() as session:
        # The prefix also finds a report queued under the key without a language suffix.
        if await report_store.queued_with_key_prefix(session=session, prefix=key):
            return 0
        report = await build_report(session=session, month=month, tz=settings.tz)
        known = await report_store.languages_by_urn(session=session, urns=urns)
        by_lang: dict[str, list[str]] = {}
        for urn in urns:
            by_lang.setdefault(known.get(urn, settings.default_language), []).append(urn)
        total = 0
        for lang, group in by_lang.items():
            try:
                chart: tuple[str, bytes] | None = (
                    chart_filename(month, lang),
                    await draw_chart(report, lang),
                )
            except ChartError as exc:
                # The text is the report; the chart button still offers to draw it again.
                log.error("monthly report for %s without its chart: %s", f"{month:%Y-%m}", exc)
                chart = None
            queued = await outbox.enqueue_direct(
                session=session,
                urns=group,
                text=report_text(report, lang),
                kind="report",
                buttons=[[chart_button(month, lang)]],
                created_by="system",
                dedupe_key=f"{key}:{lang}",
                now=now,
                attachment=chart,
            )
            total += queued.total
    log.info("monthly report for %s queued for %d", f"{month:%Y-%m}", total)
    return total
