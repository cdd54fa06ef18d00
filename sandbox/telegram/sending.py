"""Shared steps of the bot's send and edit methods: parsing, checks, recording the message."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from typing import Any

from sandbox.telegram.entities import EntityParseError, parse_html, trim
from sandbox.telegram.limits import Limits
from sandbox.telegram.markdown import parse_markdown, parse_markdown_v2
from sandbox.telegram.markup import check_markup
from sandbox.telegram.models import (
    MAX_CAPTION_LENGTH,
    NOT_MODIFIED,
    SentMessage,
    TelegramApiError,
    bad,
)


class Sending(Limits):
    """Building, checking and recording the messages the bot sends or edits."""

    def _parse_text(
        self, text: str, parse_mode: str | None, entities: Any
    ) -> tuple[str, list[dict[str, Any]]]:
        mode = (parse_mode or "").lower()
        if entities is not None and isinstance(entities, list):
            return trim(text, [dict(e) for e in entities if isinstance(e, dict)])
        try:
            if not mode:
                return trim(text, [])
            if mode == "html":
                return parse_html(text, strict=self.strict_html, users=self.users)
            if mode == "markdownv2":
                return parse_markdown_v2(text, users=self.users)
            if mode == "markdown":
                return parse_markdown(text)
        except EntityParseError as exc:
            raise bad(f"can't parse entities: {exc}") from exc
        raise bad("unsupported parse_mode")

    def _base_message(self, chat: int | str) -> dict[str, Any]:
        return {
            "message_id": self._new_message_id(chat),
            "from": dict(self.bot_user),
            "chat": dict(self._chats[chat]),
            "date": int(time.time()),
        }

    def _prepare_send(self, method: str, params: dict[str, Any]) -> int | str:
        chat = self._resolve_chat(params["chat_id"])
        if method.lower().startswith(("send", "edit", "copy", "forward")):
            self._check_not_blocked(chat)
        if method.lower().startswith(("send", "edit")) and method != "sendChatAction":
            self._check_rate(chat)
        return chat

    def _attach_reply(
        self, chat: int | str, params: dict[str, Any], message: dict[str, Any]
    ) -> None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict) or "message_id" not in reply:
            return
        target_chat = self._chat_key(reply.get("chat_id", chat))
        original = self._raw_messages.get((target_chat, reply["message_id"]))
        if original is None:
            if reply.get("allow_sending_without_reply"):
                return
            raise bad("message to be replied not found")
        original = dict(original)
        original.pop("reply_to_message", None)
        message["reply_to_message"] = original

    def _record(
        self,
        method: str,
        chat: int | str,
        message: dict[str, Any],
        params: dict[str, Any],
        text: str | None,
        entities: list[dict[str, Any]],
        reply_markup: dict[str, Any] | None,
        *,
        new: bool,
    ) -> SentMessage:
        key = (chat, message["message_id"])
        self._raw_messages[key] = message
        record = SentMessage(
            method=method,
            chat_id=chat,
            message_id=message["message_id"],
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=reply_markup,
            params=params,
            at=time.monotonic(),
            entities=entities,
            message=copy.deepcopy(message),
        )
        self.sent.append(record)
        self._sent_by_chat.setdefault(chat, []).append(record)
        self.messages[key] = record
        if new:
            self.delivered_count[chat] += 1
        self._pulse_sent()
        return record

    def _send(
        self,
        method: str,
        params: dict[str, Any],
        chat: int | str,
        content: dict[str, Any],
        text: str | None,
        entities: list[dict[str, Any]],
    ) -> dict[str, Any]:
        markup = check_markup(params.get("reply_markup"))
        message = self._base_message(chat)
        self._attach_reply(chat, params, message)
        message.update(content)
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._record(method, chat, message, params, text, entities, markup, new=True)
        return message

    def _caption(self, params: dict[str, Any]) -> tuple[dict[str, Any], str | None, list[Any]]:
        caption = params.get("caption")
        if not caption:
            return {}, None, []
        plain, entities = self._parse_text(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(plain) > MAX_CAPTION_LENGTH:
            raise bad("message caption is too long")
        content: dict[str, Any] = {}
        if plain:
            content["caption"] = plain
        if entities:
            content["caption_entities"] = entities
        return content, plain or None, entities

    def _message_to_edit(self, params: dict[str, Any]) -> tuple[int | str, dict[str, Any]]:
        if "inline_message_id" in params:
            raise bad("message to edit not found")
        if "chat_id" not in params:
            raise bad("chat_id is empty")
        if "message_id" not in params:
            raise bad("message identifier is not specified")
        chat = self._prepare_send("editMessage", params)
        message = self._raw_messages.get((chat, params["message_id"]))
        if message is None:
            raise bad("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise bad("message can't be edited")
        return chat, message

    def _edit(
        self,
        method: str,
        params: dict[str, Any],
        chat: int | str,
        message: dict[str, Any],
        changes: dict[str, Any],
        drop: Iterable[str],
    ) -> dict[str, Any]:
        markup = check_markup(params.get("reply_markup"), inline_only=True)
        edited = {k: v for k, v in message.items() if k not in drop}
        edited.update(changes)
        edited.pop("reply_markup", None)
        if markup:
            edited["reply_markup"] = markup
        compared = ("text", "entities", "caption", "caption_entities", "reply_markup")
        if all(edited.get(k) == message.get(k) for k in compared):
            raise TelegramApiError(400, NOT_MODIFIED)
        edited["edit_date"] = int(time.time())
        text = edited.get("text", edited.get("caption"))
        entities = edited.get("entities", edited.get("caption_entities", []))
        self._record(method, chat, edited, params, text, entities, markup, new=False)
        return edited
