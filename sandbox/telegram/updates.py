"""Bot API methods for updates (getUpdates long polling, webhooks) and the bot's commands."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import re
import time
from typing import Any

import aiohttp

from sandbox.telegram.models import (
    CONFLICT_OTHER_POLL,
    CONFLICT_SET_WEBHOOK,
    CONFLICT_WEBHOOK,
    Described,
    TelegramApiError,
    bad,
)
from sandbox.telegram.state import TelegramState

log = logging.getLogger(__name__)


class UpdateMethods(TelegramState):
    """getMe, getUpdates, the webhook methods and delivery, and the command methods."""

    async def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot_user)

    async def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise TelegramApiError(409, CONFLICT_WEBHOOK)
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if "allowed_updates" in params and isinstance(params["allowed_updates"], list):
            self._allowed_updates = [str(u) for u in params["allowed_updates"]]
        self._poll_generation += 1
        generation = self._poll_generation
        self._pulse_updates()  # an older long poll, if any, gets its 409 now
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._closing:
                return []
            if generation != self._poll_generation:
                raise TelegramApiError(409, CONFLICT_OTHER_POLL)
            if self.webhook_url:
                raise TelegramApiError(409, CONFLICT_SET_WEBHOOK)
            if self._pending:
                return copy.deepcopy(self._pending[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            event = self._updates_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def _api_setwebhook(self, params: dict[str, Any]) -> Described:
        url = params.get("url") or ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        if not url:
            was_set = bool(self.webhook_url)
            self.webhook_url, self.webhook_secret = "", None
            self._pulse_updates()
            return Described(
                True, "Webhook was deleted" if was_set else "Webhook is already deleted"
            )
        if not re.match(r"^https?://[^\s/]+", url):
            raise bad("bad webhook: HTTPS url must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_\-]{1,256}", secret):
            raise bad("secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        if "allowed_updates" in params and isinstance(params["allowed_updates"], list):
            self._allowed_updates = [str(u) for u in params["allowed_updates"]]
        unchanged = url == self.webhook_url and secret == self.webhook_secret
        self.webhook_url, self.webhook_secret = url, secret
        self._webhook_max_connections = max_connections
        self._webhook_last_error = None
        self._pulse_updates()
        return Described(True, "Webhook is already set" if unchanged else "Webhook was set")

    async def _api_deletewebhook(self, params: dict[str, Any]) -> Described:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        was_set = bool(self.webhook_url)
        self.webhook_url, self.webhook_secret = "", None
        self._pulse_updates()
        return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    async def _api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook_url:
            info["ip_address"] = "127.0.0.1"
            info["max_connections"] = self._webhook_max_connections
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_last_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    async def _webhook_worker(self) -> None:
        delay = 0.05
        while not self._closing:
            if not self.webhook_url or not self._pending or self._session is None:
                await self._updates_changed.wait()
                continue
            update, url, secret = self._pending[0], self.webhook_url, self.webhook_secret
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            error = None
            try:
                async with self._session.post(url, json=update, headers=headers) as response:
                    await response.read()
                    if not 200 <= response.status < 300:
                        error = (
                            f"Wrong response from the webhook: {response.status} {response.reason}"
                        )
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                error = f"Connection failed: {exc!r}"
            if error is None:
                if self._pending and self._pending[0] is update:
                    self._pending.pop(0)
                self.webhook_deliveries.append(copy.deepcopy(update))
                log.debug("webhook delivered update %s to %s", update["update_id"], url)
                delay = 0.05
                continue
            self._webhook_last_error = (int(time.time()), error)
            log.debug("webhook delivery of %s failed: %s", update["update_id"], error)
            event = self._updates_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), delay)
            delay = min(delay * 2, 2.0)

    # -- commands

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    async def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(
                r"[a-z0-9_]{1,32}", str(command.get("command", ""))
            ):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self.commands.get(self._scope_key(params), []))

    async def _api_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True
