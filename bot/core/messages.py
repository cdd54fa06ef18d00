"""Provider-neutral messages: what transports hand to the product and what it answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Button:
    label: str
    data: str


class ReplyRoute:
    """Where an event's replies go: back on the line (a webhook still waiting) or the outbox.

    Decided once. The handler claims the line as its transaction ends; a webhook that stops
    waiting claims the outbox, and the handler then queues the replies in its own transaction.
    Whichever comes first wins, so an answer is neither lost between the two nor sent twice.
    """

    def __init__(self, *, queued: bool = False) -> None:
        self._route: str | None = "outbox" if queued else None

    def claim_line(self) -> bool:
        """True when the replies go back on the line; False when they belong in the outbox."""
        self._route = self._route or "line"
        return self._route == "line"

    def claim_outbox(self) -> bool:
        """True when the replies will be queued; False when they are already on their way back."""
        self._route = self._route or "outbox"
        return self._route == "outbox"


@dataclass
class Inbound:
    """One thing a person did: typed text, a command, a button press or a shared location."""

    urn: str
    channel: str
    text: str = ""
    command: str | None = None
    args: str = ""
    callback: str | None = None
    location: Location | None = None
    display_name: str | None = None
    language_hint: str | None = None
    provider_id: str | None = None
    # Provider file references of attached photos, and how to fetch one (the channel's links expire).
    photos: list[str] = field(default_factory=list)
    fetch_media: Callable[[str], Awaitable[bytes]] | None = None
    # Set by a transport whose caller may stop waiting for the replies (see ReplyRoute).
    reply_route: ReplyRoute | None = None


@dataclass
class Reply:
    """One answer. `edit` asks to replace the message whose button was pressed, where possible."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    edit: bool = False
    # A file sent with the message where the channel can (filename, content); SMS ignores it.
    attachment: tuple[str, bytes] | None = None

    def flat_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class ChannelTraits:
    """What a channel can do, so the product adapts presentation without naming providers."""

    buttons: bool
    silent_after_stop: bool
    implicit_consent: bool


CHANNEL_TRAITS = {
    "telegram": ChannelTraits(buttons=True, silent_after_stop=False, implicit_consent=False),
    # Carriers forbid messages after STOP; texting TILMELD is itself the act of consent.
    "sms": ChannelTraits(buttons=False, silent_after_stop=True, implicit_consent=True),
}
