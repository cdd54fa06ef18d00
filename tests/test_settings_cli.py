"""Settings errors, the CLI's area and coordinator commands, and /healthz."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from bot.app.web import build_web_app
from storage.db import Database
from tests.cli_helpers import Nabovagt


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"TIMEZONE": "Europe/Atlantis"}, "TIMEZONE"),
        ({"HTTP_PORT": "eighty"}, "HTTP_PORT"),
        ({"TELEGRAM_TOKEN": "changeme"}, "TELEGRAM_TOKEN"),
        ({"COORDINATORS": "telegram:abc"}, "COORDINATORS"),
        (
            {"TWILIO_FROM": "nope!", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "abcdefgh"},
            "TWILIO_FROM",
        ),
        ({"TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"),
    ],
)
def test_bad_setting_stops_with_one_line_and_exit_2(
    env: dict[str, str], named: str, nabovagt: Nabovagt
) -> None:
    result = nabovagt("areas", "list", env=env)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_token_value_is_not_echoed(nabovagt: Nabovagt) -> None:
    result = nabovagt("run", env={"TELEGRAM_TOKEN": "no-colon-secret-value"})
    assert result.exit_code == 2
    assert "no-colon-secret-value" not in result.output


def test_area_import_is_all_or_nothing_with_line_numbers(
    nabovagt: Nabovagt, tmp_path: Path
) -> None:
    bad = tmp_path / "areas.csv"
    bad.write_text("name,postcode\nNordby,3520\n,3500\nSydby,35x0\n", encoding="utf-8")
    result = nabovagt("areas", "import", str(bad))
    assert (
        result.exit_code == 2
        and "line 3" in result.stderr
        and "nothing was imported" in result.stderr
    )
    listed = nabovagt("areas", "list")
    assert "Nordby" not in listed.stdout

    good = tmp_path / "areas.geojson"
    good.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Nordby", "postcode": "3520"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [[12.0, 55.0], [12.1, 55.0], [12.1, 55.1], [12.0, 55.0]]
                            ],
                        },
                    },
                    {"type": "Feature", "properties": {"name": "Sydby"}, "geometry": None},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = nabovagt("areas", "import", str(good))
    assert result.exit_code == 0, result.output
    shown = nabovagt("areas", "list").stdout
    assert "Nordby\t3520\tpolygon" in shown and "Sydby\t-\tno polygon" in shown


def test_geojson_with_bad_feature_names_it(nabovagt: Nabovagt, tmp_path: Path) -> None:
    bad = tmp_path / "areas.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"properties": {}}]}')
    result = nabovagt("areas", "import", str(bad))
    assert result.exit_code == 2 and "feature 1" in result.stderr


def test_coordinators_add_normalises_and_lists(nabovagt: Nabovagt) -> None:
    env = {"COORDINATORS": "telegram:7"}
    assert nabovagt("coordinators", "add", "tel:20 30 40 50", env=env).exit_code == 0
    refused = nabovagt("coordinators", "add", "bob", env=env)
    assert refused.exit_code == 2
    listed = nabovagt("coordinators", "list", env=env).stdout
    assert "tel:+4520304050\tdatabase" in listed and "telegram:7\tCOORDINATORS setting" in listed


async def _get(app, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_healthz_reports_the_database(db: Database) -> None:
    response = await _get(build_web_app(db, []), "/healthz")
    assert response.status_code == 200 and response.json() == {"db": "ok", "leader": False}
    down = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    response = await _get(build_web_app(down, []), "/healthz")
    assert response.status_code == 503 and response.json()["db"] != "ok"
    await down.dispose()
