"""Local fake of Twilio Programmable Messaging (REST API 2010-04-01) for tests and the demo."""

from __future__ import annotations

from sandbox.twilio.gsm import count_segments, is_gsm7
from sandbox.twilio.models import (
    API_VERSION,
    DEFAULT_ACCOUNT_SID,
    DEFAULT_SPEC_PATH,
    ERROR_MESSAGES,
    INSTANCE_PATH,
    LIST_PATH,
    MAX_BODY_CHARS,
    OPT_IN_KEYWORDS,
    OPT_OUT_KEYWORDS,
    WEBHOOK_TIMEOUT,
    ApiCall,
    SentSms,
    StatusCallback,
)
from sandbox.twilio.server import TwilioFake

__all__ = [
    "API_VERSION",
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_SPEC_PATH",
    "ERROR_MESSAGES",
    "INSTANCE_PATH",
    "LIST_PATH",
    "MAX_BODY_CHARS",
    "OPT_IN_KEYWORDS",
    "OPT_OUT_KEYWORDS",
    "WEBHOOK_TIMEOUT",
    "ApiCall",
    "SentSms",
    "StatusCallback",
    "TwilioFake",
    "count_segments",
    "is_gsm7",
]
