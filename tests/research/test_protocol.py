"""The study protocol: questions, ethics reference, dimensions, consent versions, the guide and
the waves — each saved, and bad input refused with nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.research.models import ConsentVersion, GuideTopic, Study, Wave
from tests.cast import Cast
from tests.research.pool import Recruiting, recruiting_fixture  # noqa: F401


@pytest.mark.django_db
def test_a_new_study_gets_the_usual_two_waves(cast: Cast) -> None:
    client = cast.researcher.client("en")
    response = client.post(
        reverse("research:study_new"),
        {"title": "Waves", "language": "nb", "standard_waves": "on"},
    )
    assert response.status_code == 302
    waves = list(Study.objects.get(title="Waves").waves.values_list("opens_day", "closes_day"))
    assert waves == [(0, 10), (335, 395)]


@pytest.mark.django_db
def test_a_new_study_can_start_without_waves(cast: Cast) -> None:
    cast.researcher.client("en").post(
        reverse("research:study_new"), {"title": "No waves", "language": "nb"}
    )
    assert not Study.objects.get(title="No waves").waves.exists()


@pytest.mark.django_db
def test_the_protocol_is_saved(recruiting: Recruiting) -> None:
    response = recruiting.client().post(
        recruiting.url("protocol"),
        {
            "research_questions": "Why now?",
            "ethics_reference": "REK 999",
            "target_sample": "13",
            "dimensions": ["gender", "category"],
        },
    )
    assert response.status_code == 302
    study = Study.objects.get(pk=recruiting.study.pk)
    assert (study.ethics_reference, study.target_sample) == ("REK 999", 13)
    assert study.dimensions == ["gender", "category"]
    assert AuditEvent.objects.filter(action="research.protocol.update").count() == 2
    page = recruiting.client().get(recruiting.url("protocol")).content.decode()
    assert "REK 999" in page and "Why now?" in page


@pytest.mark.django_db
def test_an_unknown_dimension_is_refused(recruiting: Recruiting) -> None:
    response = recruiting.client().post(
        recruiting.url("protocol"), {"dimensions": ["shoe_size"], "target_sample": "5"}
    )
    assert response.status_code == 400
    assert Study.objects.get(pk=recruiting.study.pk).dimensions == [
        "gender",
        "age_band",
        "specialty",
    ]


@pytest.mark.django_db
def test_consent_versions_are_kept_and_the_newest_is_current(recruiting: Recruiting) -> None:
    client = recruiting.client()
    client.post(recruiting.url("consent_add"), {"version": "2.0", "text": "New text."})
    assert recruiting.study.current_consent is not None
    assert recruiting.study.current_consent.version == "2.0"
    assert ConsentVersion.objects.filter(study=recruiting.study).count() == 2
    twice = client.post(recruiting.url("consent_add"), {"version": "2.0", "text": "Again."})
    assert twice.status_code == 400
    assert "already has a consent text version 2.0" in twice.content.decode()
    assert ConsentVersion.objects.filter(study=recruiting.study).count() == 2


@pytest.mark.django_db
def test_the_guide_keeps_its_order(recruiting: Recruiting) -> None:
    client = recruiting.client()
    for topic in ("Opening", "The decision to call", "The first conversation"):
        client.post(recruiting.url("guide_add"), {"topic": topic, "prompts": "Tell me\nAnd then?"})
    last = GuideTopic.objects.get(topic="The first conversation")
    client.post(reverse("research:guide_move", args=[last.pk]), {"direction": "up"})
    order = list(recruiting.study.guide_topics.values_list("topic", flat=True))
    assert order == ["Opening", "The first conversation", "The decision to call"]
    first = GuideTopic.objects.get(topic="Opening")
    client.post(reverse("research:guide_move", args=[first.pk]), {"direction": "up"})
    assert list(recruiting.study.guide_topics.values_list("topic", flat=True)) == order
    client.post(reverse("research:guide_remove", args=[first.pk]))
    assert recruiting.study.guide_topics.count() == 2
    page = client.get(recruiting.url("protocol")).content.decode()
    assert "And then?" in page


@pytest.mark.django_db
def test_an_empty_topic_is_refused(recruiting: Recruiting) -> None:
    response = recruiting.client().post(recruiting.url("guide_add"), {"topic": ""})
    assert response.status_code == 400
    assert not GuideTopic.objects.exists()


@pytest.mark.django_db
def test_a_wave_is_added_and_a_backwards_window_refused(recruiting: Recruiting) -> None:
    client = recruiting.client()
    bad = client.post(
        recruiting.url("wave_add"), {"name": "Third", "opens_day": "800", "closes_day": "700"}
    )
    assert bad.status_code == 400
    assert "close on or after" in bad.content.decode()
    assert Wave.objects.filter(study=recruiting.study).count() == 2
    client.post(
        recruiting.url("wave_add"), {"name": "Third", "opens_day": "700", "closes_day": "760"}
    )
    third = Wave.objects.get(name="Third")
    assert (third.number, third.opens_day, third.closes_day) == (3, 700, 760)
