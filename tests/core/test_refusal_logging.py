"""A refused request leaves one log line: no traceback, nothing about the person."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tests.cast import Cast


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return [formatter.format(record) for record in caplog.records]


@pytest.mark.django_db
def test_a_403_is_logged_as_one_line_without_a_traceback(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    client = cast.counsellor.client("en")
    client.raise_request_exception = False
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("service:counsellors"))
    assert response.status_code == 403
    lines = _lines(caplog)
    assert lines == [
        f"WARNING django.request Forbidden (Permission denied): {reverse('service:counsellors')}"
    ]
    assert "\n" not in lines[0] and "Traceback" not in lines[0]
    assert all(record.exc_info is None for record in caplog.records)
    user = cast.counsellor.user
    assert user.get_username() not in lines[0] and (user.email or "@") not in lines[0]


@pytest.mark.django_db
def test_an_unexpected_error_still_logs_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    from unittest import mock

    from django.test import Client

    client = Client(raise_request_exception=False)
    with (
        mock.patch("kollega.service.views.seeker.expected_waits", side_effect=RuntimeError("boom")),
        caplog.at_level(logging.ERROR),
    ):
        assert client.get(reverse("service:intake")).status_code == 500
    assert any("Traceback" in line for line in _lines(caplog))
