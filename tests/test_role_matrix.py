"""The role matrix: every command, SMS keyword and button kind tried by every kind of person.

Each attempt gets a fresh home area, a fresh person of its kind and fresh objects there (an
event, a safety walk in progress, a tip), so attempts cannot influence each other. Allowed attempts must
get the normal answer; refused ones a polite refusal, nothing changed in any table, and none of
the secrets (tipster's name, tip text, attendee's name) in any reply. Button data is sent as
forged as an attacker would: the ids of objects the person never got a button for, and waiting
states ("flows") set as if they had got there.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, text
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app.application import build_router
from bot.core.actors import OPERATOR, Actor
from bot.core.conversation import Conversation
from bot.core.i18n import CATALOG
from bot.core.messages import Inbound, Reply
from bot.core.settings import Settings
from bot.events import services as events
from bot.handlers.sms import form_to_inbound
from bot.tips import services as tips
from storage import areas, flows, residents, roles
from storage.db import Database
from storage.event_models import Event
from storage.models import Role
from tests.events_helpers import area_id

# The quick suite skips it; .ci/run runs it (`pytest -m slow`).
pytestmark = pytest.mark.slow

TG = ("resident", "stranger", "rep_other", "rep_own", "coordinator")
SMS = ("sms_resident", "sms_stranger", "sms_rep_other", "sms_rep_own", "sms_coordinator")
OTHER = "Værløse"
SECRETS = ("Tippe Tipster", "HEMMELIG-TIP-TEKST", "Anna Attendee")

# The polite answers a refused attempt may get (all change nothing).
REFUSALS = {
    "not_allowed",
    "coordinators_only",
    "expired_button",
    "not_registered",
    "tip.not_registered",
    "event.not_invited",
    "event.not_your_area",
    "event.areas_not_yours",
    "event.no_open",
    "walk.no_walk",
    "walk.not_participant",
    "tipc.not_allowed",
    "tipc.unknown_tip",
    "bc.not_allowed",
    "bc.no_areas_allowed",
    "event.gone",
}


def _both(*kinds: str) -> frozenset[str]:
    """The Telegram kinds and their SMS twins."""
    return frozenset(kinds) | {f"sms_{k}" for k in kinds}


ALL = _both(*TG)
REGISTERED = _both("resident", "rep_other", "rep_own")
INVITED = _both("resident", "rep_own")
STAFF = _both("rep_other", "rep_own", "coordinator")
OWN_STAFF = _both("rep_own", "coordinator")
PARTICIPANTS = _both("resident", "rep_own", "coordinator")
COORDINATOR = _both("coordinator")
NOBODY: frozenset[str] = frozenset()

Flow = Callable[[Mapping[str, int]], dict[str, Any]]


CANCEL_ASKED = ("event.cancel_confirm.one", "event.cancel_confirm.other")


@dataclass(frozen=True)
class Case:
    """One row: what is sent, who may, and the catalog keys of the normal answer.

    `send` is a Telegram command ("/event"), button data ("rsvp:{event}:yes"), an SMS text
    ("JA") or plain text; {event}, {walk}, {tip}, {home} and {other} are filled in. `ok` None
    means any answer but the generic error (one's own data: /help, /mydata, ...).
    """

    name: str
    send: str
    allowed: frozenset[str]
    ok: tuple[str, ...] | None
    flow: tuple[str, Flow] | None = None
    sees_secrets: frozenset[str] | None = None  # default: those allowed
    extra: tuple[str, ...] = ()  # objects the flow refers to

    def needs(self) -> set[str]:
        return set(re.findall(r"\{(\w+)\}", self.send)) | set(self.extra)


def _draft(areas: object) -> Flow:
    def make(ids: Mapping[str, int]) -> dict[str, Any]:
        starts = (datetime.now(UTC) + timedelta(days=9)).isoformat()
        chosen = [ids["home"]] if areas == "home" else areas
        return {
            "kind": "borgermøde",
            "title": "Falsk møde",
            "starts_at": starts,
            "place": "Et sted",
            "areas": chosen,
        }

    return make


def _broadcast(all_areas: bool) -> Flow:
    def make(ids: Mapping[str, int]) -> dict[str, Any]:
        return {
            "kind": "announcement",
            "priority": 1,
            "selected": [] if all_areas else [ids["home"]],
            "all": all_areas,
            "text": "Falsk besked",
        }

    return make


TELEGRAM_CASES = [
    # Commands.
    Case("/event", "/event", STAFF, ("event.menu",)),
    Case("/inbox", "/inbox {tip}", STAFF, ("tipc.inbox", "tipc.inbox_empty"), None, OWN_STAFF),
    Case("/stats", "/stats", COORDINATOR, ("stats",)),
    Case("/alert", "/alert", STAFF, ("bc.choose_priority",)),
    Case("/announce", "/announce", STAFF, ("bc.choose_areas",)),
    Case("/tip_send", "/tip_send", STAFF, ("bc.choose_areas",)),
    Case("/obs", "/obs {walk}", PARTICIPANTS, ("walk.ask_kind",)),
    Case("/tip", "/tip", REGISTERED, ("tip.choose_category",)),
    Case("/yes", "/yes {event}", INVITED, ("event.rsvp_yes",)),
    Case("/no", "/no {event}", INVITED, ("event.rsvp_no",)),
    *(
        Case(f"/{c}", f"/{c}", ALL, None)
        for c in ("start", "resume", "areas", "topics", "mydata", "language", "help", "stop")
    ),
    Case("/forget", "/forget", ALL, None),
    # Invitations: one's own only.
    Case("rsvp yes", "rsvp:{event}:yes", INVITED, ("event.rsvp_yes",)),
    Case("rsvp no", "rsvp:{event}:no", INVITED, ("event.rsvp_no",)),
    Case("rsvp ics", "rsvp:{event}:ics", INVITED, ("event.ics_caption",)),
    Case("rsvp name", "rsvp:{event}:name", INVITED, ("event.name_shared",)),
    # The organisers' flow: their own areas only.
    Case("ev:show", "ev:show:{event}", OWN_STAFF, ("event.details",)),
    # Cancelling asks first, naming how many are told; only the yes to that question cancels.
    Case("ev:cancel", "ev:cancel:{event}", OWN_STAFF, CANCEL_ASKED),
    Case(
        "ev:cancel yes",
        "ev:cancel:{event}:yes",
        OWN_STAFF,
        ("event.cancel_done",),
        ("event_cancel_check", lambda ids: {"event": ids["event"]}),
        extra=("event",),
    ),
    Case("ev:new", "ev:new", STAFF, ("event.ask_kind",)),
    Case("ev:kind", "ev:kind:borgermøde", STAFF, ("event.ask_title",)),
    Case(
        "ev:area home",
        "ev:area:{home}",
        OWN_STAFF,
        ("event.ask_areas",),
        ("event_areas", _draft([])),
    ),
    Case(
        "ev:area all",
        "ev:area:all",
        COORDINATOR,
        ("event.ask_capacity",),
        ("event_areas", _draft([])),
    ),
    Case(
        "ev:send home", "ev:send", OWN_STAFF, ("event.created",), ("event_preview", _draft("home"))
    ),
    Case(
        "ev:send all", "ev:send", COORDINATOR, ("event.created",), ("event_preview", _draft("all"))
    ),
    # Safety walks: participants of a walk in progress only.
    Case("walk kind", "walk:{walk}:belysning", PARTICIPANTS, ("walk.ask_details",)),
    Case(
        "walk note",
        "Lygten ved stien er i stykker",
        PARTICIPANTS,
        ("walk.ack",),
        ("walk_draft", lambda ids: {"event_id": ids["walk"], "kind": "belysning"}),
        extra=("walk",),
    ),
    # Tip triage: coordinators and the tip's area's representatives.
    *(
        Case(f"tipc:{a}", f"tipc:{a}:{{tip}}", OWN_STAFF, (k,))
        for a, k in (
            ("ack", "tipc.acknowledged"),
            ("fwd", "tipc.choose_target"),
            ("res", "tipc.ask_note"),
            ("resnn", "tipc.resolved"),
            ("ans", "tipc.ask_answer"),
            ("view", "tipc.detail"),
        )
    ),
    Case("tipc:to", "tipc:to:{tip}:0", OWN_STAFF, ("tipc.forwarded",)),
    Case(
        "tipc answer",
        "Tak, vi kigger på det",
        OWN_STAFF,
        ("tipc.answered", "tipc.unreachable"),
        ("tipc_answer", lambda ids: {"tip": ids["tip"]}),
        extra=("tip",),
    ),
    Case(
        "tipc note",
        "Intern note",
        OWN_STAFF,
        ("tipc.resolved",),
        ("tipc_note", lambda ids: {"tip": ids["tip"]}),
        extra=("tip",),
    ),
    Case("tipcat other's", "tipcat:{tip}:indbrud", NOBODY, None),
    # The monthly report's chart: staff.
    Case("report chart", "report:png:2026-11", STAFF, None),
    # Broadcasts: representatives their own areas only, also when the state is forged.
    Case(
        "bc:a home",
        "bc:a:{home}",
        OWN_STAFF,
        ("bc.choose_areas",),
        ("bc_areas", _broadcast(False)),
    ),
    Case("bc:all", "bc:all", COORDINATOR, ("bc.ask_text",), ("bc_areas", _broadcast(True))),
    Case(
        "bc:send home",
        "bc:send",
        OWN_STAFF,
        ("bc.queued", "bc.no_recipients"),
        ("bc_preview", _broadcast(False)),
    ),
    Case("bc:send all", "bc:send", COORDINATOR, ("bc.queued",), ("bc_preview", _broadcast(True))),
    # One's own settings.
    Case("topic", "topic:meetings", REGISTERED, ("topics.choose",)),
    Case("area toggle", "area:t:{home}:0", REGISTERED, ("change_areas",)),
    Case("area only", "area:only:{home}", REGISTERED, ("areas_now",)),
    Case("tip:new", "tip:new", REGISTERED, ("tip.choose_category",)),
    Case("consent", "consent:yes", ALL, None),
    Case("lang", "lang:en", ALL, None),
    Case("forget:no", "forget:no", ALL, None),
    # Unknown ids and malformed data: nobody.
    Case("unknown area", "area:only:999999", NOBODY, None),
    Case("unknown event", "rsvp:999999:yes", NOBODY, None),
    Case("unknown walk", "walk:999999:andet", NOBODY, None),
    Case("unknown tip", "tipc:ack:999999", NOBODY, None),
    *(
        Case(f"malformed {d}", d, NOBODY, None)
        for d in (
            "rsvp:x:yes",
            "rsvp:{event}:maybe",
            "ev:show:abc",
            "ev:cancel:",
            "walk:{walk}",
            "walk:{walk}:belysning:x",
            "tipc:ack",
            "tipc:to:{tip}:x",
            "tipcat:{tip}:Indbrud",
            "report:png:2026-13",
            "area:t:1",
            "bc:prio:7",
            "topic:",
            "xyz:1",
        )
    ),
]

SMS_CASES = [
    Case("JA", "JA {event}", INVITED, ("event.rsvp_yes",)),
    Case("NEJ", "nej {event}", INVITED, ("event.rsvp_no",)),
    Case("OBS", "OBS {walk}", PARTICIPANTS, ("walk.ask_kind",)),
    Case(
        "OBS note",
        "Hækken skjuler stien",
        PARTICIPANTS,
        ("walk.ack_ask_place",),
        ("walk_draft", lambda ids: {"event_id": ids["walk"], "kind": "beplantning"}),
        extra=("walk",),
    ),
    Case("TIP", "TIP cyklen blev stjålet i nat", REGISTERED, ("tip.thanks",)),
    Case(
        "forged answer",
        "Tak for tippet",
        OWN_STAFF,
        ("tipc.answered", "tipc.unreachable"),
        ("tipc_answer", lambda ids: {"tip": ids["tip"]}),
        extra=("tip",),
    ),
    # A number presses one of the buttons the last reply offered (here: as if it had).
    Case(
        "1 = rsvp yes",
        "1",
        INVITED,
        ("event.rsvp_yes",),
        ("idle", lambda ids: {"choices": [f"rsvp:{ids['event']}:yes"]}),
        extra=("event",),
    ),
    Case(
        "1 = ev:send",
        "1",
        OWN_STAFF,
        ("event.created",),
        ("event_preview", lambda ids: _draft("home")(ids) | {"choices": ["ev:send"]}),
    ),
    Case(
        "1 = ev:cancel",
        "1",
        OWN_STAFF,
        ("event.cancel_confirm.sms.one", "event.cancel_confirm.sms.other"),
        ("idle", lambda ids: {"choices": [f"ev:cancel:{ids['event']}"]}),
        extra=("event",),
    ),
    Case(
        "1 = walk kind",
        "1",
        PARTICIPANTS,
        ("walk.ask_details",),
        ("idle", lambda ids: {"choices": [f"walk:{ids['walk']}:andet"]}),
        extra=("walk",),
    ),
    Case(
        "1 = tipc:ack",
        "1",
        OWN_STAFF,
        ("tipc.acknowledged",),
        ("idle", lambda ids: {"choices": [f"tipc:ack:{ids['tip']}"]}),
        extra=("tip",),
    ),
    Case(
        "1 = bc:send",
        "1",
        OWN_STAFF,
        ("bc.queued", "bc.no_recipients"),
        ("bc_preview", lambda ids: _broadcast(False)(ids) | {"choices": ["bc:send"]}),
    ),
    *(
        Case(w, w, ALL, None)
        for w in ("TILMELD Jonstrup", "OMRÅDE", "EMNER", "DATA", "SPROG en", "HJÆLP", "STOP")
    ),
    Case("SLET", "SLET", ALL, None),
]


@dataclass
class Who:
    kind: str
    urn: str
    channel: str
    resident_id: int | None


@dataclass
class World:
    """Makes fresh people and objects for each attempt and sends their messages."""

    db: Database
    settings: Settings
    convo: Conversation
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    home: int = 0

    async def new_home(self) -> None:
        """A fresh area for the next attempt: only its own people get its invitations."""
        async with self.db.session() as s:
            area = await areas.add_area(session=s, name=f"Område {next(self.numbers)}")
            assert area.id is not None
            self.home = area.id

    async def _join(self, s: AsyncSession, resident_id: int, area: str | None) -> int:
        aid = self.home if area is None else await area_id(self.db, area)
        await residents.set_areas(session=s, resident_id=resident_id, area_ids=[aid])
        return aid

    async def person(self, kind: str) -> Who:
        n = next(self.numbers)
        sms = kind.startswith("sms_")
        role = kind.removeprefix("sms_")
        urn = f"tel:+452030{n:04d}" if sms else f"telegram:{50000 + n}"
        channel = "sms" if sms else "telegram"
        resident_id = None
        async with self.db.session() as s:
            if role in ("resident", "rep_own", "rep_other"):
                resident, _ = await residents.create_resident(
                    session=s, urn=urn, channel=channel, display_name=f"Person {n}", language="da"
                )
                assert resident.id is not None
                resident_id = resident.id
                aid = await self._join(s, resident.id, OTHER if role == "rep_other" else None)
                if role != "resident":
                    await roles.grant(session=s, urn=urn, role=roles.REPRESENTATIVE, area_id=aid)
            if role == "coordinator":
                await roles.grant(session=s, urn=urn, role=roles.COORDINATOR)
        return Who(kind, urn, channel, resident_id)

    async def helper(self, name: str) -> tuple[int, int, str]:
        """A neighbour helper in the home area: (resident id, contact id, urn)."""
        n = next(self.numbers)
        urn = f"telegram:{90000 + n}"
        async with self.db.session() as s:
            resident, contact = await residents.create_resident(
                session=s, urn=urn, channel="telegram", display_name=name, language="da"
            )
            assert resident.id is not None and contact.id is not None
            await self._join(s, resident.id, None)
        return resident.id, contact.id, urn

    async def event(self, kind: str = "borgermøde") -> Event:
        """A future event in the home area with a listed attendee, everyone there invited."""
        attendee, _, urn = await self.helper("Anna Attendee")
        now = datetime.now(UTC)
        async with self.db.session() as s:
            event, _ = await events.create_event(
                session=s,
                settings=self.settings,
                kind=kind,
                title="Møde i Jonstrup",
                starts_at=now + timedelta(days=7 if kind != "tryghedsvandring" else 0, hours=1),
                place="Jonstrup Kro",
                area_ids=[self.home],
                now=now,
                actor=OPERATOR,
            )
            assert event.id is not None
            anna = Actor(urn=urn, urns=(urn,), resident_id=attendee)
            await events.answer(
                session=s,
                settings=self.settings,
                event_id=event.id,
                actor=anna,
                coming=True,
                now=now,
            )
            await events.share_name(session=s, event_id=event.id, actor=anna)
        return event

    async def walk(self) -> Event:
        """A safety walk in the home area that began half an hour ago."""
        walk = await self.event("tryghedsvandring")
        async with self.db.session() as s:
            row = await s.get(Event, walk.id)
            assert row is not None
            row.starts_at = datetime.now(UTC) - timedelta(minutes=30)
            s.add(row)
        return walk

    async def tip(self) -> int:
        """A tip in the home area from someone who agreed to be contacted by name."""
        tipster, contact, _ = await self.helper("Tippe Tipster")
        async with self.db.session() as s:
            tip = await tips.submit_tip(
                session=s,
                settings=self.settings,
                channel="telegram",
                resident_id=tipster,
                contact_id=contact,
                category="other",
                text="HEMMELIG-TIP-TEKST om naboen",
                area_id=self.home,
                contact_mode="open",
            )
            assert tip.id is not None
            return tip.id

    async def objects(self, case: Case) -> dict[str, int]:
        needs, ids = case.needs(), {}
        if "event" in needs:
            ids["event"] = _id(await self.event())
        if "walk" in needs:
            ids["walk"] = _id(await self.walk())
        if "tip" in needs:
            ids["tip"] = await self.tip()
        ids["home"] = self.home
        ids["other"] = await area_id(self.db, OTHER)
        return ids

    def inbound(self, who: Who, text: str) -> Inbound:
        if who.channel == "sms":
            found = form_to_inbound({"From": who.urn.removeprefix("tel:"), "Body": text})
            assert found is not None
            return found
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            return Inbound(who.urn, "telegram", text=text, command=command, args=args)
        if ":" in text and " " not in text:
            return Inbound(who.urn, "telegram", callback=text)
        return Inbound(who.urn, "telegram", text=text)

    async def snapshot(self) -> list[tuple[str, list[str]]]:
        """Every row of every table, as text."""
        out = []
        async with self.db.session() as s:
            connection = await s.connection()
            for table in SQLModel.metadata.sorted_tables:
                # Raw rows: no type conversion, which would dominate the test's time.
                rows = (await connection.execute(text(f'SELECT * FROM "{table.name}"'))).all()
                shown = map(_flow_row, rows) if table.name == "flowstate" else map(repr, rows)
                out.append((table.name, sorted(shown)))
        return out

    async def retire(self, who: Who) -> None:
        """Take the person's roles away, so later tips do not alert an ever longer list."""
        async with self.db.session() as s:
            await s.exec(delete(Role).where(col(Role.urn) == who.urn))


def _flow_row(row: Any) -> str:
    """A waiting state without its offered numbers: any answer without buttons drops those (an
    old number must not press a stale button), which is no change of what the person may do."""
    data = row.data if isinstance(row.data, dict) else json.loads(row.data)
    kept = {k: v for k, v in data.items() if k != "choices"}
    return repr((row.urn, row.state, sorted(kept.items())))


def _id(event: Event) -> int:
    assert event.id is not None
    return event.id


def _pattern(key: str, channel: str) -> re.Pattern[str]:
    """A catalog text (Danish, this channel's variant if any) as a regex, values as wildcards."""
    specific = f"{key}.{channel}"
    template = CATALOG[specific if specific in CATALOG else key]["da"]
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)


