"""Calm-wording checks: what in a broadcast's text is likely to alarm neighbours rather than calm."""

from __future__ import annotations

import re
from dataclasses import dataclass

CAPS, EXCLAIM, WORDS = "caps", "exclaim", "words"
ALARMING_WORDS = ("panik", "panic", "farlig", "dangerous", "bande", "gang", "rædsel", "terror")
# A text reads as shouting when most letters are capitals or it has a few all-caps words.
CAPS_SHARE = 0.5
CAPS_WORDS = 2
CAPS_WORD = re.compile(r"\b[A-ZÆØÅ]{4,}\b")
EXCLAIM_MARKS = 2


@dataclass(frozen=True)
class CalmWarning:
    """One finding: `code` is caps, exclaim or words; `words` lists the alarming words found."""

    code: str
    words: tuple[str, ...] = ()


def calm_findings(text: str) -> list[CalmWarning]:
    """The findings for `text`, in the order the sender sees them."""
    found = []
    letters = [c for c in text if c.isalpha()]
    if letters and (
        sum(c.isupper() for c in letters) / len(letters) > CAPS_SHARE
        or len(CAPS_WORD.findall(text)) >= CAPS_WORDS
    ):
        found.append(CalmWarning(CAPS))
    if text.count("!") >= EXCLAIM_MARKS:
        found.append(CalmWarning(EXCLAIM))
    lowered = text.casefold()
    words = tuple(w for w in ALARMING_WORDS if re.search(rf"\b{w}", lowered))
    if words:
        found.append(CalmWarning(WORDS, words))
    return found
