"""Constants, records and the API error type shared by the fake Telegram's modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_TOKEN = "123456:TEST-TOKEN"
DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "telegram-bot-api.json"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_UPLOAD_SIZE = 50 * 1024 * 1024

# Update types Telegram leaves out when allowed_updates is empty or was never set.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_SET_WEBHOOK = "Conflict: terminated by setWebhook request"


@dataclass
class SentMessage:
    """One message the bot sent or edited, as the fake saw it."""

    method: str
    chat_id: int | str
    message_id: int
    text: str | None  # plain text (or caption) after entity parsing, as Telegram shows it
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    params: dict[str, Any]
    at: float  # time.monotonic()
    entities: list[dict[str, Any]] = field(default_factory=list)
    message: dict[str, Any] = field(default_factory=dict)  # the Message object returned


@dataclass
class UploadedFile:
    """A file part received in a multipart/form-data request."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class StoredFile:
    """A file the fake can serve through getFile and the file download URL."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None


class TelegramApiError(Exception):
    """An error answer of the Bot API (turned into the JSON error body)."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(description: str) -> TelegramApiError:
    return TelegramApiError(400, f"Bad Request: {description}")


@dataclass
class Injection:
    """An error a test asked for: the next `times` calls of `method` get it."""

    method: str  # lower-case
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | str | None
    times: int


@dataclass
class Described:
    """A successful result that carries a description, like deleteWebhook's answers."""

    result: Any
    description: str
