"""Logging set-up: text or one JSON object per line, and never a secret in either."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import TextIO

from bot.core.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that say too much at INFO: httpx logs every request URL (Telegram URLs contain the
# bot token), the Twilio client logs each request's method, URL, headers and response.
QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "telegram.ext.Updater",
    "apscheduler",
    "uvicorn.access",
    "twilio",
    "twilio.http_client",
    "twilio.async_http_client",
)


class RedactSecrets(logging.Filter):
    """Replace every configured secret with *** in a record's message and its traceback."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        # Formatters use exc_text when it is set: both formats print the redacted traceback.
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and exc_info when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def secrets_of(settings: Settings) -> list[str]:
    values = []
    for secret in (
        settings.telegram_token,
        settings.twilio_auth_token,
        settings.telegram_webhook_secret,
        settings.metrics_token,
    ):
        if secret is not None:
            values.append(secret.get_secret_value())
    return values


def setup_logging(
    settings: Settings, level: int = logging.INFO, stream: TextIO | None = None
) -> None:
    """Log to stderr (or `stream`) as LOG_FORMAT says, secrets redacted, chatty loggers quiet."""
    handler = logging.StreamHandler(stream)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
