"""The fake's state: numbers, messages and their resource form, background tasks."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from pathlib import Path
from typing import Any, Literal

import aiohttp
from aiohttp import web

from sandbox.twilio.gsm import count_segments
from sandbox.twilio.models import (
    API_VERSION,
    DEFAULT_ACCOUNT_SID,
    DEFAULT_SPEC_PATH,
    ERROR_MESSAGES,
    INSTANCE_PATH,
    LIST_PATH,
    ApiCall,
    Message,
    SentSms,
    StatusCallback,
    new_sid,
    rfc2822,
    utcnow,
)
from sandbox.twilio.spec import form_schema, list_schema, message_fields

log = logging.getLogger(__name__)


class TwilioState:
    """Everything the fake remembers; the REST API, webhooks and delivery act on it."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = "test-auth-token",
        *,
        rate_per_sec: float | None = None,
        opt_out_handling: bool = True,
        spec_path: str | Path | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.rate_per_sec = rate_per_sec
        self.opt_out_handling = opt_out_handling
        self.spec = json.loads(Path(spec_path or DEFAULT_SPEC_PATH).read_text(encoding="utf-8"))
        self._create_params = form_schema(self.spec, LIST_PATH, "post")
        self._update_params = form_schema(self.spec, INSTANCE_PATH, "post")
        self._list_params = list_schema(self.spec)
        self.message_fields = message_fields(self.spec)

        # The bot's Twilio number (inbound `To`, sender picked for Messaging Service sends).
        self.phone_number = "+4552000000"
        self.messaging_service_sid: str | None = None
        # The bot's public webhook URL; user_sends_sms() POSTs there and signs it.
        self.inbound_url: str | None = None
        # URL Twilio believes it calls when the app sits behind a proxy (signed instead).
        self.inbound_signing_url: str | None = None
        # Seconds between status steps (queued -> sent -> delivered).
        self.status_delay = 0.02

        self.invalid_numbers: set[str] = set()
        self.landline_numbers: set[str] = set()
        self.unsubscribed: set[str] = set()
        # Senders the account owns; empty accepts any well-formed From.
        self.owned_numbers: set[str] = set()

        self.sent: list[SentSms] = []
        self.blocked: list[SentSms] = []
        self.inbound: list[dict[str, str]] = []
        self.calls: list[ApiCall] = []
        self.violations: list[str] = []
        self.status_callbacks: list[StatusCallback] = []
        self.too_many_requests = 0

        self._messages: dict[str, Message] = {}
        self._fail_rules: list[dict[str, Any]] = []
        self._delivery_failures: dict[str, list[int]] = {}
        self._windows: dict[str, deque[float]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._new_sms = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

    def _new_message(
        self,
        *,
        to: str,
        from_: str | None,
        body: str,
        messaging_service_sid: str | None,
        status_callback: str | None,
        num_media: int,
        direction: str,
        source: Literal["rest", "twiml"],
        status: str = "queued",
        record: bool = True,
    ) -> Message:
        now = utcnow()
        segments = count_segments(body)
        message = Message(
            sid=new_sid("MM" if num_media else "SM"),
            account_sid=self.account_sid,
            to=to,
            from_=from_,
            body=body,
            status=status,
            direction=direction,
            num_segments=segments,
            num_media=num_media,
            messaging_service_sid=messaging_service_sid,
            status_callback=status_callback,
            date_created=now,
            date_updated=now,
        )
        message.sent = SentSms(
            sid=message.sid,
            to=to,
            from_=from_,
            body=body,
            status=status,
            num_segments=segments,
            source=source,
            at=now,
        )
        self._messages[message.sid] = message
        if record:
            self.sent.append(message.sent)
            self._new_sms.set()
            self._new_sms = asyncio.Event()
        return message

    def _resource(self, m: Message) -> dict[str, Any]:
        uri = f"/{API_VERSION}/Accounts/{m.account_sid}/Messages/{m.sid}"
        resource = {
            "account_sid": m.account_sid,
            "api_version": API_VERSION,
            "body": m.body,
            "date_created": rfc2822(m.date_created),
            "date_sent": rfc2822(m.date_sent),
            "date_updated": rfc2822(m.date_updated),
            "direction": m.direction,
            "error_code": m.error_code,
            "error_message": m.error_message,
            "from": m.from_,
            "messaging_service_sid": m.messaging_service_sid,
            "num_media": str(m.num_media),
            "num_segments": str(m.num_segments),
            "price": m.price,
            "price_unit": "USD",
            "sid": m.sid,
            "status": m.status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": m.to,
            "uri": f"{uri}.json",
        }
        if set(resource) != self.message_fields:
            self.violations.append(
                "fake message resource differs from the spec: "
                f"{sorted(set(resource) ^ self.message_fields)}"
            )
        return resource

    def _set_status(self, message: Message, status: str, *, error: int | None = None) -> None:
        now = utcnow()
        message.status = status
        message.date_updated = now
        if status == "sent":
            message.date_sent = now
            if message.from_ is None:  # Twilio picks a sender from the service's pool.
                message.from_ = self.phone_number
                if message.sent is not None:
                    message.sent.from_ = self.phone_number
        if error is not None:
            message.error_code = error
            message.error_message = ERROR_MESSAGES.get(error)
        if message.sent is not None:
            message.sent.status = status

    def _client_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Twilio fake background task failed", exc_info=task.exception())
