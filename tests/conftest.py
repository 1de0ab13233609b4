from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from tests.cast import Cast, make_cast


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture(autouse=True)
def _fresh_throttle_and_cache() -> None:
    from django.core.cache import cache

    cache.clear()


# Mixing @override_settings with pytest-django's `settings` fixture in one test restores the
# decorator's values for good (the fixture undoes its change last, onto the decorator's
# settings), and every later test runs with them: a test queue that runs jobs at once, for
# one. This fails the test that leaks, not a browser test an hour later.
_WATCHED = ("TASKS", "LANGUAGE_CODE", "KOLLEGA_COORDINATOR_EMAILS", "EMAIL_BACKEND")


@pytest.fixture(autouse=True)
def _settings_restored() -> Iterator[None]:
    from django.conf import settings

    before = {name: copy.deepcopy(getattr(settings, name, None)) for name in _WATCHED}
    yield
    after = {name: getattr(settings, name, None) for name in _WATCHED}
    leaked = {name for name in _WATCHED if after[name] != before[name]}
    assert not leaked, f"this test left settings changed: {sorted(leaked)}"
