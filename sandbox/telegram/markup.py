"""Reply markup: checking inline and reply keyboards, and reading buttons back out."""

from __future__ import annotations

import re
from typing import Any

from sandbox.telegram.models import SentMessage, bad

INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def check_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad(
                'can\'t parse inline keyboard button: field "inline_keyboard" must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise bad(
                        "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                    )
                if not isinstance(button.get("text"), str):
                    raise bad(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not button["text"].strip():
                    raise bad("BUTTON_TEXT_INVALID")
                actions = [a for a in INLINE_BUTTON_ACTIONS if a in button]
                if not actions:
                    raise bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in "
                        "the inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                        raise bad("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"^(https?|tg)://[^\s]+$", str(button["url"])):
                    raise bad("BUTTON_URL_INVALID")
        return markup
    if inline_only:
        raise bad("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str) or not label:
                    raise bad('can\'t parse keyboard button: Field "text" must be of type String')
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad("can't parse reply keyboard markup JSON object")


def inline_buttons(message: SentMessage | dict[str, Any] | None) -> list[tuple[str, str]]:
    """Inline buttons carrying callback_data, flattened: [(text, callback_data), ...]."""
    if message is None:
        return []
    if isinstance(message, SentMessage):
        markup = message.reply_markup
    elif "inline_keyboard" in message:
        markup = message
    else:
        markup = message.get("reply_markup")
    rows = (markup or {}).get("inline_keyboard") or []
    return [
        (button.get("text", ""), button["callback_data"])
        for row in rows
        if isinstance(row, list)
        for button in row
        if isinstance(button, dict) and "callback_data" in button
    ]
