from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kollega.service.models import Case, CounsellorProfile, Status
from kollega.service.views import COUNSELLORS_PAGE_SIZE
from tests.cast import Cast
from tests.service.conftest import Seeker, make_profile, submit
from tests.service.history import add_history

PROFILE = {
    "gender": "female",
    "region": "oslo",
    "languages": ["nb"],
    "specialty": "surgery",
    "employer": "Oslo byklinikk HF",
    "capacity": "3",
    "active": "on",
}


def test_the_coordinator_creates_and_edits_a_counsellor_profile(cast: Cast) -> None:
    client = cast.coordinator.client()
    assert client.get(reverse("service:counsellor_new")).status_code == 200
    response = client.post(
        reverse("service:counsellor_new"), {**PROFILE, "user": cast.counsellor.user.pk}
    )
    assert response.status_code == 302
    profile = CounsellorProfile.objects.get()
    assert client.get(reverse("service:counsellors")).status_code == 200
    response = client.post(
        reverse("service:counsellor_edit", args=[profile.pk]), {**PROFILE, "capacity": "50"}
    )
    assert response.status_code == 400
    profile.refresh_from_db()
    assert profile.capacity == 3


def test_a_profile_is_only_for_counsellor_accounts(cast: Cast) -> None:
    response = cast.coordinator.client().post(
        reverse("service:counsellor_new"), {**PROFILE, "user": cast.researcher.user.pk}
    )
    assert response.status_code == 400
    assert not CounsellorProfile.objects.exists()


def test_the_counsellor_pauses_and_declares_conflicts(cast: Cast, profiles) -> None:
    client = cast.counsellor.client()
    assert client.get(reverse("service:my_profile")).status_code == 200
    data = {
        "languages": ["nb"],
        "capacity": "2",
        "conflict_employers": "Helse Nord",
        "conflict_people": "Ola Nordmann",
    }
    assert client.post(reverse("service:my_profile"), data).status_code == 302
    profile = CounsellorProfile.objects.get(user=cast.counsellor.user)
    assert (profile.active, profile.capacity, profile.conflict_people) == (False, 2, "Ola Nordmann")


def test_a_counsellor_without_profile_is_told_so(cast: Cast) -> None:
    assert cast.counsellor.client().get(reverse("service:my_profile")).status_code == 200


def test_my_cases_lists_only_my_cases(proposed: Seeker, cast: Cast) -> None:
    mine = cast.counsellor.client().get(reverse("service:my_cases"))
    assert proposed.case.reference in mine.content.decode()
    other = cast.other_counsellor.client().get(reverse("service:my_cases"))
    assert proposed.case.reference not in other.content.decode()


def test_counsellor_pages_refuse_the_wrong_people_and_methods(cast: Cast) -> None:
    assert cast.coordinator.client().get(reverse("service:my_cases")).status_code == 403
    assert cast.counsellor.client().get(reverse("service:counsellors")).status_code == 403
    assert cast.counsellor.client().post(reverse("service:my_cases")).status_code == 405
    assert Client().get(reverse("service:my_profile")).status_code == 302


def test_the_staff_home_links_to_the_service(cast: Cast) -> None:
    assert reverse("service:my_cases") in cast.counsellor.client().get("/staff/").content.decode()
    assert reverse("service:queue") in cast.coordinator.client().get("/staff/").content.decode()
    assert reverse("service:queue") not in cast.researcher.client().get("/staff/").content.decode()


def test_the_list_of_500_counsellors_comes_a_page_at_a_time_at_the_same_cost(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    own = make_profile(cast.counsellor, capacity=3)
    Case.objects.filter(pk=submit().case.pk).update(counsellor=own, status=Status.ACCEPTED)
    client = cast.coordinator.client("en")
    url = reverse("service:counsellors")
    client.get(url)
    with CaptureQueriesContext(connection) as one_counsellor:
        assert client.get(url).status_code == 200
    add_history(40, 500, queued=0)

    with django_assert_max_num_queries(len(one_counsellor)):
        response = client.get(url)
    text = response.content.decode()
    edit_links = re.findall(r'href="/service/counsellors/(\d+)/"', text)
    assert len(edit_links) == COUNSELLORS_PAGE_SIZE
    assert "Showing 1–50 of 501" in text  # noqa: RUF001 - the page's en dash
    assert 'rel="next" href="?page=2"' in text

    last = client.get(url, {"page": "11"}).content.decode()
    assert "Showing 501–501 of 501" in last  # noqa: RUF001 - the page's en dash
    # The counsellor's open case is counted in the list's own query.
    assert f'href="/service/counsellors/{own.pk}/"' in text + last
    assert re.search(r">1 / 3<", text + last)
    # Its row speaks the reader's language: labels, not codes.
    row = next(r for r in (text + last).split("<tr>") if f"/service/counsellors/{own.pk}/" in r)
    assert ">Oslo<" in row and "Norwegian, English" in row and 'data-label="Region"' in row
    # A page number out of range shows the last page, not an error.
    assert client.get(url, {"page": "99"}).status_code == 200
