"""SMS encoding as Twilio bills it: the GSM-7 alphabet, segment counts, Smart Encoding."""

from __future__ import annotations

# GSM 03.38 basic character set (without the escape character) and extension table.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
# Subset of the replacements Twilio's Smart Encoding applies (SmartEncoded=true).
SMART_ENCODING = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "′": "'",
        "–": "-",
        "—": "-",
        "−": "-",
        "…": "...",
        "\u00a0": " ",
        "\u2009": " ",
        "\u200b": "",
    }
)


def is_gsm7(text: str) -> bool:
    """True when every character fits the GSM-7 alphabet (basic or extension table)."""
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in text)


def count_segments(text: str) -> int:
    """Number of SMS segments Twilio bills for `text` (GSM-7 160/153, UCS-2 70/67)."""
    if not text:
        return 1
    if is_gsm7(text):
        units = [2 if ch in _GSM7_EXTENDED else 1 for ch in text]
        single, multi = 160, 153
    else:
        # UCS-2 counts UTF-16 code units; characters outside the BMP take two.
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, multi = 70, 67
    if sum(units) <= single:
        return 1
    # Escape sequences and surrogate pairs are never split across segments.
    segments, used = 1, 0
    for unit in units:
        if used + unit > multi:
            segments += 1
            used = 0
        used += unit
    return segments
