"""Every page a person can open, as each role, in all three languages, passes axe.

The URL walk gives every page; arguments are filled with real objects (a case with a message,
a conversation and an offering place), so new pages are checked as soon as they exist.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from kollega.research import actions as research
from kollega.research.models import Transcript
from kollega.service import actions
from kollega.service.models import Offering, ReferralPlace
from tests.browser.conftest import check_axe, open_page, sign_in
from tests.cast import Cast
from tests.service.conftest import make_profile, submit
from tests.urlwalk import all_urls

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["nb", "en", "zh-hans"]
# Pages that change something when opened, or that are downloads, not documents.
NOT_A_PAGE = (
    "logout",
    "calendar",
    "healthz",
    "readyz",
    "set_language",
    "download",
    "job_status",
    "progress",
)


@pytest.fixture
def world(cast: Cast) -> dict[str, Any]:
    profile = make_profile(cast.counsellor)
    make_profile(cast.other_counsellor, gender="male", region="vestland", employer="Helse Vest")
    seeker = submit(description="Jeg er sliten etter mange nattevakter.", research_consent=False)
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, profile)
    actions.do_accept_case(cast.counsellor.user, seeker.case)
    actions.do_send_message(
        cast.counsellor.user, seeker.case, body="Hei, når passer det å snakkes?"
    )
    starts = timezone.now() + timedelta(days=14)
    offering = actions.do_save_offering(
        cast.coordinator.user,
        Offering(
            kind="day",
            title="Samtaledag",
            place="Oslo",
            starts=starts,
            ends=starts + timedelta(hours=6),
            capacity=4,
        ),
    )
    enrolment = actions.do_enrol_case(cast.coordinator.user, seeker.case, offering)
    study = research.do_create_study(
        cast.researcher.user, title="Hjelpsøking", aims="", language="nb"
    )
    participant = research.do_add_participant(cast.researcher.user, study, pseudonym="P01")
    interview = research.do_create_interview(
        cast.researcher.user, participant, kind="first", scheduled_on=None, language="nb"
    )
    transcript = Transcript(
        interview=interview, source="imported", turn_method="file", language="nb"
    )
    transcript.set_turns(
        [
            {
                "speaker": "interviewer",
                "start": 0.0,
                "end": 4.0,
                "text": "Hvem rådet deg til å ringe?",
            },
            {
                "speaker": "participant",
                "start": 4.0,
                "end": 9.0,
                "text": "Det var Marte Lien i Bodø.",
            },
        ]
    )
    transcript.save()
    research.propose_identifiers(transcript)
    concern = actions.do_raise_concern(
        relation="friend", doctor_name="Dr. Lid", region="oslo", worry="Sliten."
    ).concern
    place = actions.do_save_referral_place(
        cast.coordinator.user,
        ReferralPlace(region="oslo", kind="psych", name="Psykolog", phone="22 00 00 00"),
    )
    # Order matters: the first key found in a URL name picks the argument.
    ids = {
        "concern": concern.pk,
        "directory": place.pk,
        "counsellor": profile.pk,
        "offering": offering.pk,
        "enrolment": enrolment.pk,
        "participant_new": study.pk,
        "interview_new": participant.pk,
        "study": study.pk,
        "participant": participant.pk,
        "research:": interview.pk,
    }

    def filler(name: str, converter: str) -> str:
        if converter == "str":
            return seeker.token
        if converter == "slug" and name.startswith("peers:"):  # a county
            return "oslo"
        return str(next((pk for key, pk in ids.items() if key in name), seeker.case.pk))

    return {"urls": [w for w in all_urls(filler) if not w.name.endswith(NOT_A_PAGE)]}


@pytest.mark.parametrize("role", ["stranger", "counsellor", "coordinator", "researcher"])
def test_every_page_passes_axe_in_every_language(
    role: str, browser: Browser, live_server: Any, cast: Cast, world: dict[str, Any]
) -> None:
    problems: list[str] = []
    page = open_page(browser, problems)
    if role != "stranger":
        sign_in(page, live_server, getattr(cast, role))
    checked = []
    for language in LANGUAGES:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for walked in world["urls"]:
            url = live_server.url + walked.url
            # Ask first (same cookies): only pages that answer 200 with HTML are opened.
            probe = page.request.get(url, max_redirects=0)
            if probe.status != 200 or "html" not in probe.headers.get("content-type", ""):
                continue
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == language, walked.url
            check_axe(page)
            checked.append(f"{language} {walked.name}")
    page.context.close()
    assert not problems, f"browser console errors: {problems}"
    # The walk must have reached the role's own pages, or it proves nothing.
    expected = {
        "stranger": {"core:front_page", "service:intake", "service:status"},
        "counsellor": {"service:my_cases", "service:case", "accounts:home"},
        "coordinator": {
            "service:queue",
            "service:counsellors",
            "service:offerings",
            "service:case",
            "service:settings",
            "reports:statistics",
        },
        "researcher": {
            "research:studies",
            "research:study",
            "research:participant",
            "research:interview",
            "research:transcript",
            "research:deidentify",
        },
    }[role]
    seen = {item.split(" ", 1)[1] for item in checked}
    assert expected <= seen, f"not reached: {expected - seen}"
