"""Reading area files (GeoJSON FeatureCollection or CSV name,postcode) with line-numbered errors."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import shape


@dataclass(frozen=True)
class AreaRow:
    name: str
    postcode: str | None
    polygon_wkt: str | None


class AreaFileError(ValueError):
    """A bad area file; the message names the line or feature."""


def read_area_file(path: Path) -> list[AreaRow]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".json", ".geojson") or text.lstrip().startswith("{"):
        return _read_geojson(text)
    return _read_csv(text)


def _clean_postcode(raw: object, where: str) -> str | None:
    value = str(raw).strip() if raw not in (None, "") else None
    if value is not None and not (value.isdigit() and len(value) == 4):
        raise AreaFileError(f"{where}: postcode {value!r} must be four digits")
    return value


def _read_geojson(text: str) -> list[AreaRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AreaFileError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise AreaFileError("line 1: expected a GeoJSON FeatureCollection")
    rows = []
    for index, feature in enumerate(data.get("features") or [], start=1):
        where = f"feature {index}"
        props = (feature or {}).get("properties") or {}
        name = str(props.get("name") or "").strip()
        if not name:
            raise AreaFileError(f"{where}: property 'name' is missing")
        polygon = None
        if feature.get("geometry"):
            try:
                geometry = shape(feature["geometry"])
            except Exception as exc:
                raise AreaFileError(f"{where} ({name}): bad geometry: {exc}") from None
            if geometry.geom_type not in ("Polygon", "MultiPolygon") or not geometry.is_valid:
                raise AreaFileError(f"{where} ({name}): geometry must be a valid Polygon")
            polygon = geometry.wkt
        rows.append(AreaRow(name, _clean_postcode(props.get("postcode"), where), polygon))
    if not rows:
        raise AreaFileError("line 1: the FeatureCollection has no features")
    return rows


def _read_csv(text: str) -> list[AreaRow]:
    reader = csv.reader(io.StringIO(text))
    rows = []
    for line_no, record in enumerate(reader, start=1):
        if not record or not "".join(record).strip():
            continue
        if line_no == 1 and record[0].strip().casefold() == "name":
            continue
        if len(record) > 2:
            raise AreaFileError(f"line {line_no}: expected name,postcode")
        name = record[0].strip()
        if not name:
            raise AreaFileError(f"line {line_no}: name is empty")
        postcode = _clean_postcode(record[1] if len(record) > 1 else None, f"line {line_no}")
        rows.append(AreaRow(name, postcode, None))
    if not rows:
        raise AreaFileError("line 1: the file has no areas")
    return rows
