"""The Messages resource's OpenAPI spec: its parameters and checking a request against them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sandbox.twilio.models import LIST_PATH, TwilioError


def check_params(
    spec: dict[str, Any],
    violations: list[str],
    where: str,
    given: Iterable[str],
    schema: dict[str, dict[str, Any]],
    values: Any,
) -> None:
    """Record unknown parameters and ill-formed values in `violations`; raise on unknown ones."""
    given = list(dict.fromkeys(given))
    unknown = sorted(set(given) - set(schema))
    if unknown:
        violations.append(f"{where}: unknown parameter(s) {', '.join(unknown)}")
        raise TwilioError(20001, 400, f"Unknown parameters: {', '.join(unknown)}")
    for name in given:
        prop = _resolve(spec, schema[name])
        for value in values.getall(name) if hasattr(values, "getall") else [values[name]]:
            problem = _value_problem(prop, str(value))
            if problem:
                # Recorded but not rejected: Twilio's exact answer varies per parameter.
                violations.append(f"{where}: {name}={value!r} {problem}")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        resolved: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return resolved
    return schema


def _value_problem(schema: dict[str, Any], value: str) -> str | None:
    kind = schema.get("type")
    if kind == "array":
        schema = schema.get("items", {})
        kind = schema.get("type")
    if "enum" in schema and value not in schema["enum"]:
        return f"is not one of {schema['enum']}"
    if kind == "boolean" and value.lower() not in ("true", "false"):
        return "is not a boolean"
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        return "is not an integer"
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return "is not a number"
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, value):
        return f"does not match {pattern}"
    return None


def form_schema(spec: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    """The form parameters of one request (`path`, `method`)."""
    body = spec["paths"][path][method]["requestBody"]
    form = body["content"]["application/x-www-form-urlencoded"]
    properties: dict[str, dict[str, Any]] = form["schema"]["properties"]
    return properties


def list_schema(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The query parameters of GET Messages.json."""
    return {
        p["name"]: p.get("schema", {})
        for p in spec["paths"][LIST_PATH]["get"]["parameters"]
        if p["in"] == "query"
    }


def message_fields(spec: dict[str, Any]) -> frozenset[str]:
    """The fields of a message resource."""
    return frozenset(spec["components"]["schemas"]["api.v2010.account.message"]["properties"])
