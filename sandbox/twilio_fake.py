"""Local fake of Twilio Programmable Messaging (REST API 2010-04-01) for tests and the demo."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import operator
import re
import secrets
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

import aiohttp
import phonenumbers
from aiohttp import web
from multidict import MultiDictProxy
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_SPEC_PATH = Path(__file__).resolve().parent / "specs" / "twilio_messages.json"
LIST_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
INSTANCE_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"

_LIST_RE = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
_INSTANCE_RE = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$"
)
_E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
_ALPHA_SENDER_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
_SHORT_CODE_RE = re.compile(r"^\d{3,8}$")
_CHANNEL_PREFIXES = ("whatsapp:", "messenger:", "rcs:")

# Twilio's default opt-out keywords (matched on the whole trimmed, case-folded body).
# Danish words such as "STOPP" or "AFMELD" are NOT Twilio keywords.
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP", "YES"})

MAX_BODY_CHARS = 1600
WEBHOOK_TIMEOUT = 15.0  # Twilio gives a messaging webhook 15 s before error 11200.

# Real Twilio error texts for the codes the fake produces.
ERROR_MESSAGES: dict[int, str] = {
    20001: "Unknown parameters",
    20003: "Authenticate",
    20004: "Method not allowed",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    21211: "Invalid 'To' Phone Number",
    21212: "Invalid From Number (caller ID)",
    21602: "Message body is required.",
    21603: "The 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number "
    "for this destination/account.",
    21609: "Invalid StatusCallback url",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number is not currently reachable via SMS.",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    30001: "Queue overflow",
    30002: "Account suspended",
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
    30010: "Message price exceeds max price",
}
# Delivery errors after which Twilio reports "failed" (never left Twilio) rather than
# "undelivered" (rejected further down the line).
_FAILED_DELIVERY_CODES = frozenset({30001, 30002, 30010})

# GSM 03.38 basic character set (without the escape character) and extension table.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
# Subset of the replacements Twilio's Smart Encoding applies (SmartEncoded=true).
_SMART_ENCODING = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "′": "'",
        "–": "-",
        "—": "-",
        "−": "-",
        "…": "...",
        "\u00a0": " ",
        "\u2009": " ",
        "\u200b": "",
    }
)


def is_gsm7(text: str) -> bool:
    """True when every character fits the GSM-7 alphabet (basic or extension table)."""
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in text)


def count_segments(text: str) -> int:
    """Number of SMS segments Twilio bills for `text` (GSM-7 160/153, UCS-2 70/67)."""
    if not text:
        return 1
    if is_gsm7(text):
        units = [2 if ch in _GSM7_EXTENDED else 1 for ch in text]
        single, multi = 160, 153
    else:
        # UCS-2 counts UTF-16 code units; characters outside the BMP take two.
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, multi = 70, 67
    if sum(units) <= single:
        return 1
    # Escape sequences and surrogate pairs are never split across segments.
    segments, used = 1, 0
    for unit in units:
        if used + unit > multi:
            segments += 1
            used = 0
        used += unit
    return segments


def _rfc2822(moment: datetime | None) -> str | None:
    return None if moment is None else format_datetime(moment.replace(microsecond=0))


def _now() -> datetime:
    return datetime.now(UTC)


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _error_body(code: int, status: int, message: str | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "message": message or ERROR_MESSAGES.get(code, f"Error {code}"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _bare_number(address: str) -> str:
    for prefix in _CHANNEL_PREFIXES:
        if address.startswith(prefix):
            return address[len(prefix) :]
    return address


def _country_of(number: str) -> str:
    with contextlib.suppress(phonenumbers.NumberParseException):
        parsed = phonenumbers.parse(_bare_number(number))
        return phonenumbers.region_code_for_country_code(parsed.country_code or 0) or ""
    return ""


class _TwilioError(Exception):
    def __init__(self, code: int, status: int = 400, message: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.message = message


@dataclass
class SentSms:
    """One outbound message as the recipient's phone would see it."""

    sid: str
    to: str
    from_: str | None
    body: str
    status: str
    num_segments: int
    source: Literal["rest", "twiml"]
    at: datetime = field(default_factory=_now)


