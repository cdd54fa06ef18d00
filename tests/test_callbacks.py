"""The typed button-data parser: well-formed data gives typed fields, anything else None."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.app.application import build_router
from bot.core.callbacks import MAX_DATA, Pattern, parse
from bot.core.conversation import Router, merge_callbacks
from bot.events.wording import rsvp_buttons
from bot.reports.monthly import chart_button
from bot.tips.notices import actions
from storage.event_models import Event
from storage.tip_models import Tip

RSVP = Pattern("rsvp:{event:id}:{answer:yes|no}")
TOGGLE = Pattern("area:t:{area:id}:{page:num}")
PICKS = Pattern("area:only:{areas:ids}")
CATEGORY = Pattern("tip:cat:{cat:key}")
CHART = Pattern("report:png:{month:month}")
DONE = Pattern("area:done")


@pytest.mark.parametrize(
    ("pattern", "data", "expected"),
    [
        (RSVP, "rsvp:12:yes", {"event": 12, "answer": "yes"}),
        (RSVP, "rsvp:2147483647:no", {"event": 2147483647, "answer": "no"}),
        (TOGGLE, "area:t:3:0", {"area": 3, "page": 0}),
        (TOGGLE, "area:t:3:9999", {"area": 3, "page": 9999}),
        (PICKS, "area:only:4,7,4", {"areas": (4, 7)}),
        (PICKS, "area:only:5", {"areas": (5,)}),
        (CATEGORY, "tip:cat:indbrud", {"cat": "indbrud"}),
        (CATEGORY, "tip:cat:hærværk_2", {"cat": "hærværk_2"}),
        (CHART, "report:png:2026-11", {"month": date(2026, 11, 1)}),
        (DONE, "area:done", {}),
    ],
)
def test_well_formed_data_gives_typed_fields(
    pattern: Pattern, data: str, expected: dict[str, object]
) -> None:
    pressed = pattern.match(data)
    assert pressed is not None and dict(pressed.values) == expected
    assert pattern.match(pattern.data(**expected)) == pressed


@pytest.mark.parametrize(
    ("pattern", "data"),
    [
        (RSVP, None),
        (RSVP, ""),
        (RSVP, "rsvp"),
        (RSVP, "rsvp:"),
        (RSVP, "rsvp:12"),
        (RSVP, "rsvp:12:yes:extra"),
        (RSVP, "rsvp:12:maybe"),
        (RSVP, "rsvp:12:YES"),
        (RSVP, "rsvp:abc:yes"),
        (RSVP, "rsvp:-1:yes"),
        (RSVP, "rsvp:0:yes"),
        (RSVP, "rsvp:012:yes"),
        (RSVP, "rsvp:+12:yes"),
        (RSVP, "rsvp: 12:yes"),
        (RSVP, "rsvp:12 :yes"),
        (RSVP, "rsvp:1e3:yes"),
        (RSVP, "rsvp:١٢:yes"),  # Arabic-Indic digits: int() would take them
        (RSVP, "rsvp:2147483648:yes"),
        (RSVP, "rsvp:99999999999999999999:yes"),
        (RSVP, "RSVP:12:yes"),
        (RSVP, "ev:12:yes"),
        (RSVP, "rsvp:12:yes\x00"),
        (TOGGLE, "area:t:3"),
        (TOGGLE, "area:t:3:"),
        (TOGGLE, "area:t::0"),
        (TOGGLE, "area:t:3:10000"),
        (TOGGLE, "area:t:3:-1"),
        (PICKS, "area:only:"),
        (PICKS, "area:only:4,"),
        (PICKS, "area:only:,4"),
        (PICKS, "area:only:4,,7"),
        (PICKS, "area:only:4;7"),
        (PICKS, "area:only:" + ",".join(["1"] * 51)),
        (CATEGORY, "tip:cat:"),
        (CATEGORY, "tip:cat:Indbrud"),
        (CATEGORY, "tip:cat:ind brud"),
        (CATEGORY, "tip:cat:" + "a" * 41),
        (CATEGORY, "tip:cat:<script>"),
        (CHART, "report:png:2026-13"),
        (CHART, "report:png:2026-00"),
        (CHART, "report:png:2026-1"),
        (CHART, "report:png:1999-12"),
        (CHART, "report:png:2026-11-01"),
        (CHART, "report:png:"),
        (DONE, "area:done:"),
        (DONE, "area:don"),
        (DONE, "area:done" + " " * MAX_DATA),
    ],
)
def test_malformed_data_gives_none(pattern: Pattern, data: str | None) -> None:
    assert pattern.match(data) is None


def test_parse_takes_the_first_pattern_that_fits() -> None:
    one, many = Pattern("ev:area:{areas:ids}"), Pattern("ev:area:all")
    all_areas = parse("ev:area:all", one, many)
    assert all_areas is not None and all_areas.is_(many)
    some = parse("ev:area:3,4", one, many)
    assert some is not None and some.ids("areas") == [3, 4]
    assert parse("ev:area:some", one, many) is None


def test_typed_access_refuses_the_wrong_type() -> None:
    pressed = RSVP.match("rsvp:5:yes")
    assert pressed is not None
    assert pressed.id("event") == 5 and pressed.word("answer") == "yes"
    with pytest.raises(TypeError):
        pressed.id("answer")
    with pytest.raises(TypeError):
        pressed.word("event")
    with pytest.raises(KeyError):
        pressed.id("nothing")


@pytest.mark.parametrize(
    "spec",
    ["{event:id}:x", "rsvp::x", "rsvp:{event:idd}", "rsvp:{a:id}:{a:num}", "rsvp:{a:yes|}", "x{y"],
)
def test_bad_patterns_are_refused_at_start(spec: str) -> None:
    with pytest.raises(ValueError):
        Pattern(spec)


def test_router_wants_patterns_of_its_own_prefix() -> None:
    router = Router()
    with pytest.raises(ValueError):
        router.callback("rsvp")
    with pytest.raises(ValueError):
        router.callback("rsvp", Pattern("ev:new"))


def _event() -> Event:
    return Event(
        id=42,
        kind="borgermøde",
        title="Møde",
        starts_at=datetime(2026, 12, 3, tzinfo=UTC),
        place="Her",
    )


def test_every_button_the_bot_writes_is_taken_by_a_registered_pattern() -> None:
    router = build_router()
    written = [b.data for row in rsvp_buttons(_event(), "da") for b in row]
    written += [
        b.data
        for row in actions(Tip(id=7, reference="T-7", channel="sms", category="other"), "da")
        for b in row
    ]
    written += [chart_button(date(2026, 11, 1), "da").data]
    written += ["tip:new", "consent:yes", "consent:no", "forget:yes", "forget:no", "lang:en"]
    written += ["walk:3:belysning", "tipc:to:7:0", "tipcat:7:other", "topic:meetings"]
    written += ["bc:prio:0", "bc:a:3", "bc:all", "ev:kind:tryghedsvandring", "ev:area:done"]
    for data in written:
        assert router.parse_button(data) is not None, data
    for prefix, route in router.callbacks.items():
        assert all(p.prefix == prefix for p in route.patterns)


def test_numbered_picks_merge_only_where_a_pattern_takes_several() -> None:
    router = build_router()
    assert merge_callbacks(["area:only:3", "area:only:5"], router) == "area:only:3,5"
    assert merge_callbacks(["bc:a:3", "bc:a:5"], router) == "bc:a:3,5"
    # One event per answer: the first number counts.
    assert merge_callbacks(["rsvp:3:yes", "rsvp:5:yes"], router) == "rsvp:3:yes"
    assert merge_callbacks(["ev:show:3", "ev:show:5"], router) == "ev:show:3"
