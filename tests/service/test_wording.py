"""Words a user noticed (issue 18): decline reasons as labels, the phone form worded for the
coordinator, one true retention statement, and phone links that dial whatever was typed."""

from __future__ import annotations

import html

import pytest
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import reverse

from kollega.core.emergency import emergency_numbers
from kollega.core.phone import tel_uri
from tests.cast import Cast
from tests.service.conftest import Seeker, submit


def test_the_coordinator_reads_a_decline_reason_as_its_label(proposed: Seeker, cast: Cast) -> None:
    declined = cast.counsellor.client().post(
        reverse("service:case_decline", args=[proposed.case.pk]), {"reason": "conflict"}
    )
    assert declined.status_code == 302
    page = cast.coordinator.client("en").get(reverse("service:case", args=[proposed.case.pk]))
    history = page.content.decode().split("<ol", 1)[-1]
    assert "Conflict of interest" in history
    assert "· conflict<" not in history


@pytest.mark.parametrize(
    ("language", "staff_words", "seeker_words"),
    [
        ("en", ["The seeker's gender", "Where the seeker works"], ["Your gender", "Your age"]),
        (
            "nb",
            ["Kjønnet til den som søker", "Hvor den som søker jobber"],
            ["Ditt kjønn", "Din alder"],
        ),
    ],
)
def test_the_phone_form_speaks_about_the_seeker_to_the_coordinator(
    cast: Cast, language: str, staff_words: list[str], seeker_words: list[str]
) -> None:
    page = cast.coordinator.client(language).get(reverse("service:new_request"))
    text = html.unescape(page.content.decode())
    for words in staff_words:
        assert words in text
    for words in seeker_words:
        assert words not in text
    # The seeker's own form still speaks to the seeker.
    intake = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("service:intake"))
    assert seeker_words[0] in html.unescape(intake.content.decode())


def test_the_phone_form_still_records_the_seekers_answers(cast: Cast) -> None:
    from kollega.service.models import Case

    response = cast.coordinator.client().post(
        reverse("service:new_request"),
        {
            "source": "phone",
            "acute_risk": "no",
            "category": "work",
            "contact_method": "none",
            "gender": "female",
            "age_band": "",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.gender, case.age_band) == ("female", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "statement"),
    [
        ("en", "deleted 30 days after your case ends"),
        ("nb", "slettes 30 dager etter at saken din er avsluttet"),
    ],
)
@override_settings(KOLLEGA_RETENTION_DAYS=30)
def test_the_front_page_says_once_how_long_what_you_write_is_kept(
    language: str, statement: str
) -> None:
    text = Client(HTTP_ACCEPT_LANGUAGE=language).get("/").content.decode()
    assert statement in text
    assert "when your case is closed" not in text
    assert "når saken din er avsluttet" not in text
    assert "90" not in text.split('id="main"', 1)[1]


@pytest.mark.parametrize(
    ("typed", "dialled"),
    [
        ("22-33-44-55", "+4722334455"),
        ("22 33 44 55", "+4722334455"),
        ("(+47) 912 34 567", "+4791234567"),
        ("0047 912 34 567", "+4791234567"),
        ("+46 8 123 456 78", "+46812345678"),
        ("113", "113"),
        ("116 117", "116117"),
        ("116-123", "116123"),
    ],
)
def test_a_phone_link_dials_the_digits_whatever_was_typed(typed: str, dialled: str) -> None:
    assert tel_uri(typed) == dialled
    rendered = Template("{% load kollega_format %}{{ number|tel }}").render(
        Context({"number": typed})
    )
    assert rendered == dialled


@override_settings(KOLLEGA_EMERGENCY_NUMBERS=["116-117=Legevakt", "22 33 44 55=Kollegavakt"])
def test_emergency_numbers_dial_without_their_dashes() -> None:
    assert [item["tel"] for item in emergency_numbers()] == ["116117", "+4722334455"]


def test_the_coordinator_calls_the_seeker_from_the_case_page(cast: Cast) -> None:
    seeker = submit(contact_method="phone", contact_phone="22-33 44 55")
    text = cast.coordinator.client().get(reverse("service:case", args=[seeker.case.pk]))
    assert '<a class="ds-link" href="tel:+4722334455">22-33 44 55</a>' in text.content.decode()
