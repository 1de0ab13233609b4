"""Every error page (400, 403, 404, 429, 500 and a failed CSRF check) in the site's layout and
the person's language, saying what they can do, with the emergency numbers; DEBUG is off."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from kollega.service.access import TOKEN_MISSES_ALLOWED

DEAD_LINK = "/request/status/" + "x" * 43 + "/"


def english(**extra: object) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False, **extra)


def assert_site_layout(text: str, language: str) -> None:
    """The site's own page, not Django's bare one: viewport, styles, header and numbers."""
    assert f'<html lang="{language}"' in text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "core/kollega.css" in text
    assert 'class="site-header"' in text
    assert 'href="tel:113"' in text
    assert "Not Found" not in text and "<h1>Bad Request" not in text


def test_debug_is_off_in_these_tests() -> None:
    assert not settings.DEBUG


@pytest.mark.django_db
def test_a_dead_status_link_explains_itself_in_english() -> None:
    response = english().get(DEAD_LINK)
    assert response.status_code == 404
    text = response.content.decode()
    assert_site_layout(text, "en")
    assert "This status link does not open" in text
    assert "Check that you have the whole address" in text
    assert f"{settings.KOLLEGA_RETENTION_DAYS} days after the request ended" in text
    assert f'href="{reverse("service:intake")}"' in text
    assert "Legevakt</span> (out-of-hours medical service)" in text


@pytest.mark.django_db
def test_a_dead_status_link_in_norwegian_keeps_the_service_names_alone() -> None:
    response = Client().get(DEAD_LINK)
    assert response.status_code == 404
    text = response.content.decode()
    assert_site_layout(text, "nb")
    assert "Legevakt</span></span>" in text, "no translation beside the Norwegian name"


@pytest.mark.django_db
def test_a_mistyped_address_gets_the_plain_not_found_page() -> None:
    response = english().get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert_site_layout(text, "en")
    assert "Page not found" in text
    assert "This status link does not open" not in text


@pytest.mark.django_db
def test_too_many_wrong_links_get_the_throttled_page_in_the_layout() -> None:
    client = english()
    for _ in range(TOKEN_MISSES_ALLOWED):
        client.get(DEAD_LINK)
    response = client.get(DEAD_LINK)
    assert response.status_code == 429
    text = response.content.decode()
    assert_site_layout(text, "en")
    assert "wait fifteen minutes" in text
    assert "Start a new request" in text


@pytest.mark.django_db
def test_a_form_without_the_csrf_cookie_is_refused_kindly() -> None:
    client = english(enforce_csrf_checks=True)
    response = client.post(reverse("service:intake"), {"acute_risk": "no", "category": "work"})
    assert response.status_code == 403
    text = response.content.decode()
    assert_site_layout(text, "en")
    assert "Your form could not be sent" in text
    assert "Nothing was saved" in text
    assert "CSRF" not in text


@pytest.mark.django_db
def test_a_forbidden_page_says_so_in_the_layout(cast: object) -> None:
    # A counsellor signed in properly is refused the admin (KollegaAdminSite.login).
    client = cast.counsellor.client("en")  # type: ignore[attr-defined]
    client.raise_request_exception = False
    response = client.get(f"/{settings.ADMIN_PATH}login/")
    assert response.status_code == 403
    text = response.content.decode()
    assert_site_layout(text, "en")
    assert "You do not have access to this page" in text


@pytest.mark.django_db
def test_a_bad_request_gets_the_layout() -> None:
    response = english(HTTP_HOST="not-our-host.example").get("/")
    assert response.status_code == 400
    text = response.content.decode()
    assert_site_layout(text, "en")
    assert "The request could not be understood" in text


@pytest.mark.django_db
def test_an_unexpected_error_gets_the_layout_in_english() -> None:
    with mock.patch(
        "kollega.service.views.seeker.expected_waits", side_effect=RuntimeError("boom")
    ):
        response = english().get(reverse("service:intake"))
    assert response.status_code == 500
    text = response.content.decode()
    assert '<html lang="en"' in text
    assert "Something went wrong" in text
    assert 'href="tel:113"' in text
    assert "(out-of-hours medical service)" in text


@pytest.mark.django_db
def test_the_500_page_needs_no_database_and_no_context_processor() -> None:
    lost = OperationalError("the database went away")
    with (
        mock.patch("kollega.service.views.seeker.expected_waits", side_effect=lost),
        mock.patch("kollega.core.context_processors.roles_of", side_effect=lost),
        mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=lost),
    ):
        response = english().get(reverse("service:intake"))
    assert response.status_code == 503
    text = response.content.decode()
    assert "Our database cannot be reached" in text
    assert 'href="tel:113"' in text
