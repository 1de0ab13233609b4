"""The counsellor's and coordinator's pages after the second round (issue 12), in Chromium: what
each person now sees, at 320 and 1280 px, with axe and screenshots."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kollega.service import actions
from kollega.service.models import Case, CounsellorProfile, Offering
from tests.browser.conftest import WIDTHS, check_axe, snap
from tests.cast import Cast
from tests.service.conftest import Seeker, make_profile, submit
from tests.service.test_offerings import make_offering

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = "Overlegen min på Ahus gjør hverdagen tung."
NAME = "Marte Kvist"
PHONE = "+47 912 34 567"
SEEKER_MESSAGE = "Kan vi snakkes på kvelden?"
VIDEO = "https://video.example.invalid/rom/kollega-samtale-8f2a9c1d7e4b4a1f9c0d2e3f4a5b6c7d"


@pytest.fixture
def staff(staff_page: Any, live_server: Any) -> Any:
    """Open a signed-in browser (own cookies, English pages) per staff member."""
    return lambda member: staff_page(member, live_server, "en")


def fits(page: Page) -> bool:
    """No sideways scrolling of the page."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def look(page: Page, name: str) -> None:
    """axe and no sideways scroll at phone and desktop width, then screenshots of both."""
    for width in (WIDTHS["phone"], WIDTHS["desktop"]):
        page.set_viewport_size({"width": width, "height": 900})
        check_axe(page)
        assert fits(page), f"{name} scrolls sideways at {width} px"
    snap(page, f"staff-{name}")


def at_phone(page: Page) -> None:
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})


def counsellors(cast: Cast) -> tuple[CounsellorProfile, CounsellorProfile]:
    return (
        make_profile(cast.counsellor, capacity=10),
        make_profile(cast.other_counsellor, gender="male", region="vestland", employer="Helse Bergen HF"),
    )  # fmt: skip


def accepted_case(cast: Cast, profile: CounsellorProfile, **fields: Any) -> Seeker:
    seeker = submit(**fields)
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, profile)
    actions.do_accept_case(cast.counsellor.user, seeker.case)
    return seeker


def course(capacity: int = 10) -> Offering:
    return make_offering(capacity, days=20)


def test_closing_keeps_the_course_place_warns_and_tells_the_seeker(
    live_server: Any, cast: Cast, staff: Any
) -> None:
    ingrid, _tor = counsellors(cast)
    seeker = accepted_case(cast, ingrid)
    # The service writes to this seeker in English, the language they asked to speak.
    Case.objects.filter(pk=seeker.case.pk).update(pref_language="en")
    offering = course()
    actions.do_enrol_case(cast.coordinator.user, submit().case, offering)
    actions.do_enrol_case(cast.coordinator.user, seeker.case, offering)
    starts = timezone.now() + datetime.timedelta(days=3)
    actions.do_plan_appointment(
        cast.counsellor.user, seeker.case, starts=starts, minutes=45, mode="video", where=VIDEO
    )

    counsellor = staff(cast.counsellor)
    counsellor.goto(f"{live_server.url}/service/cases/{seeker.case.pk}/")
    # The video link is a real link, and it wraps on a phone.
    link = counsellor.locator("a.where-link")
    expect(link).to_have_attribute("href", VIDEO)
    at_phone(counsellor)
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTHS["phone"]
    look(counsellor, "case-accepted")

    counsellor.locator("a[href$='/close/']").click()
    warnings = counsellor.locator(".close-warnings")
    expect(warnings).to_contain_text("1 conversation is still planned")
    expect(warnings).to_contain_text("Ukeskurs for utbrente")
    expect(counsellor.locator('input[name="places"][value="keep"]')).to_be_checked()
    look(counsellor, "close-form")
    counsellor.locator('input[name="outcome"][value="helped"]').check()
    counsellor.locator("form.stack button[type=submit]").click()
    counsellor.wait_for_url(f"**/service/cases/{seeker.case.pk}/")
    expect(counsellor.locator(".messages")).to_contain_text("1 planned conversation is cancelled")
    expect(counsellor.locator(".messages")).to_contain_text("keeps their places")
    expect(counsellor.locator("#appt-heading")).to_have_count(0)

    coordinator = staff(cast.coordinator)
    coordinator.goto(f"{live_server.url}/service/offerings/")
    expect(coordinator.locator("main table")).to_contain_text("2 / 10")

    page = staff(None)
    page.goto(live_server.url + seeker.url())
    expect(page.locator("#appointments-heading + ul")).to_contain_text("Ukeskurs for utbrente")
    expect(page.locator(".thread")).to_contain_text("The service")
    expect(page.locator(".thread")).to_contain_text("is cancelled")
    expect(page.locator(".thread")).to_contain_text("You keep your place on Ukeskurs")
    check_axe(page)
    snap(page, "staff-closed-seeker-status")


