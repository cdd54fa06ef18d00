"""The conversation engine: routes neutral inbound events to product handlers, channel-blind."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

import bot.core.texts  # noqa: F401  (registers the engine's own texts)
from bot.core.actors import Actor, NotAllowed, actor_for
from bot.core.callbacks import Pressed, parse
from bot.core.i18n import CATALOG, LANGUAGES, t, t_channel
from bot.core.messages import CHANNEL_TRAITS, Button, ChannelTraits, Inbound, Reply, ReplyRoute
from bot.core.routing import ALL_INPUTS, LOCATION, PHOTO, TEXT, Handler, LeaveHook, Router
from bot.core.settings import Settings
from storage import flows, inbound, outbox, residents
from storage.db import Database, DatabaseUnavailable, is_unavailable
from storage.models import Contact, FlowState, Resident, utcnow

# The router and the input kinds live in bot.core.routing; features import them from here.
__all__ = [
    "ALL_INPUTS",
    "LOCATION",
    "PHOTO",
    "TEXT",
    "Conversation",
    "Handler",
    "LeaveHook",
    "Router",
    "Turn",
    "merge_callbacks",
]

log = logging.getLogger(__name__)

NUMBERS = re.compile(r"^\s*\d{1,2}(?:[\s,.;]+\d{1,2})*\s*$")
# Commands that still work for someone who has stopped all messages.
WORK_WHEN_STOPPED = {"start", "resume", "help", "mydata", "forget", "language"}

# How a flow ends without finishing, and the line the engine says for each.
CANCELLED, EXPIRED, GAVE_UP = "cancelled", "expired", "gave_up"
LEFT = {CANCELLED: "flow.cancelled", EXPIRED: "flow.expired", GAVE_UP: "flow.gave_up"}
# A flow left alone this long is over; the next message is handled as if none were open.
FLOW_TIMEOUT = timedelta(minutes=30)
# The waiting state with no flow open (it only remembers a language or the last offered buttons).
IDLE = "idle"
# Unexpected answers in a row, counted in the flow's data; the second one ends the flow.
MISSES = "misses"


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
    # The state of a flow that had expired when this turn began (already left).
    expired: str | None = None
    _reprompted: bool = False
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
        """Wait in `state` with `data`; only the language chosen before consent carries over.

        A new step starts the count of unexpected answers afresh."""
        keep = {k: v for k, v in self.data.items() if k == "lang"}
        data = {k: v for k, v in data.items() if k != MISSES}
        await flows.set_flow(
            session=self.session, urn=self.inbound.urn, state=state, data=keep | data
        )
        self.flow = await flows.get_flow(session=self.session, urn=self.inbound.urn)

    @property
    def in_flow(self) -> bool:
        """A flow is open: a waiting state, or buttons offered that a typed number would press."""
        return self.flow is not None and (self.flow.state != IDLE or "choices" in self.flow.data)

    async def reprompt(
        self, key: str, *, buttons: list[list[Button]] | None = None, **values: object
    ) -> None:
        """The answer did not fit this step: say `key` once with the way out; the second
        unexpected answer in a row ends the flow instead of asking again."""
        misses = int(self.data.get(MISSES, 0)) + 1
        if misses >= 2:
            await self.leave(GAVE_UP)
            return
        text = f"{self.text(key, **values)}\n{self.text('flow.way_out')}"
        self.replies.append(Reply(text, buttons or []))
        await flows.set_flow(
            session=self.session,
            urn=self.inbound.urn,
            state=self.state or IDLE,
            data=self.data | {MISSES: misses},
        )
        self.flow = await flows.get_flow(session=self.session, urn=self.inbound.urn)
        self._reprompted = True

    async def leave(self, reason: str) -> None:
        """End the open flow without finishing it, and say so (the state's hook may say more)."""
        hook = self.router.leave_hooks.get(self.state or "")
        key = await hook(self, reason) if hook is not None else None
        await self.clear_state()
        if key != "":  # "": the hook has said all there is to say
            self.say(key or LEFT[reason])

    async def clear_state(self) -> None:
        # Someone not yet registered keeps the language they chose, so the flow stays as "idle".
        if self.flow is not None and "lang" in self.flow.data and self.resident is None:
            await self.set_state(IDLE)
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


async def queue_replies(*, session: AsyncSession, urn: str, replies: list[Reply]) -> None:
    """Replies nobody waits for on the line, put in the durable outbox, which sends and retries."""
    for reply in replies:
        await outbox.enqueue_direct(
            session=session,
            urns=[urn],
            text=reply.text,
            kind="reply",
            buttons=reply.buttons or None,
            attachment=reply.attachment,
        )


class Conversation:
    """Handles one inbound event: dedupe, load who is talking, route, remember numbered choices."""

    def __init__(self, db: Database, settings: Settings, router: Router) -> None:
        self.db = db
        self.settings = settings
        self.router = router

    async def handle(self, event: Inbound) -> list[Reply]:
        """The replies to one event, handled in one transaction.

        Raises DatabaseUnavailable when the database cannot be reached (or does not answer in
        time): nothing was stored then, and the transport keeps the event for a retry instead of
        answering with an apology that would make the provider forget it.

        When the event carries a ReplyRoute and its caller has stopped waiting, the replies are
        queued in the outbox within the same transaction and none are returned.
        """
        lang = self.settings.default_language

        async def in_one_transaction() -> list[Reply]:
            nonlocal lang
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
                route = event.reply_route
                if route is not None and not route.claim_line():
                    await queue_replies(session=session, urn=event.urn, replies=turn.replies)
                    return []
                return turn.replies

        try:
            # A black-holed database must not hold a webhook past the provider's own timeout.
            return await asyncio.wait_for(in_one_transaction(), self.settings.db_timeout * 2)
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
        except Exception as exc:
            if is_unavailable(exc):
                log.warning("database unavailable handling inbound from %s: %r", event.urn, exc)
                raise DatabaseUnavailable(str(exc) or type(exc).__name__) from exc
            # The transaction rolled back: nothing of this message was kept.
            log.exception("failed handling inbound from %s", event.urn)
        return [Reply(t("error", self.settings.default_language))]

    async def handle_and_queue(self, event: Inbound) -> None:
        """Handle an event nobody waits for (a spooled one, replayed): its replies go into the
        outbox in the same transaction, so a database that drops between the two cannot mark
        the event seen and lose its answer. Raises DatabaseUnavailable like handle()."""
        event.reply_route = ReplyRoute(queued=True)
        replies = await self.handle(event)
        if not replies:
            return
        # Only a refusal or the error apology comes back here; nothing was stored for it, so
        # if this fails too the event stays where it was and is handled again.
        try:
            async with self.db.session() as session:
                await queue_replies(session=session, urn=event.urn, replies=replies)
        except Exception as exc:
            if is_unavailable(exc):
                raise DatabaseUnavailable(str(exc) or type(exc).__name__) from exc
            raise

    async def _load(self, session: AsyncSession, event: Inbound) -> Turn:
        contact = await residents.get_contact(session=session, urn=event.urn)
        resident = (
            await residents.get_resident(session=session, resident_id=contact.resident_id)
            if contact
            else None
        )
        flow = await flows.get_flow(session=session, urn=event.urn)
        turn = Turn(event, session, self.settings, contact, resident, flow, router=self.router)
        if flow is not None and turn.in_flow and self._expired(flow, utcnow()):
            turn.expired = flow.state
        return turn

    def _expired(self, flow: FlowState, now: datetime) -> bool:
        # SQLite hands the timestamp back without its zone; it was stored as UTC.
        at = flow.updated_at if flow.updated_at.tzinfo else flow.updated_at.replace(tzinfo=UTC)
        return now - at > self.router.timeouts.get(flow.state, FLOW_TIMEOUT)

    async def _route(self, turn: Turn) -> None:
        """Route the turn; a yes/no question it passed over is void afterwards."""
        asked = turn.flow
        before = (asked.state, asked.updated_at) if asked is not None else None
        await self._route_turn(turn)
        flow = turn.flow
        if (
            flow is not None
            and (flow.state, flow.updated_at) == before
            and {"on_yes", "on_no"} & set(flow.data)
        ):
            # The person did something else instead of answering (SLET, then DATA): a "JA" sent
            # later, say to an invitation, must not confirm a question nobody is looking at.
            data = {k: v for k, v in flow.data.items() if k not in ("on_yes", "on_no")}
            await flows.set_flow(
                session=turn.session, urn=turn.inbound.urn, state=flow.state, data=data
            )

    async def _route_turn(self, turn: Turn) -> None:
        """Stopped contacts first, then an expired flow ends, /cancel leaves the open one; then a
        button, a command, the waiting state, the defaults."""
        if turn.contact is not None and turn.contact.stopped_at is not None:
            if turn.inbound.command not in WORK_WHEN_STOPPED:
                if not turn.traits.silent_after_stop:
                    turn.say("still_stopped")
                return
        if turn.expired is not None:
            await turn.leave(EXPIRED)
        if turn.inbound.command == "cancel":
            if turn.in_flow:
                await turn.leave(CANCELLED)
            elif turn.expired is None:
                turn.say("flow.nothing_to_cancel")
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
        if turn.state not in (None, IDLE) and ({"on_yes", "choices"} & set(turn.data)):
            # A step that waits for a button: one pointer to them, then the flow ends.
            await turn.reprompt("flow.yes_or_no" if "on_yes" in turn.data else "flow.use_buttons")
            return
        await self._unknown(turn)

    async def _unknown(self, turn: Turn) -> None:
        if self.router.on_unknown is not None:
            await self.router.on_unknown(turn)

    async def _remember_choices(self, turn: Turn) -> None:
        """Keep the last offered buttons so a typed number (SMS) presses them."""
        offered = next((r for r in reversed(turn.replies) if r.buttons), None)
        data = turn.data
        if not turn._reprompted:
            # Only unexpected answers in a row count; anything else starts the count afresh.
            data.pop(MISSES, None)
        if offered is not None:
            choices = [b.data for b in offered.flat_buttons()]
            await flows.set_flow(
                session=turn.session,
                urn=turn.inbound.urn,
                state=turn.state or IDLE,
                data=data | {"choices": choices},
            )
        elif turn.flow is not None and turn.replies and not turn._reprompted:
            if "choices" in data or MISSES in turn.flow.data:
                # Something else was answered: an old number must not press a stale button.
                data.pop("choices", None)
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
