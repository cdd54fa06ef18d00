"""Where each command, button prefix and waiting state is handled: the table features fill in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.callbacks import Pattern, Pressed, parse
from bot.core.feature import Feature, MenuEntry, StatsSection

if TYPE_CHECKING:
    from bot.core.conversation import Turn

Handler = Callable[["Turn"], Awaitable[None]]
# Runs when /cancel, expiry or a second unexpected answer ends a flow in its state (the reason is
# CANCELLED, EXPIRED or GAVE_UP) before the flow is cleared; returns the key of the line to say
# instead of the engine's own, e.g. one naming what is kept ("Afbrudt. Dit tip er gemt."), None
# for the engine's line, or "" when the hook has said what it wants itself.
LeaveHook = Callable[["Turn", str], Awaitable[str | None]]


# What a person can send while a flow waits for an answer.
TEXT, PHOTO, LOCATION = "text", "photo", "location"
ALL_INPUTS = frozenset({TEXT, PHOTO, LOCATION})


@dataclass(frozen=True)
class StateRoute:
    """A waiting state: its handler and which inputs it takes (others fall to the defaults)."""

    handler: Handler
    accepts: frozenset[str]


@dataclass(frozen=True)
class ButtonRoute:
    """A button prefix: its handler and the data shapes it takes (others are refused)."""

    handler: Handler
    patterns: tuple[Pattern, ...]


@dataclass
class Router:
    """Where each command, button prefix and waiting state is handled; features register here.

    Every name is registered once: a second registration of a command, button prefix, state or
    default handler is refused at start, so no feature silently replaces another's handler.
    """

    commands: dict[str, Handler] = field(default_factory=dict)
    coordinator_commands: set[str] = field(default_factory=set)
    callbacks: dict[str, ButtonRoute] = field(default_factory=dict)
    states: dict[str, StateRoute] = field(default_factory=dict)
    on_location: Handler | None = None
    on_unknown: Handler | None = None
    leave_hooks: dict[str, LeaveHook] = field(default_factory=dict)
    timeouts: dict[str, timedelta] = field(default_factory=dict)
    menu: list[MenuEntry] = field(default_factory=list)
    stats_sections: list[StatsSection] = field(default_factory=list)

    def add_feature(self, feature: Feature) -> None:
        """A feature's chat handlers, menu entries and /stats lines."""
        if feature.chat is not None:
            feature.chat(self)
        self.menu.extend(feature.menu)
        if feature.stats is not None:
            self.stats_sections.append(feature.stats)

    def command(self, name: str, *, coordinator: bool = False) -> Callable[[Handler], Handler]:
        if name == "cancel":
            raise ValueError("/cancel belongs to the engine; say what it keeps with on_leave")

        def register(handler: Handler) -> Handler:
            _refuse_duplicate(self.commands, name, "command")
            self.commands[name] = handler
            if coordinator:
                self.coordinator_commands.add(name)
            return handler

        return register

    def callback(self, prefix: str, *patterns: Pattern) -> Callable[[Handler], Handler]:
        """Buttons whose data starts with `prefix:`; only data matching one of `patterns` reaches
        the handler (as `turn.pressed`), anything else is answered as an expired button."""
        if not patterns:
            raise ValueError(f"button prefix {prefix!r} needs at least one data pattern")
        for pattern in patterns:
            if pattern.prefix != prefix:
                raise ValueError(f"{pattern!r} does not start with the prefix {prefix!r}")

        def register(handler: Handler) -> Handler:
            _refuse_duplicate(self.callbacks, prefix, "button prefix")
            self.callbacks[prefix] = ButtonRoute(handler, tuple(patterns))
            return handler

        return register

    def parse_button(self, data: str | None) -> Pressed | None:
        """The typed press for `data`, if some registered pattern takes it."""
        route = self.callbacks.get((data or "").partition(":")[0])
        return parse(data, *route.patterns) if route is not None else None

    def state(
        self, name: str, *, accepts: Iterable[str] = ALL_INPUTS
    ) -> Callable[[Handler], Handler]:
        """A waiting state; text, photos and shared locations sent in it go to its handler."""
        unknown = set(accepts) - ALL_INPUTS
        if unknown:
            raise ValueError(f"state {name!r} accepts unknown inputs {sorted(unknown)}")

        def register(handler: Handler) -> Handler:
            _refuse_duplicate(self.states, name, "state")
            self.states[name] = StateRoute(handler, frozenset(accepts))
            return handler

        return register

    def on_leave(self, *states: str) -> Callable[[LeaveHook], LeaveHook]:
        """What happens when /cancel, expiry or a second unexpected answer ends these states."""

        def register(hook: LeaveHook) -> LeaveHook:
            for state in states:
                _refuse_duplicate(self.leave_hooks, state, "leave hook for state")
                self.leave_hooks[state] = hook
            return hook

        return register

    def expire_after(self, after: timedelta, *states: str) -> None:
        """A longer (or shorter) life than FLOW_TIMEOUT for flows waiting in these states."""
        for state in states:
            _refuse_duplicate(self.timeouts, state, "timeout for state")
            self.timeouts[state] = after

    def default_location(self, handler: Handler) -> Handler:
        """A shared location when no open flow takes it."""
        if self.on_location is not None:
            raise ValueError("the default location handler is registered twice")
        self.on_location = handler
        return handler

    def fallback(self, handler: Handler) -> Handler:
        """Anything no command, button or state handles."""
        if self.on_unknown is not None:
            raise ValueError("the fallback handler is registered twice")
        self.on_unknown = handler
        return handler


def _refuse_duplicate(table: Mapping[str, object], name: str, what: str) -> None:
    if name in table:
        raise ValueError(f"{what} {name!r} is registered twice")
