"""Logging set-up that never lets a secret reach a log line."""

from __future__ import annotations

import logging

from bot.core.settings import Settings


class RedactSecrets(logging.Filter):
    """Replace every configured secret in a record with ***."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message or record.exc_info:
            record.msg, record.args = redacted, None
            if record.exc_info:
                import traceback

                text = "".join(traceback.format_exception(*record.exc_info))
                for secret in self.secrets:
                    text = text.replace(secret, "***")
                record.msg = f"{redacted}\n{text}"
                record.exc_info = None
        return True


def secrets_of(settings: Settings) -> list[str]:
    values = []
    for secret in (settings.telegram_token, settings.twilio_auth_token):
        if secret is not None:
            values.append(secret.get_secret_value())
    return values


def setup_logging(settings: Settings, level: int = logging.INFO) -> None:
    """Log to stderr with secrets redacted; silence request logs that print URLs with tokens."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "apscheduler", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
