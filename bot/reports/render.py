"""How the monthly report reads: its text and its two-panel PNG chart, in the reader's language."""

from __future__ import annotations

import io
from datetime import date

from bot.core.i18n import month_text, number, t, tn
from bot.reports import texts as _texts  # noqa: F401  (registers the report's texts)
from bot.reports.services import MonthlyReport


def month_label(month: date, lang: str) -> str:
    """ "november 2026" / "November 2026"."""
    return month_text(month, lang)


def chart_filename(month: date, lang: str) -> str:
    return t("report.file", lang, month=f"{month:%Y-%m}")


def _one_decimal(value: float) -> str:
    # The report has always written averages with a decimal point (0.3), in Danish too; coordinators
    # compare them with earlier reports, so the figures keep that form rather than Babel's comma.
    return f"{value:.1f}"


def _change(value: int) -> str:
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
                change=_change(a.helper_change),
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
    return "\n".join(lines)


def render_png(report: MonthlyReport, lang: str) -> bytes:
    """A two-panel chart: burglaries against their baselines, and neighbour helpers per area."""
    # matplotlib is heavy and only needed when a chart is drawn.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    month = month_label(report.month, lang)
    names = [a.name for a in report.areas]
    x = list(range(len(names)))
    # The object-oriented API keeps no global pyplot state between reports.
    figure = Figure(figsize=(10, 8), dpi=100)
    top, bottom = figure.subplots(2, 1)
    width = 0.27
    colours = ["#c0392b" if a.hotspot else "#2c7fb8" for a in report.areas]
    top.bar(
        [i - width for i in x], [a.last for a in report.areas], width, color=colours, label=month
    )
    top.bar(
        x,
        [a.avg3 for a in report.areas],
        width,
        color="#9ecae1",
        label=t("report.chart.avg3", lang),
    )
    top.bar(
        [i + width for i in x],
        [a.avg12 for a in report.areas],
        width,
        color="#cccccc",
        label=t("report.chart.avg12", lang),
    )
    top.set_title(t("report.chart.burglaries_title", lang, month=month))
    top.set_ylabel(t("report.chart.burglaries_axis", lang))
    top.set_xticks(x, names, rotation=20, ha="right")
    top.legend()
    bottom.bar(x, [a.helpers for a in report.areas], color="#31a354")
    for i, a in enumerate(report.areas):
        bottom.annotate(_change(a.helper_change), (i, a.helpers), ha="center", va="bottom")
    bottom.set_title(t("report.chart.helpers_title", lang))
    bottom.set_ylabel(t("report.chart.helpers_axis", lang))
    bottom.set_xticks(x, names, rotation=20, ha="right")
    # People are counted whole: no 0.5 helper on the axis.
    bottom.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
