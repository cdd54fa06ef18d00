"""Case- and diacritics-insensitive matching ("Vaerloese" finds "Værløse")."""

from __future__ import annotations

import re
import unicodedata

_DANISH_DIGRAPHS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
_DANISH_PLAIN = str.maketrans({"æ": "a", "ø": "o", "å": "a"})
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _squash(text: str) -> str:
    return _NON_WORD.sub(" ", _strip_accents(text)).strip()


def fold(text: str) -> str:
    """Canonical key: lower case, æøå spelled ae/oe/aa, punctuation to single spaces."""
    return _squash(text.casefold().translate(_DANISH_DIGRAPHS))


def fold_variants(text: str) -> set[str]:
    """Every key a person might type for `text` (with digraphs, or with æøå simply dropped)."""
    lowered = text.casefold()
    keys = {_squash(lowered.translate(_DANISH_DIGRAPHS)), _squash(lowered.translate(_DANISH_PLAIN))}
    # "aa" is also how people write å; "Vaerlose" mixes the two spellings.
    keys |= {key.replace("aa", "a").replace("ae", "a").replace("oe", "o") for key in set(keys)}
    return keys
