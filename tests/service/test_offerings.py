from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kollega.service import actions
from kollega.service.models import Enrolment, Offering
from tests.cast import Cast
from tests.service.conftest import Seeker, submit


def make_offering(capacity: int = 1, *, days: int = 10, **fields: Any) -> Offering:
    """A four-day course starting in `days` days; `fields` override the course's own."""
    starts = timezone.now() + datetime.timedelta(days=days)
    values: dict[str, Any] = {
        "kind": "course",
        "title": "Ukeskurs for utbrente",
        "place": "Villa Ro, Modum",
        "starts": starts,
        "ends": starts + datetime.timedelta(days=4),
        "capacity": capacity,
    }
    values.update(fields)
    return actions.do_save_offering("test", Offering(**values))


def test_the_coordinator_creates_an_offering(cast: Cast) -> None:
    client = cast.coordinator.client()
    assert client.get(reverse("service:offering_new")).status_code == 200
    start = (timezone.localtime() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT09:00")
    end = (timezone.localtime() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT15:00")
    data = {
        "kind": "day",
        "title": "Rådgivningsdag",
        "place": "Modum",
        "starts": start,
        "ends": end,
        "capacity": "3",
    }
    response = client.post(reverse("service:offering_new"), data)
    assert response.status_code == 302
    assert Offering.objects.get().capacity == 3
    assert client.get(reverse("service:offerings")).status_code == 200


def test_an_offering_that_ends_before_it_starts_is_refused(cast: Cast) -> None:
    data = {
        "kind": "day",
        "title": "X",
        "place": "Y",
        "starts": "2030-01-02T10:00",
        "ends": "2030-01-01T10:00",
        "capacity": "3",
    }
    assert cast.coordinator.client().post(reverse("service:offering_new"), data).status_code == 400
    assert not Offering.objects.exists()


def test_a_full_offering_puts_the_next_on_the_waiting_list_and_promotes_them(
    seeker: Seeker, cast: Cast
) -> None:
    offering = make_offering(capacity=1)
    client = cast.coordinator.client()
    client.post(reverse("service:case_enrol", args=[seeker.case.pk]), {"offering": offering.pk})
    second = submit()
    client.post(reverse("service:case_enrol", args=[second.case.pk]), {"offering": offering.pk})
    assert list(Enrolment.objects.values_list("status", flat=True)) == ["placed", "waiting"]
    assert (
        "number 1 on the waiting list"
        in Client(HTTP_ACCEPT_LANGUAGE="en").get(second.url()).content.decode()
    )
    actions.do_cancel_request(seeker.case)
    assert Enrolment.objects.get().status == "placed"
    assert Enrolment.objects.get().case == second.case


def test_the_seeker_gets_a_calendar_file_without_reason_or_category(
    seeker: Seeker, cast: Cast
) -> None:
    offering = make_offering()
    actions.do_enrol_case(cast.coordinator.user, seeker.case, offering)
    response = Client().get(seeker.url("service:status_calendar", "offering", offering.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == "Villa Ro, Modum"
    text = response.content.decode()
    assert "utbrente" not in text
    assert "coping" not in text
    assert "DESCRIPTION" not in text and "CATEGORIES" not in text


def test_appointment_calendar_files_for_seeker_and_counsellor(accepted: Seeker, cast: Cast) -> None:
    appointment = actions.do_plan_appointment(
        cast.counsellor.user,
        accepted.case,
        starts=timezone.now() + datetime.timedelta(days=2),
        minutes=45,
        mode="video",
        where="https://video.example.invalid/rom",
    )
    seeker_file = Client().get(
        accepted.url("service:status_calendar", "appointment", appointment.pk)
    )
    assert b"video.example.invalid" in seeker_file.content
    counsellor_url = reverse(
        "service:case_calendar", args=[accepted.case.pk, "appointment", appointment.pk]
    )
    assert cast.counsellor.client().get(counsellor_url).status_code == 200
    assert cast.other_counsellor.client().get(counsellor_url).status_code == 404
    assert (
        Client().get(accepted.url("service:status_calendar", "other", appointment.pk)).status_code
        == 404
    )


def test_the_counsellor_plans_an_appointment(accepted: Seeker, cast: Cast) -> None:
    url = reverse("service:case_appointment", args=[accepted.case.pk])
    later = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    response = cast.counsellor.client().post(
        url, {"starts": later, "minutes": "60", "mode": "phone", "where": ""}
    )
    assert response.status_code == 302
    assert accepted.case.appointments.count() == 1
    past = cast.counsellor.client().post(
        url, {"starts": "2020-01-01T10:00", "minutes": "60", "mode": "phone"}
    )
    assert past.status_code == 400


def test_offerings_refuse_counsellors_and_strangers(cast: Cast) -> None:
    assert cast.counsellor.client().get(reverse("service:offerings")).status_code == 403
    assert Client().get(reverse("service:offerings")).status_code == 302


def test_the_coordinator_frees_a_place(seeker: Seeker, cast: Cast) -> None:
    offering = make_offering()
    enrolment = actions.do_enrol_case(cast.coordinator.user, seeker.case, offering)
    client = cast.coordinator.client()
    assert client.get(reverse("service:enrolment_remove", args=[enrolment.pk])).status_code == 405
    assert client.post(reverse("service:enrolment_remove", args=[enrolment.pk])).status_code == 302
    assert not Enrolment.objects.exists()


def test_the_offerings_page_shows_what_is_coming_first_and_only_the_latest_past_ones(
    cast: Cast,
) -> None:
    for week in range(1, 26):
        make_offering(days=-7 * week, title=f"Tidligere kurs {week:02d}")
    make_offering(days=30, title="Neste kurs")
    make_offering(days=3, title="Snart kurs")
    page = cast.coordinator.client("en").get(reverse("service:offerings")).content.decode()
    coming, _, past = page.partition(">Past<")
    # Coming: soonest first, and nothing of the past among them.
    assert coming.index("Snart kurs") < coming.index("Neste kurs")
    assert "Tidligere kurs" not in coming
    # Past: the latest 20 of 25, latest first.
    assert "The latest 20 of 25." in past
    assert past.index("Tidligere kurs 01") < past.index("Tidligere kurs 02")
    assert "Tidligere kurs 20" in past and "Tidligere kurs 21" not in past
