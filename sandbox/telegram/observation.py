"""What tests read back: messages sent to a chat, waiting for one, buttons, violations."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from typing import Any

from sandbox.telegram.markup import inline_buttons
from sandbox.telegram.models import SentMessage
from sandbox.telegram.state import TelegramState


class Observation(TelegramState):
    """Read-only views of what the bot did, for assertions."""

    def messages_to(self, chat_id: int | str) -> list[SentMessage]:
        """Everything the bot sent to (or edited in) that chat, oldest first."""
        return list(self._sent_by_chat.get(self._chat_key(chat_id), []))

    async def wait_for(
        self,
        chat_id: int | str,
        contains: str | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test-helper signature
        after: int = 0,
    ) -> SentMessage:
        """First message to `chat_id` at index >= `after` of messages_to() containing `contains`."""
        key = self._chat_key(chat_id)
        needle = contains.casefold() if contains is not None else None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in self._sent_by_chat.get(key, [])[after:]:
                if needle is None or needle in (message.text or "").casefold():
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                raise AssertionError(self._wait_failure(key, contains, timeout, after))
            event = self._sent_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _wait_failure(
        self, key: int | str, contains: str | None, timeout: float, after: int
    ) -> str:
        sent = self._sent_by_chat.get(key, [])
        wanted = f"containing {contains!r}" if contains is not None else "at all"
        lines = [
            f"no message to chat {key} {wanted} within {timeout}s "
            f"(looked at index >= {after}; {len(sent)} sent to that chat):"
        ]
        for index, message in enumerate(sent):
            marker = " " if index < after else "*"
            text = (message.text or "").replace("\n", "\\n")
            lines.append(f" {marker}[{index}] {message.method}: {text[:200]!r}")
        if self.violations:
            lines.append(f"API violations: {self.violations}")
        failures = [
            c for c in self.calls[-10:] if c[0].lower() in ("sendmessage", "editmessagetext")
        ]
        if failures:
            lines.append(f"last send/edit calls: {failures}")
        return "\n".join(lines)

    @staticmethod
    def buttons(message: SentMessage | dict[str, Any] | None) -> list[tuple[str, str]]:
        """Inline buttons carrying callback_data, flattened: [(text, callback_data), ...]."""
        return inline_buttons(message)

    def file_bytes(self, file_id: str) -> bytes:
        """The content the fake stores for a file_id."""
        return self._files.by_id[file_id].data

    def unanswered_callbacks(self) -> list[str]:
        """callback_query ids the bot never answered (Telegram clients keep spinning)."""
        return [cid for cid, answer in self.callback_answers.items() if answer is None]

    def assert_no_violations(self) -> None:
        """Raise AssertionError listing every API contract violation seen so far."""
        if self.violations:
            raise AssertionError("Bot API violations:\n" + "\n".join(self.violations))

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed (getUpdates) or delivered (webhook)."""
        return copy.deepcopy(self._pending)
