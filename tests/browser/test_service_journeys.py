"""The service's journeys in Chromium: seeker, coordinator and counsellor, with axe and screenshots."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kollega.service import actions
from kollega.service.models import Case, CaseStatistic, Status
from tests.browser.conftest import check_axe, snap
from tests.cast import Cast
from tests.service.conftest import make_profile

pytestmark = pytest.mark.django_db(transaction=True)


def look(page: Page, name: str) -> None:
    check_axe(page)
    snap(page, f"service-{name}")


def send_request(
    page: Page,
    live_server: Any,
    *,
    urgent: bool = False,
    description: str = "Jeg sover dårlig etter vaktene.",
) -> str:
    """Fill in the intake with the keyboard-friendly controls; returns the status URL."""
    page.goto(f"{live_server.url}/request/")
    page.locator(f'input[name="acute_risk"][value="{"yes" if urgent else "no"}"]').check()
    page.locator('input[name="category"][value="coping"]').check()
    page.locator("#id_description").fill(description)
    page.locator('input[name="expectations"][value="conversation"]').check()
    page.locator('input[name="contact_method"][value="none"]').check()
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/request/status/**")
    return page.url.split("?")[0]


def test_the_whole_journey_from_request_to_deletion(
    page: Page, live_server: Any, cast: Cast, staff_page: Any
) -> None:
    make_profile(cast.counsellor)
    make_profile(
        cast.other_counsellor, gender="male", region="vestland", employer="Helse Vestkyst HF"
    )

    page.goto(f"{live_server.url}/")
    look(page, "front-door")
    page.goto(f"{live_server.url}/request/")
    look(page, "intake")
    status_url = send_request(page, live_server)
    expect(page.locator(".status-link")).to_be_visible()
    look(page, "status-new")
    # The request came in ten days ago, so conversations a week ago can be logged.
    Case.objects.update(created=timezone.now() - datetime.timedelta(days=10))
    case = Case.objects.get()

    coordinator = staff_page(cast.coordinator, live_server)
    coordinator.goto(f"{live_server.url}/service/queue/")
    expect(coordinator.locator("table")).to_contain_text(case.reference)
    look(coordinator, "queue")
    coordinator.locator(f"text={case.reference}").click()
    look(coordinator, "case-coordinator")
    coordinator.locator("form.one-click button[type=submit]").click()
    coordinator.wait_for_url("**/service/queue/")

    counsellor = staff_page(cast.counsellor, live_server)
    counsellor.goto(f"{live_server.url}/service/my-cases/")
    look(counsellor, "my-cases")
    counsellor.locator(f"text={case.reference}").click()
    counsellor.locator("form[action$='/accept/'] button").click()
    expect(counsellor.locator("a[href$='/conversation/']")).to_be_visible()
    look(counsellor, "case-counsellor")
    for day in (7, 3):
        counsellor.goto(f"{live_server.url}/service/cases/{case.pk}/conversation/")
        held = (timezone.localdate() - datetime.timedelta(days=day)).isoformat()
        counsellor.locator("#id_held_on").fill(held)
        counsellor.locator('input[name="mode"][value="video"]').check()
        counsellor.locator("#id_minutes").fill("60")
        counsellor.locator("#id_note").fill("Kort notat.")
        if day == 7:
            look(counsellor, "log-conversation")
        counsellor.locator("form.stack button[type=submit]").click()
        counsellor.wait_for_url(f"**/service/cases/{case.pk}/")
    counsellor.goto(f"{live_server.url}/service/cases/{case.pk}/referral/")
    counsellor.locator('input[name="kind"][value="gp"]').check()
    counsellor.locator("#id_consent").check()
    look(counsellor, "referral")
    counsellor.locator("form.stack button[type=submit]").click()
    counsellor.wait_for_url(f"**/service/cases/{case.pk}/")
    counsellor.goto(f"{live_server.url}/service/cases/{case.pk}/close/")
    counsellor.locator('input[name="outcome"][value="referred"]').check()
    counsellor.locator("form.stack button[type=submit]").click()
    counsellor.wait_for_url(f"**/service/cases/{case.pk}/")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.conversations.count() == 2

    page.goto(status_url)
    expect(page.locator("#state-heading")).to_be_visible()
    look(page, "status-closed")
    page.locator('a[href$="/feedback/"]').click()
    look(page, "feedback")
    page.locator('input[name="helpfulness"][value="5"]').check()
    page.locator('input[name="would_recommend"][value="yes"]').check()
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url(status_url)

    Case.objects.filter(pk=case.pk).update(ended_at=timezone.now() - datetime.timedelta(days=365))
    assert actions.run_retention() == 1
    # The link is dead now (asked outside the page, so the expected 404 is no console error).
    assert page.request.get(status_url).status == 404
    assert CaseStatistic.objects.get().conversations == 2


def test_the_urgent_path_shows_the_numbers_and_alerts_the_queue(
    page: Page, live_server: Any, cast: Cast, staff_page: Any
) -> None:
    page.goto(f"{live_server.url}/request/")
    urgent_box = page.locator("#emergency-urgent")
    expect(urgent_box).to_be_hidden()
    page.locator('input[name="acute_risk"][value="yes"]').check()
    expect(urgent_box).to_be_visible()
    expect(urgent_box).to_contain_text("113")
    look(page, "intake-urgent")
    send_request(page, live_server, urgent=True)
    expect(page.locator(".ds-alert[data-color=danger]")).to_contain_text("116 117")
    look(page, "status-urgent")

    coordinator = staff_page(cast.coordinator, live_server)
    coordinator.goto(f"{live_server.url}/service/queue/")
    expect(coordinator.locator(".ds-alert[data-color=danger]")).to_be_visible()
    look(coordinator, "queue-urgent")


def test_delete_my_data_now(page: Page, live_server: Any) -> None:
    send_request(page, live_server)
    page.locator('a[href$="/delete/"]').click()
    look(page, "delete-confirm")
    page.locator("#id_confirm").check()
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()
    look(page, "deleted")
    assert not Case.objects.exists()
    assert CaseStatistic.objects.get().deleted_by == "seeker"


def test_a_declined_case_goes_back_to_the_queue(
    page: Page, live_server: Any, cast: Cast, staff_page: Any
) -> None:
    profile = make_profile(cast.counsellor)
    send_request(page, live_server)
    case = Case.objects.get()
    actions.do_assign_counsellor(cast.coordinator.user, case, profile)

    counsellor = staff_page(cast.counsellor, live_server)
    counsellor.goto(f"{live_server.url}/service/cases/{case.pk}/decline/")
    counsellor.locator("form.stack button[type=submit]").click()
    expect(counsellor.locator(".ds-validation-message")).to_be_visible()
    look(counsellor, "decline-error")
    counsellor.locator('input[name="reason"][value="no_capacity"]').check()
    counsellor.locator("form.stack button[type=submit]").click()
    counsellor.wait_for_url("**/service/my-cases/")

    coordinator = staff_page(cast.coordinator, live_server)
    coordinator.goto(f"{live_server.url}/service/queue/")
    expect(coordinator.locator("table")).to_contain_text(case.reference)
    case.refresh_from_db()
    assert case.status == Status.DECLINED


@pytest.mark.parametrize("language", ["nb", "en", "zh-hans"])
def test_the_seeker_pages_pass_axe_in_every_language(
    staff_page: Any, live_server: Any, language: str
) -> None:
    page = staff_page(None, live_server)
    page.goto(f"{live_server.url}/")
    page.select_option("#language-select", language)
    page.locator(".language-switcher button").click()
    page.goto(f"{live_server.url}/request/")
    assert page.locator("html").get_attribute("lang") == language
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".ds-validation-message").first).to_be_visible()
    look(page, f"intake-errors-{language}")
    send_request(page, live_server)
    look(page, f"status-{language}")
