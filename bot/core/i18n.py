"""Message catalog and locale-aware formatting (Babel): Danish first, English second."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

# key -> language -> template; a plural entry is two keys, `key.one` and `key.other`.
Catalog = dict[str, dict[str, str]]

LANGUAGES = ("da", "en")
LOCALES = {"da": Locale.parse("da_DK"), "en": Locale.parse("en_GB")}

CATALOG: Catalog = {}


def register_texts(entries: Catalog) -> None:
    """The one way a catalog grows: each feature's texts module registers its entries on import."""
    clash = {key for key, value in entries.items() if CATALOG.get(key, value) != value}
    if clash:
        raise ValueError(f"text keys defined twice: {sorted(clash)}")
    for key, value in entries.items():
        if "da" not in value:
            raise ValueError(f"text key {key} has no Danish text")
    CATALOG.update(entries)


def _locale(lang: str) -> Locale:
    return LOCALES.get(lang, LOCALES["da"])


def t(key: str, lang: str, /, **values: object) -> str:
    """Look up `key` in `lang` (falling back to Danish) and fill in the values."""
    entry = CATALOG[key]
    template = entry.get(lang) or entry["da"]
    return template.format(**values) if values else template


def t_channel(key: str, lang: str, channel: str, /, **values: object) -> str:
    """Prefer a channel-specific variant (`key.sms`) when the catalog has one."""
    specific = f"{key}.{channel}"
    return t(specific if specific in CATALOG else key, lang, **values)


def plural_key(key: str, lang: str, count: int) -> str:
    """`key.one` or `key.other` by the language's plural rule (CLDR, through Babel)."""
    form = _locale(lang).plural_form(count)
    return f"{key}.{form}" if f"{key}.{form}" in CATALOG else f"{key}.other"


def tn(key: str, lang: str, count: int, /, **values: object) -> str:
    """The plural form of `key` for `count`; `{count}` is filled in, formatted for the language."""
    return t(plural_key(key, lang, count), lang, count=number(count, lang), **values)


def tn_channel(key: str, lang: str, channel: str, count: int, /, **values: object) -> str:
    """Like tn, preferring a channel-specific plural entry (`key.sms.one`)."""
    specific = f"{key}.{channel}"
    base = specific if f"{specific}.other" in CATALOG else key
    return tn(base, lang, count, **values)


def number(value: int | float | Decimal, lang: str, *, decimals: int | None = None) -> str:
    """1.250 in Danish, 1,250 in English; `decimals` fixes the fraction digits (0,45)."""
    if decimals is None:
        return str(babel_numbers.format_decimal(value, locale=_locale(lang)))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(
        babel_numbers.format_decimal(
            value, format=pattern, locale=_locale(lang), decimal_quantization=True
        )
    )


def money(amount: float | Decimal, lang: str, currency: str = "DKK") -> str:
    """An amount with its currency as people in that language write it (0,45 kr.)."""
    return str(babel_numbers.format_currency(amount, currency, locale=_locale(lang)))


def date_text(day: date | datetime, lang: str, pattern: str = "long") -> str:
    """A date: "3. december 2026" / "3 December 2026", or a CLDR pattern such as "EEEE d. MMMM"."""
    return str(babel_dates.format_date(day, format=pattern, locale=_locale(lang)))


def time_text(moment: time | datetime, lang: str, pattern: str = "HH:mm") -> str:
    return str(babel_dates.format_time(moment, format=pattern, locale=_locale(lang)))


def datetime_text(moment: datetime, lang: str, pattern: str) -> str:
    """A local datetime in a CLDR pattern; the caller converts to local time first."""
    return str(babel_dates.format_datetime(moment, format=pattern, locale=_locale(lang)))


def month_text(month: date, lang: str) -> str:
    """A month and year as a heading: "november 2026" / "November 2026"."""
    return str(babel_dates.format_date(month, format="LLLL yyyy", locale=_locale(lang)))


def language_name(lang: str, in_lang: str | None = None) -> str:
    """The language's own name ("dansk", "English"), or its name in `in_lang`."""
    name = Locale.parse(lang).get_display_name(_locale(in_lang or lang))
    return str(name) if name else lang
