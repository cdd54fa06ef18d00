"""One typed parser for button data: patterns like "rsvp:{event:id}:{answer:yes|no}".

Button data is input like any other (a Telegram client can send any callback data, an SMS
number presses a stored one), so it is matched against the patterns its handler declares and
anything else is refused before a handler sees it: no int() of arbitrary text, no unpacking of a
split() of unknown length.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

# Telegram allows 64 bytes; SMS numbered picks merge several ("area:set:1,3,5"), so a little more.
MAX_DATA = 256
MAX_ID = 2**31 - 1  # an INTEGER primary key
MAX_NUM = 9999
MAX_IDS = 50
ID = re.compile(r"[1-9][0-9]{0,9}")
NUM = re.compile(r"0|[1-9][0-9]{0,3}")
# Keys we write ourselves (tip categories, kinds): lowercase letters, digits, _ and -.
KEY = re.compile(r"[a-z0-9_\-æøå]{1,40}")
MONTH = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")
# A ":" outside braces separates segments; the one inside "{name:type}" does not.
SEPARATOR = re.compile(r":(?![^{}]*\})")
FIELD = re.compile(r"\{([a-z_]+):([^{}:]+)\}")
TYPES = ("id", "num", "ids", "key", "month")

Value = int | str | tuple[int, ...] | date


def _one_id(text: str) -> int | None:
    if not ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def _convert(kind: str, choices: frozenset[str], text: str) -> Value | None:
    """The typed value of one segment, or None when it is malformed."""
    if choices:
        return text if text in choices else None
    if kind == "id":
        return _one_id(text)
    if kind == "num":
        return int(text) if NUM.fullmatch(text) else None
    if kind == "ids":
        parts = text.split(",")
        if len(parts) > MAX_IDS:
            return None
        ids = [_one_id(p) for p in parts]
        if any(i is None for i in ids):
            return None
        return tuple(dict.fromkeys(i for i in ids if i is not None))
    if kind == "key":
        return text if KEY.fullmatch(text) else None
    found = MONTH.fullmatch(text)
    return date(int(found[1]), int(found[2]), 1) if found else None


@dataclass(frozen=True)
class _Segment:
    literal: str | None  # a fixed word, or None for a field
    name: str = ""
    kind: str = ""
    choices: frozenset[str] = frozenset()


class Pattern:
    """A button's data shape: literal words and typed fields separated by ":".

    Fields are `{name:TYPE}` with TYPE one of id (1..2^31-1), num (0..9999), ids (comma-separated
    ids), key (a lowercase word we wrote), month (YYYY-MM), or `{name:a|b|c}` for one of fixed
    words. The first segment is a literal: the prefix the router routes by.
    """

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.segments: list[_Segment] = []
        for part in SEPARATOR.split(spec):
            found = FIELD.fullmatch(part)
            if found is None:
                if not part or "{" in part or "}" in part:
                    raise ValueError(f"bad pattern segment {part!r} in {spec!r}")
                self.segments.append(_Segment(part))
                continue
            name, kind = found[1], found[2]
            if "|" in kind:
                choices = frozenset(kind.split("|"))
                if "" in choices:
                    raise ValueError(f"empty choice in {spec!r}")
                self.segments.append(_Segment(None, name, "choice", choices))
            elif kind not in TYPES:
                raise ValueError(f"unknown field type {kind!r} in {spec!r}")
            else:
                self.segments.append(_Segment(None, name, kind))
        names = [s.name for s in self.segments if s.literal is None]
        if len(names) != len(set(names)):
            raise ValueError(f"a field name repeats in {spec!r}")
        first = self.segments[0].literal
        if first is None:
            raise ValueError(f"pattern {spec!r} must start with a literal prefix")
        self.prefix = first

    def __repr__(self) -> str:
        return f"Pattern({self.spec!r})"

    def match(self, data: str | None) -> Pressed | None:
        """The typed fields when `data` has this shape, else None (never raises)."""
        if not isinstance(data, str) or not data or len(data) > MAX_DATA:
            return None
        parts = data.split(":")
        if len(parts) != len(self.segments):
            return None
        values: dict[str, Value] = {}
        for segment, text in zip(self.segments, parts, strict=True):
            if segment.literal is not None:
                if text != segment.literal:
                    return None
                continue
            value = _convert(segment.kind, segment.choices, text)
            if value is None:
                return None
            values[segment.name] = value
        return Pressed(self, values)

    def data(self, **values: object) -> str:
        """The button data for these field values (the inverse of match)."""
        parts = []
        for s in self.segments:
            if s.literal is not None:
                parts.append(s.literal)
                continue
            value = values[s.name]
            if isinstance(value, date):
                parts.append(f"{value:%Y-%m}")
            elif isinstance(value, list | tuple):
                parts.append(",".join(str(v) for v in value))
            else:
                parts.append(str(value))
        return ":".join(parts)


@dataclass(frozen=True)
class Pressed:
    """A button press that matched a pattern, with typed access to its fields."""

    pattern: Pattern
    values: Mapping[str, Value]

    def is_(self, pattern: Pattern) -> bool:
        return self.pattern is pattern

    def id(self, name: str) -> int:
        """An id or num field."""
        value = self.values[name]
        if not isinstance(value, int):
            raise TypeError(f"{name} is not a number in {self.pattern}")
        return value

    def ids(self, name: str) -> list[int]:
        value = self.values[name]
        if not isinstance(value, tuple):
            raise TypeError(f"{name} is not a list of ids in {self.pattern}")
        return list(value)

    def word(self, name: str) -> str:
        """A key or choice field."""
        value = self.values[name]
        if not isinstance(value, str):
            raise TypeError(f"{name} is not a word in {self.pattern}")
        return value

    def month(self, name: str) -> date:
        value = self.values[name]
        if not isinstance(value, date):
            raise TypeError(f"{name} is not a month in {self.pattern}")
        return value


def parse(data: str | None, *patterns: Pattern) -> Pressed | None:
    """The first of `patterns` that `data` matches, or None."""
    for pattern in patterns:
        pressed = pattern.match(data)
        if pressed is not None:
            return pressed
    return None
