"""Reports: burglary figures, hotspots and the monthly report for coordinators."""

from __future__ import annotations

from datetime import timedelta

import typer

from bot.core.feature import Feature, Job, JobContext
from bot.reports import chat
from bot.reports.cli import burglaries_cli, report_cli
from bot.reports.monthly import monthly_report_job


def attach_cli(root: typer.Typer) -> None:
    root.add_typer(burglaries_cli, name="burglaries")
    root.add_typer(report_cli, name="report")


async def monthly(context: JobContext) -> int:
    """The job itself waits for 09:00 on the 1st and sends the report once."""
    return await monthly_report_job(
        db=context.db,
        settings=context.settings,
        now=context.now,
        representatives=context.report_to_representatives,
    )


FEATURE = Feature(
    name="reports",
    chat=chat.register,
    cli=attach_cli,
    jobs=[Job("monthly-report", monthly, timedelta(seconds=60))],
)
