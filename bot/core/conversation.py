"""The conversation engine: routes neutral inbound events to product handlers, channel-blind."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

import bot.core.texts  # noqa: F401  (registers the engine's own texts)
from bot.core.actors import Actor, NotAllowed, actor_for
from bot.core.callbacks import Pattern, Pressed, parse
from bot.core.feature import Feature, MenuEntry, StatsSection
from bot.core.i18n import CATALOG, LANGUAGES, t, t_channel
from bot.core.messages import CHANNEL_TRAITS, Button, ChannelTraits, Inbound, Reply
from bot.core.settings import Settings
from storage import flows, inbound, residents
from storage.db import Database
from storage.models import Contact, FlowState, Resident

log = logging.getLogger(__name__)

Handler = Callable[["Turn"], Awaitable[None]]
NUMBERS = re.compile(r"^\s*\d{1,2}(?:[\s,.;]+\d{1,2})*\s*$")
# Commands that still work for someone who has stopped all messages.
WORK_WHEN_STOPPED = {"start", "resume", "help", "mydata", "forget", "language"}


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


@dataclass
class Turn:
    """One inbound event being handled inside one database transaction."""

    inbound: Inbound
    session: AsyncSession
    settings: Settings
    contact: Contact | None
    resident: Resident | None
    flow: FlowState | None
    replies: list[Reply] = field(default_factory=list)
    # The router handling this turn, for handlers that describe the others (/help, /stats).
    router: Router = field(default_factory=Router)
    # The button press this turn handles, parsed by its handler's patterns.
    pressed_button: Pressed | None = None
    _actor: Actor | None = None

    @property
    def pressed(self) -> Pressed:
        """The parsed button press (only inside a button handler)."""
        assert self.pressed_button is not None, "not a button press"
        return self.pressed_button

    @property
    def traits(self) -> ChannelTraits:
        return CHANNEL_TRAITS[self.inbound.channel]

    @property
    def lang(self) -> str:
        """The resident's language; before consent the one chosen in the flow, else the default."""
        if self.resident is not None:
            return self.resident.language
        if self.flow is not None and self.flow.data.get("lang") in LANGUAGES:
            return str(self.flow.data["lang"])
        return self.settings.default_language

    @property
    def state(self) -> str | None:
        return self.flow.state if self.flow else None

    @property
    def data(self) -> dict[str, Any]:
        """A copy of the open flow's data; change it through set_state."""
        return dict(self.flow.data) if self.flow else {}

    def text(self, key: str, **values: object) -> str:
        return t_channel(key, self.lang, self.inbound.channel, **values)

    def say(
        self,
        key: str,
        *,
        buttons: list[list[Button]] | None = None,
        edit: bool = False,
        **values: object,
    ) -> None:
        self.replies.append(Reply(self.text(key, **values), buttons or [], edit))

    def say_text(self, text: str, *, buttons: list[list[Button]] | None = None) -> None:
        self.replies.append(Reply(text, buttons or []))

    def button(self, key: str, data: str) -> Button:
        return Button(t(key, self.lang), data)

    async def set_state(self, state: str, **data: Any) -> None:
        """Wait in `state` with `data`; only the language chosen before consent carries over."""
        keep = {k: v for k, v in self.data.items() if k == "lang"}
        await flows.set_flow(
            session=self.session, urn=self.inbound.urn, state=state, data=keep | data
        )
        self.flow = await flows.get_flow(session=self.session, urn=self.inbound.urn)

    async def clear_state(self) -> None:
        # Someone not yet registered keeps the language they chose, so the flow stays as "idle".
        if self.flow is not None and "lang" in self.flow.data and self.resident is None:
            await self.set_state("idle")
            return
        await flows.clear_flow(session=self.session, urn=self.inbound.urn)
        self.flow = None

    async def actor(self) -> Actor:
        """Who is asking, for the services' checks: every address of the person, their roles."""
        resident_id = self.resident.id if self.resident is not None else None
        if self._actor is None or self._actor.resident_id != resident_id:
            self._actor = await actor_for(
                session=self.session,
                settings=self.settings,
                urn=self.inbound.urn,
                resident_id=resident_id,
            )
        return self._actor

    async def is_staff(self) -> bool:
        """Coordinators and area representatives (on this address or another of the person's)."""
        return (await self.actor()).is_staff

    async def is_coordinator(self) -> bool:
        """A coordinator by setting or by role, on this address or any other of the resident's."""
        return (await self.actor()).coordinator


def input_kind(event: Inbound) -> str | None:
    """What the person sent, for routing to a waiting state: location, photo, text or nothing."""
    if event.location is not None:
        return LOCATION
    if event.photos:
        return PHOTO
    if event.text.strip():
        return TEXT
    return None


def _numbered_choices(text: str, choices: list[str]) -> list[str] | None:
    """Map "1" or "1 3" to the button data of the last reply's buttons, if all are in range."""
    if not choices or not NUMBERS.match(text):
        return None
    picks = [int(n) for n in re.findall(r"\d+", text)]
    if not all(1 <= n <= len(choices) for n in picks):
        return None
    return [choices[n - 1] for n in dict.fromkeys(picks)]


