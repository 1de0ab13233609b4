"""Every page, as a stranger and as every role: never a 500, and strangers never get in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.cast import Cast
from tests.urlwalk import PUBLIC_URL_NAMES, all_urls

STAFF_URLS = [walked for walked in all_urls() if walked.name not in PUBLIC_URL_NAMES]


def test_the_walk_finds_the_admin_and_staff_pages() -> None:
    urls = {walked.url for walked in all_urls()}
    assert f"/{settings.ADMIN_PATH}" in urls
    assert "/staff/" in urls


@pytest.mark.django_db
@pytest.mark.parametrize("walked", STAFF_URLS, ids=lambda w: w.name)
def test_it_turns_the_stranger_away(walked) -> None:
    for method in ("get", "post"):
        response = getattr(Client(), method)(walked.url, follow=True)
        final_path = response.request["PATH_INFO"]
        if response.redirect_chain:
            # Redirects must end on the staff sign-in page, whatever hops the admin makes.
            assert final_path == "/staff/login/", f"{method} {walked.url} -> {final_path}"
        else:
            assert response.status_code in {403, 404, 405}, (
                f"{method} {walked.url} -> {response.status_code}"
            )


@pytest.mark.django_db
@pytest.mark.parametrize("walked", all_urls(), ids=lambda w: w.name)
def test_no_role_gets_a_server_error(walked, cast: Cast) -> None:
    for role, member in cast.members().items():
        client = member.client()
        for method in ("get", "post"):
            response = getattr(client, method)(walked.url)
            assert response.status_code < 500, (
                f"{role} {method} {walked.url} -> {response.status_code}"
            )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "walked", [w for w in all_urls() if w.name in PUBLIC_URL_NAMES], ids=lambda w: w.name
)
def test_public_pages_answer_the_stranger(walked) -> None:
    response = Client().get(walked.url)
    expected = 405 if walked.name == "set_language" else 200
    assert response.status_code == expected


# Pages any signed-in staff member may open, whatever their role.
ANY_STAFF = {"accounts:home", "accounts:login"}


@pytest.mark.django_db
@pytest.mark.parametrize("walked", [w for w in STAFF_URLS if w.name not in ANY_STAFF], ids=lambda w: w.name)
def test_staff_without_a_role_see_nothing(walked, cast: Cast) -> None:
    response = cast.outsider.client().get(walked.url)
    assert response.status_code in {302, 403, 404, 405}, f"{walked.url} -> {response.status_code}"
