"""The safety-walk demo script, from invitation to a fixed observation and a protocol PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.app.cli import cli
from bot.app.demo import run_demo

ROOT = Path(__file__).resolve().parents[1]

# About 16 s (five `:cli` steps, each waiting for the replies they trigger): with the slow ones.
pytestmark = pytest.mark.slow


async def test_demo_walk_script_ends_in_news_for_the_walkers_and_a_protocol_with_the_photo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # the script writes walk-protokol.pdf into the current folder
    script = (ROOT / "examples" / "demo-walk.txt").read_text(encoding="utf-8").splitlines()
    assert await run_demo(script, commands=cli) == 0
    out = capsys.readouterr().out
    assert "demo script passed" in out and "FAILED" not in out
    # The walkers' news came once per person: Karen on Telegram, the SMS resident by SMS.
    assert out.count("Tak fordi du gik med!") == 2
    assert "2 observation(s), 1 photo(s); protocol written to walk-protokol.pdf" in out
    reader = PdfReader(io.BytesIO((tmp_path / "walk-protokol.pdf").read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for part in (
        "Rapport fra tryghedsvandring: Aftenvandring i Farum",
        "Dårlig belysning (1)",
        "Lampen på stien bag Bybjerget",
        "Ejer: Kommunen (veje)",
        "Status: Udbedret",
        "Note: Elektrikeren har skiftet lampen",
        "Sted: Bybjerget 12",
        "Ejer: Boligselskabet",
        "Frist: 31. januar 2027",
        "Status: Udbedres ikke",
    ):
        assert part in text, part
    assert [image.name for page in reader.pages for image in page.images]  # Karen's photo
