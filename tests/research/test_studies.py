"""Studies, participants and withdrawal."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.research import actions
from kollega.research.models import Interview, Participant, Recording, Study, Transcript
from tests.cast import Cast
from tests.research.conftest import Studied, add_transcript, tone_wav, upload


@pytest.mark.django_db
def test_a_researcher_creates_a_study_and_is_on_it(cast: Cast) -> None:
    client = cast.researcher.client("en")
    response = client.post(
        reverse("research:study_new"),
        {"title": "Follow-up of peer support", "aims": "To learn.", "language": "en"},
    )
    study = Study.objects.get(title="Follow-up of peer support")
    assert response.url == reverse("research:study", args=[study.pk])
    assert list(study.researchers.all()) == [cast.researcher.user]
    assert study.language == "en"


@pytest.mark.django_db
def test_a_study_without_a_title_is_refused(cast: Cast) -> None:
    response = cast.researcher.client("en").post(reverse("research:study_new"), {"language": "nb"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Study.objects.exists()


@pytest.mark.django_db
def test_adding_a_colleague_lets_them_in_and_you_cannot_leave(studied: Studied) -> None:
    client = studied.owner.client("en")
    url = reverse("research:study_edit", args=[studied.study.pk])
    fields = {"title": "Help-seeking study", "aims": "", "language": "nb"}
    response = client.post(url, {**fields, "researchers": [studied.stranger_researcher.user.pk]})
    assert response.status_code == 400
    assert "cannot take yourself off" in response.content.decode()
    client.post(
        url,
        {**fields, "researchers": [studied.owner.user.pk, studied.stranger_researcher.user.pk]},
    )
    colleague = studied.stranger_researcher.client("en")
    assert colleague.get(reverse("research:study", args=[studied.study.pk])).status_code == 200


@pytest.mark.django_db
def test_a_researcher_id_beyond_the_database_is_refused_and_changes_nothing(
    studied: Studied,
) -> None:
    client = studied.owner.client("en")
    url = reverse("research:study_edit", args=[studied.study.pk])
    fields = {"title": "Another title", "aims": "", "language": "nb"}
    response = client.post(url, {**fields, "researchers": [studied.owner.user.pk, "9" * 40]})
    assert response.status_code == 400
    assert "not one of the available choices" in response.content.decode()
    studied.study.refresh_from_db()
    assert studied.study.title != "Another title"


@pytest.mark.django_db
def test_the_study_page_proposes_the_next_pseudonym(studied: Studied) -> None:
    page = studied.owner.client("en").get(reverse("research:study", args=[studied.study.pk]))
    assert 'value="P02"' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pseudonym", "message"),
    [("p01", "already has a participant"), ("Kari Nordmann", "without spaces"), ("", "required")],
)
def test_a_bad_pseudonym_is_refused(studied: Studied, pseudonym: str, message: str) -> None:
    response = studied.owner.client("en").post(
        reverse("research:participant_new", args=[studied.study.pk]), {"pseudonym": pseudonym}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Participant.objects.count() == 1


@pytest.mark.django_db
def test_an_interview_is_added_with_the_studys_language(studied: Studied) -> None:
    client = studied.owner.client("en")
    url = reverse("research:interview_new", args=[studied.participant.pk])
    assert 'value="nb" selected' in client.get(url).content.decode()
    response = client.post(
        url, {"kind": "follow_up", "scheduled_on": "2027-01-15", "language": "en"}
    )
    interview = Interview.objects.get(kind="follow_up")
    assert response.url == reverse("research:interview", args=[interview.pk])
    assert str(interview.scheduled_on) == "2027-01-15"
    bad = client.post(url, {"kind": "first", "scheduled_on": "2027-13-45", "language": "nb"})
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in bad.content.decode()
    assert Interview.objects.count() == 2


@pytest.mark.django_db
def test_withdrawal_deletes_interviews_transcripts_and_audio_files(
    studied: Studied, django_capture_on_commit_callbacks: object
) -> None:
    recording = actions.do_store_recording(
        studied.owner.user, studied.interview, upload(tone_wav())
    )
    add_transcript(studied.interview, [("participant", "Jeg heter Trond.")])
    name = recording.file.name
    assert default_storage.exists(name)
    client = studied.owner.client("en")
    url = reverse("research:participant_withdraw", args=[studied.participant.pk])
    assert client.post(url, {}).status_code == 400  # the box is not ticked
    assert Participant.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(url, {"confirm": "on"})
    assert response.url == reverse("research:study", args=[studied.study.pk])
    assert not Participant.objects.exists()
    assert not Interview.objects.exists()
    assert not Recording.objects.exists()
    assert not Transcript.objects.exists()
    assert not default_storage.exists(name)
    event = AuditEvent.objects.get(action="research.participant.withdraw")
    assert event.details["deleted"] == {"interviews": 1, "recordings": 1, "transcripts": 1}
    assert "Trond" not in str(event.details)


@pytest.mark.django_db
def test_an_administrator_ends_a_study_and_its_files_go(
    studied: Studied, cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    recording = actions.do_store_recording(
        studied.owner.user, studied.interview, upload(tone_wav())
    )
    client = cast.administrator.client("en")
    listing = client.get(f"/{settings.ADMIN_PATH}research/study/").content.decode()
    assert "Help-seeking study" in listing
    assert "P01" not in listing
    assert client.get(f"/{settings.ADMIN_PATH}research/transcript/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(
            f"/{settings.ADMIN_PATH}research/study/{studied.study.pk}/delete/", {"post": "yes"}
        )
    assert not Study.objects.exists()
    assert not Recording.objects.exists()
    assert not default_storage.exists(recording.file.name)
    assert AuditEvent.objects.filter(action="research.study.delete").count() == 1
