"""Every page, as a stranger and as every role: never a 500, and strangers never get in.

Each test walks every URL once and reports all failures together, so a new page is covered
the moment its URL pattern exists.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.cast import Cast
from tests.urlwalk import PUBLIC_URL_NAMES, all_urls

STAFF_URLS = [walked for walked in all_urls() if walked.name not in PUBLIC_URL_NAMES]
# Pages any signed-in staff member may open, whatever their role.
ANY_STAFF = {"accounts:home", "accounts:login"}


def test_the_walk_finds_the_admin_and_staff_pages() -> None:
    urls = {walked.url for walked in all_urls()}
    assert f"/{settings.ADMIN_PATH}" in urls
    assert "/staff/" in urls


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_turns_the_stranger_away(method: str) -> None:
    failures = []
    for walked in STAFF_URLS:
        response = getattr(Client(), method)(walked.url, follow=True)
        final_path = response.request["PATH_INFO"]
        if response.redirect_chain:
            # Redirects must end on the staff sign-in page, whatever hops the admin makes.
            if final_path != "/staff/login/":
                failures.append(f"{walked.name} {walked.url} -> {final_path}")
        elif response.status_code not in {403, 404, 405}:
            failures.append(f"{walked.name} {walked.url} -> {response.status_code}")
    assert not failures, f"{method} let a stranger in:\n" + "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    ["counsellor", "other_counsellor", "coordinator", "researcher", "administrator", "outsider"],
)
def test_no_role_gets_a_server_error(role: str, cast: Cast) -> None:
    client = cast.members()[role].client()
    failures = []
    for walked in all_urls():
        for method in ("get", "post"):
            response = getattr(client, method)(walked.url)
            if response.status_code >= 500:
                failures.append(f"{method} {walked.name} {walked.url} -> {response.status_code}")
    assert not failures, f"{role} got server errors:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_staff_without_a_role_see_nothing(cast: Cast) -> None:
    client = cast.outsider.client()
    failures = []
    for walked in STAFF_URLS:
        if walked.name in ANY_STAFF:
            continue
        response = client.get(walked.url)
        if response.status_code not in {302, 403, 404, 405}:
            failures.append(f"{walked.name} {walked.url} -> {response.status_code}")
    assert not failures, "staff without a role got in:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_public_pages_answer_the_stranger() -> None:
    failures = []
    for walked in all_urls():
        if walked.name not in PUBLIC_URL_NAMES:
            continue
        response = Client().get(walked.url)
        expected = {405} if walked.name == "set_language" else {200, 404}
        if response.status_code not in expected:
            failures.append(f"{walked.name} {walked.url} -> {response.status_code}")
    assert not failures, "\n".join(failures)
