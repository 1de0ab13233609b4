"""Recruitment in Chromium: a study with two waves, a pool of 40 consenting seekers, a sample of
12 proposed and confirmed beside its coverage table, an invitation accepted on a seeker's status
page, an interview booked in its window, a lapsed window excluded with its reason, and a seeker
who withdraws from their status page leaving nothing in the research app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from kollega.research import actions
from kollega.research.models import Interview, Invitation, Participant, Recording, Transcript
from kollega.service.models import Case
from kollega.service.pool import pool_member
from tests.browser.conftest import check_axe, open_page, snap
from tests.research.pool import PoolSeeker, make_seeker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pool() -> list[PoolSeeker]:
    return [make_seeker(i, email=i % 3 == 0) for i in range(40)]


def look(page: Page, name: str) -> None:
    check_axe(page)
    snap(page, f"recruitment-{name}")


def seeker_page(browser: Browser, live_server: Any, problems: list[str]) -> Page:
    page = open_page(browser, problems)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return page


def test_a_study_recruits_from_the_pool_and_a_seeker_withdraws(
    researcher_page: Page, browser: Browser, live_server: Any, pool: list[PoolSeeker]
) -> None:
    page = researcher_page
    # A study with two waves.
    page.goto(f"{live_server.url}/research/")
    page.get_by_role("link", name="New study").click()
    page.get_by_label("Title").fill("Why doctors seek help")
    page.get_by_label("Usual interview language").select_option("en")
    expect(page.get_by_label("Add the usual two waves")).to_be_checked()
    page.get_by_role("button", name="Create the study").click()
    page.get_by_role("link", name="Protocol: questions, consent text, guide and waves").click()
    waves = page.locator("table").first
    expect(waves).to_contain_text("0–10")  # noqa: RUF001 - the page's en dash
    expect(waves).to_contain_text("335–395")  # noqa: RUF001
    page.get_by_label("Research questions").fill("What makes doctors ask for help?")
    page.get_by_label("Ethics approval reference").fill("REK 2026/0042")
    page.get_by_label("Target sample size").fill("12")
    for label in ("Gender", "Age band", "Specialty"):
        page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Save the protocol").click()
    expect(page.get_by_text("The protocol is saved.")).to_be_visible()
    page.get_by_role("textbox", name="Version").fill("1.0")
    page.get_by_role("textbox", name="Consent text").fill(
        "I agree to one recorded interview, and a second after a year."
    )
    page.get_by_role("button", name="Add the consent text").click()
    page.get_by_label("Topic", exact=True).fill("The decision to seek help")
    page.get_by_label("Prompts").fill("What happened first?\nWho did you tell?")
    page.get_by_role("button", name="Add the topic").click()
    expect(page.get_by_text("Who did you tell?")).to_be_visible()
    look(page, "protocol")

    # The pool of 40, a proposed sample of 12 and its coverage.
    page.get_by_role("link", name="Back to Why doctors seek help").click()
    page.get_by_role("link", name="Pool and sample").click()
    expect(page.locator("table.pool tbody tr")).to_have_count(40)
    expect(page.get_by_label("How many to invite")).to_have_value("12")
    page.get_by_role("button", name="Propose a sample").click()
    expect(page.locator("table.pool input:checked")).to_have_count(12)
    coverage = page.locator("table.coverage")
    expect(coverage).to_be_visible()
    expect(coverage).not_to_contain_text("not covered")
    look(page, "sample")
    for canary in pool[0].canaries + pool[1].canaries:
        expect(page.locator("body")).not_to_contain_text(canary)
    page.get_by_role("button", name="Confirm and invite the ones ticked").click()
    expect(page.get_by_text("12 invitations are sent through the service.")).to_be_visible()
    assert Invitation.objects.count() == 12

    # A seeker accepts on their status page.
    invited = [s for s in pool if Invitation.objects.filter(link=s.case.research_id).exists()]
    accepting, lapsing = invited[0], invited[1]
    problems: list[str] = []
    seeker = seeker_page(browser, live_server, problems)
    seeker.goto(live_server.url + accepting.url())
    invitation = seeker.locator("article.invitation")
    expect(invitation).to_contain_text("Why doctors seek help")
    expect(invitation).to_contain_text("version 1.0")
    look(seeker, "status-invitation")
    invitation.get_by_role("button", name="Yes, I take part").click()
    expect(seeker.get_by_text("You take part in the study")).to_be_visible()
    participant = Participant.objects.get(link=accepting.case.research_id)
    assert participant.consent_version == "1.0"

    # The researcher books the interview in its window.
    page.goto(f"{live_server.url}/research/participants/{participant.pk}/")
    expect(page.get_by_text("Open: book an interview")).to_be_visible()
    page.get_by_role("link", name="Add an interview").click()
    expect(page.get_by_role("combobox", name="Wave")).to_have_value(
        str(participant.study.waves.get(number=1).pk)
    )
    outside = participant.contact_date + timedelta(days=20)  # type: ignore[operator]
    page.get_by_label("Date").fill(outside.isoformat())
    page.get_by_role("button", name="Add the interview").click()
    expect(page.get_by_text("window for this participant is")).to_be_visible()
    inside = participant.contact_date + timedelta(days=3)  # type: ignore[operator]
    page.get_by_label("Date").fill(inside.isoformat())
    page.get_by_role("button", name="Add the interview").click()
    expect(page.get_by_role("heading", name="Recording")).to_be_visible()
    assert Interview.objects.get(participant=participant).wave is not None

    # Another participant's window passes with no interview: the scheduled job excludes them.
    other = actions.do_answer_invitation(
        Invitation.objects.get(link=lapsing.case.research_id),
        accept=True,
        member=pool_member(lapsing.case.research_id),
    )
    assert other is not None
    other.contact_date = other.contact_date - timedelta(days=12)  # type: ignore[operator]
    other.save()
    assert actions.run_exclusions() == 1
    page.goto(f"{live_server.url}/research/studies/{participant.study_id}/recruitment/")
    row = page.locator("table.windows tr", has_text=other.pseudonym)
    expect(row).to_contain_text("Excluded")
    expect(row).to_contain_text("Not interviewed within the window")
    dashboard = page.locator("table.dashboard tbody tr").first
    expect(dashboard).to_contain_text("First interview")
    cells = dashboard.locator("td")
    expect(cells.nth(0)).to_have_text("10")  # invited, waiting for an answer
    expect(cells.nth(1)).to_have_text("2")  # recruited
    expect(cells.nth(2)).to_have_text("1")  # scheduled
    expect(cells.nth(4)).to_have_text("1")  # excluded
    look(page, "dashboard")

    # The first seeker withdraws on their status page: nothing of theirs remains.
    seeker.goto(live_server.url + accepting.url())
    seeker.get_by_role("link", name="Withdraw from research").click()
    seeker.get_by_label("Yes, I am sure").check()
    look(seeker, "withdraw")
    seeker.get_by_role("button", name="Withdraw from research").click()
    expect(seeker.get_by_text("You have withdrawn from research.")).to_be_visible()
    link = accepting.case.research_id
    assert not Participant.objects.filter(link=link).exists()
    assert not Invitation.objects.filter(link=link).exists()
    assert not Interview.objects.filter(participant=participant.pk).exists()
    assert not Recording.objects.exists() and not Transcript.objects.exists()
    assert Case.objects.get(pk=accepting.case.pk).research_id is None
    page.reload()
    expect(page.locator("table.windows")).not_to_contain_text(participant.pseudonym)
    seeker.context.close()
    assert not problems, f"browser console errors: {problems}"
