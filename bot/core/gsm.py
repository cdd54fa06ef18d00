"""SMS text composition: keep messages in GSM-7 and count segments for cost previews."""

from __future__ import annotations

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


def segments(text: str) -> int:
    """How many SMS segments `text` costs: 160/153 septets in GSM-7, 70/67 chars in UCS-2."""
    if not text:
        return 1
    if is_gsm7(text):
        length = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        return 1 if length <= 160 else -(-length // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)
