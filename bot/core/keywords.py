"""Text keywords for channels without commands (SMS): Danish first, English aliases."""

from __future__ import annotations

import re

from storage.folding import fold

# command -> folded keywords. Features add theirs with register_keyword (TIP, JA/NEJ, ...).
KEYWORDS: dict[str, set[str]] = {
    "start": {"tilmeld", "join", "subscribe"},
    "areas": {"omraader", "omrader", "omraade", "omrade", "areas", "area"},
    # CANCEL stays stop: Twilio and the carriers take it as an opt-out whatever we answer.
    "stop": {"stop", "stopall", "afmeld", "unsubscribe", "cancel", "end", "quit"},
    # Leave the open flow (Telegram: /cancel); never a way to stop messages.
    "cancel": {"afbryd", "afbryde", "annuller", "annullere", "fortryd", "abort"},
    "resume": {"start", "unstop"},
    "help": {"hjaelp", "hjalp", "help", "info"},
    "forget": {"slet", "delete"},
    "language": {"sprog", "language"},
    "mydata": {"data", "mydata"},
    "yes": {"ja", "yes", "j"},
    "no": {"nej", "no", "n"},
}
# Someone who wants no more messages must not be misunderstood. Near misses are read
# conservatively: a doubled letter ("STOPP", "sllet") for these...
REPEAT_TOLERANT = {"stop": "stop", "afmeld": "stop", "stopall": "stop", "slet": "forget"}
# ...and one typo (a letter missing, extra, wrong or two swapped) only in words long enough that
# the typo cannot be another word: "afmelde", "unsubscibe". "stop" gets no typo tolerance, as
# "stor" and "step" begin ordinary messages.
TYPO_TOLERANT = {"afmeld": "stop", "afmelde": "stop", "unsubscribe": "stop", "stopall": "stop"}
# Leaving a flow forgives one typo too ("afbrud", "anuller"): no ordinary word is that close.
TYPO_TOLERANT |= {"afbryd": "cancel", "annuller": "cancel"}
_FIRST_WORD = re.compile(r"^[\W_]*([^\W_]+)[\W_]*(.*)$", re.DOTALL)
_REPEATS = re.compile(r"(.)\1+")


def register_keyword(command: str, *words: str) -> None:
    """Let a feature add keywords for its command."""
    KEYWORDS.setdefault(command, set()).update(fold(w) for w in words)


def one_typo_apart(a: str, b: str) -> bool:
    """True when `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


def _near_miss(word: str) -> str | None:
    """The command a near miss of a stop, delete or cancel keyword means, if unmistakable."""
    collapsed = _REPEATS.sub(r"\1", word)
    if collapsed in REPEAT_TOLERANT:
        return REPEAT_TOLERANT[collapsed]
    if len(word) >= 6:
        for known, command in TYPO_TOLERANT.items():
            if one_typo_apart(word, known):
                return command
    return None


def parse_keyword(text: str) -> tuple[str | None, str]:
    """("tilmeld", " Værløse!") -> ("start", "Værløse"); unknown first word -> (None, text)."""
    match = _FIRST_WORD.match(text.strip())
    if not match:
        return None, text.strip()
    word, rest = fold(match.group(1)), match.group(2).strip()
    command = next((c for c, words in KEYWORDS.items() if word in words), None) or _near_miss(word)
    if command is not None:
        return command, rest.strip(" .,!?;:")
    return None, text.strip()
