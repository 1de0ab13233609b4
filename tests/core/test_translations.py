"""The catalogues: every string of the site is translated, and Chinese says 您 throughout."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    NumericPasswordValidator,
)
from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src" / "kollega"
CATALOGUES = sorted(SRC.glob("**/locale/*/LC_MESSAGES/django.po"))


def _entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each live entry; the header and obsolete entries left out."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid, msgstr, current = [], [], None
        for line in lines:
            if line.startswith("msgid "):
                current = msgid
            elif line.startswith(("msgstr", "msgid_plural")):
                current = msgstr if line.startswith("msgstr") else None
            elif not line.startswith('"'):
                continue
            if current is not None:
                current.append(line[line.index('"') + 1 : -1])
        text = "".join(msgid)
        if text:
            entries.append((text, "".join(msgstr), fuzzy))
    return entries


def test_there_are_catalogues_in_both_languages() -> None:
    languages = {po.parents[1].name for po in CATALOGUES}
    assert {"nb", "zh_Hans"} <= languages


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_string_is_translated(po: Path) -> None:
    missing = [msgid for msgid, msgstr, fuzzy in _entries(po) if not msgstr or fuzzy]
    assert not missing, f"{len(missing)} untranslated or fuzzy in {po}: {missing[:5]}"


@pytest.mark.parametrize(
    "po", [p for p in CATALOGUES if p.parents[1].name == "zh_Hans"], ids=lambda p: p.parts[-4]
)
def test_chinese_addresses_the_reader_as_nin(po: Path) -> None:
    familiar = [msgstr for _, msgstr, _ in _entries(po) if "你" in msgstr]
    assert not familiar, f"你 where the site says 您: {familiar[:3]}"


def test_django_own_messages_say_nin_in_chinese() -> None:
    # What a staff member reads under a new password, in Django's words.
    with translation.override("zh-hans"):
        for validator in (
            MinimumLengthValidator(min_length=12),
            CommonPasswordValidator(),
            NumericPasswordValidator(),
        ):
            text = str(validator.get_help_text())
            assert "您" in text and "你" not in text, text
