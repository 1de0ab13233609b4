"""The access matrix: every URL of the project, with real object ids, as every principal, by
GET and by POST, against the explicit table below.

The URLs come from the URL configuration (tests/urlwalk.py), so a new page is in the matrix the
moment its pattern exists, and the test fails until EXPECTED has an entry for its url name.

Each request runs inside a savepoint that is rolled back, so an allowed POST (accepting a case,
withdrawing a participant) does not change what the next request sees.

"Allowed" means the view itself answered (a page, a form with errors, a redirect after doing
its work, a file). "Refused" means 403, 404, 405, 429, or a redirect to the sign-in page.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.service import actions
from kollega.service.models import ReferralPlace, ServiceSettings
from tests.cast import Cast, Member, make_member
from tests.research.conftest import add_transcript, tone_wav
from tests.service.conftest import make_profile, submit
from tests.service.test_offerings import make_offering
from tests.urlwalk import all_urls
from tests.workbench.conftest import Bench, deidentified, new_interview
from tests.workbench.steps34 import synthesised

ANON = "anonymous"
SEEKER = "seeker with the right token"
OTHER_SEEKER = "seeker with another's token"
COUNSELLOR = "assigned counsellor"
OTHER_COUNSELLOR = "other counsellor"
COORDINATOR = "coordinator"
RESEARCHER = "researcher on the study"
OTHER_RESEARCHER = "researcher not on the study"
ADMINISTRATOR = "administrator"
PRINCIPALS = (
    ANON,
    SEEKER,
    OTHER_SEEKER,
    COUNSELLOR,
    OTHER_COUNSELLOR,
    COORDINATOR,
    RESEARCHER,
    OTHER_RESEARCHER,
    ADMINISTRATOR,
)
EVERYONE = frozenset(PRINCIPALS)
STAFF = frozenset(
    {COUNSELLOR, OTHER_COUNSELLOR, COORDINATOR, RESEARCHER, OTHER_RESEARCHER, ADMINISTRATOR}
)
SEEKERS = frozenset({SEEKER, OTHER_SEEKER})
COUNSELLORS = frozenset({COUNSELLOR, OTHER_COUNSELLOR})
RESEARCHERS = frozenset({RESEARCHER, OTHER_RESEARCHER})
NOBODY: frozenset[str] = frozenset()

# A token nobody holds: what strangers and staff (who never learn tokens) put in status links.
GUESSED_TOKEN = "guessed-token-guessed-token-guessed-token-0"
TOKEN = "<token>"
# The status link of a request still waiting in the queue: the first seeker's third request,
# on a service that lets waiting seekers choose their counsellor.
QUEUED_TOKEN = "<queued token>"
# The status link of a concern about a doctor: the first seeker also sent one.
CONCERN_TOKEN = "<concern token>"


@dataclass(frozen=True)
class Entry:
    """Who may GET and who may POST one url name; in `args` (and in `data`, the form every
    principal POSTs), "@name" is the World's attribute of that name (an object's pk) and
    `TOKEN` the status-link token, chosen per principal."""

    get: frozenset[str]
    post: frozenset[str]
    args: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


def only(*principals: str) -> frozenset[str]:
    return frozenset(principals)


def both(who: frozenset[str], data: dict[str, Any] | None = None, **args: Any) -> Entry:
    return Entry(get=who, post=who, args=args, data=data or {})


def get_only(who: frozenset[str], **args: Any) -> Entry:
    return Entry(get=who, post=NOBODY, args=args)


def post_only(who: frozenset[str], data: dict[str, Any] | None = None, **args: Any) -> Entry:
    return Entry(get=NOBODY, post=who, args=args, data=data or {})


CASE = {"pk": "@case"}
STUDY = {"pk": "@study"}
PARTICIPANT = {"pk": "@participant"}
INTERVIEW = {"pk": "@interview"}
ANALYSIS = {"pk": "@analysis"}
VERSION = {"pk": "@analysis", "t": "@version"}
UNIT = {"pk": "@analysis", "unit": "@unit"}
THEME = {"pk": "@analysis", "theme": "@theme"}
GROUP = {"pk": "@analysis", "group": "@code_group"}
SUBGROUP = {"subgroup": "@subgroup"}
K, C, R = only(COORDINATOR), only(COUNSELLOR), only(RESEARCHER)

# One entry per url name. Seekers are people without accounts: on staff pages they are
# strangers. OTHER_SEEKER holds a valid token of their own request and uses it with the first
# seeker's object ids; on pages that take only the token they see their own request.
EXPECTED: dict[str, Entry] = {
    # Public pages.
    "core:front_page": get_only(EVERYONE),
    "core:healthz": get_only(EVERYONE),
    "core:readyz": get_only(EVERYONE),
    "set_language": post_only(EVERYONE),
    "service:intake": both(EVERYONE),
    "service:concern_new": both(EVERYONE),
    # The concern's sender, by its status link (a case's link does not open it).
    "service:concern_status": get_only(only(SEEKER), token=CONCERN_TOKEN),
    "accounts:login": both(EVERYONE),
    "accounts:logout": post_only(EVERYONE),
    # Any signed-in staff member.
    "accounts:home": get_only(STAFF),
    "accounts:logout_everywhere": post_only(STAFF),
    # The help-seeker, by the status link.
    "service:status": get_only(SEEKERS, token=TOKEN),
    "service:status_message": post_only(SEEKERS, token=TOKEN),
    "service:status_cancel": both(SEEKERS, token=TOKEN),
    "service:status_delete": both(SEEKERS, token=TOKEN),
    # Research on the status page: only the first seeker agreed to be invited, and was.
    "service:status_research": post_only(
        only(SEEKER), {"answer": "accept"}, token=TOKEN, pk="@invitation"
    ),
    "service:status_research_withdraw": both(only(SEEKER), token=TOKEN),
    # Choosing among the proposals is for a waiting request only.
    "service:status_choose": post_only(only(SEEKER), token=QUEUED_TOKEN),
    # Feedback opens once a request is closed: only the other seeker's is.
    "service:feedback": both(only(OTHER_SEEKER), token=TOKEN),
    "service:status_calendar": get_only(
        only(SEEKER), token=TOKEN, kind="appointment", pk="@appointment"
    ),
    # Coordinators.
    "service:queue": get_only(K),
    "service:new_request": both(K),
    # The phone request's status link, shown once from the session (GET only).
    "service:phone_link": get_only(K),
    "service:case_assign": post_only(K, **CASE),
    "service:case_withdraw": post_only(K, **CASE),
    "service:case_grant": post_only(K, **CASE),
    "service:case_enrol": post_only(K, **CASE),
    "service:counsellors": get_only(K),
    "service:counsellor_new": both(K),
    "service:counsellor_edit": both(K, pk="@profile"),
    "service:offerings": get_only(K),
    "service:offering_new": both(K),
    "service:offering": both(K, pk="@offering"),
    "service:enrolment_remove": post_only(K, pk="@enrolment"),
    "service:feedback_summary": get_only(K),
    "service:settings": both(K),
    "service:case_reassign": post_only(K, **CASE),
    "service:case_acknowledge": post_only(K, **CASE),
    "service:case_write": post_only(K, **CASE),
    # The referral directory: coordinators (and county leaders, tested in tests/service).
    "service:directory": get_only(K),
    "service:directory_new": both(K),
    "service:directory_entry": both(K, pk="@place"),
    "service:directory_delete": post_only(K, pk="@place"),
    # Concerns about a doctor: coordinators route them; the counsellor it is with works on it.
    "service:concerns": get_only(K),
    "service:concern": get_only(only(COUNSELLOR, COORDINATOR), pk="@concern"),
    "service:concern_assign": post_only(K, pk="@concern"),
    "service:concern_withdraw": post_only(K, pk="@concern"),
    "service:concern_take": post_only(C, pk="@concern"),
    "service:concern_decline": post_only(C, pk="@concern"),
    "service:concern_conclude": post_only(C, pk="@concern"),
    # Statistics: coordinators only (aggregates, small cells suppressed).
    "reports:statistics": get_only(K),
    "reports:csv": get_only(K),
    "reports:report": get_only(K),
    "reports:annual": get_only(K, year=timezone.localdate().year),
    # The case page: its counsellor and coordinators; the rest only its counsellor.
    "service:case": get_only(only(COUNSELLOR, COORDINATOR), **CASE),
    "service:my_cases": get_only(COUNSELLORS),
    "service:my_profile": both(COUNSELLORS),
    "service:case_accept": post_only(C, **CASE),
    "service:case_decline": both(C, **CASE),
    "service:case_hand_back": both(C, **CASE),
    "service:case_message": post_only(C, **CASE),
    "service:case_conversation": both(C, **CASE),
    "service:case_appointment": both(C, **CASE),
    "service:case_referral": both(C, **CASE),
    "service:case_close": both(C, **CASE),
    "service:case_calendar": get_only(C, pk="@case", kind="appointment", item="@appointment"),
    "service:case_appointment_cancel": post_only(C, pk="@case", item="@appointment"),
    # Research: any researcher may list and start studies; a study's pages are its own
    # researchers' only.
    "research:studies": get_only(RESEARCHERS),
    "research:study_new": both(RESEARCHERS),
    "research:study": get_only(R, **STUDY),
    "research:study_edit": both(R, **STUDY),
    "research:participant_new": post_only(R, **STUDY),
    "research:participant": get_only(R, **PARTICIPANT),
    "research:participant_withdraw": both(R, **PARTICIPANT),
    "research:interview_new": both(R, **PARTICIPANT),
    "research:interview": get_only(R, **INTERVIEW),
    "research:interview_edit": both(R, **INTERVIEW),
    "research:recording_upload": post_only(R, **INTERVIEW),
    "research:recording_delete": both(R, **INTERVIEW),
    "research:transcribe": post_only(R, **INTERVIEW),
    "research:job_status": get_only(R, **INTERVIEW),
    "research:job_cancel": post_only(R, **INTERVIEW),
    "research:transcript": both(R, **INTERVIEW),
    "research:transcript_import": post_only(R, **INTERVIEW),
    "research:transcript_download": get_only(R, pk="@interview", fmt="txt"),
    "research:deidentify": both(R, **INTERVIEW),
    "research:deidentify_propose": post_only(R, **INTERVIEW),
    "research:deidentify_add": post_only(R, **INTERVIEW),
    "research:deidentify_progress": get_only(R, **INTERVIEW),
    "research:recording_audio": get_only(R, **INTERVIEW),
    "research:transcript_read": get_only(R, **INTERVIEW),
    # The study's protocol, pool and recruitment: its own researchers only.
    "research:protocol": both(R, **STUDY),
    "research:consent_add": post_only(R, **STUDY),
    "research:guide_add": post_only(R, **STUDY),
    "research:guide_move": post_only(R, pk="@guide_topic"),
    "research:guide_remove": post_only(R, pk="@guide_topic"),
    "research:wave_add": post_only(R, **STUDY),
    "research:pool": both(R, **STUDY),
    "research:recruitment": get_only(R, **STUDY),
    # The STC workbench: any researcher may list, start and import analyses; an analysis is
    # its study's researchers' only (a researcher not on it gets 404, other roles 403).
    "workbench:analyses": both(RESEARCHERS),
    "workbench:import_qdpx": both(RESEARCHERS),
    "workbench:analysis": get_only(R, **ANALYSIS),
    "workbench:transcript_add": post_only(R, {"interview": "@interview"}, **ANALYSIS),
    "workbench:unit_place": post_only(R, **UNIT),
    "workbench:quote_place": post_only(R, pk="@analysis", quote="@quote"),
    "workbench:impression": get_only(R, **ANALYSIS),
    "workbench:matrix": get_only(R, **ANALYSIS),
    "workbench:matrix_csv": get_only(R, **ANALYSIS),
    "workbench:matrix_cell": get_only(
        R, pk="@analysis", participant="@participant", group="@code_group"
    ),
    "workbench:case_link": post_only(R, **ANALYSIS),
    "workbench:theme_add": post_only(R, {"label": "Tema"}, **ANALYSIS),
    "workbench:themes_share": post_only(R, **ANALYSIS),
    "workbench:themes_suggest": post_only(R, **ANALYSIS),
    "workbench:theme_run": get_only(R, **ANALYSIS),
    "workbench:theme_edit": both(R, **THEME),
    "workbench:theme_delete": post_only(R, **THEME),
    "workbench:theme_decide": post_only(R, {"accept": "1"}, **THEME),
    "workbench:coding": get_only(R, **VERSION),
    "workbench:unit_create": post_only(R, {"start": "0", "end": "5"}, **VERSION),
    "workbench:suggestions": post_only(R, **VERSION),
    # The coder's own run only: another researcher on the study gets 404 too.
    "workbench:suggestion_run": get_only(R, **VERSION, run="@suggestion_run"),
    "workbench:compare": both(R, **VERSION),
    "workbench:settle": post_only(
        R, {"difference": "@unit", "group": "@code_group", "boundary": "union"}, **VERSION
    ),
    "workbench:round_close": post_only(R, **VERSION),
    "workbench:unit_code": post_only(R, {"unit": "@unit", "group": "@code_group"}, **ANALYSIS),
    "workbench:unit_delete": post_only(R, **UNIT),
    "workbench:unit_also": post_only(R, {"unit": "@unit", "group": "@code_group"}, **ANALYSIS),
    "workbench:suggestion_decide": post_only(
        R, {"token": "@suggestion_token", "accept": "1"}, **UNIT
    ),
    "workbench:group_add": post_only(R, {"name": "Ny gruppe"}, **ANALYSIS),
    "workbench:group_edit": both(R, **GROUP),
    "workbench:search": get_only(R, **ANALYSIS),
    "workbench:search_units": post_only(R, {"result": "@search_result"}, **ANALYSIS),
    "workbench:retrieval": get_only(R, **GROUP),
    "workbench:retrieval_download": get_only(R, fmt="csv", **GROUP),
    "workbench:codebook": get_only(R, **ANALYSIS),
    "workbench:group_move": post_only(R, **GROUP),
    "workbench:group_merge": post_only(R, **GROUP),
    "workbench:group_delete": post_only(R, **GROUP),
    "workbench:group_reorder": post_only(R, **GROUP),
    "workbench:group_colour": post_only(R, **GROUP),
    "workbench:undo": post_only(R, **ANALYSIS),
    "workbench:condensation_index": get_only(R, **ANALYSIS),
    "workbench:condensation": get_only(R, **GROUP),
    "workbench:condensation_suggest": post_only(R, **GROUP),
    "workbench:subgroups_accept": post_only(R, **GROUP),
    "workbench:subgroup_add": post_only(R, {"name": "Netter"}, **GROUP),
    "workbench:subgroup_edit": post_only(R, SUBGROUP, **GROUP),
    "workbench:subgroup_delete": post_only(R, SUBGROUP, **GROUP),
    "workbench:condensate_draft": post_only(R, SUBGROUP, **GROUP),
    "workbench:condensate_draft_first_person": post_only(R, SUBGROUP, **GROUP),
    "workbench:condensate_save": post_only(R, SUBGROUP, **GROUP),
    "workbench:condensate_delete": post_only(R, {**SUBGROUP, "condensate": "@condensate"}, **GROUP),
    "workbench:quotes_rank": post_only(R, SUBGROUP, **GROUP),
    "workbench:quote_choose": post_only(R, {**SUBGROUP, "token": "made-up"}, **GROUP),
    "workbench:quote_remove": post_only(R, {**SUBGROUP, "quote": "@quote"}, **GROUP),
    "workbench:synthesis": get_only(R, **ANALYSIS),
    "workbench:category_add": post_only(R, **ANALYSIS),
    "workbench:category_edit": post_only(R, {"category": "@category"}, **ANALYSIS),
    "workbench:category_delete": post_only(R, {"category": "@category"}, **ANALYSIS),
    "workbench:typology_save": post_only(R, **ANALYSIS),
    "workbench:analytic_text_save": post_only(R, {"target": "@analytic_target"}, **ANALYSIS),
    "workbench:check": get_only(R, **ANALYSIS),
    "workbench:memos": get_only(R, **ANALYSIS),
    "workbench:memos_on": get_only(R, **ANALYSIS),
    "workbench:memo_add": post_only(R, {"text": "Et notat"}, **ANALYSIS),
    "workbench:memo_edit": both(R, {"text": "Nytt", "version": "1"}, pk="@analysis", memo="@memo"),
    "workbench:memo_delete": both(R, pk="@analysis", memo="@memo"),
    "workbench:results": get_only(R, **ANALYSIS),
    "workbench:download": get_only(R, pk="@analysis", name="report", fmt="docx"),
    "workbench:export_qdpx": get_only(R, **ANALYSIS),
    "workbench:export_qdc": get_only(R, **ANALYSIS),
    "workbench:import_qdc": post_only(R, **ANALYSIS),
    # The støttekollega scheme: the public list for everyone; a counsellor's listing and
    # registered contacts their own; the county pages for coordinators (and county leaders of
    # that county: tests/peers/test_county_pages.py).
    "peers:list": get_only(EVERYONE),
    "peers:my_listing": both(COUNSELLORS),
    "peers:contacts": get_only(COUNSELLORS),
    "peers:contact_new": both(COUNSELLORS),
    "peers:contact_edit": both(C, pk="@registration"),
    "peers:counties": get_only(K),
    "peers:county": get_only(K, county="oslo"),
    "peers:listing_approve": post_only(K, county="oslo", pk="@listing"),
    "peers:settle": both(K, county="oslo", pk="@profile"),
    "peers:settlement": get_only(K, county="oslo", pk="@settlement"),
    "peers:settlement_csv": get_only(K, county="oslo", pk="@settlement"),
    "peers:settlement_docx": get_only(K, county="oslo", pk="@settlement"),
    "peers:county_statistics": get_only(K, county="oslo"),
}

# The admin is for administrators only: every URL under it follows ADMIN_DEFAULT unless
# ADMIN_EXCEPTIONS names it (by url name, or by its route for unnamed patterns).
ADMIN_DEFAULT = both(only(ADMINISTRATOR))
ADMIN_EXCEPTIONS: dict[str, Entry] = {
    # One sign-in page for all staff (/staff/login/); the admin's own is closed to everyone.
    "admin:login": both(NOBODY),
    # Django's admin sign-out answers anyone with a redirect (administrators must POST); it
    # grants nothing.
    "admin:logout": Entry(get=EVERYONE - {ADMINISTRATOR}, post=EVERYONE),
    "admin:password_change_done": get_only(only(ADMINISTRATOR)),
    "admin:jsi18n": get_only(only(ADMINISTRATOR)),
    # Without its query parameters autocomplete refuses; no model has a page on the site.
    "admin:autocomplete": both(NOBODY),
    "admin:view_on_site": both(NOBODY),
    # No password is set through the admin (and it has no second-factor pages at all).
    "admin:auth_user_password_change": both(NOBODY),
    # Staff are deactivated, not deleted: the audit log and cases keep pointing at them.
    "admin:accounts_user_delete": both(NOBODY),
    # Audit rows and task results are read-only: nobody adds them.
    "admin:core_auditevent_add": both(NOBODY),
    "admin:core_auditevent_change": get_only(only(ADMINISTRATOR)),
    "admin:core_auditevent_delete": both(NOBODY),
    "admin:django_tasks_database_dbtaskresult_add": both(NOBODY),
    "admin:django_tasks_database_dbtaskresult_change": get_only(only(ADMINISTRATOR)),
    "admin:django_tasks_database_dbtaskresult_delete": both(NOBODY),
    "admin:service_casestatistic_add": both(NOBODY),
    "admin:service_casestatistic_change": get_only(only(ADMINISTRATOR)),
    # Studies are started by researchers, not in the admin; sign-in records come from axes.
    "admin:research_study_add": both(NOBODY),
    "admin:axes_accessattempt_add": both(NOBODY),
    "admin:axes_accesslog_add": both(NOBODY),
    "admin:axes_accessfailurelog_add": both(NOBODY),
}


@dataclass
class World:
    """Real objects for every URL argument."""

    clients: dict[str, Client]
    tokens: dict[str, str]
    queued_tokens: dict[str, str]
    concern_tokens: dict[str, str]
    case: int
    concern: int
    place: int
    appointment: int
    profile: int
    offering: int
    enrolment: int
    study: int
    participant: int
    interview: int
    guide_topic: int
    invitation: int
    analysis: int
    version: int
    unit: int
    theme: int
    code_group: int
    subgroup: int
    condensate: int
    quote: int
    category: int
    analytic_target: str
    suggestion_token: str
    search_result: str
    memo: int
    suggestion_run: int
    listing: int
    registration: int
    settlement: int


def make_world(cast: Cast) -> World:
    from kollega.research import actions as research

    cast.counsellor.user.email = "ingrid@example.invalid"
    cast.counsellor.user.save()
    profile = make_profile(cast.counsellor)
    make_profile(cast.other_counsellor, gender="male", region="vestland", employer="Helse Vest")
    first = submit(
        contact_method="email", contact_email="first@example.invalid", research_consent=True
    )
    second = submit()
    actions.do_assign_counsellor(cast.coordinator.user, second.case, profile)
    actions.do_accept_case(cast.counsellor.user, second.case)
    actions.do_close_case(cast.counsellor.user, second.case, outcome="helped")
    case = first.case
    actions.do_assign_counsellor(cast.coordinator.user, case, profile)
    actions.do_accept_case(cast.counsellor.user, case)
    actions.do_log_conversation(
        cast.counsellor.user, case, held_on=timezone.localdate(), mode="video", minutes=45
    )
    appointment = actions.do_plan_appointment(
        cast.counsellor.user,
        case,
        starts=timezone.now() + timedelta(days=2),
        minutes=45,
        mode="video",
    )
    offering = make_offering(capacity=4)
    enrolment = actions.do_enrol_case(cast.coordinator.user, case, offering)
    owner = cast.researcher
    study = research.do_create_study(owner.user, title="Help-seeking", aims="", language="nb")
    participant = research.do_add_participant(owner.user, study, pseudonym="P01")
    interview = research.do_create_interview(
        owner.user, participant, kind="first", scheduled_on=None, language="nb"
    )
    add_transcript(interview, [("interviewer", "Hva skjedde?"), ("participant", "Jeg ringte.")])
    audio = SimpleUploadedFile("intervju.wav", tone_wav(), content_type="audio/wav")
    research.do_store_recording(owner.user, interview, audio)
    research.do_add_consent_version(owner.user, study, version="1.0", text="Jeg samtykker.")
    topic = research.do_add_guide_topic(owner.user, study, topic="Å be om hjelp", prompts="")
    (invitation,) = research.do_invite(owner.user, study, [str(first.case.research_id)])
    bench = _workbench(owner, study)
    other_researcher = make_member("rut", "researcher", first_name="Rut")
    staff = {
        COUNSELLOR: cast.counsellor,
        OTHER_COUNSELLOR: cast.other_counsellor,
        COORDINATOR: cast.coordinator,
        RESEARCHER: owner,
        OTHER_RESEARCHER: other_researcher,
        ADMINISTRATOR: cast.administrator,
    }
    clients = {name: member.client() for name, member in staff.items()}
    clients |= {ANON: Client(), SEEKER: Client(), OTHER_SEEKER: Client()}
    for client in clients.values():
        client.raise_request_exception = False
    tokens = dict.fromkeys(PRINCIPALS, GUESSED_TOKEN)
    tokens |= {SEEKER: first.token, OTHER_SEEKER: second.token}
    ServiceSettings.objects.update_or_create(pk=1, defaults={"seeker_choice": True})
    waiting = submit()
    assert waiting.case.in_queue
    scheme = _scheme(profile)
    raised = actions.do_raise_concern(
        relation="friend", doctor_name="Dr. Lid", region="oslo", worry="Sliten."
    )
    assert raised.concern.counsellor == profile
    place = actions.do_save_referral_place(
        "test", ReferralPlace(region="oslo", kind="psych", name="Psykolog")
    )
    return World(
        clients=clients,
        tokens=tokens,
        queued_tokens=tokens | {SEEKER: waiting.token},
        concern_tokens=tokens | {SEEKER: raised.token, OTHER_SEEKER: GUESSED_TOKEN},
        case=case.pk,
        concern=raised.concern.pk,
        place=place.pk,
        appointment=appointment.pk,
        profile=profile.pk,
        offering=offering.pk,
        enrolment=enrolment.pk,
        study=study.pk,
        participant=participant.pk,
        interview=interview.pk,
        guide_topic=topic.pk,
        invitation=invitation.pk,
        **bench,
        **scheme,
    )


def _scheme(profile: Any) -> dict[str, Any]:
    """An approved listing, a settled contact and one not yet settled, for `profile`."""
    from kollega.peers import actions as peers
    from tests.peers.conftest import approved_listing, last_month_days, register

    listing = approved_listing(profile)
    register(profile, days=last_month_days(2))
    day = last_month_days(1)[0]
    settlement = peers.do_approve_settlement(
        "test", profile, peers.SettlementPeriod.of("month", day.year, day.month)
    )
    return {
        "listing": listing.pk,
        "registration": register(profile, days=last_month_days(1)).pk,
        "settlement": settlement.pk,
    }


def _workbench(owner: Member, study: Any) -> dict[str, Any]:
    """An analysis carried through step 4 by the workbench's own actions: a de-identified
    transcript, code groups with units, subgroups with condensates and quotes, analytic texts,
    a category, a theme; one more unit left uncoded, with a signed suggestion for it."""
    from kollega.workbench import actions as workbench
    from kollega.workbench.views import SUGGESTION_SALT

    interview = new_interview(owner, study, "P02")
    deidentified(interview)
    analysis = workbench.do_create_analysis(owner.user, study, name="First analysis")
    version = workbench.do_add_transcript(owner.user, analysis, interview)
    groups = [
        workbench.do_add_code_group(owner.user, analysis, name=name, description=f"About {name}")
        for name in ("Exhaustion", "Trust", "Advice")
    ]
    bench = Bench(
        study,
        interview.participant,
        interview,
        interview.transcript,
        analysis,
        version,
        owner,
        owner,
        owner,
        groups,
    )
    subgroups = synthesised(bench)
    theme = workbench.do_add_theme(owner.user, analysis, label="Å be om hjelp")
    start, end = bench.span("Jeg ville ha noen å snakke med.")
    unit = workbench.do_create_unit(owner.user, version, start=start, end=end, code_group=None)
    advice = groups[2]
    memo = workbench.do_add_memo(
        owner.user, analysis, target=f"code_group:{groups[0].pk}", text="Et notat"
    )
    token = signing.dumps(
        [unit.pk, advice.pk, 1, 0.5, "hashing", {"threshold": 0.4, "confident": True}],
        salt=SUGGESTION_SALT,
    )
    # Imported here, as this function imports the workbench's other names.
    from kollega.workbench.models import CodeSuggestionRun

    run = CodeSuggestionRun.objects.create(transcript=version, requested_by=owner.user)
    return {
        "suggestion_run": run.pk,
        "analysis": analysis.pk,
        "version": version.pk,
        "unit": unit.pk,
        "theme": theme.pk,
        "code_group": groups[0].pk,
        "subgroup": subgroups[groups[0].name].pk,
        "condensate": subgroups[groups[0].name].condensates.get().pk,
        "quote": subgroups[groups[0].name].quotes.get().pk,
        "category": analysis.categories.get().pk,
        "analytic_target": f"code_group-{groups[0].pk}",
        "suggestion_token": token,
        # A search result as the search page posts it: "Jeg trengte" (no unit of it yet).
        "search_result": f"{version.pk}:{bench.span('Jeg trengte')[0]}:{bench.span('Jeg trengte')[1]}",
        "memo": memo.pk,
    }


@pytest.fixture(autouse=True)
def _hashing_embedder(settings: Any) -> None:
    # The packaged model is slow to load; suggestions take the same path with the hashing one.
    settings.KOLLEGA_STC_EMBEDDER = "hashing"


@pytest.fixture
def world(cast: Cast) -> Iterator[World]:
    made = make_world(cast)
    yield made
    # The database is rolled back after the test; the recording's file must go by hand.
    from kollega.research.models import Recording

    for recording in Recording.objects.all():
        recording.file.delete(save=False)


def _admin_object_id(name: str) -> str:
    """The pk of a real object for an admin URL named admin:<app>_<model>_<view>."""
    for model in apps.get_models():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            first = model._default_manager.order_by("pk").first()
            return str(first.pk) if first is not None else "1"
    return "1"


def _admin_filler(name: str, converter: str) -> str:
    if name == "admin:view_on_site":
        # Both arguments (content type, object) get the user model's content type: on the
        # Redis pass, type 1 can be django_rq's table-less dashboard, whose lookup fails for
        # every caller alike.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()  # ids from an earlier test's flushed database
        return str(ContentType.objects.get_for_model(get_user_model()).pk)
    if converter == "path":
        return _admin_object_id(name)
    return {"int": "1", "str": "sample", "slug": "sample"}.get(converter, "sample")


def is_refused(response: Any) -> bool:
    if response.status_code in {403, 404, 405, 429}:
        return True
    location = response.get("Location", "") if response.status_code in {301, 302, 303} else ""
    sign_in = (reverse("accounts:login") + "?next=", reverse("admin:login") + "?next=")
    return location.startswith(sign_in)


def _filled(values: dict[str, Any], world: World, principal: str) -> dict[str, Any]:
    filled = {}
    for key, value in values.items():
        if value == TOKEN:
            value = world.tokens[principal]
        elif value == QUEUED_TOKEN:
            value = world.queued_tokens[principal]
        elif value == CONCERN_TOKEN:
            value = world.concern_tokens[principal]
        elif isinstance(value, str) and value.startswith("@"):
            value = getattr(world, value[1:])
        filled[key] = value
    return filled


def url_for(name: str, entry: Entry, world: World, principal: str) -> str:
    return reverse(name, kwargs=_filled(entry.args, world, principal))


class _Rollback(Exception):
    pass


def request(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    """One request whose changes to the database and to the client's cookies (a sign-out)
    are undone afterwards."""
    cookies = copy.deepcopy(client.cookies)
    media = Path(settings.MEDIA_ROOT)
    files_before = set(media.rglob("*")) if media.exists() else set()
    outcome: list[Any] = []
    try:
        with transaction.atomic():
            if method == "post" and data:
                outcome.append(client.post(url, data))
            else:
                outcome.append(getattr(client, method)(url))
            raise _Rollback
    except _Rollback:
        pass
    client.cookies = cookies
    response = outcome[0]
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # read to the end, the test client closes it
    # Files an allowed POST wrote (a recording) go with its rolled-back rows.
    if media.exists():
        for path in set(media.rglob("*")) - files_before:
            if path.is_file():
                path.unlink()
    return response


def admin_urls() -> list[tuple[str, str]]:
    prefix = f"/{settings.ADMIN_PATH}"
    return [(w.name, w.url) for w in all_urls(_admin_filler) if w.url.startswith(prefix)]


def app_url_names() -> list[str]:
    prefix = f"/{settings.ADMIN_PATH}"
    return sorted({w.name for w in all_urls() if not w.url.startswith(prefix)})


def test_every_url_has_an_entry_in_the_expected_table() -> None:
    missing = [name for name in app_url_names() if name not in EXPECTED]
    assert not missing, (
        "These url names have no entry in tests/privacy/test_access_matrix.py EXPECTED; add "
        "one line each saying who may GET and POST, e.g.\n"
        + "\n".join(f'    "{name}": get_only(only(COORDINATOR)),' for name in missing)
    )
    stale = sorted(set(EXPECTED) - set(app_url_names()))
    assert not stale, f"EXPECTED names url names that no longer exist: {stale}"


def _check(world: World, targets: list[tuple[str, Callable[[str], str], Entry]]) -> list[str]:
    failures = []
    for name, make_url, entry in targets:
        for method, allowed in (("get", entry.get), ("post", entry.post)):
            for principal in PRINCIPALS:
                url = make_url(principal)
                data = _filled(entry.data, world, principal)
                response = request(world.clients[principal], method, url, data)
                if response.status_code >= 500:
                    failures.append(f"{name} {method.upper()} as {principal}: server error")
                    continue
                refused = is_refused(response)
                if principal in allowed and refused:
                    failures.append(
                        f"{name} {method.upper()} {url} as {principal}: refused "
                        f"({response.status_code}) but the table allows it"
                    )
                elif principal not in allowed and not refused:
                    failures.append(
                        f"{name} {method.upper()} {url} as {principal}: let in "
                        f"({response.status_code}) but the table refuses it"
                    )
    return failures


@pytest.mark.django_db
@pytest.mark.db_services
def test_the_app_answers_every_principal_as_the_table_says(world: World) -> None:
    targets = [
        (name, (lambda p, n=name: url_for(n, EXPECTED[n], world, p)), EXPECTED[name])
        for name in app_url_names()
        if name in EXPECTED
    ]
    failures = _check(world, targets)
    assert not failures, f"{len(failures)} answers differ from the table:\n" + "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.db_services
def test_the_admin_answers_every_principal_as_the_table_says(world: World) -> None:
    targets = [
        (name, (lambda p, u=url: u), ADMIN_EXCEPTIONS.get(name, ADMIN_DEFAULT))
        for name, url in admin_urls()
    ]
    failures = _check(world, targets)
    assert not failures, f"{len(failures)} answers differ from the table:\n" + "\n".join(failures)
