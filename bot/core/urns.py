"""Contact URNs (telegram:123, tel:+4512345678): one person, several channels."""

from __future__ import annotations

import phonenumbers

SCHEMES = ("telegram", "tel")


class InvalidURN(ValueError):
    """A contact address that is not a telegram:<id> or tel:<E.164> URN."""


def normalise_phone(raw: str, region: str = "DK") -> str:
    """Return E.164 for a phone number typed any usual way ("20 30 40 50" -> +4520304050)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidURN(f"{raw!r} is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidURN(f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_urn(raw: str) -> str:
    """Validate and normalise a URN string."""
    scheme, sep, path = raw.strip().partition(":")
    if not sep or scheme not in SCHEMES or not path:
        raise InvalidURN(f"{raw!r} must look like telegram:<id> or tel:+45<number>")
    if scheme == "telegram":
        if not path.lstrip("-").isdigit():
            raise InvalidURN(f"{raw!r}: a Telegram id is a number")
        return f"telegram:{int(path)}"
    return f"tel:{normalise_phone(path)}"


def telegram_urn(user_id: int) -> str:
    return f"telegram:{user_id}"


def tel_urn(e164: str) -> str:
    return f"tel:{e164}"


def urn_scheme(urn: str) -> str:
    return urn.partition(":")[0]


def urn_path(urn: str) -> str:
    return urn.partition(":")[2]
