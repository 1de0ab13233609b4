"""A colleague raises a concern about a doctor on a 320 px phone, and a counsellor takes it
up and concludes it; the sender's page never tells what came of it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from kollega.service.models import Concern, ConcernStatus
from tests.browser.conftest import check_axe
from tests.cast import Cast
from tests.service.conftest import make_profile

pytestmark = pytest.mark.django_db(transaction=True)

PHONE: ViewportSize = {"width": 320, "height": 800}


def test_a_colleague_raises_a_concern_and_a_counsellor_takes_it_up(
    page: Page, live_server: Any, cast: Cast, staff_page: Any
) -> None:
    make_profile(cast.counsellor, region="vestland", employer="Haukeland universitetssjukehus")
    make_profile(cast.other_counsellor, region="vestland", employer="Bergen legevakt")

    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    page.locator("a[href='/concern/']").click()
    page.wait_for_url("**/concern/")
    check_axe(page)
    page.locator('input[name="relation"][value="colleague"]').check()
    page.locator("#id_doctor_name").fill("Dr. Anne Lid")
    page.locator("#id_region").select_option("vestland")
    page.locator("#id_workplace").fill("Bergen legevakt")
    page.locator("#id_worry").fill("Hun virker utslitt og har sluttet å spise lunsj med oss.")
    page.locator("#id_approach").fill("Helst på telefon.")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/concern/status/**")
    expect(page.locator(".status-link")).to_be_visible()
    expect(page.locator(".concern-progress")).to_contain_text("counsellor")
    check_axe(page)
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    status_url = page.url.split("?")[0]

    concern = Concern.objects.get()
    # The counsellor who works at the doctor's workplace is never asked.
    assert concern.counsellor is not None
    assert concern.counsellor.user == cast.counsellor.user

    counsellor = staff_page(cast.counsellor, live_server, language="en")
    counsellor.set_viewport_size(PHONE)
    counsellor.goto(f"{live_server.url}/service/my-cases/")
    counsellor.locator(f"text={concern.reference}").click()
    expect(counsellor.locator(".concern-private")).to_have_count(0)
    check_axe(counsellor)
    counsellor.locator("form[action$='/take/'] button").click()
    expect(counsellor.locator(".concern-private")).to_contain_text("Dr. Anne Lid")
    check_axe(counsellor)
    counsellor.locator('input[name="outcome"][value="declined"]').check()
    counsellor.locator("#id_note").fill("Hun ville ikke snakke nå.")
    counsellor.locator("form[action$='/conclude/'] button").click()
    expect(counsellor.locator(".concern-status")).to_contain_text("Concluded")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.DONE

    page.goto(status_url)
    text = page.locator("main").inner_text()
    assert "Hun ville ikke snakke nå." not in text
    assert "declined" not in text.lower()
    expect(page.locator(".concern-progress")).to_contain_text("taken care of")
    check_axe(page)
