from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.service.access import INTAKE_PER_HOUR
from kollega.service.models import Case, hash_token
from tests.cast import Cast

URL = reverse("service:intake")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def form(**fields: str) -> dict[str, object]:
    data: dict[str, object] = {"acute_risk": "no", "category": "advice", "contact_method": "none"}
    data.update(fields)
    return data


@pytest.mark.django_db
def test_it_shows_the_front_door_to_a_stranger() -> None:
    response = Client().get(URL)
    assert response.status_code == 200
    assert b"113" in response.content
    assert b'name="website"' in response.content


@pytest.mark.django_db
def test_the_front_page_shows_the_expected_waiting_time_and_links_to_the_intake() -> None:
    response = Client().get("/")
    assert response.status_code == 200
    assert URL.encode() in response.content
    assert b"116 117" in response.content


@pytest.mark.django_db
def test_it_creates_a_request_and_sends_the_seeker_to_their_status_link() -> None:
    response = Client().post(
        URL, form(description="Jeg sover dårlig", expectations=["conversation", "advice"])
    )
    assert response.status_code == 302
    case = Case.objects.get()
    token = response["Location"].split("/")[3]
    assert case.token_hash == hash_token(token)
    assert len(token) >= 40
    assert case.expectations == ["conversation", "advice"]
    assert not case.urgent
    assert AuditEvent.objects.filter(action="service.request.submit", actor_label="seeker").exists()


