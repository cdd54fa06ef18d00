"""Telegram's text units (UTF-16) and its HTML parse_mode, with the real error wording."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class EntityParseError(ValueError):
    """The text could not be parsed in the requested parse_mode."""


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
}
_TRIM_CHARS = " \t\r\n\v\f"


def _decode_html_entity(text: str, index: int) -> tuple[str, int] | None:
    match = _HTML_ENTITY_RE.match(text, index)
    if not match:
        return None
    if match.group(1):
        return _HTML_NAMED[match.group(1)], match.end()
    code = int(match.group(2)) if match.group(2) else int(match.group(3), 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


@dataclass
class _OpenTag:
    tag: str
    offset: int  # UTF-16 offset in the output text
    begin: int  # index in the source text
    attrs: dict[str, str]


def text_mention_or_link(url: str, users: dict[int, dict[str, Any]] | None) -> dict[str, Any]:
    match = re.fullmatch(r"tg://user\?id=(\d+)", url)
    if match:
        user_id = int(match.group(1))
        user = (users or {}).get(user_id) or {"id": user_id, "is_bot": False, "first_name": ""}
        return {"type": "text_mention", "user": dict(user)}
    return {"type": "text_link", "url": url}


def parse_html(
    text: str, *, strict: bool = True, users: dict[int, dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into (plain text, entities), with Telegram's error wording.

    With `strict`, a bare "&" that starts no HTML entity is an error (real Telegram would show it
    literally; here it almost always means text was not escaped).
    """
    out: list[str] = []
    length = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)

    def emit(chunk: str) -> None:
        nonlocal length
        out.append(chunk)
        length += utf16_len(chunk)

    def err(message: str) -> EntityParseError:
        return EntityParseError(message)

    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_html_entity(text, i)
            if decoded:
                emit(decoded[0])
                i = decoded[1]
                continue
            if strict:
                raise err(
                    f'Unescaped "&" at byte offset {byte_offset(text, i)} '
                    "(strict check of the fake: escape it as &amp;)"
                )
            emit("&")
            i += 1
            continue
        if char != "<":
            j = i + 1
            while j < n and text[j] not in "<&":
                j += 1
            emit(text[i:j])
            i = j
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":
            if not stack:
                raise err(f"Unexpected end tag at byte offset {byte_offset(text, begin)}")
            i += 1
            j = i
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            end_name = text[i:j].lower()
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise err(f"Unclosed end tag at byte offset {byte_offset(text, begin)}")
            top = stack[-1]
            if end_name and end_name != top.tag:
                raise err(
                    f"Unmatched end tag at byte offset {byte_offset(text, begin)}, "
                    f'expected "</{top.tag}>", found "</{end_name}>"'
                )
            stack.pop()
            i = j + 1
            entity = _html_entity(top, length, stack, "".join(out), users)
            if entity:
                entities.append(entity)
            continue

        j = i
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise err(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
        tag = text[i:j].lower()
        if tag not in _HTML_TAGS:
            raise err(f'Unsupported start tag "{tag}" at byte offset {byte_offset(text, begin)}')
        i = j
        attrs: dict[str, str] = {}
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise err(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
            if text[i] == ">":
                i += 1
                break
            name_begin = i
            while i < n and not text[i].isspace() and text[i] not in "=>":
                i += 1
            name = text[name_begin:i].lower()
            if not name:
                raise err(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{byte_offset(text, begin)}"
                )
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise err(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
            if text[i] != "=":
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                raise err(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {byte_offset(text, begin)}'
                )
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise err(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
            if text[i] in "'\"":
                quote = text[i]
                i += 1
                value_chars: list[str] = []
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        decoded = _decode_html_entity(text, i)
                        if decoded:
                            value_chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    value_chars.append(text[i])
                    i += 1
                if i >= n:
                    raise err(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
                i += 1
                value = "".join(value_chars)
            else:
                value_begin = i
                while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
                    i += 1
                value = text[value_begin:i].lower()
                if i >= n or (not text[i].isspace() and text[i] != ">"):
                    raise err(
                        f"Unexpected end of name token at byte offset "
                        f"{byte_offset(text, value_begin)}"
                    )
            attrs.setdefault(name, value)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise err(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(text, begin)}'
            )
        stack.append(_OpenTag(tag, length, begin, attrs))

    if stack:
        raise err(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return trim("".join(out), entities)


def _html_entity(
    top: _OpenTag,
    end: int,
    stack: list[_OpenTag],
    text_so_far: str,
    users: dict[int, dict[str, Any]] | None,
) -> dict[str, Any] | None:
    size = end - top.offset
    tag, attrs = top.tag, top.attrs
    if tag == "code" and stack and stack[-1].tag == "pre":
        css = attrs.get("class", "")
        if css.startswith("language-") and len(css) > len("language-"):
            stack[-1].attrs["language"] = css[len("language-") :]
        return None
    if size <= 0:
        return None
    entity: dict[str, Any] | None
    if tag in _HTML_SIMPLE:
        entity = {"type": _HTML_SIMPLE[tag]}
    elif tag == "a":
        url = attrs.get("href")
        if url is None:
            url = text_so_far.encode("utf-16-le")[top.offset * 2 : end * 2].decode("utf-16-le")
        if not url:
            return None
        entity = text_mention_or_link(url, users)
    elif tag == "pre":
        entity = {"type": "pre"}
        if attrs.get("language"):
            entity["language"] = attrs["language"]
    elif tag == "blockquote":
        entity = {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    elif tag == "tg-emoji":
        if not attrs.get("emoji-id"):
            return None
        entity = {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
    elif tag == "tg-time":
        if not attrs.get("unix", "").isdigit():
            return None
        entity = {"type": "date_time", "unix_time": int(attrs["unix"])}
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
    else:  # pragma: no cover - every supported tag is handled above
        return None
    entity["offset"] = top.offset
    entity["length"] = size
    return entity


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram does and fix up the entity offsets."""
    stripped = text.strip(_TRIM_CHARS)
    if stripped == text:
        return text, sorted(entities, key=lambda e: (e["offset"], -e["length"]))
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM_CHARS))])
    total = utf16_len(stripped)
    fixed = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, total)
        if stop > start:
            fixed.append({**entity, "offset": start, "length": stop - start})
    return stripped, sorted(fixed, key=lambda e: (e["offset"], -e["length"]))
