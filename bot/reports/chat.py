"""The monthly report's "Vis grafen" button: the chart as a file for coordinators and representatives."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.core.conversation import Router, Turn
from bot.core.messages import Reply
from bot.reports.hotspots import build_report, month_label, render_png


def register(router: Router) -> None:
    """Attach the chart button."""

    @router.callback("report")
    async def report_png(turn: Turn) -> None:
        if not await turn.is_staff():
            turn.say("coordinators_only")
            return
        month = date.fromisoformat(f"{(turn.inbound.callback or '').split(':')[2]}-01")
        report = await build_report(session=turn.session, month=month, tz=turn.settings.tz)
        turn.replies.append(
            Reply(
                month_label(month),
                # matplotlib is slow and synchronous: keep it off the event loop.
                attachment=(
                    f"rapport-{month:%Y-%m}.png",
                    await asyncio.to_thread(render_png, report),
                ),
            )
        )
