"""Texts for the monthly hotspot report, its chart and its button, Danish first then English."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

TEXTS: Catalog = {
    "report.heading": {"da": "Månedsrapport for {month}", "en": "Monthly report for {month}"},
    "report.total": {"da": "Indbrud i alt: {total}.", "en": "Burglaries in total: {total}."},
    "report.hotspots": {"da": "Hotspots: {spots}.", "en": "Hotspots: {spots}."},
    "report.hotspot": {
        "da": "{area} ({last} mod gns. {avg12})",
        "en": "{area} ({last} against avg. {avg12})",
    },
    "report.no_hotspots": {"da": "Ingen hotspots.", "en": "No hotspots."},
    "report.hotspot_rule": {
        "da": "Et område er hotspot, når månedens indbrud er mindst 50 % over områdets eget "
        "gennemsnit for de foregående 12 måneder og mindst 2 flere.",
        "en": "An area is a hotspot when the month's burglaries are at least 50% above the "
        "area's own average for the previous 12 months and at least 2 more.",
    },
    "report.table_heading": {
        "da": "Indbrud (måned / gns. 3 mdr. / gns. 12 mdr.) og nabohjælpere (ændring):",
        "en": "Burglaries (month / avg. 3 months / avg. 12 months) and neighbour helpers (change):",
    },
    # The Danish line has always said "nabohjælpere" whatever the count; kept as it reads today.
    "report.area_line.one": {
        "da": "{area}: {last} / {avg3} / {avg12} - {count} nabohjælpere ({change})",
        "en": "{area}: {last} / {avg3} / {avg12} - {count} neighbour helper ({change})",
    },
    "report.area_line.other": {
        "da": "{area}: {last} / {avg3} / {avg12} - {count} nabohjælpere ({change})",
        "en": "{area}: {last} / {avg3} / {avg12} - {count} neighbour helpers ({change})",
    },
    "report.tips": {"da": "Tips pr. kategori: {tips}.", "en": "Tips per category: {tips}."},
    "report.tip_count": {"da": "{category}: {count}", "en": "{category}: {count}"},
    "report.no_tips": {"da": "Ingen tips i måneden.", "en": "No tips this month."},
    "report.median_ack": {
        "da": "Median tid til kvittering: {hours} timer.",
        "en": "Median time to acknowledgement: {hours} hours.",
    },
    "report.meetings": {"da": "Møder afholdt: {meetings}.", "en": "Meetings held: {meetings}."},
    "report.meeting": {"da": "{title} ({count} tilmeldte)", "en": "{title} ({count} attending)"},
    "report.no_meetings": {"da": "Ingen møder i måneden.", "en": "No meetings this month."},
    "report.show_chart": {"da": "Vis grafen (PNG)", "en": "Show the chart (PNG)"},
    "report.chart_failed": {
        "da": "Grafen kunne ikke tegnes lige nu. Prøv igen om lidt.",
        "en": "The chart could not be drawn just now. Please try again in a moment.",
    },
    "report.file": {"da": "rapport-{month}.png", "en": "report-{month}.png"},
    "report.chart.avg3": {"da": "Gns. 3 mdr.", "en": "Avg. 3 months"},
    "report.chart.avg12": {"da": "Gns. 12 mdr.", "en": "Avg. 12 months"},
    "report.chart.burglaries_title": {
        "da": "Indbrud pr. område - {month} (rød = hotspot)",
        "en": "Burglaries per area - {month} (red = hotspot)",
    },
    "report.chart.burglaries_axis": {"da": "Antal indbrud", "en": "Number of burglaries"},
    "report.chart.helpers_title": {
        "da": "Nabohjælpere pr. område (ændring i måneden)",
        "en": "Neighbour helpers per area (change this month)",
    },
    "report.chart.helpers_axis": {"da": "Nabohjælpere", "en": "Neighbour helpers"},
}

register_texts(TEXTS)
