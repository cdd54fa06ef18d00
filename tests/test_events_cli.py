"""The command line for events, burglary figures and reports, on a freshly migrated database."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Nabovagt


def test_events_add_list_show_cancel(nabovagt: Nabovagt) -> None:
    assert nabovagt("areas", "add", "Farum", "--postcode", "3520").exit_code == 0
    added = nabovagt(
        "events", "add", "--kind", "borgermøde", "--title", "Borgermøde om tryghed",
        "--at", "2099-12-03 19:00", "--place", "Farum Kulturhus", "--area", "Farum",
        "--capacity", "80", "--reminders", "7d,1d,2h", "--yes",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("event 1 created; invitation queued for 0")
    listed = nabovagt("events", "list")
    assert "Borgermøde om tryghed" in listed.stdout and "3. december kl. 19:00" in listed.stdout
    shown = nabovagt("events", "show", "1")
    assert "areas: Farum" in shown.stdout and "coming 0/80" in shown.stdout
    assert "2099-12-02 19:00 CET pending" in shown.stdout
    assert "2099-12-03 17:00 CET pending" in shown.stdout
    kept = nabovagt("events", "cancel", "1", stdin="n\n")
    assert kept.exit_code == 1
    assert "0 invited will be told of the cancellation" in kept.stdout
    assert "pending" in nabovagt("events", "show", "1").stdout
    cancelled = nabovagt("events", "cancel", "1", stdin="y\n")
    assert cancelled.exit_code == 0 and "event 1 cancelled" in cancelled.stdout
    shown = nabovagt("events", "show", "1")
    assert "(CANCELLED)" in shown.stdout and "pending" not in shown.stdout


def test_events_add_refuses_bad_input(nabovagt: Nabovagt) -> None:
    nabovagt("areas", "add", "Farum")
    base = ["events", "add", "--kind", "borgermøde", "--title", "X", "--place", "Y", "--yes"]
    past = nabovagt(*base, "--at", "2001-01-01 19:00", "--area", "Farum")
    assert past.exit_code == 2 and "future" in past.stderr
    bad = nabovagt(*base, "--at", "i morgen", "--area", "Farum")
    assert bad.exit_code == 2 and "2026-12-03 19:00" in bad.stderr
    nowhere = nabovagt(*base, "--at", "2099-01-01 19:00", "--area", "Atlantis")
    assert nowhere.exit_code == 2 and "Atlantis" in nowhere.stderr


def test_burglaries_import_is_all_or_nothing_and_the_report_renders(
    nabovagt: Nabovagt, tmp_path: Path
) -> None:
    nabovagt("areas", "add", "Farum")
    nabovagt("areas", "add", "Værløse")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,area\n2026-11-02,Farum\n2026-13-01,Farum\n2026-11-03,Atlantis\n")
    result = nabovagt("burglaries", "import", str(bad))
    assert result.exit_code == 2
    assert "line 3" in result.stderr and "line 4" in result.stderr
    assert "nothing was imported" in result.stderr
    rows = ["date,area,address,kind"] + [f"2026-11-{d:02d},Farum,Vej {d},villa" for d in (1, 2, 3)]
    rows += ["2026-10-05,Vaerloese", "05-11-2026,Værløse"]
    good = tmp_path / "good.csv"
    good.write_text("\n".join(rows) + "\n")
    assert "imported 5 burglaries" in nabovagt("burglaries", "import", str(good)).stdout
    added = nabovagt("burglaries", "add", "--date", "2026-11-20", "--area", "Farum")
    assert added.exit_code == 0, added.output
    out = tmp_path / "report.png"
    report = nabovagt("report", "monthly", "--month", "2026-11", "--out", str(out))
    assert report.exit_code == 0, report.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Månedsrapport for november 2026" in report.stdout
    assert "Hotspots: Farum (4 mod gns. 0.0)" in report.stdout
    assert "Værløse: 1 / 0.3 / 0.1" in report.stdout