def test_a_proposed_counsellor_sees_only_what_to_decide_until_accepting(
    live_server: Any, cast: Cast, staff: Any
) -> None:
    ingrid, tor = counsellors(cast)
    seeker = submit(
        description=WORDS,
        contact_method="phone",
        contact_name=NAME,
        contact_phone=PHONE,
        pref_language="nb",
        region="akershus",
    )
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, tor)
    actions.do_accept_case(cast.other_counsellor.user, seeker.case)
    actions.do_send_message("seeker", seeker.case, body=SEEKER_MESSAGE)
    actions.do_reassign_case(cast.coordinator.user, seeker.case, ingrid, reason="Syk")

    counsellor = staff(cast.counsellor)
    counsellor.goto(f"{live_server.url}/service/cases/{seeker.case.pk}/")
    html = counsellor.content()
    for secret in (WORDS, NAME, PHONE, SEEKER_MESSAGE):
        assert secret not in html
    expect(counsellor.locator("main .ds-alert[data-color=info]")).to_contain_text(
        "open when you accept"
    )
    expect(counsellor.locator(".facts")).to_contain_text("Akershus")
    expect(counsellor.locator("#messages-heading")).to_have_count(0)
    look(counsellor, "case-proposed")

    counsellor.locator("form[action$='/accept/'] button").click()
    counsellor.wait_for_url(f"**/service/cases/{seeker.case.pk}/")
    expect(counsellor.locator("main")).to_contain_text(WORDS)
    expect(counsellor.locator(".thread")).to_contain_text(SEEKER_MESSAGE)
    expect(counsellor.locator(".facts")).to_contain_text(PHONE)
    look(counsellor, "case-proposed-then-accepted")


def test_with_no_conversations_left_the_counsellor_is_told_what_to_do_instead_of_a_form(
    live_server: Any, cast: Cast, staff: Any
) -> None:
    ingrid, _tor = counsellors(cast)
    seeker = accepted_case(cast, ingrid)
    for days in (9, 6, 3):
        actions.do_log_conversation(
            cast.counsellor.user,
            seeker.case,
            held_on=timezone.localdate() - datetime.timedelta(days=days),
            mode="video",
            minutes=45,
        )
    counsellor = staff(cast.counsellor)
    counsellor.goto(f"{live_server.url}/service/cases/{seeker.case.pk}/")
    expect(counsellor.locator("a[href$='/conversation/']")).to_have_count(0)
    expect(counsellor.locator(".limit-reached")).to_contain_text("ask a coordinator")
    look(counsellor, "case-limit-reached")
    counsellor.goto(f"{live_server.url}/service/cases/{seeker.case.pk}/conversation/")
    expect(counsellor.locator("#id_held_on")).to_have_count(0)
    expect(counsellor.locator(".limit-reached")).to_contain_text("All 3 conversations")
    look(counsellor, "conversation-limit-reached")


