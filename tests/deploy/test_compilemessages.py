"""`kollega compilemessages` leaves catalogues the services can read (issue 24's install walk).

On a server root compiles the translations (`make messages`) and the services run as
`kollega`; Kollega's private umask made the `.mo` files root's alone, and the first page the
services rendered failed with PermissionError.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.deploy.conftest import need

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Sign in"
msgstr "Logg inn"
"""


@pytest.fixture
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    need("msgfmt")
    folder = tmp_path / "locale" / "nb" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(PO, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


@override_settings(LOCALE_PATHS=[])
def test_it_leaves_the_compiled_catalogue_readable_by_everyone(catalogue: Path) -> None:
    old = os.umask(0o077)  # as Kollega's settings set it
    try:
        call_command("compilemessages", verbosity=0)
    finally:
        os.umask(old)
    assert (catalogue / "django.mo").stat().st_mode & 0o777 == 0o644


@override_settings(LOCALE_PATHS=[])
def test_it_mends_a_private_catalogue_that_is_already_up_to_date(catalogue: Path) -> None:
    compiled = catalogue / "django.mo"
    call_command("compilemessages", verbosity=0)
    compiled.chmod(0o600)
    call_command("compilemessages", verbosity=0)
    assert compiled.stat().st_mode & 0o777 == 0o644
