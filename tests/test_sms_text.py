"""SMS keywords, GSM-7 composition and segment counting."""

from __future__ import annotations

import pytest

from bot.core.gsm import is_gsm7, segments, to_gsm7
from bot.core.keywords import parse_keyword
from bot.core.messages import Button, Reply
from bot.core.urns import InvalidURN, normalise_phone, parse_urn
from bot.handlers.sms import render_sms
from sandbox.twilio_fake import count_segments as twilio_segments


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        ("tilmeld farum", "start", "farum"),
        ("TILMELD   Værløse!", "start", "Værløse"),
        ("Tilmeld 3520", "start", "3520"),
        ("join hareskov", "start", "hareskov"),
        ("  Stop. ", "stop", ""),
        ("STOPALL", "stop", ""),
        ("afmeld", "stop", ""),
        ("UNSUBSCRIBE", "stop", ""),
        ("cancel", "stop", ""),
        ("END", "stop", ""),
        ("quit", "stop", ""),
        ("START", "resume", ""),
        ("unstop", "resume", ""),
        ("OMRÅDER", "areas", ""),
        ("omraader", "areas", ""),
        ("hjælp", "help", ""),
        ("HJAELP", "help", ""),
        ("info", "help", ""),
        ("SLET", "forget", ""),
        ("delete", "forget", ""),
        ("SPROG EN", "language", "EN"),
        ("language da", "language", "da"),
        ("Ja", "yes", ""),
        ("NEJ", "no", ""),
        ("hej med dig", None, "hej med dig"),
        ("2", None, "2"),
    ],
)
def test_keywords_are_case_diacritics_and_punctuation_tolerant(text, command, args) -> None:
    assert parse_keyword(text) == (command, args)


def test_danish_letters_are_gsm7_but_smart_quotes_are_not() -> None:
    assert is_gsm7("Tak! Du er nabohjælper i Værløse, Søndersø og Hareskov. ÆØÅ")
    assert not is_gsm7("“citat”")
    assert to_gsm7("Hej “du” – lås døren… 👍") == 'Hej "du" - lås døren...'


# Tricky cases: escape pairs at a part boundary, UCS-2 and surrogate pairs, exact limits.
SEGMENT_CASES = [
    ("", 1),
    ("a" * 160, 1),
    ("a" * 161, 2),
    ("a" * 306, 2),
    ("a" * 307, 3),
    ("æøå" * 53 + "x", 1),
    ("€" * 80, 1),  # extended characters cost two septets
    ("€" * 81, 2),
    ("a" * 158 + "€", 1),  # exactly 160 septets
    ("a" * 159 + "€", 2),  # 161 septets
    ("a" * 152 + "€" + "a" * 152, 3),  # the escape pair would straddle parts 1 and 2
    ("a" * 151 + "€" + "a" * 153, 2),  # 153 + 153: the pair ends part 1 exactly
    ("a" * 153 + "€" * 76 + "a", 2),  # 153 + 153 septets, pairs never split
    ("a" * 153 + "€" * 76 + "aa", 3),
    ("€" * 153, 3),  # 306 septets, but 76 pairs per part
    ("“" * 70, 1),
    ("“" * 71, 2),
    ("“" * 134, 2),
    ("“" * 135, 3),
    ("æ" * 69 + "“", 1),  # one non-GSM character makes the whole message UCS-2
    ("😀" * 35, 1),  # 70 code units
    ("😀" * 35 + "a", 2),
    ("a" * 66 + "😀" + "a" * 66, 3),  # the surrogate pair would straddle parts 1 and 2
    ("a" * 65 + "😀" + "a" * 67, 2),
]


@pytest.mark.parametrize(("text", "expected"), SEGMENT_CASES)
def test_segments_follow_gsm7_and_ucs2_limits(text: str, expected: int) -> None:
    assert segments(text) == expected


@pytest.mark.parametrize(("text", "expected"), SEGMENT_CASES)
def test_our_segment_count_agrees_with_the_twilio_fake(text: str, expected: int) -> None:
    # The fake counts on its own on purpose: it stands in for what Twilio bills.
    assert segments(text) == twilio_segments(text) == expected


def test_an_escape_at_the_boundary_costs_an_extra_segment() -> None:
    assert segments("a" * 152 + "€" + "a" * 152) == 3


def test_buttons_become_a_numbered_list_in_sms() -> None:
    reply = Reply("Vælg:", [[Button("✅ Farum", "a")], [Button("Værløse", "b")]])
    assert render_sms(reply) == "Vælg:\n1) Farum\n2) Værløse"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("20 30 40 50", "+4520304050"),
        ("+45 20304050", "+4520304050"),
        ("004520304050", "+4520304050"),
    ],
)
def test_phone_numbers_normalise_to_e164_in_denmark(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164
    assert parse_urn(f"tel:{raw}") == f"tel:{e164}"


def test_bad_urns_are_refused() -> None:
    for bad in ("telegram:abc", "mail:x@y", "tel:123", "12345"):
        with pytest.raises(InvalidURN):
            parse_urn(bad)
