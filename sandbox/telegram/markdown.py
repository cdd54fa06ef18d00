"""Telegram's MarkdownV2 and legacy Markdown parse modes: text in, (plain text, entities) out."""

from __future__ import annotations

import re
from typing import Any

from sandbox.telegram.entities import (
    EntityParseError,
    byte_offset,
    text_mention_or_link,
    trim,
    utf16_len,
)

_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def parse_markdown_v2(
    text: str, *, users: dict[int, dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Parse MarkdownV2 into (plain text, entities); unescaped reserved characters are errors."""
    out: list[str] = []
    length = 0
    stack: list[list[Any]] = []  # [type, utf16 offset, source index, language]
    entities: list[dict[str, Any]] = []
    quote: list[Any] | None = None  # [utf16 offset, expandable]
    i, n = 0, len(text)

    def emit(chunk: str) -> None:
        nonlocal length
        out.append(chunk)
        length += utf16_len(chunk)

    def close_quote() -> None:
        nonlocal quote
        if quote is not None and length > quote[0]:
            kind = "expandable_blockquote" if quote[1] else "blockquote"
            entities.append({"type": kind, "offset": quote[0], "length": length - quote[0]})
        quote = None

    def reserved(char: str) -> EntityParseError:
        return EntityParseError(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )

    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        top = stack[-1][0] if stack else None
        if top in ("code", "pre"):
            if char == "`":
                if top == "code" or text.startswith("```", i):
                    kind, offset, _begin, language = stack.pop()
                    if length > offset:
                        entity: dict[str, Any] = {
                            "type": kind,
                            "offset": offset,
                            "length": length - offset,
                        }
                        if language:
                            entity["language"] = language
                        entities.append(entity)
                    i += 1 if kind == "code" else 3
                    continue
                raise reserved(char)
            emit(char)
            i += 1
            continue
        line_start = i == 0 or text[i - 1] == "\n"
        if line_start and not stack:
            if quote is None and text.startswith("**>", i):
                quote = [length, True]
                i += 3
                continue
            if char == ">":
                if quote is None:
                    quote = [length, False]
                i += 1
                continue
            if quote is not None:
                close_quote()
        if (
            quote is not None
            and quote[1]
            and not stack
            and text.startswith("||", i)
            and (i + 2 == n or text[i + 2] == "\n")
        ):
            i += 2
            close_quote()
            continue
        if char not in _MD2_RESERVED:
            emit(char)
            i += 1
            continue

        if stack:
            kind = stack[-1][0]
            closes = (
                (kind == "bold" and char == "*")
                or (kind == "italic" and char == "_")
                or (kind == "underline" and text.startswith("__", i))
                or (kind == "strikethrough" and char == "~")
                or (kind == "spoiler" and text.startswith("||", i))
                or (kind in ("text_link", "custom_emoji") and char == "]")
            )
            if closes:
                kind, offset, begin, _language = stack.pop()
                i += 2 if kind in ("underline", "spoiler") else 1
                url = None
                if kind in ("text_link", "custom_emoji") and i < n and text[i] == "(":
                    j = i + 1
                    url_chars: list[str] = []
                    while j < n and text[j] != ")":
                        if text[j] == "\\" and j + 1 < n and 0 < ord(text[j + 1]) <= 126:
                            url_chars.append(text[j + 1])
                            j += 2
                            continue
                        url_chars.append(text[j])
                        j += 1
                    if j >= n:
                        raise EntityParseError(
                            f"Can't find end of a URL at byte offset {byte_offset(text, i)}"
                        )
                    url = "".join(url_chars)
                    i = j + 1
                if length > offset:
                    entity = {"type": kind, "offset": offset, "length": length - offset}
                    if kind == "text_link":
                        if not url:
                            continue
                        entity = {**entity, **text_mention_or_link(url, users)}
                    elif kind == "custom_emoji":
                        match = re.fullmatch(r"tg://emoji\?id=(\d+)", url or "")
                        if not match:
                            raise EntityParseError(
                                "Custom emoji entity must contain a tg://emoji URL at byte "
                                f"offset {byte_offset(text, begin)}"
                            )
                        entity["custom_emoji_id"] = match.group(1)
                    entities.append(entity)
                continue

        begin = i
        if char == "_":
            kind, i = ("underline", i + 2) if text.startswith("__", i) else ("italic", i + 1)
        elif char == "*":
            kind, i = "bold", i + 1
        elif char == "~":
            kind, i = "strikethrough", i + 1
        elif char == "|" and text.startswith("||", i):
            kind, i = "spoiler", i + 2
        elif char == "[":
            kind, i = "text_link", i + 1
        elif char == "!" and text.startswith("![", i):
            kind, i = "custom_emoji", i + 2
        elif char == "`":
            if text.startswith("```", i):
                i += 3
                language = None
                newline = text.find("\n", i)
                if newline != -1 and "`" not in text[i:newline]:
                    candidate = text[i:newline].strip()
                    if not candidate or not any(c.isspace() for c in candidate):
                        language = candidate or None
                        i = newline + 1
                stack.append(["pre", length, begin, language])
                continue
            kind, i = "code", i + 1
        else:
            raise reserved(char)
        stack.append([kind, length, begin, None])

    if stack:
        kind, _offset, begin, _language = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MD2_NAMES[kind]} entity at byte offset {byte_offset(text, begin)}"
        )
    close_quote()
    return trim("".join(out), entities)


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse legacy Markdown (*bold*, _italic_, `code`, ```pre```, [text](url))."""
    out: list[str] = []
    length = 0
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)

    def emit(chunk: str) -> int:
        nonlocal length
        start = length
        out.append(chunk)
        length += utf16_len(chunk)
        return start

    def unclosed(begin: int) -> EntityParseError:
        return EntityParseError(
            f"Can't find end of the entity starting at byte offset {byte_offset(text, begin)}"
        )

    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            emit(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            emit(char)
            i += 1
            continue
        begin = i
        if char == "[":
            close = text.find("]", i + 1)
            if close == -1:
                raise unclosed(begin)
            label = text[i + 1 : close]
            start = emit(label)
            i = close + 1
            if text.startswith("(", i):
                end = text.find(")", i + 1)
                if end == -1:
                    raise unclosed(begin)
                url = text[i + 1 : end]
                i = end + 1
                if label and url:
                    entities.append(
                        {
                            "type": "text_link",
                            "offset": start,
                            "length": utf16_len(label),
                            "url": url,
                        }
                    )
            continue
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end == -1:
                raise unclosed(begin)
            body = text[i + 3 : end]
            language = None
            first, sep, rest = body.partition("\n")
            if sep and first.strip() and " " not in first.strip():
                language, body = first.strip(), rest
            start = emit(body)
            if body:
                entity: dict[str, Any] = {"type": "pre", "offset": start, "length": utf16_len(body)}
                if language:
                    entity["language"] = language
                entities.append(entity)
            i = end + 3
            continue
        end = text.find(char, i + 1)
        if end == -1:
            raise unclosed(begin)
        body = text[i + 1 : end]
        start = emit(body)
        if body:
            kind = {"*": "bold", "_": "italic", "`": "code"}[char]
            entities.append({"type": kind, "offset": start, "length": utf16_len(body)})
        i = end + 1
    return trim("".join(out), entities)
