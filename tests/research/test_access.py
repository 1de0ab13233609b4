"""Who may open the research pages: only researchers named on the study."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tests.research.conftest import Studied, add_transcript


def _pages(studied: Studied) -> list[str]:
    interview = studied.interview.pk
    return [
        reverse("research:study", args=[studied.study.pk]),
        reverse("research:study_edit", args=[studied.study.pk]),
        reverse("research:participant", args=[studied.participant.pk]),
        reverse("research:participant_withdraw", args=[studied.participant.pk]),
        reverse("research:interview_new", args=[studied.participant.pk]),
        reverse("research:interview", args=[interview]),
        reverse("research:interview_edit", args=[interview]),
        reverse("research:job_status", args=[interview]),
        reverse("research:recording_delete", args=[interview]),
        reverse("research:transcript", args=[interview]),
        reverse("research:transcript_read", args=[interview]),
        reverse("research:transcript_download", args=[interview, "txt"]),
        reverse("research:deidentify", args=[interview]),
    ]


@pytest.fixture
def with_transcript(studied: Studied) -> Studied:
    add_transcript(studied.interview, [("interviewer", "Hei."), ("participant", "Hei igjen.")])
    return studied


@pytest.mark.django_db
def test_the_researcher_on_the_study_opens_every_page(with_transcript: Studied) -> None:
    client = with_transcript.owner.client("en")
    for url in _pages(with_transcript):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("research:studies")).status_code == 200


@pytest.mark.django_db
def test_a_researcher_not_on_the_study_gets_404_everywhere(with_transcript: Studied) -> None:
    client = with_transcript.stranger_researcher.client("en")
    for url in _pages(with_transcript):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code in {404, 405}, url
    listing = client.get(reverse("research:studies"))
    assert "Help-seeking study" not in listing.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["counsellor", "coordinator", "administrator", "outsider"])
def test_other_roles_are_refused(role: str, cast: Cast, with_transcript: Studied) -> None:
    client = cast.members()[role].client()
    for url in [reverse("research:studies"), *_pages(with_transcript)]:
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_a_stranger_is_sent_to_sign_in(with_transcript: Studied) -> None:
    for url in _pages(with_transcript):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")


@pytest.mark.django_db
def test_actions_refuse_get(with_transcript: Studied) -> None:
    client = with_transcript.owner.client("en")
    interview = with_transcript.interview.pk
    for name in [
        "recording_upload",
        "transcribe",
        "job_cancel",
        "deidentify_propose",
        "transcript_import",
    ]:
        assert client.get(reverse(f"research:{name}", args=[interview])).status_code == 405, name
    url = reverse("research:participant_new", args=[with_transcript.study.pk])
    assert client.get(url).status_code == 405
    assert client.put(reverse("research:transcript", args=[interview])).status_code == 405


@pytest.mark.django_db
def test_the_researcher_home_links_to_studies(studied: Studied) -> None:
    page = studied.owner.client("en").get(reverse("accounts:home")).content.decode()
    assert reverse("research:studies") in page