def test_my_cases_shows_dates_unread_messages_and_next_conversations_as_cards_on_a_phone(
    live_server: Any, cast: Cast, staff: Any
) -> None:
    ingrid, _tor = counsellors(cast)
    working = accepted_case(cast, ingrid)
    actions.do_send_message("seeker", working.case, body="Én")
    actions.do_send_message("seeker", working.case, body="To")
    starts = timezone.now() + datetime.timedelta(days=4)
    actions.do_plan_appointment(
        cast.counsellor.user, working.case, starts=starts, minutes=45, mode="phone"
    )
    proposed = submit(urgent=True)
    actions.do_assign_counsellor(cast.coordinator.user, proposed.case, ingrid)
    closed = accepted_case(cast, ingrid)
    actions.do_close_case(cast.counsellor.user, closed.case, outcome="helped")

    counsellor = staff(cast.counsellor)
    counsellor.goto(f"{live_server.url}/service/my-cases/")
    row = counsellor.locator("table[aria-labelledby=working-heading] tbody tr")
    expect(row.locator("td.unread")).to_have_text("2 new")
    expect(row.locator("td.next-planned")).to_contain_text(str(starts.year))
    expect(counsellor.locator("table[aria-labelledby=proposed-heading]")).to_contain_text(
        proposed.case.reference
    )
    expect(counsellor.locator("table[aria-labelledby=closed-heading]")).to_contain_text(
        closed.case.reference
    )
    at_phone(counsellor)
    # A card: the column's name is shown beside each value, and nothing is cut off.
    label = row.locator("td.unread").evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Unread messages"'
    cell = row.locator("td.unread").bounding_box()
    assert cell is not None and cell["width"] > 250
    look(counsellor, "my-cases")
    counsellor.locator(f"a:text('{working.case.reference}')").click()
    counsellor.goto(f"{live_server.url}/service/my-cases/")
    expect(row.locator("td.unread")).to_have_text("none")


def test_the_referral_note_shows_on_the_case_after_saving(
    live_server: Any, cast: Cast, staff: Any
) -> None:
    ingrid, _tor = counsellors(cast)
    seeker = accepted_case(cast, ingrid)
    counsellor = staff(cast.counsellor)
    counsellor.goto(f"{live_server.url}/service/cases/{seeker.case.pk}/referral/")
    counsellor.locator('input[name="kind"][value="gp"]').check()
    counsellor.locator("#id_consent").check()
    counsellor.locator("#id_note").fill("Fastlegen tar imot neste uke.")
    counsellor.locator("form.stack button[type=submit]").click()
    counsellor.wait_for_url(f"**/service/cases/{seeker.case.pk}/")
    expect(counsellor.locator("li.referral")).to_contain_text("Fastlegen tar imot neste uke.")
    look(counsellor, "case-referral-note")


def test_a_counsellor_is_away_until_a_date_and_the_coordinator_sees_it(
    live_server: Any, cast: Cast, staff: Any
) -> None:
    counsellors(cast)
    case = submit().case
    last_day = timezone.localdate() + datetime.timedelta(days=10)
    counsellor = staff(cast.counsellor)
    counsellor.goto(f"{live_server.url}/service/my-profile/")
    counsellor.locator("#id_away_until").fill(last_day.isoformat())
    look(counsellor, "my-profile-away")
    counsellor.locator("form.stack button[type=submit]").click()
    counsellor.wait_for_url("**/service/my-profile/")
    counsellor.goto(f"{live_server.url}/service/my-cases/")
    expect(counsellor.locator(".availability")).to_contain_text("You are away until")

    coordinator = staff(cast.coordinator)
    coordinator.goto(f"{live_server.url}/service/cases/{case.pk}/")
    expect(coordinator.locator("ol.proposals > li")).to_have_count(1)
    coordinator.locator("details.excluded summary").click()
    expect(coordinator.locator("details.excluded li")).to_contain_text("away until")
    coordinator.goto(f"{live_server.url}/service/counsellors/")
    expect(coordinator.locator("td.availability").first).to_contain_text("Away until")
    look(coordinator, "counsellors-away")


