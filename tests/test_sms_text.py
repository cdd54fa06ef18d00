"""SMS keywords, GSM-7 composition and segment counting."""

from __future__ import annotations

import pytest

from bot.core.gsm import is_gsm7, segments, to_gsm7
from bot.core.keywords import parse_keyword
from bot.core.messages import Button, Reply
from bot.core.urns import InvalidURN, normalise_phone, parse_urn
from bot.handlers.sms import render_sms


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("æøå" * 53 + "x", 1),
        ("€" * 80, 1),  # extended characters cost two septets
        ("€" * 81, 2),
        ("“" * 70, 1),
        ("“" * 71, 2),
        ("“" * 134, 2),
        ("“" * 135, 3),
    ],
)
def test_segments_follow_gsm7_and_ucs2_limits(text: str, expected: int) -> None:
    assert segments(text) == expected


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
