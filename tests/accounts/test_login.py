"""Staff sign in with password and a TOTP code; wrong guesses are throttled."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from kollega.accounts.demo import current_code
from kollega.core.models import AuditEvent
from tests.cast import PASSWORD, Cast, Member

LOGIN = "/staff/login/"


def _post_login(
    client: Client, member: Member, *, password: str = PASSWORD, code: str | None = None
):
    return client.post(
        LOGIN,
        {
            "username": member.username,
            "password": password,
            "otp_token": code or current_code(member.device),
        },
        REMOTE_ADDR="10.9.8.7",
    )


def test_it_signs_in_with_password_and_code(cast: Cast) -> None:
    client = Client()
    response = _post_login(client, cast.coordinator)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    home = client.get(reverse("accounts:home"))
    assert home.status_code == 200
    assert home.context["user"].is_verified()
    assert AuditEvent.objects.filter(action="accounts.login", actor=cast.coordinator.user).exists()


def test_it_refuses_a_wrong_code_with_one_vague_message(cast: Cast) -> None:
    client = Client()
    response = _post_login(client, cast.coordinator, code="000000")
    assert response.status_code == 200
    assert "Brukernavnet, passordet eller koden er feil" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_it_refuses_a_wrong_password_with_the_same_message(cast: Cast) -> None:
    response = _post_login(Client(), cast.coordinator, password="not the password")
    assert "Brukernavnet, passordet eller koden er feil" in response.content.decode()


def test_it_keeps_the_username_after_a_failed_attempt(cast: Cast) -> None:
    response = _post_login(Client(), cast.coordinator, code="000000")
    assert 'value="kari"' in response.content.decode()


def test_it_locks_out_after_five_failures_even_with_the_right_code(cast: Cast) -> None:
    for _ in range(5):
        _post_login(Client(), cast.coordinator, password="guess")
    client = Client()
    response = _post_login(client, cast.coordinator)
    assert response.status_code == 429
    assert "For mange forsøk" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_it_sends_a_signed_in_staff_member_on_from_the_login_page(cast: Cast) -> None:
    response = cast.coordinator.client().get(LOGIN)
    assert response.status_code == 302


def test_it_ignores_a_next_address_on_another_site(cast: Cast) -> None:
    client = Client()
    response = client.post(
        f"{LOGIN}?next=https://evil.example/",
        {
            "username": "kari",
            "password": PASSWORD,
            "otp_token": current_code(cast.coordinator.device),
        },
    )
    assert response["Location"] == reverse("accounts:home")


def test_a_password_alone_does_not_open_staff_pages(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.coordinator.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_the_login_page_refuses_other_methods() -> None:
    assert Client().put(LOGIN).status_code == 405
