"""Phone numbers as tel: links: the same digits whatever spaces, dashes or brackets were typed."""

from __future__ import annotations

import re

import phonenumbers

# Numbers written without a country code are Norwegian.
DEFAULT_REGION = "NO"
_NOT_DIALLED = re.compile(r"[^0-9+]")


def tel_uri(number: str) -> str:
    """The part after "tel:" for `number`, as typed by a person or configured.

    A full number becomes its international form (+4722334455 for "22-33 44 55"), so that a
    phone abroad dials it too; a short or service number (113, 116 117) or one that cannot be
    read keeps its own digits, with spaces, dashes, dots and brackets dropped.
    """
    text = (number or "").strip()
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    digits = _NOT_DIALLED.sub("", text)
    # A "+" counts only at the start.
    return digits[:1] + digits[1:].replace("+", "")