def made_from(replies: list[Reply], keys: set[str] | tuple[str, ...], channel: str) -> set[str]:
    """Those of `keys` some reply begins with (the whole reply, for refusals: see `whole`)."""
    found = set()
    for key in keys:
        pattern = _pattern(key, channel)
        if any(pattern.match(r.text) for r in replies):
            found.add(key)
    return found


def refusals_in(replies: list[Reply], channel: str) -> set[str]:
    """The refusals some reply is exactly."""
    return {
        key
        for key in REFUSALS
        if any(_pattern(key, channel).fullmatch(r.text.strip()) for r in replies)
    }


@dataclass
class Outcome:
    allowed: bool
    problem: str | None


async def attempt(world: World, case: Case, kind: str) -> Outcome:
    """One person of `kind` tries `case`; what they got, and anything wrong with it."""
    await world.new_home()
    who = await world.person(kind)
    ids = await world.objects(case)
    if case.flow is not None:
        state, data = case.flow
        async with world.db.session() as s:
            await flows.set_flow(session=s, urn=who.urn, state=state, data=data(ids))
    # Only refused attempts must leave every table as it was.
    watch = kind not in case.allowed
    before = await world.snapshot() if watch else []
    text = case.send.format(**ids)
    replies = await world.convo.handle(world.inbound(who, text))
    after = await world.snapshot() if watch else []
    await world.retire(who)
    shown = " | ".join(r.text for r in replies)[:160]
    if not replies:
        return Outcome(False, f"no answer to {text!r}")
    if refusals_in(replies, who.channel) == set() and made_from(replies, ("error",), who.channel):
        return Outcome(False, f"the generic error for {text!r}")
    normal = made_from(replies, case.ok or (), who.channel)
    keys = refusals_in(replies, who.channel) | normal
    refused = bool(keys & REFUSALS) and not normal
    seers = case.sees_secrets if case.sees_secrets is not None else case.allowed
    if kind not in seers:
        leaked = [s for s in SECRETS if any(s in r.text for r in replies)]
        if leaked:
            return Outcome(not refused, f"leaked {leaked} to {kind}: {shown}")
    if kind in case.allowed:
        if case.ok is not None and (refused or not normal):
            return Outcome(False, f"expected {case.ok}, got {sorted(keys)}: {shown}")
        return Outcome(True, None)
    if not refused:
        return Outcome(True, f"not refused ({sorted(keys)}): {shown}")
    changed = [
        name for (name, rows), (_, rows2) in zip(before, after, strict=True) if rows != rows2
    ]
    if changed:
        return Outcome(True, f"refused but changed {changed}")
    return Outcome(False, None)


