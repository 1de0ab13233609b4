"""Status-link tokens never reach a log line."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from kollega.core.redact import GunicornLogger, redact

TOKEN = "Zt8kQ2mX7vN4pR1sW9yB3cD6fH0jL5aE-_gUiOoPqRs"


def test_redact_hides_the_token_but_keeps_the_rest_of_the_path() -> None:
    assert redact(f"GET /request/status/{TOKEN}/message/ 404") == (
        "GET /request/status/[redacted]/message/ 404"
    )
    assert redact("GET /request/ 200") == "GET /request/ 200"


@pytest.mark.django_db
def test_a_wrong_status_link_is_logged_without_its_token(caplog: pytest.LogCaptureFixture) -> None:
    handler = logging.getLogger().handlers[0] if logging.getLogger().handlers else None
    assert handler is not None and any(
        type(f).__name__ == "RedactTokensFilter" for f in handler.filters
    ), "the console handler must carry the redacting filter"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        Client().get(f"/request/status/{TOKEN}/message/")
    for record in caplog.records:
        handler.filter(record)
        assert TOKEN not in record.getMessage()


def test_gunicorn_access_log_atoms_are_redacted() -> None:
    class Cfg:
        def __getattr__(self, name: str) -> object:
            return None

    logger = GunicornLogger.__new__(GunicornLogger)
    logger.cfg = Cfg()

    class Resp:
        status = "404 Not Found"
        headers: list[tuple[str, str]] = []
        sent = 0
        response_length = 0

    class Req:
        headers: list[tuple[str, str]] = []

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/request/status/{TOKEN}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "RAW_URI": f"/request/status/{TOKEN}/",
    }
    import datetime

    atoms = logger.atoms(Resp(), Req(), environ, datetime.timedelta(seconds=0.1))
    assert TOKEN not in atoms["U"]
    assert TOKEN not in atoms["r"]
