"""Logs an operator reads: text or JSON lines, no secret in either, no chatter from the Twilio client."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from bot.app.logs import QUIET_LOGGERS, setup_logging
from bot.core.messages import Reply
from bot.core.settings import Settings
from bot.handlers.sms import SmsTransport

TOKEN = "123456:SECRET-BOT-TOKEN"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """Where setup_logging writes; the root logger pytest set up is given back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield io.StringIO()
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def configured(log_format: str) -> Settings:
    return Settings(_env_file=None, telegram_token=SecretStr(TOKEN), log_format=log_format)


def log_a_failure() -> None:
    log = logging.getLogger("nabovagt.test")
    log.info("polling https://api.telegram.org/bot%s/getUpdates", TOKEN)
    try:
        raise RuntimeError(f"bad URL https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("sending failed for chat %d", 1001)


def test_json_logs_are_one_object_per_line_with_the_secret_redacted(stream) -> None:
    setup_logging(configured("json"), stream=stream)
    log_a_failure()
    output = stream.getvalue()
    assert TOKEN not in output
    first, second = (json.loads(line) for line in output.splitlines())
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["level"] == "INFO" and first["logger"] == "nabovagt.test"
    assert first["message"] == "polling https://api.telegram.org/bot***/getUpdates"
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and second["message"] == "sending failed for chat 1001"
    assert second["exc_info"].startswith("Traceback (most recent call last):")
    assert second["exc_info"].endswith(
        "RuntimeError: bad URL https://api.telegram.org/bot***/sendMessage"
    )


def test_text_logs_stay_the_default_with_the_secret_redacted(stream) -> None:
    setup_logging(Settings(_env_file=None, telegram_token=SecretStr(TOKEN)), stream=stream)
    log_a_failure()
    output = stream.getvalue()
    assert TOKEN not in output
    lines = output.splitlines()
    assert lines[0].endswith(
        " INFO nabovagt.test: polling https://api.telegram.org/bot***/getUpdates"
    )
    assert lines[1].endswith(" ERROR nabovagt.test: sending failed for chat 1001")
    assert lines[2] == "Traceback (most recent call last):"
    assert lines[-1] == "RuntimeError: bad URL https://api.telegram.org/bot***/sendMessage"


async def test_an_sms_sent_leaves_no_info_lines_from_the_twilio_client(stream, twilio) -> None:
    setup_logging(configured("text"), stream=stream)
    sms = SmsTransport(
        account_sid=twilio.account_sid,
        auth_token=twilio.auth_token,
        sender=twilio.phone_number,
        api_url=twilio.url,
        public_url=None,
        sink=lambda _: None,  # type: ignore[arg-type,return-value]
    )
    await sms.start()
    try:
        await sms.send("tel:+4520304050", Reply("Indbrud på Paltholmvej"))
    finally:
        await sms.stop()
    assert [m.body for m in twilio.sent] == ["Indbrud på Paltholmvej"]
    assert [line for line in stream.getvalue().splitlines() if "twilio" in line] == []


def test_the_twilio_clients_loggers_only_speak_up_from_warnings(stream) -> None:
    setup_logging(configured("text"), stream=stream)
    for name in ("twilio.http_client", "twilio.async_http_client"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
        assert logging.getLogger(name).isEnabledFor(logging.WARNING)
