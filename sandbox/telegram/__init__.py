"""Local fake of the Telegram Bot API server (aiohttp) that the real python-telegram-bot talks to."""

from __future__ import annotations

from sandbox.telegram.entities import EntityParseError, parse_html, utf16_len
from sandbox.telegram.markdown import parse_markdown, parse_markdown_v2
from sandbox.telegram.markup import INLINE_BUTTON_ACTIONS
from sandbox.telegram.models import (
    CHAT_ACTIONS,
    CONFLICT_OTHER_POLL,
    CONFLICT_SET_WEBHOOK,
    CONFLICT_WEBHOOK,
    DEFAULT_EXCLUDED_UPDATES,
    DEFAULT_SPEC_PATH,
    DEFAULT_TOKEN,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_SIZE,
    MAX_TEXT_LENGTH,
    MAX_UPLOAD_SIZE,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    SentMessage,
    StoredFile,
    TelegramApiError,
    UploadedFile,
)
from sandbox.telegram.server import FakeTelegram

__all__ = [
    "CHAT_ACTIONS",
    "CONFLICT_OTHER_POLL",
    "CONFLICT_SET_WEBHOOK",
    "CONFLICT_WEBHOOK",
    "DEFAULT_EXCLUDED_UPDATES",
    "DEFAULT_SPEC_PATH",
    "DEFAULT_TOKEN",
    "INLINE_BUTTON_ACTIONS",
    "MAX_CAPTION_LENGTH",
    "MAX_DOWNLOAD_SIZE",
    "MAX_TEXT_LENGTH",
    "MAX_UPLOAD_SIZE",
    "NOT_MODIFIED",
    "QUERY_TOO_OLD",
    "EntityParseError",
    "FakeTelegram",
    "SentMessage",
    "StoredFile",
    "TelegramApiError",
    "UploadedFile",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]