async def run_matrix(
    db: Database, settings: Settings, cases: list[Case], kinds: tuple[str, ...]
) -> None:
    world = World(db, settings, Conversation(db, settings, build_router()))
    table: dict[tuple[str, str], str] = {}
    problems, escalations = [], 0
    for case in cases:
        for kind in kinds:
            outcome = await attempt(world, case, kind)
            table[(case.name, kind)] = "ok" if outcome.allowed else "--"
            if outcome.problem:
                problems.append(f"{case.name} × {kind}: {outcome.problem}")
                if outcome.allowed and kind not in case.allowed:
                    escalations += 1
    expected = {
        (case.name, kind): "ok" if kind in case.allowed else "--"
        for case in cases
        for kind in kinds
    }
    width = max(len(c.name) for c in cases)
    print("\n" + " " * width + "  " + "  ".join(f"{k[:11]:>11}" for k in kinds))
    for case in cases:
        cells = "  ".join(f"{table[(case.name, k)]:>11}" for k in kinds)
        print(f"{case.name:<{width}}  {cells}")
    attempts = len(cases) * len(kinds)
    refused = sum(1 for case in cases for k in kinds if k not in case.allowed)
    print(f"attempts {attempts}, of them refused by the rules {refused}, escalations {escalations}")
    print("\n".join(problems))
    assert problems == []
    assert table == expected
    assert escalations == 0


@pytest.fixture
def quiet_settings(settings: Settings) -> Settings:
    """No coordinators by setting: every coordinator in the matrix holds the granted role."""
    return settings.model_copy(update={"coordinators": ""})


async def test_role_matrix_telegram(
    db: Database, quiet_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await run_matrix(db, quiet_settings, TELEGRAM_CASES, TG)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_role_matrix_sms(
    db: Database, quiet_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await run_matrix(db, quiet_settings, SMS_CASES, SMS)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
