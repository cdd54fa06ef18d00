"""The monthly report's chart, drawn by matplotlib in a child process so replies never wait on it.

Drawing takes about half a second of pure CPU. In the bot's own process it would hold the GIL
(a thread does not help), and every reply in that time would wait: `draw_chart` runs
`python -m bot.reports.draw` instead, handing it the report on stdin and reading the file back.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.i18n import t
from bot.reports.render import change_text, month_label
from bot.reports.services import MonthlyReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The formats `nabovagt report monthly --out` writes, by file suffix; PNG otherwise.
CHART_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
# A chart that takes longer than this is not coming: the child is killed.
CHART_TIMEOUT = 60.0
ROOT = Path(__file__).resolve().parents[2]


class ChartError(RuntimeError):
    """The chart could not be drawn (the child failed or took too long); the message says why."""


def draw_figure(report: MonthlyReport, lang: str) -> Figure:
    """A two-panel chart: burglaries against their baselines, and neighbour helpers per area."""
    # matplotlib is heavy and only needed where a chart is drawn (the child, the CLI).
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
        bottom.annotate(change_text(a.helper_change), (i, a.helpers), ha="center", va="bottom")
    bottom.set_title(t("report.chart.helpers_title", lang))
    bottom.set_ylabel(t("report.chart.helpers_axis", lang))
    bottom.set_xticks(x, names, rotation=20, ha="right")
    # Burglaries and people are counted whole: no 0.5 helper or 2.5 burglaries on an axis.
    for axes in (top, bottom):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.tight_layout()
    return figure


def render_chart(report: MonthlyReport, lang: str, fmt: str = "png") -> bytes:
    """The chart as PNG, PDF or SVG bytes, drawn here (blocking; the CLI and the child use it)."""
    buffer = io.BytesIO()
    draw_figure(report, lang).savefig(buffer, format=fmt)
    return buffer.getvalue()


async def draw_chart(
    report: MonthlyReport, lang: str, fmt: str = "png", *, limit: float | None = None
) -> bytes:
    """The chart drawn by a child process; ChartError when it fails or takes over `limit` s."""
    limit = CHART_TIMEOUT if limit is None else limit
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.reports.draw",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        async with asyncio.timeout(limit):
            out, err = await child.communicate(pickle.dumps((report, lang, fmt)))
    except TimeoutError:
        raise ChartError(f"drawing the chart took longer than {limit:.0f} s") from None
    finally:
        if child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()
    if child.returncode != 0 or not out:
        lines = err.decode(errors="replace").strip().splitlines()
        reason = lines[-1] if lines else f"exit status {child.returncode}"
        raise ChartError(f"drawing the chart failed: {reason}")
    return out


def main() -> None:
    """The child: (report, lang, fmt) pickled on stdin, the chart's bytes on stdout."""
    # On a small machine the bot's replies come first; a chart may take a moment longer.
    with contextlib.suppress(OSError):
        os.nice(10)
    report, lang, fmt = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(render_chart(report, lang, fmt))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
