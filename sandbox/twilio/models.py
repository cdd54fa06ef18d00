"""Constants, Twilio's error texts, the records tests read and the helpers the parts share."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Literal

import phonenumbers

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "twilio_messages.json"
LIST_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
INSTANCE_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"

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
FAILED_DELIVERY_CODES = frozenset({30001, 30002, 30010})


def rfc2822(moment: datetime | None) -> str | None:
    return None if moment is None else format_datetime(moment.replace(microsecond=0))


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def error_body(code: int, status: int, message: str | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "message": message or ERROR_MESSAGES.get(code, f"Error {code}"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def bare_number(address: str) -> str:
    for prefix in _CHANNEL_PREFIXES:
        if address.startswith(prefix):
            return address[len(prefix) :]
    return address


def country_of(number: str) -> str:
    with contextlib.suppress(phonenumbers.NumberParseException):
        parsed = phonenumbers.parse(bare_number(number))
        return phonenumbers.region_code_for_country_code(parsed.country_code or 0) or ""
    return ""


class TwilioError(Exception):
    """A Twilio REST error: its code, HTTP status and message."""

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
    at: datetime = field(default_factory=utcnow)


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
class Message:
    """The fake's full record of one message resource."""

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
