"""SMS text composition: keep messages in GSM-7 and count the segments a message costs."""

from __future__ import annotations

import re
import unicodedata

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"  # each costs two septets (escape + char)
_GSM7 = set(GSM7_BASIC) | set(GSM7_EXTENDED)

# Characters that would silently switch a whole message to UCS-2 (70 chars per segment).
REPLACEMENTS = {
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "´": "'",
    "`": "'",
    "–": "-",
    "—": "-",
    "‐": "-",
    "−": "-",
    "…": "...",
    "•": "-",
    "·": "-",
    "\u00a0": " ",
    "\u200b": "",
    "✅": "",
    "✔": "",
    "▶": ">",
    "◀": "<",
}


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 basic or extension table."""
    return all(ch in _GSM7 for ch in text)


def to_gsm7(text: str) -> str:
    """Replace typographic characters and drop emoji so the text stays GSM-7 where it can."""
    out = []
    for ch in text:
        if ch in _GSM7:
            out.append(ch)
        elif ch in REPLACEMENTS:
            out.append(REPLACEMENTS[ch])
        elif unicodedata.category(ch) in ("So", "Sk", "Cs") or ord(ch) > 0xFFFF:
            continue  # emoji and symbols
        else:
            stripped = unicodedata.normalize("NFKD", ch)
            base = "".join(c for c in stripped if not unicodedata.combining(c))
            out.append(base if base and all(c in _GSM7 for c in base) else ch)
    return "".join(out).replace("  ", " ").strip()


_FOREIGN_RUN = re.compile(r"\x00+(?:\s+\x00+)*")


def fit_gsm7(text: str) -> str:
    """GSM-7 where the text is mostly GSM-7: a few foreign characters in a Danish reply (an echo,
    a name) become "?" rather than switching the whole message to UCS-2, which costs two to three
    times the segments. A message mostly in another script stays as it is (UCS-2)."""
    text = to_gsm7(text)
    if is_gsm7(text):
        return text
    visible = [ch for ch in text if not ch.isspace()]
    foreign = sum(1 for ch in visible if ch not in _GSM7)
    if foreign * 2 > len(visible):
        return text
    marked = "".join(ch if ch in _GSM7 else "\x00" for ch in text)
    return _FOREIGN_RUN.sub("?", marked)  # "مرحبا بالعالم" is one "?", not one per word


# Twilio refuses a message body longer than this (error 21617), however many segments it takes.
MAX_BODY_CHARS = 1600


def cap_body(text: str, limit: int = MAX_BODY_CHARS) -> str:
    """The body cut to what Twilio accepts, ending in "..." when cut."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


# Septets (GSM-7) or UTF-16 code units (UCS-2) per segment: one alone, or one of several,
# where each part loses room to the concatenation header.
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def units(text: str) -> tuple[list[int], int, int]:
    """Each character's cost, with the single and per-part limits of the encoding `text` needs.

    GSM-7 extension characters are an escape plus the character (two septets); in UCS-2 a
    character outside the BMP is a surrogate pair (two code units).
    """
    if is_gsm7(text):
        return [2 if ch in GSM7_EXTENDED else 1 for ch in text], GSM7_SINGLE, GSM7_PART
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text], UCS2_SINGLE, UCS2_PART


def segments(text: str) -> int:
    """How many SMS segments `text` costs: 160/153 septets in GSM-7, 70/67 units in UCS-2.

    Phones cannot join an escape pair or a surrogate pair cut in two, so a part that has room
    for only half of one ends early and the pair starts the next part.
    """
    costs, single, part = units(text)
    if sum(costs) <= single:
        return 1
    count, used = 1, 0
    for cost in costs:
        if used + cost > part:
            count, used = count + 1, 0
        used += cost
    return count
