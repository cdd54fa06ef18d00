"""Typed settings from the environment and an optional .env, built once at start-up."""

from __future__ import annotations

import re
import sys
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.quiet import parse_quiet_hours
from bot.core.urns import parse_urn

# Values that people paste from examples; starting with them would fail later and confusingly.
PLACEHOLDER_SECRETS = {"changeme", "change-me", "your-token-here", "xxx", "todo", "secret"}


class Settings(BaseSettings):
    """Every setting Nabovagt reads; see the README table."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_max_rate: float = Field(30.0, gt=0)
    database_url: str = "sqlite+aiosqlite:///./nabovagt.db"
    public_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(8080, ge=0, le=65535)
    timezone: str = "Europe/Copenhagen"
    default_language: str = "da"
    coordinators: str = ""
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    sms_max_rate: float = Field(1.0, gt=0)
    quiet_hours: str = "21:00-08:00"
    media_dir: str = "./media"
    tip_retention_days: int = Field(365, ge=1)
    tip_forward_targets: str = "Politiet,Boligforeningen,Kommunens driftsafdeling"
    # Several instances: Telegram updates by webhook on POST {PUBLIC_URL}/telegram.
    telegram_mode: str = "polling"
    telegram_webhook_secret: SecretStr | None = None
    # Inbound events that arrive while the database is unreachable wait here (one file each).
    spool_dir: str = "./spool"
    # Seconds any one database call may take before it counts as "database unavailable".
    db_timeout: float = Field(5.0, gt=0)
    metrics_token: SecretStr | None = None
    log_format: str = "text"

    @field_validator("telegram_token", "twilio_auth_token")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("is a placeholder, not a real secret")
        return value

    @field_validator("telegram_mode")
    @classmethod
    def _telegram_mode(cls, value: str) -> str:
        if value not in ("polling", "webhook"):
            raise ValueError("must be polling or webhook")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value not in ("text", "json"):
            raise ValueError("must be text or json")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's own rule for secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and ":" not in value.get_secret_value():
            raise ValueError("must look like 123456:ABC... (from @BotFather)")
        return value

    @field_validator("telegram_api_url", "twilio_api_url", "public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known IANA time zone, e.g. Europe/Copenhagen") from None
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("da", "en"):
            raise ValueError("must be da or en")
        return value

    @field_validator("coordinators")
    @classmethod
    def _urns(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            parse_urn(item)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @field_validator("twilio_from")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        if value is None:
            return value
        value = value.strip()
        if re.fullmatch(r"MG[0-9a-fA-F]{32}", value) or re.fullmatch(r"\+[1-9]\d{6,14}", value):
            return value
        if re.fullmatch(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}", value):
            return value  # alphanumeric sender id
        raise ValueError(
            "must be an E.164 number (+45...), a sender name or a Messaging Service SID MG..."
        )

    @model_validator(mode="after")
    def _twilio_complete(self) -> Settings:
        given = {
            "TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "TWILIO_FROM": self.twilio_from,
        }
        missing = [name for name, value in given.items() if value is None]
        if 0 < len(missing) < len(given):
            raise ValueError(f"SMS needs {', '.join(missing)} too")
        return self

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if self.telegram_mode == "webhook":
            if self.telegram_webhook_secret is None:
                raise ValueError("TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET")
            if self.public_url is None:
                raise ValueError("TELEGRAM_MODE=webhook needs PUBLIC_URL")
        return self

    @property
    def sms_enabled(self) -> bool:
        return self.twilio_account_sid is not None

    @property
    def coordinator_urns(self) -> list[str]:
        """COORDINATORS as normalised URNs."""
        return [parse_urn(p.strip()) for p in self.coordinators.split(",") if p.strip()]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SettingsError(SystemExit):
    """Start-up stops with one line naming the bad setting (exit code 2)."""


def load_settings(**overrides: object) -> Settings:
    """Build settings or exit 2 with one readable line per problem, never a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            message = str(err["msg"]).removeprefix("Value error, ")
            if err["loc"]:
                lines.append(f"nabovagt: setting {str(err['loc'][0]).upper()} {message}")
            else:
                lines.append(f"nabovagt: settings: {message}")
        print("\n".join(lines), file=sys.stderr)
        raise SettingsError(2) from None
