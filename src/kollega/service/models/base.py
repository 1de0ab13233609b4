"""What the service's records share: the limits on what a person may type, references and
secret tokens, and small text helpers.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.utils.translation import get_language

# Limits on what a person may type, enforced by the forms and the field lengths.
MAX_TEXT = 4000


MAX_SHORT_TEXT = 300


# Reference codes avoid letters and digits that are easy to confuse on the phone.
_REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"


# A status link read aloud over the phone: lower case (as people type addresses), without
# 0/o, 1/l/i, 2/z, 5/s, 8/b and g/q; seven groups of four are about 127 bits.
_SPOKEN_ALPHABET = "acdefhjkmnprtuvwxy34679"


_SPOKEN_GROUPS = 7


SPOKEN_TOKEN = re.compile(r"[A-Za-z0-9]{4}(?:-[A-Za-z0-9]{4})" + f"{{{_SPOKEN_GROUPS - 1}}}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reference() -> str:
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"K-{body[:4]}-{body[4:]}"


def new_spoken_token() -> str:
    """A status-link token for reading aloud: groups of four unambiguous characters."""
    return "-".join(
        "".join(secrets.choice(_SPOKEN_ALPHABET) for _ in range(4)) for _ in range(_SPOKEN_GROUPS)
    )


WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def in_language(norwegian: str, english: str, chinese: str) -> str:
    """The text in the active language: the English or Chinese one when given, else Norwegian."""
    language = (get_language() or "").lower()
    if language.startswith("en") and english.strip():
        return english
    if language.startswith("zh") and chinese.strip():
        return chinese
    return norwegian
