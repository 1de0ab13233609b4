"""Recruitment: the pool, the proposed sample and its coverage, invitations, windows,
exclusions, the dashboard and Table 1 — and what researchers never see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from kollega.core.models import AuditEvent
from kollega.research import actions
from kollega.research.models import (
    Exclusion,
    Interview,
    Invitation,
    InvitationStatus,
    Participant,
    WindowNotice,
)
from kollega.research.recruitment import characteristics
from kollega.service.pool import pool_member, tell_seeker_invited
from tests.cast import Cast
from tests.research.pool import PoolSeeker, Recruiting, make_seeker, recruiting_fixture  # noqa: F401

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _accept(recruiting: Recruiting, seeker: PoolSeeker) -> Participant:
    invitation = Invitation.objects.get(study=recruiting.study, link=seeker.case.research_id)
    participant = actions.do_answer_invitation(
        invitation, accept=True, member=pool_member(seeker.case.research_id)
    )
    assert participant is not None
    return participant


def _invite(recruiting: Recruiting, *seekers: PoolSeeker) -> None:
    actions.do_invite(
        recruiting.owner.user, recruiting.study, [str(s.case.research_id) for s in seekers]
    )


# --- The pool ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pool_shows_consenting_seekers_by_code_and_profile(recruiting: Recruiting) -> None:
    response = recruiting.client().get(recruiting.url("pool"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('name="chosen"') == 10  # the seeker without consent is not there
    assert "S-" in page and "Woman" in page and "Psychiatry" in page
    for canary in recruiting.canaries():
        assert canary not in page
    assert "K-" not in page  # no service reference codes


@pytest.mark.django_db
def test_researchers_never_see_contact_details_or_words_anywhere(recruiting: Recruiting) -> None:
    _invite(recruiting, *recruiting.seekers[:4])
    for seeker in recruiting.seekers[:3]:
        _accept(recruiting, seeker)
    client = recruiting.client()
    participant = Participant.objects.filter(study=recruiting.study).first()
    assert participant is not None
    pages = [
        recruiting.url("pool"),
        recruiting.url("recruitment"),
        recruiting.url("study"),
        reverse("research:participant", args=[participant.pk]),
        reverse("research:interview_new", args=[participant.pk]),
    ]
    proposal = client.post(recruiting.url("pool"), {"step": "propose", "size": "3"})
    bodies = [client.get(url).content.decode() for url in pages] + [proposal.content.decode()]
    for body in bodies:
        for canary in recruiting.canaries():
            assert canary not in body
        for seeker in recruiting.seekers:
            assert seeker.case.reference not in body


@pytest.mark.django_db
def test_a_proposed_sample_is_ticked_beside_its_coverage_table(recruiting: Recruiting) -> None:
    response = recruiting.client().post(recruiting.url("pool"), {"step": "propose", "size": "6"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(" checked") == 6
    assert "Coverage of the sample (6 people)" in page
    # Both genders and every age band are covered by six people from this pool.
    assert "not covered" not in page
    assert AuditEvent.objects.filter(action="research.pool.view").exists()


@pytest.mark.django_db
def test_the_researcher_adjusts_the_sample_and_sees_the_coverage_change(
    recruiting: Recruiting,
) -> None:
    women = [str(s.case.research_id) for s in recruiting.seekers if s.case.gender == "female"]
    response = recruiting.client().post(
        recruiting.url("pool"), {"step": "review", "chosen": women[:2]}
    )
    page = response.content.decode()
    assert "Coverage of the sample (2 people)" in page
    assert "not covered" in page  # no man chosen


@pytest.mark.django_db
def test_a_sample_bigger_than_the_pool_is_refused(recruiting: Recruiting) -> None:
    response = recruiting.client().post(recruiting.url("pool"), {"step": "propose", "size": "11"})
    assert response.status_code == 400
    assert "only 10 people" in response.content.decode()


@pytest.mark.django_db
def test_proposing_needs_the_dimensions(recruiting: Recruiting) -> None:
    recruiting.study.dimensions = []
    recruiting.study.save()
    response = recruiting.client().post(recruiting.url("pool"), {"step": "propose", "size": "3"})
    assert response.status_code == 400


# --- Invitations ---------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_inviting_queues_emails_by_case_id_never_by_address(
    recruiting: Recruiting, django_capture_on_commit_callbacks: object
) -> None:
    chosen = [str(s.case.research_id) for s in recruiting.seekers[:4]]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = recruiting.client().post(
            recruiting.url("pool"), {"step": "invite", "chosen": chosen}
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(study=recruiting.study).count() == 4
    queued = DBTaskResult.objects.filter(task_path__endswith="tell_seeker_invited")
    # Seekers 0 and 2 gave an e-mail address; 1 and 3 a phone number.
    assert sorted(r.args_kwargs["args"] for r in queued) == sorted(
        [[recruiting.seekers[0].case.pk], [recruiting.seekers[2].case.pk]]
    )
    assert "@" not in str([r.args_kwargs for r in queued])


@pytest.mark.django_db
def test_the_invitation_email_says_nothing_but_where_to_look(recruiting: Recruiting) -> None:
    seeker = recruiting.seekers[0]
    assert tell_seeker_invited.call(seeker.case.pk) == 1
    message = mail.outbox[0]
    assert message.to == ["canary0@example.invalid"]
    text = message.subject + message.body
    assert recruiting.study.title not in text and "CANARY" not in text
    assert seeker.token not in text


@pytest.mark.django_db
def test_no_email_goes_to_a_seeker_without_an_address(recruiting: Recruiting) -> None:
    assert tell_seeker_invited.call(recruiting.seekers[1].case.pk) == 0
    assert tell_seeker_invited.call(987654) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_inviting_needs_a_consent_text(cast: Cast) -> None:
    from kollega.core.errors import ActionRefused

    study = actions.do_create_study(cast.researcher.user, title="T", aims="", language="nb")
    seeker = make_seeker(1)
    with pytest.raises(ActionRefused):
        actions.do_invite(cast.researcher.user, study, [str(seeker.case.research_id)])
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_nobody_is_invited_twice_to_a_study(recruiting: Recruiting) -> None:
    from kollega.core.errors import ActionRefused

    _invite(recruiting, recruiting.seekers[0])
    with pytest.raises(ActionRefused):
        _invite(recruiting, recruiting.seekers[0])
    page = recruiting.client().get(recruiting.url("pool")).content.decode()
    assert page.count('name="chosen"') == 9


@pytest.mark.django_db
def test_inviting_someone_not_in_the_pool_changes_nothing(recruiting: Recruiting) -> None:
    outsider = make_seeker(50, consent=False)
    response = recruiting.client().post(
        recruiting.url("pool"),
        {"step": "invite", "chosen": [str(recruiting.seekers[0].case.research_id), "nobody"]},
    )
    assert response.status_code == 302
    assert Invitation.objects.count() == 1
    assert outsider.case.research_id is None


# --- Windows, exclusions and the dashboard ---------------------------------------------------


@pytest.fixture
def recruited(recruiting: Recruiting) -> Recruiting:
    _invite(recruiting, *recruiting.seekers[:3])
    for seeker in recruiting.seekers[:3]:
        _accept(recruiting, seeker)
    return recruiting


def _backdate(participant: Participant, days: int) -> None:
    participant.contact_date = timezone.localdate() - timedelta(days=days)
    participant.save()


@pytest.mark.django_db
def test_an_interview_is_scheduled_only_inside_its_window(recruited: Recruiting) -> None:
    participant = Participant.objects.get(pseudonym="P01")
    wave = recruited.study.waves.get(number=1)
    url = reverse("research:interview_new", args=[participant.pk])
    client = recruited.client()
    too_late = timezone.localdate() + timedelta(days=11)
    refused = client.post(
        url, {"kind": "first", "scheduled_on": too_late, "language": "en", "wave": wave.pk}
    )
    assert refused.status_code == 400
    assert "window for this participant" in refused.content.decode()
    assert not Interview.objects.exists()
    inside = timezone.localdate() + timedelta(days=5)
    client.post(url, {"kind": "first", "scheduled_on": inside, "language": "en", "wave": wave.pk})
    assert Interview.objects.get().wave == wave


@pytest.mark.django_db
def test_a_lapsed_window_excludes_the_participant_with_the_reason(recruited: Recruiting) -> None:
    lapsed, booked, fresh = Participant.objects.order_by("pseudonym")
    _backdate(lapsed, 12)
    _backdate(booked, 12)
    wave = recruited.study.waves.get(number=1)
    actions.do_create_interview(
        recruited.owner.user,
        booked,
        kind="first",
        scheduled_on=booked.contact_date + timedelta(days=3),  # type: ignore[operator]
        language="en",
        wave=wave,
    )
    assert actions.run_exclusions() == 1
    assert actions.run_exclusions() == 0  # never twice
    exclusion = Exclusion.objects.get()
    assert exclusion.participant == lapsed and exclusion.wave == wave
    assert exclusion.window_closed == lapsed.contact_date + timedelta(days=10)  # type: ignore[operator]
    page = recruited.client().get(recruited.url("recruitment")).content.decode()
    assert "Not interviewed within the window" in page
    dashboard = recruited.client().get(recruited.url("recruitment")).context["dashboard"]
    first = dashboard[0]
    assert (first["recruited"], first["interviewed"], first["excluded"], first["open"]) == (
        3,
        1,
        1,
        1,
    )
    assert fresh.exclusions.count() == 0
    # An excluded participant cannot be booked in that wave.
    response = recruited.client().post(
        reverse("research:interview_new", args=[lapsed.pk]),
        {"kind": "first", "language": "en", "wave": wave.pk},
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_exclusion_task_runs_from_the_schedule() -> None:
    from kollega.core.schedule import periodic_tasks

    names = {p.name for p in periodic_tasks()}
    assert "kollega.research.tasks.exclude_lapsed" in names
    assert "kollega.research.tasks.warn_closing_windows" in names


@pytest.mark.django_db
@override_settings(TASKS=IMMEDIATE)
def test_researchers_hear_once_of_a_window_about_to_close(
    recruited: Recruiting, django_capture_on_commit_callbacks: object
) -> None:
    recruited.owner.user.email = "sara@example.invalid"
    recruited.owner.user.save()
    closing = Participant.objects.get(pseudonym="P02")
    _backdate(closing, 9)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert actions.run_window_notices() == 1
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert actions.run_window_notices() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sara@example.invalid"]
    assert "P02" not in message.body and recruited.study.title not in message.body
    assert f"/research/studies/{recruited.study.pk}/recruitment/" in message.body
    assert WindowNotice.objects.get().participant == closing


@pytest.mark.django_db
def test_the_participant_page_shows_each_windows_dates(recruited: Recruiting) -> None:
    participant = Participant.objects.get(pseudonym="P01")
    page = recruited.client().get(reverse("research:participant", args=[participant.pk]))
    text = page.content.decode()
    assert "consent text version 1.0" in text
    assert "Open: book an interview" in text and "Opens later" in text


def test_table_one_suppresses_cells_under_five() -> None:
    profiles = [{"gender": "female"}] * 6 + [{"gender": "male"}] * 2 + [{"gender": ""}]
    with translation.override("en"):
        rows = {
            (str(r["dimension"]), str(r["value"])): r["count"] for r in characteristics(profiles)
        }
    assert rows[("Gender", "Woman")] == "6"
    assert rows[("Gender", "Man")] == "< 5"
    assert rows[("Gender", "Not given")] == "< 5"


@pytest.mark.django_db
def test_the_recruitment_page_shows_table_one_suppressed(recruited: Recruiting) -> None:
    page = recruited.client().get(recruited.url("recruitment")).content.decode()
    assert "Participant characteristics (n = 3)" in page
    assert "&lt; 5" in page


# --- Access ----------------------------------------------------------------------------------


def _get_pages(recruiting: Recruiting) -> list[str]:
    return [recruiting.url(name) for name in ("protocol", "pool", "recruitment")]


def _post_only(recruiting: Recruiting) -> list[str]:
    topic = actions.do_add_guide_topic(
        recruiting.owner.user, recruiting.study, topic="T", prompts=""
    )
    return [
        *(recruiting.url(name) for name in ("consent_add", "guide_add", "wave_add")),
        reverse("research:guide_move", args=[topic.pk]),
        reverse("research:guide_remove", args=[topic.pk]),
    ]


@pytest.mark.django_db
def test_the_owner_opens_the_recruitment_pages(recruiting: Recruiting) -> None:
    for url in _get_pages(recruiting):
        assert recruiting.client().get(url).status_code == 200, url


@pytest.mark.django_db
def test_another_researcher_gets_404_on_every_recruitment_page(recruiting: Recruiting) -> None:
    client = recruiting.stranger_researcher.client("en")
    for url in _get_pages(recruiting) + _post_only(recruiting):
        assert client.get(url).status_code in {404, 405}, url
        assert client.post(url, {"step": "invite"}).status_code in {404, 405}, url
    assert not Invitation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["counsellor", "coordinator", "administrator", "outsider"])
def test_other_roles_are_refused(role: str, cast: Cast, recruiting: Recruiting) -> None:
    client = cast.members()[role].client()
    for url in _get_pages(recruiting):
        assert client.get(url).status_code == 403, url
    for url in _post_only(recruiting):
        assert client.post(url).status_code == 403, url


@pytest.mark.django_db
def test_a_stranger_is_sent_to_sign_in(recruiting: Recruiting) -> None:
    requests = [(Client().get, url) for url in _get_pages(recruiting)]
    requests += [(Client().post, url) for url in _post_only(recruiting)]
    for send, url in requests:
        response = send(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")


@pytest.mark.django_db
def test_post_only_pages_refuse_get(recruiting: Recruiting) -> None:
    for url in _post_only(recruiting):
        assert recruiting.client().get(url).status_code == 405, url


@pytest.mark.django_db
def test_the_recruitment_page_refuses_post(recruiting: Recruiting) -> None:
    assert recruiting.client().post(recruiting.url("recruitment")).status_code == 405


@pytest.mark.django_db
def test_invitation_states_are_shown(recruiting: Recruiting) -> None:
    _invite(recruiting, *recruiting.seekers[:2])
    invitation = Invitation.objects.get(link=recruiting.seekers[1].case.research_id)
    actions.do_answer_invitation(
        invitation, accept=False, member=pool_member(recruiting.seekers[1].case.research_id)
    )
    assert invitation.status == InvitationStatus.DECLINED
    page = recruiting.client().get(recruiting.url("recruitment")).content.decode()
    assert "Declined" in page and "Waiting for an answer" in page


@pytest.mark.django_db
def test_a_participant_withdrawn_on_request_is_never_invited_again(recruited: Recruiting) -> None:
    participant = Participant.objects.get(pseudonym="P01")
    seeker = next(s for s in recruited.seekers if s.case.research_id == participant.link)
    client = recruited.client()
    client.post(reverse("research:participant_withdraw", args=[participant.pk]), {"confirm": "on"})
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert not Invitation.objects.filter(link=participant.link).exists()
    case = seeker.case
    case.refresh_from_db()
    assert not case.research_consent and case.research_id is None
    assert str(participant.link) not in client.get(recruited.url("pool")).content.decode()
    assert AuditEvent.objects.filter(action="research.participant.withdraw").exists()