def test_the_queue_and_case_pages_read_well_on_a_phone(
    live_server: Any, cast: Cast, staff: Any
) -> None:
    counsellors(cast)
    waiting = [submit(category=c, urgent=c == "coping").case for c in ("coping", "work", "other")]
    coordinator = staff(cast.coordinator)
    coordinator.goto(f"{live_server.url}/service/queue/")
    at_phone(coordinator)
    situation = coordinator.locator("tr.urgent td.situation")
    expect(situation).to_contain_text("cope")
    box = situation.bounding_box()
    # The situation has the card's width, not a crushed column.
    assert box is not None and box["width"] > 250
    look(coordinator, "queue")
    coordinator.goto(f"{live_server.url}/service/cases/{waiting[0].pk}/")
    look(coordinator, "case-coordinator")


def test_the_staff_sign_in_fields_look_like_the_rest_of_the_site(
    live_server: Any, staff: Any
) -> None:
    page = staff(None)
    page.goto(f"{live_server.url}/staff/login/")
    for width, least in ((WIDTHS["phone"], 280), (WIDTHS["desktop"], 400)):
        page.set_viewport_size({"width": width, "height": 900})
        for name in ("username", "password", "otp_token"):
            box = page.locator(f"input[name={name}]").bounding_box()
            assert box is not None
            assert box["height"] >= 40, (name, width, box)
            assert box["width"] >= least, (name, width, box)
    look(page, "sign-in")


def test_a_phone_requests_link_is_read_from_a_page_shown_once(
    live_server: Any, cast: Cast, staff: Any
) -> None:
    coordinator = staff(cast.coordinator)
    coordinator.goto(f"{live_server.url}/service/requests/new/")
    coordinator.locator('input[name="source"][value="phone"]').check()
    coordinator.locator('input[name="acute_risk"][value="no"]').check()
    coordinator.locator('input[name="category"][value="work"]').check()
    coordinator.locator('input[name="contact_method"][value="none"]').check()
    coordinator.locator("form.stack button[type=submit]").click()
    coordinator.wait_for_url("**/service/requests/new/link/")
    groups = coordinator.locator("ol.spelled li").all_inner_texts()
    assert len(groups) == 7 and all(re.fullmatch(r"[a-z0-9]{4}", g) for g in groups)
    token = "-".join(groups)
    assert token not in coordinator.url
    expect(coordinator.locator(".whole-link")).to_contain_text(token)
    expect(coordinator.locator("main")).to_contain_text("shown once")
    look(coordinator, "phone-link")
    case = Case.objects.get()
    seeker = staff(None)
    seeker.goto(f"{live_server.url}/request/status/{token}/")
    expect(seeker.locator("h1")).to_contain_text(case.reference)
    coordinator.reload()
    expect(coordinator.locator("main")).not_to_contain_text(token)
    expect(coordinator.locator("main")).to_contain_text("no status link to show")
    look(coordinator, "phone-link-gone")


def test_offering_forms_and_buttons_say_what_they_mean(
    live_server: Any, cast: Cast, staff: Any
) -> None:
    counsellors(cast)
    offering = course(capacity=1)
    placed, waiting = submit().case, submit().case
    actions.do_enrol_case(cast.coordinator.user, placed, offering)
    actions.do_enrol_case(cast.coordinator.user, waiting, offering)
    coordinator = staff(cast.coordinator)
    coordinator.goto(f"{live_server.url}/service/offerings/new/")
    expect(coordinator.locator("input[name=kind]")).to_have_count(2)
    expect(coordinator.locator("main")).not_to_contain_text("---")
    coordinator.goto(f"{live_server.url}/service/offerings/{offering.pk}/")
    buttons = coordinator.locator("form[action$='/remove/'] button").all_inner_texts()
    assert buttons == ["Remove from the participants", "Remove from the waiting list"]
    look(coordinator, "offering")
    coordinator.locator("form[action$='/remove/'] button").last.click()
    expect(coordinator.locator(".messages")).to_contain_text(
        f"{waiting.reference} is off the waiting list"
    )
    coordinator.goto(f"{live_server.url}/service/cases/{submit().case.pk}/")
    label = coordinator.locator("label[for=id_override_reason]")
    expect(label).to_have_text("Why not the first proposal?")
    expect(coordinator.locator("#id_override_reason_helptext")).to_have_text(
        "Kept in the case history. The seeker never sees it."
    )
