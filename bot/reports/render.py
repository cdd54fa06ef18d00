"""How the monthly report reads: its text and the chart's file name, in the reader's language."""

from __future__ import annotations

from datetime import date

from bot.core.i18n import month_text, number, t, tn
from bot.reports import texts as _texts  # noqa: F401  (registers the report's texts)
from bot.reports.services import MonthlyReport
from bot.walks.services import followup_line


def month_label(month: date, lang: str) -> str:
    """ "november 2026" / "November 2026"."""
    return month_text(month, lang)


def chart_filename(month: date, lang: str) -> str:
    return t("report.file", lang, month=f"{month:%Y-%m}")


def _one_decimal(value: float) -> str:
    # The report has always written averages with a decimal point (0.3), in Danish too; coordinators
    # compare them with earlier reports, so the figures keep that form rather than Babel's comma.
    return f"{value:.1f}"


def change_text(value: int) -> str:
    return f"{value:+d}"


def report_text(report: MonthlyReport, lang: str) -> str:
    """The short text that goes with the chart."""
    lines = [t("report.heading", lang, month=month_label(report.month, lang)), ""]
    lines.append(t("report.total", lang, total=number(report.total, lang)))
    if report.hotspots:
        spots = ", ".join(
            t("report.hotspot", lang, area=a.name, last=a.last, avg12=_one_decimal(a.avg12))
            for a in report.hotspots
        )
        lines.append(t("report.hotspots", lang, spots=spots))
    else:
        lines.append(t("report.no_hotspots", lang))
    lines.append(t("report.hotspot_rule", lang))
    lines.append("")
    lines.append(t("report.table_heading", lang))
    for a in report.areas:
        lines.append(
            tn(
                "report.area_line",
                lang,
                a.helpers,
                area=a.name,
                last=a.last,
                avg3=_one_decimal(a.avg3),
                avg12=_one_decimal(a.avg12),
                change=change_text(a.helper_change),
            )
        )
    if report.tips_by_category:
        tips = ", ".join(
            t("report.tip_count", lang, category=category, count=number(count, lang))
            for category, count in sorted(report.tips_by_category.items())
        )
        lines.append("\n" + t("report.tips", lang, tips=tips))
    else:
        lines.append("\n" + t("report.no_tips", lang))
    if report.median_ack_hours is not None:
        lines.append(t("report.median_ack", lang, hours=_one_decimal(report.median_ack_hours)))
    if report.meetings:
        held = ", ".join(
            t("report.meeting", lang, title=title, count=number(yes, lang))
            for title, yes in report.meetings
        )
        lines.append(t("report.meetings", lang, meetings=held))
    else:
        lines.append(t("report.no_meetings", lang))
    if report.walk_followup and (walks := followup_line(report.walk_followup, lang)):
        lines.append(walks)
    return "\n".join(lines)
