"""Inbound SMS: the signed webhook POST Twilio makes and the TwiML or text reply it handles."""

from __future__ import annotations

import logging
import secrets
from typing import Literal
from xml.etree import ElementTree

import aiohttp
from twilio.request_validator import RequestValidator

from sandbox.twilio.delivery import Delivery
from sandbox.twilio.gsm import count_segments
from sandbox.twilio.models import (
    API_VERSION,
    MAX_BODY_CHARS,
    OPT_IN_KEYWORDS,
    OPT_OUT_KEYWORDS,
    WEBHOOK_TIMEOUT,
    Message,
    country_of,
    new_sid,
    utcnow,
)

log = logging.getLogger(__name__)


class Inbound(Delivery):
    """A phone texting the bot's number, and Twilio acting on the bot's answer."""

    async def user_sends_sms(
        self,
        from_: str,
        body: str,
        *,
        to: str | None = None,
        message_sid: str | None = None,
        signature: Literal["valid", "wrong", "missing"] = "valid",
        url_override: str | None = None,
    ) -> tuple[int, str]:
        """Deliver an inbound SMS to the app's webhook like Twilio; returns (status, text)."""
        target = url_override or self.inbound_url
        if not target:
            raise RuntimeError("set TwilioFake.inbound_url (the bot's /twilio/sms URL) first")
        to = to or self.phone_number
        sid = message_sid or new_sid("SM")
        now = utcnow()
        keyword = body.strip().upper()
        if self.opt_out_handling:
            if keyword in OPT_OUT_KEYWORDS:
                self.unsubscribed.add(from_)
            elif keyword in OPT_IN_KEYWORDS:
                self.unsubscribed.discard(from_)

        if sid not in self._messages:  # Twilio retries reuse the MessageSid.
            self._messages[sid] = Message(
                sid=sid,
                account_sid=self.account_sid,
                to=to,
                from_=from_,
                body=body,
                status="received",
                direction="inbound",
                num_segments=count_segments(body),
                num_media=0,
                messaging_service_sid=self.messaging_service_sid,
                status_callback=None,
                date_created=now,
                date_updated=now,
                date_sent=now,
            )
        params = self._inbound_params(sid, from_, to, body)
        self.inbound.append(params)

        headers = {
            "User-Agent": "TwilioProxy/1.1",
            "Accept": "*/*",
            "Cache-Control": "max-age=259200",
            "I-Twilio-Idempotency-Token": secrets.token_hex(16),
            "X-Home-Region": "us1",
        }
        signed_url = self.inbound_signing_url if url_override is None else None
        signed_url = signed_url or target
        if signature == "valid":
            headers["X-Twilio-Signature"] = RequestValidator(self.auth_token).compute_signature(
                signed_url, params
            )
        elif signature == "wrong":
            headers["X-Twilio-Signature"] = RequestValidator(
                "wrong-" + self.auth_token
            ).compute_signature(signed_url, params)
        elif signature != "missing":
            raise ValueError(f"signature must be valid, wrong or missing, not {signature!r}")

        session = self._client_session()
        async with session.post(
            target,
            data=params,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT),
        ) as response:
            text = await response.text()
            status = response.status
            content_type = response.content_type
        if 200 <= status < 300:
            self._handle_reply(text, content_type, sender=from_, our_number=to, keyword=keyword)
        else:
            log.info("inbound webhook %s answered HTTP %s (Twilio error 11200)", target, status)
        return status, text

    def _inbound_params(self, sid: str, from_: str, to: str, body: str) -> dict[str, str]:
        params = {
            "ToCountry": country_of(to),
            "ToState": "",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ToCity": "",
            "FromZip": "",
            "SmsSid": sid,
            "FromState": "",
            "SmsStatus": "received",
            "FromCity": "",
            "Body": body,
            "FromCountry": country_of(from_),
            "To": to,
        }
        if self.messaging_service_sid:
            params["MessagingServiceSid"] = self.messaging_service_sid
        params.update(
            {
                "ToZip": "",
                "NumSegments": str(count_segments(body)),
                "MessageSid": sid,
                "AccountSid": self.account_sid,
                "From": from_,
                "ApiVersion": API_VERSION,
            }
        )
        return params

    def _handle_reply(
        self, text: str, content_type: str, *, sender: str, our_number: str, keyword: str
    ) -> None:
        if content_type == "text/plain":
            # Twilio sends a plain-text webhook answer back to the sender as-is.
            if text.strip():
                self._reply(sender, our_number, text.strip(), keyword=keyword)
            return
        if not text.strip():
            return
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as exc:
            self.violations.append(f"TwiML parse failure (Twilio error 12100): {exc}")
            return
        if root.tag != "Response":
            self.violations.append(f"TwiML root must be <Response>, got <{root.tag}>")
            return
        for verb in root:
            if verb.tag != "Message":
                self.violations.append(f"unsupported TwiML verb <{verb.tag}> (Twilio error 12200)")
                continue
            body_el = verb.find("Body")
            body = (body_el.text if body_el is not None else verb.text) or ""
            self._reply(
                verb.get("to") or sender,
                verb.get("from") or our_number,
                body.strip(),
                keyword=keyword,
                status_callback=verb.get("statusCallback"),
                num_media=len(verb.findall("Media")),
            )

    def _reply(
        self,
        to: str,
        from_: str,
        body: str,
        *,
        keyword: str,
        status_callback: str | None = None,
        num_media: int = 0,
    ) -> None:
        if len(body) > MAX_BODY_CHARS:
            self.violations.append(f"TwiML <Message> to {to} over {MAX_BODY_CHARS} chars (21617)")
            return
        # Replies to an unsubscribed number are dropped (21610), except the reply to the
        # STOP itself: many setups answer STOP with a custom opt-out confirmation.
        blocked = to in self.unsubscribed and keyword not in OPT_OUT_KEYWORDS
        message = self._new_message(
            to=to,
            from_=from_,
            body=body,
            messaging_service_sid=None,
            status_callback=status_callback,
            num_media=num_media,
            direction="outbound-reply",
            source="twiml",
            record=not blocked,
        )
        if blocked:
            self._set_status(message, "failed", error=21610)
            assert message.sent is not None
            self.blocked.append(message.sent)
            return
        self._spawn(self._progress(message))
