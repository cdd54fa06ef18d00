"""The Bot API JSON spec: loading it and checking a call's parameters against it."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.telegram.models import QUERY_TOO_OLD, TelegramApiError, UploadedFile, bad

# Real wording for a missing required parameter, where known; otherwise "<name> is empty".
MISSING_WORDING = {
    ("sendMessage", "text"): "Bad Request: message text is empty",
    ("editMessageText", "text"): "Bad Request: message text is empty",
    ("sendPhoto", "photo"): "Bad Request: there is no photo in the request",
    ("sendDocument", "document"): "Bad Request: there is no document in the request",
    ("answerCallbackQuery", "callback_query_id"): QUERY_TOO_OLD,
    ("getFile", "file_id"): "Bad Request: invalid file_id",
}


@dataclass
class MethodSpec:
    name: str
    fields: dict[str, dict[str, Any]]
    returns: list[str]


class Spec:
    """The parts of the Bot API JSON spec the fake checks calls against."""

    def __init__(self, path: Path) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = raw.get("version", "")
        self.methods: dict[str, MethodSpec] = {}
        for name, method in raw["methods"].items():
            fields = {f["name"]: f for f in method.get("fields", [])}
            self.methods[name.lower()] = MethodSpec(name, fields, list(method.get("returns", [])))
        self.types: dict[str, Any] = raw.get("types", {})

    def method(self, name: str) -> MethodSpec | None:
        return self.methods.get(name.lower())


def _coerce_one(value: Any, kind: str) -> tuple[bool, Any]:
    """Check one value against one spec type; return (ok, converted value)."""
    if kind == "Integer":
        if isinstance(value, bool):
            return False, value
        if isinstance(value, int):
            return True, value
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
            return True, int(value)
        return False, value
    if kind == "Float":
        if isinstance(value, bool):
            return False, value
        if isinstance(value, int | float):
            return True, float(value)
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return False, value
            return (math.isfinite(number), number)
        return False, value
    if kind == "Boolean":
        if isinstance(value, bool):
            return True, value
        if isinstance(value, int) and value in (0, 1):
            return True, bool(value)
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return True, value.lower() in ("true", "1")
        return False, value
    if kind == "String":
        if isinstance(value, str):
            return True, value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return True, str(value)
        return False, value
    if kind == "InputFile":
        return isinstance(value, UploadedFile), value
    want: type = list if kind.startswith("Array of ") else dict
    if isinstance(value, want):
        return True, value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return False, value
        if isinstance(parsed, want):
            return True, parsed
    return False, value


def _is_json_type(kinds: list[str]) -> bool:
    scalar = {"Integer", "Float", "Boolean", "String", "InputFile"}
    return any(k not in scalar for k in kinds)


def check_params(
    spec: MethodSpec,
    raw: dict[str, Any],
    files: dict[str, UploadedFile],
    violation: Callable[[str], None],
) -> dict[str, Any]:
    """Check names, types and required fields against the spec; return converted params.

    Every mismatch is reported to `violation`; the ones Telegram rejects also raise.
    """
    params: dict[str, Any] = {}
    attached = {
        ref
        for value in raw.values()
        for ref in re.findall(r"attach://([A-Za-z0-9_\-]+)", json.dumps(value))
    }
    for name in raw:
        if name not in spec.fields:
            violation(f"{spec.name}: unknown parameter {name!r}")
    for name, upload in files.items():
        if name in spec.fields:
            raw = {**raw, name: upload}
        elif name not in attached:
            violation(f"{spec.name}: unknown file parameter {name!r}")

    for name, value in raw.items():
        field_spec = spec.fields.get(name)
        if field_spec is None:
            params[name] = value
            continue
        kinds = list(field_spec["types"])
        if isinstance(value, str) and value.startswith("attach://") and "InputFile" in kinds:
            target = files.get(value[len("attach://") :])
            if target is None:
                raise bad(f"file {value!r} not found in the request")
            value = target
        ok, converted = False, value
        for kind in kinds:
            ok, converted = _coerce_one(value, kind)
            if ok:
                break
        if not ok:
            shown = "a file" if isinstance(value, UploadedFile) else repr(value)[:80]
            violation(f"{spec.name}: parameter {name!r} must be {' or '.join(kinds)}, got {shown}")
            if _is_json_type(kinds) and isinstance(value, str):
                if name == "reply_markup":
                    raise bad("can't parse reply keyboard markup JSON object")
                raise bad(f"can't parse {name} JSON object")
        params[name] = converted

    for name, field_spec in spec.fields.items():
        if field_spec.get("required") and name not in params:
            violation(f"{spec.name}: required parameter {name!r} is missing")
            wording = MISSING_WORDING.get((spec.name, name))
            raise TelegramApiError(400, wording or f"Bad Request: {name} is empty")
    return params
