"""The fake's state (users, chats, messages, updates) and the helpers every part uses."""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import logging
import re
import threading
from collections import Counter, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from sandbox.telegram.entities import utf16_len
from sandbox.telegram.files import FileStore
from sandbox.telegram.models import (
    DEFAULT_EXCLUDED_UPDATES,
    DEFAULT_SPEC_PATH,
    DEFAULT_TOKEN,
    Injection,
    SentMessage,
    TelegramApiError,
    bad,
)
from sandbox.telegram.spec import Spec

log = logging.getLogger(__name__)

_T = TypeVar("_T")


class TelegramState:
    """Everything the fake remembers; the API, the users and the server act on it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "nabovagt_bot",
        bot_first_name: str = "Nabovagt",
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        spec_path: str | Path | None = None,
        strict_html: bool = True,
    ) -> None:
        self.token = token
        self.spec = Spec(Path(spec_path) if spec_path else DEFAULT_SPEC_PATH)
        bot_id_text = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id_text) if bot_id_text.isdigit() else 123456,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.strict_html = strict_html
        self.allow_unknown_chats = False

        # Observation
        self.sent: list[SentMessage] = []
        self.messages: dict[tuple[int | str, int], SentMessage] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.violations: list[str] = []
        self.too_many_requests = 0
        self.delivered_count: Counter[int | str] = Counter()
        self.callback_answers: dict[str, dict[str, Any] | None] = {}
        self.chat_actions: list[tuple[int | str, str]] = []
        self.deleted: list[tuple[int | str, int]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.dropped_updates: list[dict[str, Any]] = []
        self.webhook_deliveries: list[dict[str, Any]] = []

        # Users, chats, messages, files
        self.users: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._next_message_id: dict[int | str, int] = {}
        self._raw_messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._sent_by_chat: dict[int | str, list[SentMessage]] = {}
        self._files = FileStore()
        self._callback_counter = 0

        # Updates and webhook
        self._pending: list[dict[str, Any]] = []
        self._next_update_id = 850_000_001
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self._webhook_max_connections = 40
        self._webhook_last_error: tuple[int, str] | None = None

        # Errors and rate limits
        self._injections: list[Injection] = []
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int | str, deque[float]] = {}

        # Wake-ups
        self._updates_changed = asyncio.Event()
        self._sent_changed = asyncio.Event()

        # Server state
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._closing = False

    def _sync(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run `fn` on the fake's loop thread (direct call when already there)."""
        loop = self._loop
        if (
            loop is None
            or loop.is_closed()
            or not loop.is_running()
            or threading.get_ident() == self._loop_thread
        ):
            return fn(*args)
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to the calling thread
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    def _pulse_updates(self) -> None:
        event, self._updates_changed = self._updates_changed, asyncio.Event()
        event.set()

    def _pulse_sent(self) -> None:
        event, self._sent_changed = self._sent_changed, asyncio.Event()
        event.set()

    def _violation(self, message: str) -> None:
        self.violations.append(message)
        log.warning("Bot API violation: %s", message)

    @staticmethod
    def _chat_key(chat_id: int | str) -> int | str:
        if isinstance(chat_id, str) and re.fullmatch(r"-?[0-9]+", chat_id):
            return int(chat_id)
        return chat_id

    def _command_entities(self, text: str) -> list[dict[str, Any]]:
        match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![^\s])", text)
        if not match:
            return []
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]

    def _new_message_id(self, chat_id: int | str) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _update_type(self, update: dict[str, Any]) -> str:
        return next((k for k in update if k != "update_id"), "")

    def _allowed(self, update_type: str) -> bool:
        if self._allowed_updates:
            return update_type in self._allowed_updates
        return update_type not in DEFAULT_EXCLUDED_UPDATES

    def _enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, **update}
        self._next_update_id += 1
        if self._allowed(self._update_type(update)):
            self._pending.append(update)
            self._pulse_updates()
            log.debug("queued update %s", update["update_id"])
        else:
            self.dropped_updates.append(update)
            log.debug("dropped update %s (not in allowed_updates)", update["update_id"])
        return copy.deepcopy(update)

    def _resolve_chat(self, chat_id: Any) -> int | str:
        key = self._chat_key(chat_id)
        if isinstance(key, str):
            name = key.lstrip("@").lower()
            for user_id, user in self.users.items():
                if user.get("username", "").lower() == name:
                    return user_id
        if key in self._chats:
            return key
        if self.allow_unknown_chats:
            self._chats[key] = self._unknown_chat(key)
            return key
        raise bad("chat not found")

    @staticmethod
    def _unknown_chat(key: int | str) -> dict[str, Any]:
        if isinstance(key, str):
            return {"id": -1001000000000, "type": "channel", "title": key, "username": key[1:]}
        if key > 0:
            return {"id": key, "type": "private", "first_name": "User"}
        kind = "supergroup" if str(key).startswith("-100") else "group"
        return {"id": key, "type": kind, "title": f"Chat {key}"}

    def _check_not_blocked(self, chat: int | str) -> None:
        if chat in self.blocked:
            raise TelegramApiError(403, "Forbidden: bot was blocked by the user")