def merge_callbacks(datas: list[str], router: Router | None = None) -> str:
    """Several picks of one kind ("area:set:1", "area:set:3") become one ("area:set:1,3").

    With a router, only where a pattern takes the merged data; otherwise the first pick counts.
    """
    if len(datas) == 1:
        return datas[0]
    heads = {d.rpartition(":")[0] for d in datas}
    if len(heads) != 1:
        return datas[0]
    merged = f"{heads.pop()}:{','.join(d.rpartition(':')[2] for d in datas)}"
    if router is not None and router.parse_button(merged) is None:
        return datas[0]
    return merged


class Conversation:
    """Handles one inbound event: dedupe, load who is talking, route, remember numbered choices."""

    def __init__(self, db: Database, settings: Settings, router: Router) -> None:
        self.db = db
        self.settings = settings
        self.router = router

    async def handle(self, event: Inbound) -> list[Reply]:
        lang = self.settings.default_language
        try:
            async with self.db.session() as session:
                if event.provider_id and not await inbound.first_time(
                    session=session, key=event.provider_id
                ):
                    log.info("duplicate inbound %s ignored", event.provider_id)
                    return []
                turn = await self._load(session, event)
                lang = turn.lang
                await self._route(turn)
                await self._remember_choices(turn)
                return turn.replies
        except NotAllowed as refused:
            # Raised before anything changed, and the rollback undoes any step taken before it.
            log.info("refused for %s: %s", event.urn, refused)
            key = refused.key if refused.key in CATALOG else "not_allowed"
            return [Reply(t_channel(key, lang, event.channel))]
        except IntegrityError:
            # A concurrent retry of the same provider message won the race: handled once.
            if event.provider_id:
                log.info("concurrent duplicate inbound %s ignored", event.provider_id)
                return []
            log.exception("integrity error handling %s", event.urn)
        except Exception:
            # The transaction rolled back, so the event can simply be sent again.
            log.exception("failed handling inbound from %s", event.urn)
        return [Reply(t("error", self.settings.default_language))]

    async def _load(self, session: AsyncSession, event: Inbound) -> Turn:
        contact = await residents.get_contact(session=session, urn=event.urn)
        resident = (
            await residents.get_resident(session=session, resident_id=contact.resident_id)
            if contact
            else None
        )
        flow = await flows.get_flow(session=session, urn=event.urn)
        return Turn(event, session, self.settings, contact, resident, flow, router=self.router)

    async def _route(self, turn: Turn) -> None:
        """Stopped contacts first, then a button, a command, the waiting state, the defaults."""
        if turn.contact is not None and turn.contact.stopped_at is not None:
            if turn.inbound.command not in WORK_WHEN_STOPPED:
                if not turn.traits.silent_after_stop:
                    turn.say("still_stopped")
                return
        _as_button_press(turn, self.router)
        event, router = turn.inbound, self.router
        if event.callback is not None:
            button = router.callbacks.get(event.callback.partition(":")[0])
            turn.pressed_button = parse(event.callback, *button.patterns) if button else None
            if button is None or turn.pressed_button is None:
                log.info(
                    "button data %r from %s matches no pattern", event.callback[:80], event.urn
                )
                turn.say("expired_button")
                return
            await button.handler(turn)
            return
        if event.command is not None:
            handler = router.commands.get(event.command)
            if handler is None:
                await self._unknown(turn)
                return
            if event.command in router.coordinator_commands and not await turn.is_coordinator():
                turn.say("coordinators_only")
                return
            await handler(turn)
            return
        route = router.states.get(turn.state or "")
        if route is not None and input_kind(event) in route.accepts:
            await route.handler(turn)
            return
        if event.location is not None and router.on_location is not None:
            await router.on_location(turn)
            return
        await self._unknown(turn)

    async def _unknown(self, turn: Turn) -> None:
        if self.router.on_unknown is not None:
            await self.router.on_unknown(turn)

    async def _remember_choices(self, turn: Turn) -> None:
        """Keep the last offered buttons so a typed number (SMS) presses them."""
        offered = next((r for r in reversed(turn.replies) if r.buttons), None)
        if offered is not None:
            choices = [b.data for b in offered.flat_buttons()]
            await flows.set_flow(
                session=turn.session,
                urn=turn.inbound.urn,
                state=turn.state or "idle",
                data=turn.data | {"choices": choices},
            )
        elif turn.flow is not None and "choices" in turn.flow.data and turn.replies:
            # Something else was answered: an old number must not press a stale button.
            data = turn.data
            data.pop("choices")
            await flows.set_flow(
                session=turn.session, urn=turn.inbound.urn, state=turn.flow.state, data=data
            )


def _as_button_press(turn: Turn, router: Router) -> None:
    """Typed answers that mean a button: YES/NO where the flow names one, numbers of offered ones."""
    event = turn.inbound
    if event.command in ("yes", "no") and f"on_{event.command}" in turn.data:
        event.callback = str(turn.data[f"on_{event.command}"])
        event.command = None
    if event.command is None and event.callback is None and event.text:
        picked = _numbered_choices(event.text, list(turn.data.get("choices", [])))
        if picked:
            event.callback = merge_callbacks(picked, router)
