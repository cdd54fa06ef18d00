"""The user side: simulated people sending messages, photos, locations and pressing buttons."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from sandbox.telegram.markup import inline_buttons
from sandbox.telegram.state import TelegramState


class UserActions(TelegramState):
    """What simulated users do; each queues the Update Telegram would send the bot."""

    def block_user(self, user_id: int, *, notify: bool = True) -> dict[str, Any] | None:
        """The user blocks the bot: sends to them get 403 from now on."""
        return self._sync(self._block, int(user_id), True, notify)

    def unblock_user(self, user_id: int, *, notify: bool = True) -> dict[str, Any] | None:
        """The user unblocks the bot (sending a message does that implicitly)."""
        return self._sync(self._block, int(user_id), False, notify)

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "da",
    ) -> dict[str, Any]:
        """A user sends a text message; a leading /command gets a bot_command entity."""

        def build() -> dict[str, Any]:
            fields: dict[str, Any] = {"text": text}
            entities = self._command_entities(text)
            if entities:
                fields["entities"] = entities
            return fields

        return self._sync(
            self._user_message, user_id, build, first_name, last_name, username, language_code
        )

    def user_sends_location(
        self,
        user_id: int,
        latitude: float,
        longitude: float,
        *,
        horizontal_accuracy: float | None = None,
        live_period: int | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "da",
    ) -> dict[str, Any]:
        """A user shares a location (a live location if live_period is given)."""

        def build() -> dict[str, Any]:
            location: dict[str, Any] = {"latitude": float(latitude), "longitude": float(longitude)}
            if horizontal_accuracy is not None:
                location["horizontal_accuracy"] = float(horizontal_accuracy)
            if live_period is not None:
                location["live_period"] = int(live_period)
            return {"location": location}

        return self._sync(
            self._user_message, user_id, build, first_name, last_name, username, language_code
        )

    def user_sends_contact(
        self,
        user_id: int,
        phone_number: str,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "da",
    ) -> dict[str, Any]:
        """A user shares their own contact (the "share phone number" keyboard button)."""

        def build() -> dict[str, Any]:
            contact: dict[str, Any] = {
                "phone_number": phone_number,
                "first_name": first_name,
                "user_id": int(user_id),
            }
            if last_name:
                contact["last_name"] = last_name
            return {"contact": contact}

        return self._sync(
            self._user_message, user_id, build, first_name, last_name, username, language_code
        )

    def user_sends_photo(
        self,
        user_id: int,
        data: bytes,
        caption: str | None = None,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "da",
    ) -> dict[str, Any]:
        """A user sends a photo; getFile and the download URL serve `data` for every size."""

        def build() -> dict[str, Any]:
            fields: dict[str, Any] = {"photo": self._files.store_photo(bytes(data))}
            if caption:
                fields["caption"] = caption
                entities = self._command_entities(caption)
                if entities:
                    fields["caption_entities"] = entities
            return fields

        return self._sync(
            self._user_message, user_id, build, first_name, last_name, username, language_code
        )

    def user_sends_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "da",
    ) -> dict[str, Any]:
        """A user sends a file as a document."""

        def build() -> dict[str, Any]:
            fields: dict[str, Any] = {
                "document": self._files.store_document(bytes(data), file_name, mime_type)
            }
            if caption:
                fields["caption"] = caption
            return fields

        return self._sync(
            self._user_message, user_id, build, first_name, last_name, username, language_code
        )

    def user_presses_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        *,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """A user presses an inline button of a message in their chat with the bot."""
        return self._sync(self._press, int(user_id), int(message_id), callback_data, first_name)

    def enqueue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an arbitrary Update (update_id is assigned); returns it."""
        return self._sync(self._enqueue, dict(update))

    def _touch_user(
        self,
        user_id: int,
        first_name: str | None,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or "Test"}
            self.users[user_id] = user
        elif first_name:
            user["first_name"] = first_name
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value:
                user[key] = value
        chat = {"id": user_id, "first_name": user["first_name"], "type": "private"}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        self._chats[user_id] = chat
        return user

    def _user_message(
        self,
        user_id: int,
        build: Callable[[], dict[str, Any]],
        first_name: str | None,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> dict[str, Any]:
        user_id = int(user_id)
        user = self._touch_user(user_id, first_name, last_name, username, language_code)
        if user_id in self.blocked:
            self._block(user_id, False, True)
        message = {
            "message_id": self._new_message_id(user_id),
            "from": dict(user),
            "chat": dict(self._chats[user_id]),
            "date": int(time.time()),
            **build(),
        }
        self._raw_messages[(user_id, message["message_id"])] = message
        return self._enqueue({"message": message})

    def _press(
        self, user_id: int, message_id: int, callback_data: str, first_name: str | None
    ) -> dict[str, Any]:
        message = self._raw_messages.get((user_id, message_id))
        if message is None:
            raise LookupError(f"there is no message {message_id} in the chat with user {user_id}")
        available = inline_buttons(message)
        if callback_data not in [data for _text, data in available]:
            raise LookupError(
                f"message {message_id} in chat {user_id} has no button with callback_data "
                f"{callback_data!r}; it has {available}"
            )
        if user_id in self.blocked:
            raise RuntimeError(f"user {user_id} has blocked the bot and cannot press buttons")
        user = self._touch_user(user_id, first_name, None, None, None)
        self._callback_counter += 1
        query_id = f"{user_id}{self._callback_counter:08d}"
        self.callback_answers[query_id] = None
        query = {
            "id": query_id,
            "from": dict(user),
            "message": copy.deepcopy(message),
            "chat_instance": f"-{abs(hash((self.bot_user['id'], user_id))) % 10**18}",
            "data": callback_data,
        }
        return self._enqueue({"callback_query": query})

    def _block(self, user_id: int, blocked: bool, notify: bool) -> dict[str, Any] | None:
        if blocked == (user_id in self.blocked):
            return None
        if blocked:
            self.blocked.add(user_id)
        else:
            self.blocked.discard(user_id)
        user = self.users.get(user_id)
        if not notify or user is None:
            return None
        now = int(time.time())
        member = {"user": dict(self.bot_user), "status": "member"}
        kicked = {"user": dict(self.bot_user), "status": "kicked", "until_date": 0}
        return self._enqueue(
            {
                "my_chat_member": {
                    "chat": dict(self._chats[user_id]),
                    "from": dict(user),
                    "date": now,
                    "old_chat_member": member if blocked else kicked,
                    "new_chat_member": kicked if blocked else member,
                }
            }
        )