@pytest.mark.django_db
def test_it_stores_the_free_text_encrypted() -> None:
    Client().post(
        URL,
        form(
            description="CANARY-intake-text",
            contact_method="email",
            contact_email="a@example.invalid",
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT description, contact_email FROM service_case")
        raw = cursor.fetchone()
    assert "CANARY" not in raw[0]
    assert "example" not in raw[1]
    assert Case.objects.get().description == "CANARY-intake-text"


@pytest.mark.django_db
def test_it_records_the_research_consent_with_its_text_version() -> None:
    Client().post(URL, form(research_consent="on"))
    case = Case.objects.get()
    assert case.research_consent
    assert case.research_consent_version
    assert case.research_consent_at is not None


@pytest.mark.django_db
@override_settings(TASKS=IMMEDIATE, KOLLEGA_COORDINATOR_EMAILS=["vakt@example.invalid"])
def test_an_acute_risk_yes_marks_the_request_urgent_and_alerts_the_coordinators(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    cast.coordinator.user.email = "kari@example.invalid"
    cast.coordinator.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            URL, form(acute_risk="yes", description="CANARY-urgent"), follow=True
        )
    case = Case.objects.get()
    assert case.urgent
    assert "113" in response.content.decode()
    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert set(alert.to) == {"vakt@example.invalid", "kari@example.invalid"}
    assert "CANARY" not in alert.subject + alert.body
    assert "coping" not in alert.body and "advice" not in alert.body


@pytest.mark.django_db
def test_it_keeps_what_was_typed_when_a_field_is_missing() -> None:
    response = Client().post(
        URL, {"acute_risk": "no", "description": "Mitt eget ord", "contact_method": "none"}
    )
    assert response.status_code == 400
    assert "Mitt eget ord" in response.content.decode()
    assert b'aria-invalid="true"' in response.content
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_it_refuses_oversize_text_without_saving() -> None:
    response = Client().post(URL, form(description="x" * 4001))
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_it_asks_for_the_address_when_email_contact_is_chosen() -> None:
    response = Client().post(URL, form(contact_method="email"))
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_filled_honeypot() -> None:
    response = Client().post(URL, form(website="http://spam.example"))
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_it_limits_requests_per_address() -> None:
    client = Client()
    for _ in range(INTAKE_PER_HOUR):
        assert client.post(URL, form()).status_code == 302
    response = client.post(URL, form(description="kept"))
    assert response.status_code == 429
    assert "kept" in response.content.decode()
    assert Case.objects.count() == INTAKE_PER_HOUR
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(URL, form()).status_code == 302


@pytest.mark.django_db
def test_an_urgent_request_passes_the_limit_for_a_shared_network() -> None:
    # A whole hospital network shares one address: five colleagues have written this hour.
    client = Client()
    for _ in range(INTAKE_PER_HOUR):
        assert client.post(URL, form()).status_code == 302
    response = client.post(URL, form(acute_risk="yes", description="Akutt"))
    assert response.status_code == 302
    case = Case.objects.latest("pk")
    assert case.urgent
    assert case.description == "Akutt"


@pytest.mark.django_db
@override_settings(KOLLEGA_SERVICE_PHONE="22-33 44 55")
def test_the_limited_page_puts_the_emergency_numbers_first_and_gives_the_services_phone() -> None:
    client = Client()
    for _ in range(INTAKE_PER_HOUR):
        client.post(URL, form())
    response = client.post(URL, form(description="Det jeg skrev", contact_name="Kari"))
    assert response.status_code == 429
    text = response.content.decode()
    main = text[text.index('id="main"') :]
    # Before the form and before any other text of the page: the numbers to call now.
    assert main.index('href="tel:113"') < main.index("<form")
    assert main.index('href="tel:113"') < main.index("ds-paragraph")
    assert 'href="tel:+4722334455"' in text
    assert "22-33 44 55" in text
    # Nothing typed is lost: the form comes back filled in, ready to send again.
    assert "Det jeg skrev" in text
    assert 'value="Kari"' in text
    assert Case.objects.count() == INTAKE_PER_HOUR


@pytest.mark.django_db
@override_settings(KOLLEGA_SERVICE_PHONE="")
def test_the_limited_page_tells_nobody_to_call_without_a_number() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(INTAKE_PER_HOUR):
        client.post(URL, form())
    response = client.post(URL, form())
    assert response.status_code == 429
    text = response.content.decode()
    assert "call us" not in text.lower()
    assert "send it again in an hour" in text


@pytest.mark.django_db
def test_it_refuses_the_wrong_method() -> None:
    assert Client().put(URL).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nb", "en", "zh-hans"])
def test_it_answers_in_every_language(language: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get(URL)
    assert response.status_code == 200
    assert f'lang="{language}"'.encode() in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [("nb", "Først: din sikkerhet"), ("en", "First, your safety"), ("zh-hans", "首先，您的安全")],  # noqa: RUF001 - Chinese punctuation
)
def test_the_intake_is_translated(language: str, heading: str) -> None:
    assert heading in Client(HTTP_ACCEPT_LANGUAGE=language).get(URL).content.decode()


@pytest.mark.django_db
def test_the_form_rendered_once_still_follows_language_and_open_offerings() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from kollega.service.actions import do_save_offering
    from kollega.service.models import Offering

    assert "Først: din sikkerhet" in Client(HTTP_ACCEPT_LANGUAGE="nb").get(URL).content.decode()
    assert "First, your safety" in Client(HTTP_ACCEPT_LANGUAGE="en").get(URL).content.decode()
    starts = timezone.now() + timedelta(days=20)
    do_save_offering(
        "test",
        Offering(
            kind="course",
            title="Kursdag i mai",
            place="Oslo",
            starts=starts,
            ends=starts,
            capacity=4,
        ),
    )
    assert "Kursdag i mai" in Client(HTTP_ACCEPT_LANGUAGE="en").get(URL).content.decode()


@pytest.mark.django_db
@override_settings(KOLLEGA_INTAKE_PER_HOUR=0)
def test_the_limit_per_address_can_be_turned_off_for_load_tests() -> None:
    client = Client()
    for _ in range(INTAKE_PER_HOUR + 2):
        assert client.post(URL, form()).status_code == 302
    assert Case.objects.count() == INTAKE_PER_HOUR + 2
