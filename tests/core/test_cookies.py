"""Anonymous seekers' pages leave no cookie that outlives the browser (a shared computer)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


def _lasting(response: object) -> list[str]:
    """The cookies the response sets with an expiry date or a lifetime."""
    cookies = response.cookies  # type: ignore[attr-defined]
    return [
        f"{name}: max-age={morsel['max-age']!r} expires={morsel['expires']!r}"
        for name, morsel in cookies.items()
        if morsel["max-age"] or morsel["expires"]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", reverse("service:intake")])
def test_it_sets_only_session_cookies_on_the_public_pages(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    assert "csrftoken" in response.cookies, "the form still gets its CSRF cookie"
    assert not _lasting(response)


@pytest.mark.django_db
def test_it_sets_only_session_cookies_when_a_request_is_sent() -> None:
    client = Client()
    client.get(reverse("service:intake"))
    sent = client.post(
        reverse("service:intake"),
        {"acute_risk": "no", "category": "advice", "contact_method": "none"},
    )
    assert sent.status_code == 302
    status_page = client.get(sent["Location"])
    assert status_page.status_code == 200
    assert not _lasting(sent) and not _lasting(status_page)
