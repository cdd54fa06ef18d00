"""Rate limits (429 with retry_after) and errors tests inject into the next calls."""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Any

from sandbox.telegram.models import Injection, TelegramApiError
from sandbox.telegram.state import TelegramState

# Descriptions of injected errors when a test gives none.
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class Limits(TelegramState):
    """Errors tests ask for and the rate limits Telegram enforces."""

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (optionally only to chat_id) with an error."""
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(error_code, "Internal Server Error")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        self._injections.append(
            Injection(method.lower(), error_code, description, retry_after, chat_id, times)
        )

    def _apply_injections(self, method: str, params: dict[str, Any]) -> None:
        chat = params.get("chat_id")
        for injection in self._injections:
            if injection.method != method.lower():
                continue
            if injection.chat_id is not None and self._chat_key(injection.chat_id) != chat:
                continue
            injection.times -= 1
            if injection.times <= 0:
                self._injections.remove(injection)
            parameters = (
                {"retry_after": injection.retry_after}
                if injection.retry_after is not None
                else None
            )
            raise TelegramApiError(injection.error_code, injection.description, parameters)

    def _check_rate(self, chat_id: int | str) -> None:
        now = time.monotonic()
        windows: list[tuple[deque[float], float]] = []
        if self.global_rate:
            windows.append((self._global_window, self.global_rate))
        if self.per_chat_rate:
            windows.append((self._chat_windows.setdefault(chat_id, deque()), self.per_chat_rate))
        for window, rate in windows:
            span = max(1.0, 1.0 / rate)
            allowed = max(1, int(rate * span + 1e-9))
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= allowed:
                retry_after = max(1, math.ceil(window[0] + span - now))
                raise TelegramApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )
        for window, _rate in windows:
            window.append(now)