@dataclass
class ApiCall:
    """One REST request the fake answered."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str | list[str]]
    status: int
    error_code: int | None = None


@dataclass
class StatusCallback:
    """One status callback the fake POSTed (http_status None when the receiver was down)."""

    url: str
    params: dict[str, str]
    http_status: int | None


@dataclass
class _Message:
    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    status: str
    direction: str
    num_segments: int
    num_media: int
    messaging_service_sid: str | None
    status_callback: str | None
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None = None
    error_code: int | None = None
    error_message: str | None = None
    price: str | None = None
    sent: SentSms | None = None


class TwilioFake:
    """In-process stand-in for api.twilio.com's Messages resource plus Twilio's webhooks."""

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
        self._create_params = self._form_schema(LIST_PATH, "post")
        self._update_params = self._form_schema(INSTANCE_PATH, "post")
        self._list_params = {
            p["name"]: p.get("schema", {})
            for p in self.spec["paths"][LIST_PATH]["get"]["parameters"]
            if p["in"] == "query"
        }
        self.message_fields = frozenset(
            self.spec["components"]["schemas"]["api.v2010.account.message"]["properties"]
        )

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

        self._messages: dict[str, _Message] = {}
        self._fail_rules: list[dict[str, Any]] = []
        self._delivery_failures: dict[str, list[int]] = {}
        self._windows: dict[str, deque[float]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._new_sms = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

    # ----------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> TwilioFake:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._host = host
        self._port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()
        log.info("Twilio fake listening on %s", self.url)
        return self

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TwilioFake:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root that replaces https://api.twilio.com."""
        if self._port is None:
            raise RuntimeError("TwilioFake is not started")
        return f"http://{self._host}:{self._port}"

    # ------------------------------------------------------------ test controls

    def fail_next(
        self, *, to: str | None = None, code: int, status: int = 400, times: int = 1
    ) -> None:
        """Make the next `times` creates (to `to`, or any) fail with Twilio error `code`."""
        self._fail_rules.append({"to": to, "code": code, "status": status, "times": times})

    def fail_delivery(self, to: str, error_code: int = 30003, *, times: int = 1) -> None:
        """Accept the next `times` sends to `to`, then report them undelivered/failed."""
        self._delivery_failures.setdefault(to, []).extend([error_code] * times)

    def sms_to(self, number: str) -> list[SentSms]:
        return [sms for sms in self.sent if sms.to == number]

    async def wait_for_sms(
        self,
        to: str,
        contains: str | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109  (a test helper's timeout is its contract)
        after: int = 0,
    ) -> SentSms:
        """First SMS in `sent[after:]` to `to` (containing `contains`), waiting up to `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for sms in self.sent[after:]:
                if sms.to == to and (contains is None or contains in sms.body):
                    return sms
            remaining = deadline - loop.time()
            if remaining <= 0:
                listing = "\n".join(
                    f"  [{i}] {s.source} {s.from_} -> {s.to}: {s.body!r}"
                    for i, s in enumerate(self.sent)
                )
                raise AssertionError(
                    f"no SMS to {to}"
                    + (f" containing {contains!r}" if contains else "")
                    + f" within {timeout}s (after index {after}); sent:\n{listing or '  (none)'}"
                )
            event = self._new_sms
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

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
        sid = message_sid or _sid("SM")
        now = _now()
        keyword = body.strip().upper()
        if self.opt_out_handling:
            if keyword in OPT_OUT_KEYWORDS:
                self.unsubscribed.add(from_)
            elif keyword in OPT_IN_KEYWORDS:
                self.unsubscribed.discard(from_)

        if sid not in self._messages:  # Twilio retries reuse the MessageSid.
            self._messages[sid] = _Message(
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

    # ------------------------------------------------------------------ inbound

    def _inbound_params(self, sid: str, from_: str, to: str, body: str) -> dict[str, str]:
        params = {
            "ToCountry": _country_of(to),
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
            "FromCountry": _country_of(from_),
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

    # --------------------------------------------------------------------- REST

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        form: MultiDictProxy[str | bytes | Any] | None = None
        if request.method == "POST":
            if request.content_type != "application/x-www-form-urlencoded":
                self.violations.append(
                    f"{request.method} {request.path}: Content-Type {request.content_type!r}, "
                    "Twilio expects application/x-www-form-urlencoded"
                )
            form = await request.post()
        form_dict: dict[str, str | list[str]] = {}
        if form is not None:
            for key in form:
                values = [str(v) for v in form.getall(key)]
                form_dict[key] = values[0] if len(values) == 1 else values
        call = ApiCall(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            form=form_dict,
            status=0,
        )
        self.calls.append(call)
        try:
            status, payload = await self._route(request, form)
        except _TwilioError as err:
            status, payload = err.status, _error_body(err.code, err.status, err.message)
            call.error_code = err.code
            if err.status == 429:
                self.too_many_requests += 1
        call.status = status
        headers = {"Twilio-Request-Id": _sid("RQ")}
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        if payload is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(payload, status=status, headers=headers)

    async def _route(
        self, request: web.Request, form: MultiDictProxy[Any] | None
    ) -> tuple[int, dict[str, Any] | None]:
        path, method = request.path, request.method
        list_match = _LIST_RE.match(path)
        instance_match = _INSTANCE_RE.match(path)
        if not list_match and not instance_match:
            self.violations.append(f"unsupported endpoint {method} {path}")
            raise _TwilioError(20404, 404, f"The requested resource {path} was not found")
        match = list_match or instance_match
        assert match is not None
        self._authenticate(request, match["account"])
        if list_match:
            if method == "POST":
                assert form is not None
                return 201, self._create(form)
            if method == "GET":
                return 200, self._list(request)
        else:
            assert instance_match is not None
            sid = instance_match["sid"]
            if method == "GET":
                return 200, self._resource(self._lookup(sid, path))
            if method == "POST":
                assert form is not None
                return 200, self._update(self._lookup(sid, path), form)
            if method == "DELETE":
                self._lookup(sid, path)
                del self._messages[sid]
                return 204, None
        raise _TwilioError(20004, 405)

    def _authenticate(self, request: web.Request, path_account: str) -> None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            raise _TwilioError(20003, 401, "Authentication Error - No credentials provided")
        try:
            username, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise _TwilioError(20003, 401, "Authentication Error - invalid username") from exc
        if (username, password) != (self.account_sid, self.auth_token):
            raise _TwilioError(20003, 401)
        if path_account != self.account_sid:
            raise _TwilioError(20003, 401)

    def _lookup(self, sid: str, path: str) -> _Message:
        message = self._messages.get(sid)
        if message is None:
            raise _TwilioError(20404, 404, f"The requested resource {path} was not found")
        return message

    def _check_params(
        self, where: str, given: Iterable[str], schema: dict[str, dict[str, Any]], values: Any
    ) -> None:
        given = list(dict.fromkeys(given))
        unknown = sorted(set(given) - set(schema))
        if unknown:
            self.violations.append(f"{where}: unknown parameter(s) {', '.join(unknown)}")
            raise _TwilioError(20001, 400, f"Unknown parameters: {', '.join(unknown)}")
        for name in given:
            prop = self._resolve(schema[name])
            for value in values.getall(name) if hasattr(values, "getall") else [values[name]]:
                problem = self._value_problem(prop, str(value))
                if problem:
                    # Recorded but not rejected: Twilio's exact answer varies per parameter.
                    self.violations.append(f"{where}: {name}={value!r} {problem}")

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if ref:
            resolved: dict[str, Any] = self.spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
            return resolved
        return schema

    @staticmethod
    def _value_problem(schema: dict[str, Any], value: str) -> str | None:
        kind = schema.get("type")
        if kind == "array":
            schema = schema.get("items", {})
            kind = schema.get("type")
        if "enum" in schema and value not in schema["enum"]:
            return f"is not one of {schema['enum']}"
        if kind == "boolean" and value.lower() not in ("true", "false"):
            return "is not a boolean"
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            return "is not an integer"
        if kind == "number":
            try:
                float(value)
            except ValueError:
                return "is not a number"
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, value):
            return f"does not match {pattern}"
        return None

    def _form_schema(self, path: str, method: str) -> dict[str, dict[str, Any]]:
        body = self.spec["paths"][path][method]["requestBody"]
        form = body["content"]["application/x-www-form-urlencoded"]
        properties: dict[str, dict[str, Any]] = form["schema"]["properties"]
        return properties

    def _rate_limit(self) -> None:
        if not self.rate_per_sec:
            return
        now = asyncio.get_running_loop().time()
        window = self._windows.setdefault(self.account_sid, deque())
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.rate_per_sec:
            raise _TwilioError(20429, 429)
        window.append(now)

    def _injected_failure(self, to: str | None) -> None:
        for rule in self._fail_rules:
            if rule["to"] is None or rule["to"] == to:
                rule["times"] -= 1
                if rule["times"] <= 0:
                    self._fail_rules.remove(rule)
                raise _TwilioError(rule["code"], rule["status"])

    def _create(self, form: MultiDictProxy[Any]) -> dict[str, Any]:
        self._check_params("POST Messages.json", list(form), self._create_params, form)
        self._rate_limit()
        to = str(form.get("To", "")).strip()
        self._injected_failure(to or None)
        from_ = str(form.get("From", "")).strip() or None
        service = str(form.get("MessagingServiceSid", "")).strip() or None
        body = str(form.get("Body", ""))
        media = [str(u) for u in form.getall("MediaUrl", [])]
        content_sid = str(form.get("ContentSid", "")).strip() or None
        callback = str(form.get("StatusCallback", "")).strip() or None

        if not to:
            raise _TwilioError(21604)
        if not from_ and not service:
            raise _TwilioError(21603)
        if not body and not media and not content_sid:
            raise _TwilioError(21602)
        if len(body) > MAX_BODY_CHARS:
            raise _TwilioError(21617)
        if not _E164_RE.match(_bare_number(to)) or to in self.invalid_numbers:
            raise _TwilioError(21211, message=f"Invalid 'To' Phone Number: {to}")
        if from_ is not None:
            bare = _bare_number(from_)
            if not (
                _E164_RE.match(bare) or _ALPHA_SENDER_RE.match(bare) or _SHORT_CODE_RE.match(bare)
            ):
                raise _TwilioError(
                    21212,
                    message=f"The 'From' number {from_} is not a valid phone number, "
                    "shortcode, or alphanumeric sender ID.",
                )
            if self.owned_numbers and from_ not in self.owned_numbers:
                raise _TwilioError(21606)
        if callback and urlsplit(callback).scheme not in ("http", "https"):
            raise _TwilioError(21609)
        if to in self.landline_numbers:
            raise _TwilioError(21614)
        if to in self.unsubscribed:
            raise _TwilioError(21610)

        if str(form.get("SmartEncoded", "")).lower() == "true":
            body = body.translate(_SMART_ENCODING)
        message = self._new_message(
            to=to,
            from_=from_,
            body=body,
            messaging_service_sid=service,
            status_callback=callback,
            num_media=len(media),
            direction="outbound-api",
            source="rest",
            status="accepted" if service else "queued",
        )
        self._spawn(self._progress(message))
        return self._resource(message)

    def _update(self, message: _Message, form: MultiDictProxy[Any]) -> dict[str, Any]:
        self._check_params("POST Messages/{Sid}.json", list(form), self._update_params, form)
        where = f"POST Messages/{message.sid}.json"
        if "Body" in form:
            if str(form["Body"]) == "":
                message.body = ""
            else:
                self.violations.append(f"{where}: Body can only be redacted (set to '')")
        if form.get("Status") == "canceled":
            if message.status in ("scheduled", "accepted", "queued"):
                self._set_status(message, "canceled")
            else:
                self.violations.append(f"{where}: cannot cancel a {message.status} message")
        message.date_updated = _now()
        return self._resource(message)

    def _list(self, request: web.Request) -> dict[str, Any]:
        query = request.query
        self._check_params("GET Messages.json", list(query), self._list_params, query)
        try:
            page_size = max(1, min(1000, int(query.get("PageSize", "50"))))
            page = max(0, int(query.get("Page", "0")))
        except ValueError as exc:
            raise _TwilioError(20001, 400, "Invalid PageSize or Page") from exc
        matches = [
            m
            for m in self._messages.values()
            if ("To" not in query or m.to == query["To"])
            and ("From" not in query or m.from_ == query["From"])
            and self._date_filter(m, query)
        ]
        matches.sort(key=lambda m: m.date_sent or m.date_created, reverse=True)
        start = page * page_size
        chunk = matches[start : start + page_size]
        base = request.path
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int, token: str | None = None) -> str:
            params = {**filters, "PageSize": str(page_size), "Page": str(number)}
            if token:
                params["PageToken"] = token
            return f"{base}?{urlencode(params)}"

        has_next = start + page_size < len(matches)
        return {
            "end": start + max(len(chunk) - 1, 0),
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1, "PA" + chunk[-1].sid) if has_next else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": page_uri(page - 1, "PB" + chunk[0].sid) if page > 0 else None,
            "start": start,
            "uri": page_uri(page),
            "messages": [self._resource(m) for m in chunk],
        }

    @staticmethod
    def _date_filter(message: _Message, query: Any) -> bool:
        sent = message.date_sent or message.date_created
        for key, check in (
            ("DateSent", operator.eq),
            ("DateSent<", operator.le),
            ("DateSent>", operator.ge),
        ):
            raw = query.get(key)
            if not raw:
                continue
            try:
                if len(raw) == 10:
                    ok = check(sent.date(), date.fromisoformat(raw))
                else:
                    ok = check(sent, datetime.fromisoformat(raw.replace("Z", "+00:00")))
            except ValueError as exc:
                raise _TwilioError(20001, 400, f"Invalid {key} {raw!r}") from exc
            if not ok:
                return False
        return True

    # ------------------------------------------------------------ message state

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
    ) -> _Message:
        now = _now()
        segments = count_segments(body)
        message = _Message(
            sid=_sid("MM" if num_media else "SM"),
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

    def _resource(self, m: _Message) -> dict[str, Any]:
        uri = f"/{API_VERSION}/Accounts/{m.account_sid}/Messages/{m.sid}"
        resource = {
            "account_sid": m.account_sid,
            "api_version": API_VERSION,
            "body": m.body,
            "date_created": _rfc2822(m.date_created),
            "date_sent": _rfc2822(m.date_sent),
            "date_updated": _rfc2822(m.date_updated),
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

    def _set_status(self, message: _Message, status: str, *, error: int | None = None) -> None:
        now = _now()
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

    async def _progress(self, message: _Message) -> None:
        failures = self._delivery_failures.get(message.to)
        error = failures.pop(0) if failures and message.direction != "inbound" else None
        if failures == []:
            self._delivery_failures.pop(message.to, None)
        steps: list[tuple[str, int | None]]
        if error in _FAILED_DELIVERY_CODES:
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

    async def _post_status(self, message: _Message, error: int | None) -> None:
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

    # ------------------------------------------------------------------ helpers

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
