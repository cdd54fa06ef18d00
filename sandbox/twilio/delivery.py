"""Delivery: the status steps of each outbound message and the status callbacks Twilio POSTs."""

from __future__ import annotations

import asyncio
import logging
import secrets

import aiohttp
from twilio.request_validator import RequestValidator

from sandbox.twilio.models import (
    API_VERSION,
    FAILED_DELIVERY_CODES,
    WEBHOOK_TIMEOUT,
    Message,
    StatusCallback,
)
from sandbox.twilio.state import TwilioState

log = logging.getLogger(__name__)


class Delivery(TwilioState):
    """Moves messages through queued -> sent -> delivered (or a failure) and reports it."""

    async def _progress(self, message: Message) -> None:
        failures = self._delivery_failures.get(message.to)
        error = failures.pop(0) if failures and message.direction != "inbound" else None
        if failures == []:
            self._delivery_failures.pop(message.to, None)
        steps: list[tuple[str, int | None]]
        if error in FAILED_DELIVERY_CODES:
            steps = [("failed", error)]
        elif error is not None:
            steps = [("sent", None), ("undelivered", error)]
        else:
            steps = [("sent", None), ("delivered", None)]
        for status, code in steps:
            await asyncio.sleep(self.status_delay)
            if message.status == "canceled" or message.sid not in self._messages:
                return
            self._set_status(message, status, error=code)
            if message.status_callback:
                await self._post_status(message, code)

    async def _post_status(self, message: Message, error: int | None) -> None:
        assert message.status_callback is not None
        params: dict[str, str] = {}
        if error is not None:
            params["ErrorCode"] = str(error)
        params.update(
            {
                "SmsSid": message.sid,
                "SmsStatus": message.status,
                "MessageStatus": message.status,
                "To": message.to,
            }
        )
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        params.update(
            {
                "MessageSid": message.sid,
                "AccountSid": message.account_sid,
                "From": message.from_ or "",
                "ApiVersion": API_VERSION,
            }
        )
        url = message.status_callback
        headers = {
            "User-Agent": "TwilioProxy/1.1",
            "X-Twilio-Signature": RequestValidator(self.auth_token).compute_signature(url, params),
            "I-Twilio-Idempotency-Token": secrets.token_hex(16),
        }
        record = StatusCallback(url=url, params=params, http_status=None)
        self.status_callbacks.append(record)
        try:
            async with self._client_session().post(
                url,
                data=params,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT),
            ) as response:
                await response.read()
                record.http_status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning("status callback %s for %s failed: %r", url, message.sid, exc)
