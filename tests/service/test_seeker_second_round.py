"""The seeker's pages as found in the second round of use (issue 12): what they sent, where
they were referred, what an urgent request gets, a true cancel page, courses and emergency
services named in Norwegian with a translation, day-month-year dates in English, and an
intake error summary that links to its fields."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.models import Offering, Referral
from tests.cast import Cast
from tests.service.conftest import Seeker, submit

WORDS = "CANARY-own-words: the night shifts take everything I have."


def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def course(**fields: Any) -> Offering:
    starts = timezone.now() + datetime.timedelta(days=12)
    values: dict[str, Any] = {
        "kind": "course",
        "title": "Ukeskurs for leger",
        "title_en": "Week-long course for doctors",
        "title_zh": "医生一周课程",
        "place": "Villa Ro, Modum",
        "starts": starts,
        "ends": starts + datetime.timedelta(days=4),
        "capacity": 6,
    }
    values.update(fields)
    return actions.do_save_offering("test", Offering(**values))


@pytest.fixture
def sent(db: None) -> Seeker:
    """A request with many answers, a wanted course and a phone number."""
    return submit(
        description=WORDS,
        expectations=["conversation", "course"],
        wanted_offering=course(),
        pref_gender="female",
        avoid_employers="Helse Nordvik HF",
        age_band="40_49",
        contact_method="phone",
        contact_phone="+47 912 34 567",
    )


# --- What the seeker sent ------------------------------------------------------------------


def test_the_status_page_shows_what_the_seeker_sent(sent: Seeker) -> None:
    text = english().get(sent.url()).content.decode()
    assert "What you sent us" in text
    assert "CANARY-own-words" in text
    assert "A conversation with a colleague, A counselling day or course" in text
    assert "A woman" in text and "Helse Nordvik HF" in text and "40–49" in text  # noqa: RUF001
    assert "+47 912 34 567" in text
    assert '<span lang="nb">Ukeskurs for leger</span> (Week-long course for doctors)' in text


def test_unanswered_questions_are_left_out(db: None) -> None:
    seeker = submit(description="")
    text = english().get(seeker.url()).content.decode()
    answers = text[text.index("sent__answers") :]
    assert "No preference" not in answers
    assert "Prefer not to say" not in answers
    assert "In your own words" not in answers
    assert "May researchers invite you to an interview?" in answers


def test_what_was_sent_is_shown_nowhere_else(sent: Seeker, cast: Cast) -> None:
    other = submit(description="Another seeker's words")
    assert "CANARY-own-words" not in Client().get(other.url()).content.decode()
    for name in ("service:status_cancel", "service:status_delete"):
        assert "CANARY-own-words" not in Client().get(sent.url(name)).content.decode()
    case_page = cast.coordinator.client().get(reverse("service:case", args=[sent.case.pk]))
    assert "CANARY-own-words" not in case_page.content.decode()
    assert Client().get(reverse("service:status", args=["x" * 43])).status_code == 404


def test_the_status_page_is_never_cached(sent: Seeker) -> None:
    response = Client().get(sent.url())
    assert "no-store" in response["Cache-Control"]


# --- The status link -------------------------------------------------------------------------


def test_the_status_page_offers_its_own_address_to_copy(sent: Seeker) -> None:
    text = english().get(sent.url()).content.decode()
    address = f"http://testserver{sent.url()}"
    field = re.search(r'<textarea[^>]*id="status-url"[^>]*readonly[^>]*>([^<]*)</textarea>', text)
    assert field is not None and field.group(1) == address
    # The button is hidden until the script shows it: without JavaScript the field remains.
    assert re.search(r'<button[^>]*data-copy="status-url"[^>]*hidden>Copy the address', text)
    assert "service/seeker.js" in text


# --- Referrals -------------------------------------------------------------------------------


def test_the_seeker_sees_where_they_were_referred(accepted: Seeker, cast: Cast) -> None:
    offering = course()
    response = cast.counsellor.client().post(
        reverse("service:case_referral", args=[accepted.case.pk]),
        {
            "kind": "course",
            "offering": offering.pk,
            "consent": "on",
            "for_seeker": "Villa Ro sends you the programme. Call 22 00 00 00 with questions.",
            "note": "PRIVATE-NOTE: follow up after the course",
        },
    )
    assert response.status_code == 302
    assert Referral.objects.get().for_seeker.startswith("Villa Ro sends")
    text = english().get(accepted.url()).content.decode()
    assert "Referred" in text
    assert "Where you are referred" in text
    assert "Course or counselling centre" in text
    assert "(Week-long course for doctors)" in text
    assert "Call 22 00 00 00 with questions." in text
    assert "PRIVATE-NOTE" not in text


def test_a_referral_without_words_for_the_seeker_still_names_where(
    accepted: Seeker, cast: Cast
) -> None:
    actions.do_record_referral(cast.counsellor.user, accepted.case, kind="gp", consent=True)
    text = english().get(accepted.url()).content.decode()
    assert "Where you are referred" in text
    assert "General practitioner" in text


# --- Urgent requests -------------------------------------------------------------------------


def test_an_urgent_seeker_is_told_what_happens_honestly(db: None) -> None:
    seeker = submit(urgent=True)
    text = english().get(seeker.url()).content.decode()
    assert "What we do with an urgent request" in text
    assert "It goes first in the queue" in text
    minutes = settings.KOLLEGA_URGENT_ESCALATION_MINUTES
    assert f"within {minutes} minutes, the coordinators are alerted again" in text
    assert "We are not an emergency service" in text
    assert "news comes only on this page" in text
    assert 'href="tel:113"' in text
    # Not the ordinary promise everyone else gets.
    assert "Expected time until a counsellor contacts you" not in text


def test_an_acknowledged_urgent_request_says_a_coordinator_saw_it(db: None, cast: Cast) -> None:
    seeker = submit(urgent=True, contact_method="email", contact_email="s@example.invalid")
    actions.do_acknowledge_urgent(cast.coordinator.user, seeker.case)
    text = english().get(seeker.url()).content.decode()
    assert "A coordinator saw your request on" in text
    assert "alerted again" not in text
    assert "an e-mail to the address you gave tells you" in text


def test_an_ordinary_seeker_gets_the_ordinary_wait(seeker: Seeker) -> None:
    text = english().get(seeker.url()).content.decode()
    assert "Expected time until a counsellor contacts you" in text
    assert "What we do with an urgent request" not in text


# --- Cancelling ------------------------------------------------------------------------------


def test_the_cancel_page_offers_what_it_mentions(seeker: Seeker) -> None:
    text = english().get(seeker.url("service:status_cancel")).content.decode()
    assert "or now if you ask below" not in text
    assert f"deleted {settings.KOLLEGA_RETENTION_DAYS} days after you cancel" in text
    assert f'href="{seeker.url("service:status_delete")}"' in text


def test_cancelling_still_works_and_keeps_the_data_until_retention(seeker: Seeker) -> None:
    response = english().post(seeker.url("service:status_cancel"), {"confirm": "on"})
    assert response.status_code == 302
    assert seeker.refresh().status == "cancelled"
    assert english().get(seeker.url()).status_code == 200


# --- Norwegian names with a translation ------------------------------------------------------


@pytest.mark.django_db
def test_emergency_services_keep_their_norwegian_names_with_a_translation() -> None:
    english_text = english().get("/").content.decode()
    assert '<span lang="nb">Legevakt</span> (out-of-hours medical service)' in english_text
    assert '<span lang="nb">Medisinsk nødtelefon</span> (medical emergency)' in english_text
    norwegian = Client().get("/").content.decode()
    assert "(out-of-hours medical service)" not in norwegian
    assert '<span lang="nb">Legevakt</span>' in norwegian


@pytest.mark.django_db
def test_the_intake_names_a_course_in_norwegian_with_its_translation() -> None:
    offering = course()
    english_text = english().get(reverse("service:intake")).content.decode()
    assert f'<option value="{offering.pk}">Ukeskurs for leger (Week-long course for doctors), ' in (
        english_text
    )
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("service:intake"))
    assert "Ukeskurs for leger (医生一周课程)" in chinese.content.decode()
    norwegian = Client().get(reverse("service:intake")).content.decode()
    assert f'<option value="{offering.pk}">Ukeskurs for leger, ' in norwegian


@pytest.mark.django_db
def test_a_new_translation_reaches_the_cached_intake_form() -> None:
    offering = course(title_en="")
    assert "(Week-long" not in english().get(reverse("service:intake")).content.decode()
    offering.title_en = "Week-long course for doctors"
    actions.do_save_offering("test", offering)
    assert (
        "(Week-long course for doctors)"
        in english().get(reverse("service:intake")).content.decode()
    )


@pytest.mark.django_db
def test_a_course_without_translation_shows_the_norwegian_title_alone() -> None:
    offering = course(title_en="", title_zh="")
    assert offering.seeker_title() == "Ukeskurs for leger"


def test_the_coordinator_adds_translations_to_a_course(cast: Cast) -> None:
    starts = timezone.localtime() + datetime.timedelta(days=5)
    data = {
        "kind": "day",
        "title": "Rådgivningsdag",
        "title_en": "Counselling day",
        "title_zh": "咨询日",
        "place": "Modum",
        "starts": starts.strftime("%Y-%m-%dT09:00"),
        "ends": starts.strftime("%Y-%m-%dT15:00"),
        "capacity": "3",
    }
    client = cast.coordinator.client("en")
    form_page = client.get(reverse("service:offering_new")).content.decode()
    assert 'name="title_en"' in form_page and 'name="title_zh"' in form_page
    assert client.post(reverse("service:offering_new"), data).status_code == 302
    offering = Offering.objects.get()
    assert (offering.title_en, offering.title_zh) == ("Counselling day", "咨询日")
    assert AuditEvent.objects.filter(action="service.offering.create").exists()


def test_an_oversize_translation_is_refused_and_nothing_is_saved(cast: Cast) -> None:
    starts = timezone.localtime() + datetime.timedelta(days=5)
    data = {
        "kind": "day",
        "title": "Rådgivningsdag",
        "title_en": "x" * 121,
        "place": "Modum",
        "starts": starts.strftime("%Y-%m-%dT09:00"),
        "ends": starts.strftime("%Y-%m-%dT15:00"),
        "capacity": "3",
    }
    response = cast.coordinator.client("en").post(reverse("service:offering_new"), data)
    assert response.status_code == 400
    assert "Ensure this value has at most 120 characters" in response.content.decode()
    assert not Offering.objects.exists()


# --- Dates in English ------------------------------------------------------------------------


def test_english_dates_are_day_month_year_with_24_hour_time(accepted: Seeker, cast: Cast) -> None:
    oslo = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    starts = datetime.datetime(timezone.now().year + 1, 11, 20, 14, 30, tzinfo=oslo)
    actions.do_plan_appointment(
        cast.counsellor.user, accepted.case, starts=starts, minutes=60, mode="video", where=""
    )
    text = english().get(accepted.url()).content.decode()
    assert f"20 November {starts.year}, 14:30" in text
    assert f"Nov. 20, {starts.year}" not in text and "p.m." not in text
    norwegian = Client().get(accepted.url()).content.decode()
    assert f"20. november {starts.year} 14:30" in norwegian
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(accepted.url()).content.decode()
    assert f"{starts.year}年11月20日 14:30" in chinese


# --- The intake's error summary --------------------------------------------------------------


@pytest.mark.django_db
def test_the_error_summary_links_each_error_to_its_field() -> None:
    response = english().post(
        reverse("service:intake"), {"contact_method": "email", "contact_email": ""}
    )
    assert response.status_code == 400
    text = response.content.decode()
    summary = text[
        text.index('id="error-summary"') : text.index("</ul>", text.index("error-summary"))
    ]
    assert 'tabindex="-1"' in text[text.index('<div class="ds-alert error-summary"') :][:200]
    assert 'href="#id_acute_risk_0"' in summary
    assert 'href="#id_category_0"' in summary
    assert 'href="#id_contact_email"' in summary
    assert 'id="id_acute_risk_0"' in text and 'id="id_contact_email"' in text
    assert summary.index("#id_acute_risk_0") < summary.index("#id_contact_email")


def test_the_reference_in_the_heading_is_not_broken_at_its_hyphens(sent: Seeker) -> None:
    page = english().get(sent.url()).content.decode()
    reference = sent.case.reference
    assert f'Your request <span class="unbroken">{reference}</span>' in page
