"""The status page's research part: an invitation accepted or declined, the consent version
recorded, withdrawal that deletes the research data, and consent that outlives the case."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kollega.core.models import AuditEvent
from kollega.research import actions
from kollega.research.models import Interview, Invitation, Participant, Recording, Transcript
from kollega.service import actions as service_actions
from kollega.service.models import Case
from tests.research.conftest import add_transcript, tone_wav
from tests.research.pool import (
    CONSENT_TEXT,
    PoolSeeker,
    Recruiting,
    make_seeker,
    recruiting_fixture,  # noqa: F401 - the fixture
)


def english() -> Client:
    """The seeker's browser, asking for English (the site's default is Norwegian)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def invited(recruiting: Recruiting) -> PoolSeeker:
    seeker = recruiting.seekers[0]
    actions.do_invite(recruiting.owner.user, recruiting.study, [str(seeker.case.research_id)])
    return seeker


def _answer(seeker: PoolSeeker, answer: str) -> object:
    invitation = Invitation.objects.get(link=seeker.case.research_id)
    return english().post(seeker.url("service:status_research", invitation.pk), {"answer": answer})


@pytest.mark.django_db
def test_the_status_page_shows_the_invitation_with_its_consent_text(invited: PoolSeeker) -> None:
    page = english().get(invited.url()).content.decode()
    assert "Help-seeking study" in page and CONSENT_TEXT in page
    assert "version 1.0" in page and "REK 123456" in page
    assert "Yes, I take part" in page


@pytest.mark.django_db
def test_a_seeker_without_research_consent_sees_no_research_part() -> None:
    seeker = make_seeker(7, consent=False)
    page = english().get(seeker.url()).content.decode()
    assert "Withdraw from research" not in page


@pytest.mark.django_db
def test_accepting_records_the_consent_version_and_makes_a_participant(
    invited: PoolSeeker,
) -> None:
    response = _answer(invited, "accept")
    assert response.status_code == 302  # type: ignore[attr-defined]
    participant = Participant.objects.get()
    assert participant.pseudonym == "P01"
    assert participant.consent_version == "1.0"
    assert participant.link == invited.case.research_id
    assert participant.contact_date == timezone.localtime(invited.case.created).date()
    assert participant.profile["gender"] == "female"
    assert set(participant.profile) == {
        "gender",
        "age_band",
        "specialty",
        "position",
        "region",
        "category",
    }
    assert AuditEvent.objects.filter(action="research.invitation.accept").exists()
    page = english().get(invited.url()).content.decode()
    assert "You take part (consent text version 1.0" in page
    # Answering twice changes nothing.
    _answer(invited, "decline")
    assert Participant.objects.count() == 1


@pytest.mark.django_db
def test_declining_makes_no_participant(invited: PoolSeeker) -> None:
    _answer(invited, "decline")
    assert not Participant.objects.exists()
    assert Invitation.objects.get().status == "declined"
    assert "Yes, I take part" not in english().get(invited.url()).content.decode()


@pytest.mark.django_db
def test_a_bad_answer_changes_nothing(invited: PoolSeeker) -> None:
    _answer(invited, "maybe")
    assert Invitation.objects.get().status == "pending"


@pytest.mark.django_db
def test_nobody_answers_anothers_invitation(invited: PoolSeeker, recruiting: Recruiting) -> None:
    other = recruiting.seekers[1]
    invitation = Invitation.objects.get()
    response = english().post(
        other.url("service:status_research", invitation.pk), {"answer": "accept"}
    )
    assert response.status_code == 404
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_answering_refuses_get(invited: PoolSeeker) -> None:
    invitation = Invitation.objects.get()
    assert english().get(invited.url("service:status_research", invitation.pk)).status_code == 405


@pytest.mark.django_db
def test_a_wrong_token_cannot_withdraw(invited: PoolSeeker) -> None:
    response = english().post(
        "/request/status/" + "x" * 43 + "/research/withdraw/", {"confirm": "on"}
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=invited.case.pk).research_consent


@pytest.fixture
def interviewed(invited: PoolSeeker, recruiting: Recruiting) -> PoolSeeker:
    _answer(invited, "accept")
    participant = Participant.objects.get()
    interview = actions.do_create_interview(
        recruiting.owner.user, participant, kind="first", scheduled_on=None, language="en"
    )
    actions.do_store_recording(
        recruiting.owner.user,
        interview,
        SimpleUploadedFile("i.wav", tone_wav(), content_type="audio/wav"),
    )
    add_transcript(interview, [("interviewer", "Hello."), ("participant", "Hello again.")])
    return invited


@pytest.mark.django_db
def test_withdrawing_on_the_status_page_deletes_everything_research_holds(
    interviewed: PoolSeeker, django_capture_on_commit_callbacks: object
) -> None:
    client = english()
    confirm = client.get(interviewed.url("service:status_research_withdraw"))
    assert confirm.status_code == 200
    unconfirmed = client.post(interviewed.url("service:status_research_withdraw"))
    assert unconfirmed.status_code == 400
    assert Participant.objects.exists()
    stored = Recording.objects.get().file
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            interviewed.url("service:status_research_withdraw"), {"confirm": "on"}
        )
    assert response.status_code == 302
    for model in (Participant, Interview, Recording, Transcript, Invitation):
        assert not model.objects.exists(), model
    assert not stored.storage.exists(stored.name)
    case = Case.objects.get(pk=interviewed.case.pk)
    assert not case.research_consent and case.research_id is None
    page = client.get(interviewed.url()).content.decode()
    assert "Withdraw from research" not in page
    assert client.get(interviewed.url("service:status_research_withdraw")).status_code == 404


@pytest.mark.django_db
def test_consent_outlives_the_cases_deletion(
    interviewed: PoolSeeker, recruiting: Recruiting
) -> None:
    pending = recruiting.seekers[2]
    actions.do_invite(recruiting.owner.user, recruiting.study, [str(pending.case.research_id)])
    delete_page = english().get(interviewed.url("service:status_delete")).content.decode()
    assert "withdraw" in delete_page.lower()
    service_actions.do_delete_case_data(interviewed.case, deleted_by="seeker")
    service_actions.do_delete_case_data(pending.case, deleted_by="retention")
    participant = Participant.objects.get()
    assert participant.contact_date is not None and participant.consent_version == "1.0"
    assert Transcript.objects.count() == 1
    # The invitation nobody can answer any more is gone; the accepted one stays.
    assert list(Invitation.objects.values_list("status", flat=True)) == ["accepted"]
    # The researcher can still withdraw the participant on request.
    client = recruiting.client()
    client.post(f"/research/participants/{participant.pk}/withdraw/", {"confirm": "on"})
    assert not Participant.objects.exists() and not Invitation.objects.exists()
