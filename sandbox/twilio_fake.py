"""The fake Twilio under its old import path; the code lives in sandbox/twilio/."""

from __future__ import annotations

from sandbox.twilio import (
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
    TwilioFake,
    count_segments,
    is_gsm7,
)

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
