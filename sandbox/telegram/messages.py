"""Bot API methods that send, edit and delete messages and files; a generic answer for the rest."""

from __future__ import annotations

import copy
import re
from typing import Any

from sandbox.telegram.files import image_size
from sandbox.telegram.models import (
    CHAT_ACTIONS,
    MAX_DOWNLOAD_SIZE,
    MAX_TEXT_LENGTH,
    MAX_UPLOAD_SIZE,
    QUERY_TOO_OLD,
    StoredFile,
    TelegramApiError,
    UploadedFile,
    bad,
)
from sandbox.telegram.sending import Sending
from sandbox.telegram.spec import MethodSpec


class MessageMethods(Sending):
    """sendMessage, editMessage*, sendPhoto, getFile and the other message methods."""

    async def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._prepare_send("sendMessage", params)
        plain, entities = self._parse_text(
            str(params["text"]), params.get("parse_mode"), params.get("entities")
        )
        if not plain:
            raise bad("message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise bad("message is too long")
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        return self._send("sendMessage", params, chat, content, plain, entities)

    async def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        if "text" not in message:
            raise bad("there is no text in the message to edit")
        plain, entities = self._parse_text(
            str(params["text"]), params.get("parse_mode"), params.get("entities")
        )
        if not plain:
            raise bad("message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise bad("message is too long")
        changes: dict[str, Any] = {"text": plain}
        if entities:
            changes["entities"] = entities
        return self._edit("editMessageText", params, chat, message, changes, ["entities"])

    async def _api_editmessagecaption(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        if "text" in message:
            raise bad("there is no caption in the message to edit")
        content, _text, _entities = self._caption(params)
        return self._edit(
            "editMessageCaption", params, chat, message, content, ["caption", "caption_entities"]
        )

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        return self._edit("editMessageReplyMarkup", params, chat, message, {}, [])

    async def _api_deletemessage(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params["chat_id"])
        key = (chat, params["message_id"])
        if key not in self._raw_messages:
            raise bad("message to delete not found")
        del self._raw_messages[key]
        self.messages.pop(key, None)
        self.deleted.append(key)
        return True

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = str(params["callback_query_id"])
        if query_id not in self.callback_answers or self.callback_answers[query_id] is not None:
            raise TelegramApiError(400, QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = params
        return True

    async def _api_sendchataction(self, params: dict[str, Any]) -> bool:
        chat = self._prepare_send("sendChatAction", params)
        action = str(params["action"])
        if action not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self.chat_actions.append((chat, action))
        return True

    def _input_file(self, value: Any, kind: str) -> StoredFile | UploadedFile | str:
        if isinstance(value, UploadedFile):
            if len(value.data) > MAX_UPLOAD_SIZE:
                raise TelegramApiError(413, "Request Entity Too Large")
            return value
        if isinstance(value, str) and value in self._files.by_id:
            return self._files.by_id[value]
        if isinstance(value, str) and re.match(r"^https?://", value):
            return value
        raise bad(f"wrong file identifier/HTTP URL specified ({kind})")

    async def _api_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._prepare_send("sendPhoto", params)
        source = self._input_file(params["photo"], "photo")
        if isinstance(source, UploadedFile):
            sizes = self._files.store_photo(source.data)
        elif isinstance(source, StoredFile):
            sizes = self._sizes_for(source)
        else:
            sizes = self._files.store_photo(b"")
        content, text, entities = self._caption(params)
        return self._send("sendPhoto", params, chat, {"photo": sizes, **content}, text, entities)

    def _sizes_for(self, stored: StoredFile) -> list[dict[str, Any]]:
        for message in self._raw_messages.values():
            sizes = message.get("photo") or []
            if any(size["file_id"] == stored.file_id for size in sizes):
                return copy.deepcopy(sizes)
        width, height = image_size(stored.data) or (1280, 960)
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
                "width": width,
                "height": height,
            }
        ]

    async def _api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._prepare_send("sendDocument", params)
        source = self._input_file(params["document"], "document")
        if isinstance(source, UploadedFile):
            document = self._files.store_document(source.data, source.filename, source.content_type)
        elif isinstance(source, StoredFile):
            document = {
                "file_id": source.file_id,
                "file_unique_id": source.file_unique_id,
                "file_size": len(source.data),
            }
            if source.file_name:
                document["file_name"] = source.file_name
            if source.mime_type:
                document["mime_type"] = source.mime_type
        else:
            document = self._files.store_document(b"", source.rsplit("/", 1)[-1] or "file", None)
        content, text, entities = self._caption(params)
        return self._send(
            "sendDocument", params, chat, {"document": document, **content}, text, entities
        )

    async def _api_getfile(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.by_id.get(str(params["file_id"]))
        if stored is None:
            raise bad("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_SIZE:
            raise bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _generic(self, spec: MethodSpec, params: dict[str, Any]) -> Any:
        """Other methods: accept, record, and return something of the right shape."""
        returns = spec.returns
        chat: int | str | None = None
        if "chat_id" in params and spec.name not in ("getChat",):
            chat = self._prepare_send(spec.name, params)
        if returns == ["Message"] and chat is not None:
            content: dict[str, Any] = {}
            text = None
            entities: list[Any] = []
            if spec.name == "sendLocation":
                content["location"] = {
                    "latitude": params.get("latitude"),
                    "longitude": params.get("longitude"),
                }
            if "caption" in params:
                caption, text, entities = self._caption(params)
                content.update(caption)
            return self._send(spec.name, params, chat, content, text, entities)
        if returns == ["MessageId"] and chat is not None:
            return {"message_id": self._new_message_id(chat)}
        if returns == ["Array of MessageId"] and chat is not None:
            ids = params.get("message_ids") or []
            return [{"message_id": self._new_message_id(chat)} for _ in ids]
        if returns == ["Array of Message"] and chat is not None:
            media = params.get("media") or []
            return [self._send(spec.name, params, chat, {}, None, []) for _ in media]
        if returns == ["Integer"]:
            return 1
        if returns == ["String"]:
            return "https://t.me/+fake"
        return True
