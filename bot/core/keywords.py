"""Text keywords for channels without commands (SMS): Danish first, English aliases."""

from __future__ import annotations

import re

from storage.folding import fold

# command -> folded keywords. Features add theirs with register_keyword (TIP, JA/NEJ, ...).
KEYWORDS: dict[str, set[str]] = {
    "start": {"tilmeld", "join", "subscribe"},
    "areas": {"omraader", "omrader", "omraade", "omrade", "areas", "area"},
    "stop": {"stop", "stopall", "afmeld", "unsubscribe", "cancel", "end", "quit"},
    "resume": {"start", "unstop"},
    "help": {"hjaelp", "hjalp", "help", "info"},
    "forget": {"slet", "delete"},
    "language": {"sprog", "language"},
    "mydata": {"data", "mydata"},
    "yes": {"ja", "yes", "j"},
    "no": {"nej", "no", "n"},
}
_FIRST_WORD = re.compile(r"^[\W_]*([^\W_]+)[\W_]*(.*)$", re.DOTALL)


def register_keyword(command: str, *words: str) -> None:
    """Let a feature add keywords for its command."""
    KEYWORDS.setdefault(command, set()).update(fold(w) for w in words)


def parse_keyword(text: str) -> tuple[str | None, str]:
    """("tilmeld", " Værløse!") -> ("start", "Værløse"); unknown first word -> (None, text)."""
    match = _FIRST_WORD.match(text.strip())
    if not match:
        return None, text.strip()
    word, rest = fold(match.group(1)), match.group(2).strip()
    for command, words in KEYWORDS.items():
        if word in words:
            return command, rest.strip(" .,!?;:")
    return None, text.strip()
