"""SMS transport: Twilio webhooks in (signed, TwiML out), Twilio REST out through the outbox."""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import time
from collections.abc import Awaitable, Callable

from aiohttp import ClientError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from bot.core.gsm import cap_body, fit_gsm7
from bot.core.i18n import t
from bot.core.keywords import parse_keyword
from bot.core.messages import Inbound, Reply, ReplyRoute
from bot.core.metrics import INBOUND, REPLY_SECONDS
from bot.core.urns import InvalidURN, normalise_phone, tel_urn, urn_path, urn_scheme
from bot.handlers.base import (
    ChatLocks,
    InboundSink,
    LateSink,
    Outcome,
    QueuingSink,
    SendResult,
    clean_text,
    replay_event,
    xml_safe,
)
from bot.handlers.spool import Spool, Spooled
from storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)

TWILIO_ROOT = "https://api.twilio.com"
# Twilio gives up on a webhook after 15 s; answer well before and send the rest later.
REPLY_DEADLINE_SECONDS = 10.0
STOPPED_CODES = {21610}
INVALID_CODES = {21211, 21214, 21612, 21614, 21408}
RETRY_CODES = {20429, 20500, 20503, 30001}

StatusSink = Callable[[str, str, str | None], Awaitable[None]]


# twilio ships no type hints (ignore_missing_imports), so its base class is Any to mypy.
class RootRewritingHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """The supported hook for another API root: rewrite https://api.twilio.com to TWILIO_API_URL."""

    def __init__(self, api_root: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.api_root = api_root.rstrip("/")

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109  (twilio's own signature)
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        if url.startswith(TWILIO_ROOT):
            url = self.api_root + url[len(TWILIO_ROOT) :]
        headers = dict(headers or {})
        if auth is not None:
            # The same Basic header aiohttp would build, without its deprecated BasicAuth.
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return await super().request(
            method, url, params, data, headers, None, timeout, allow_redirects
        )


def render_sms(reply: Reply) -> str:
    """Plain SMS text: buttons become a numbered list the person answers with a digit.

    Whatever the reply carries, the result is GSM-7 where it mostly is, holds no character XML
    forbids (it goes into TwiML) and is no longer than Twilio accepts.
    """
    lines = [reply.text]
    lines += [f"{i}) {b.label}" for i, b in enumerate(reply.flat_buttons(), start=1)]
    return cap_body(xml_safe(fit_gsm7("\n".join(lines))))


# Any E.164 shape: a country code and at most 15 digits in all.
PLAUSIBLE_E164 = re.compile(r"\+[1-9]\d{7,14}")


def sender_number(raw: str) -> str | None:
    """The sender as E.164, also for a number the numbering plan does not know yet.

    Twilio delivered the message, so the number exists: a new Danish range or a foreign number
    that `phonenumbers` calls invalid is still a person waiting for an answer. Only a From that
    is no phone number at all gives None.
    """
    try:
        return normalise_phone(raw)
    except InvalidURN:
        pass
    compact = re.sub(r"[\s().-]", "", raw)
    if PLAUSIBLE_E164.fullmatch(compact):
        log.warning("SMS from %s…, a number the numbering plan does not list: kept", compact[:5])
        return compact
    return None


def form_to_inbound(form: dict[str, str]) -> Inbound | None:
    """Translate a Twilio inbound-message webhook into a neutral event."""
    number = sender_number(form.get("From", ""))
    if number is None:
        log.warning("inbound SMS whose sender is not a phone number: not handled")
        return None
    body = clean_text(form.get("Body", ""))
    command, args = parse_keyword(body)
    sid = form.get("MessageSid") or form.get("SmsSid")
    return Inbound(
        urn=tel_urn(number),
        channel="sms",
        text=body.strip(),
        command=command,
        args=args if command else "",
        provider_id=f"twilio:{sid}" if sid else None,
    )


class SmsTransport:
    """Receives Twilio webhooks on /twilio/sms and /twilio/status and sends with create_async."""

    channel = "sms"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_url: str,
        public_url: str | None,
        sink: InboundSink,
        on_status: StatusSink | None = None,
        deliver_later: LateSink | None = None,
        replay_sink: QueuingSink | None = None,
        spool: Spool | None = None,
        language: str = "da",
    ) -> None:
        self.spool = spool
        self.language = language
        self.locks = ChatLocks()
        self.account_sid = account_sid
        self.sender = sender
        self.api_url = api_url
        self.public_url = public_url.rstrip("/") if public_url else None
        self.sink = sink
        self.on_status = on_status
        self.deliver_later = deliver_later
        self.replay_sink = replay_sink
        self.validator = RequestValidator(auth_token)
        self._auth_token = auth_token
        self.client: Client | None = None
        self._late: set[asyncio.Task[None]] = set()

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/twilio/sms", self.inbound_webhook, methods=["POST"]),
            Route("/twilio/status", self.status_webhook, methods=["POST"]),
        ]

    async def start(self) -> None:
        http_client = RootRewritingHttpClient(self.api_url, timeout=15)
        self.client = Client(self.account_sid, self._auth_token, http_client=http_client)

    async def stop(self) -> None:
        if self._late:
            # Let replies that missed the webhook deadline reach the outbox before we go.
            await asyncio.wait(list(self._late), timeout=5)
        for task in list(self._late):
            task.cancel()
        if self.client is not None:
            http = self.client.http_client
            if isinstance(http, AsyncTwilioHttpClient):
                await http.close()

    def _signed_url(self, request: Request) -> str:
        # Behind a proxy the host, scheme and port differ from what Twilio signed: use PUBLIC_URL.
        if self.public_url:
            query = f"?{request.url.query}" if request.url.query else ""
            return f"{self.public_url}{request.url.path}{query}"
        return str(request.url)

    async def _verified_form(self, request: Request) -> dict[str, str] | None:
        form = {k: str(v) for k, v in (await request.form()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.validator.validate(self._signed_url(request), form, signature):
            log.warning(
                "refused %s webhook with %s signature",
                request.url.path,
                "a wrong" if signature else "no",
            )
            return None
        return form

    async def inbound_webhook(self, request: Request) -> Response:
        """An inbound SMS, answered 2xx only once it is committed or kept in the spool."""
        arrived = time.monotonic()
        form = await self._verified_form(request)
        if form is None:
            return Response("Forbidden", status_code=403, media_type="text/plain")
        INBOUND.labels(self.channel, "message").inc()
        event = form_to_inbound(form)
        twiml = MessagingResponse()
        if event is None:
            return Response(str(twiml), media_type="text/xml")
        async with self.locks.hold(event.urn):
            replies = await self._handle(event, form)
        if replies is None:
            # Neither stored nor kept: only a 5xx makes Twilio retry (with #rc= on the URL).
            return Response("Try again", status_code=503, media_type="text/plain")
        for reply in replies:
            if body := render_sms(reply):  # an empty <Message> is an error at Twilio
                twiml.message(body)
        if replies:
            REPLY_SECONDS.labels(self.channel).observe(time.monotonic() - arrived)
        return Response(str(twiml), media_type="text/xml")

    async def _handle(self, event: Inbound, form: dict[str, str]) -> list[Reply] | None:
        """The replies for the TwiML answer; the honest "kept" text when the event waits in the
        spool; None when it could be neither handled nor kept."""
        if self.spool is not None and self.spool.holds(event.urn):
            return await self._keep(event, form)  # an older SMS of this sender waits: queue behind
        event.reply_route = ReplyRoute()
        handling = asyncio.ensure_future(self.sink(event))
        try:
            try:
                return await asyncio.wait_for(asyncio.shield(handling), REPLY_DEADLINE_SECONDS)
            except TimeoutError:
                if not event.reply_route.claim_outbox():
                    # The replies are ready and their transaction is ending: answer with them.
                    return await handling
        except DatabaseUnavailable:
            return await self._keep(event, form)
        log.warning("slow handling of an SMS: keeping it, answering later by REST")
        # The handling queues its answer in its own transaction now. Kept too, silently: if it
        # fails after all, the spool has the message; if it commits, the replay is a duplicate
        # by its MessageSid.
        self._send_later(event.urn, handling)
        return await self._keep(event, form, tell=False)

    async def _keep(
        self, event: Inbound, form: dict[str, str], *, tell: bool = True
    ) -> list[Reply] | None:
        if self.spool is None:
            return None if tell else []
        try:
            await self.spool.put(channel=self.channel, kind="message", urn=event.urn, payload=form)
        except OSError:
            log.exception("spooling an SMS from %s failed", event.urn)
            return None if tell else []
        return [Reply(t("inbound_kept", self.language))] if tell else []

    def _send_later(self, urn: str, handling: asyncio.Future[list[Reply]]) -> None:
        async def deliver() -> None:
            try:
                replies = await handling
                if replies and self.deliver_later is not None:
                    await self.deliver_later(urn, replies)  # the durable outbox, with retries
                    return
                for reply in replies:
                    await self.send(urn, reply)
            except DatabaseUnavailable:
                log.info("late SMS handling for %s found no database; the spool has it", urn)
            except Exception:
                log.exception("late SMS reply to %s could not be queued", urn)

        task = asyncio.create_task(deliver())
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    async def status_webhook(self, request: Request) -> Response:
        """A delivery report; kept in the spool while the database cannot record it."""
        form = await self._verified_form(request)
        if form is None:
            return Response("Forbidden", status_code=403, media_type="text/plain")
        INBOUND.labels(self.channel, "status").inc()
        try:
            await self._record_status(form)
        except DatabaseUnavailable:
            if self.spool is None:
                return Response("Try again", status_code=503, media_type="text/plain")
            try:
                await self.spool.put(channel=self.channel, kind="status", urn=None, payload=form)
            except OSError:
                log.exception("spooling a delivery report failed")
                return Response("Try again", status_code=503, media_type="text/plain")
        return Response(status_code=204)

    async def _record_status(self, form: dict[str, str]) -> None:
        sid = form.get("MessageSid") or form.get("SmsSid")
        status = form.get("MessageStatus") or form.get("SmsStatus")
        if sid and status and self.on_status is not None:
            code = form.get("ErrorCode") or None
            await self.on_status(sid, neutral_status(status, code), code)

    async def replay(self, record: Spooled) -> None:
        """A spooled SMS or delivery report, handled now; replies go through the outbox."""
        assert self.spool is not None
        form = {str(k): str(v) for k, v in record.payload.items()}
        if record.kind == "status":
            await self._record_status(form)  # DatabaseUnavailable: the record stays
            await self.spool.remove(record)
            return
        event = form_to_inbound(form)
        if event is None:
            await self.spool.remove(record)
            return
        async with self.locks.hold(event.urn):
            await replay_event(event, self.sink, self.replay_sink, self.deliver_later)
            await self.spool.remove(record)

    async def send(self, urn: str, reply: Reply) -> SendResult:
        """Send one SMS; Twilio's errors become provider-neutral outcomes."""
        assert urn_scheme(urn) == "tel" and self.client is not None
        sender = (
            {"messaging_service_sid": self.sender}
            if self.sender.startswith("MG")
            else {"from_": self.sender}
        )
        callback = (
            {"status_callback": f"{self.public_url}/twilio/status"} if self.public_url else {}
        )
        body = render_sms(reply)
        if not body:
            return SendResult(Outcome.FAILED, detail="empty message")
        try:
            message = await self.client.messages.create_async(
                to=urn_path(urn), body=body, **sender, **callback
            )
        except TwilioRestException as exc:
            return SendResult(_outcome(exc), detail=f"{exc.code}: {exc.msg}")
        except (TimeoutError, ClientError) as exc:
            return SendResult(Outcome.RETRY, detail=str(exc) or type(exc).__name__)
        return SendResult(Outcome.SENT, provider_id=message.sid)


def neutral_status(status: str, error_code: str | None) -> str:
    """Twilio's MessageStatus and ErrorCode as a neutral report: sent, delivered, failed, ..."""
    if status not in ("failed", "undelivered"):
        return status
    code = error_code or ""
    outcome = _code_outcome(int(code) if code.isdigit() else 0, 200)
    return {Outcome.STOPPED: "stopped", Outcome.INVALID: "invalid"}.get(outcome, "failed")


def _outcome(exc: TwilioRestException) -> Outcome:
    return _code_outcome(int(exc.code or 0), exc.status)


def _code_outcome(code: int, http_status: int) -> Outcome:
    if code in STOPPED_CODES:
        return Outcome.STOPPED
    if code in INVALID_CODES:
        return Outcome.INVALID
    if code in RETRY_CODES or http_status == 429 or http_status >= 500:
        return Outcome.RETRY
    return Outcome.FAILED
