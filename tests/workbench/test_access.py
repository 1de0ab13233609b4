"""Who may open an analysis: the researchers on its study; others 404, other roles 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.workbench.models import MeaningUnit
from tests.cast import Cast
from tests.workbench.conftest import Bench


def _pages(bench: Bench) -> list[str]:
    a, v = bench.analysis.pk, bench.version.pk
    return [
        reverse("workbench:analysis", args=[a]),
        reverse("workbench:impression", args=[a]),
        reverse("workbench:coding", args=[a, v]),
        reverse("workbench:compare", args=[a, v]),
        reverse("workbench:group_edit", args=[a, bench.groups[0].pk]),
    ]


@pytest.mark.django_db
def test_the_owner_and_a_colleague_on_the_study_open_every_page(bench: Bench) -> None:
    for member in (bench.owner, bench.colleague):
        client = member.client("en")
        for url in _pages(bench):
            assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_researcher_not_on_the_study_gets_404_everywhere(bench: Bench) -> None:
    client = bench.stranger.client("en")
    for url in _pages(bench):
        assert client.get(url).status_code == 404, url
    start, end = bench.span("sliten")
    url = reverse("workbench:unit_create", args=[bench.analysis.pk, bench.version.pk])
    assert client.post(url, {"start": start, "end": end}).status_code == 404
    assert not MeaningUnit.objects.exists()
    page = client.get(reverse("workbench:analyses")).content.decode()
    assert "First analysis" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["counsellor", "coordinator", "administrator", "outsider"])
def test_other_roles_get_403(bench: Bench, cast: Cast, role: str) -> None:
    client = cast.members()[role].client("en")
    for url in [reverse("workbench:analyses"), *_pages(bench)]:
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_a_stranger_is_sent_to_sign_in(bench: Bench, client: object) -> None:
    response = client.get(_pages(bench)[2])  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


@pytest.mark.django_db
def test_wrong_methods_are_refused(bench: Bench) -> None:
    client = bench.owner.client("en")
    a, v = bench.analysis.pk, bench.version.pk
    assert client.get(reverse("workbench:unit_create", args=[a, v])).status_code == 405
    assert client.get(reverse("workbench:unit_code", args=[a])).status_code == 405
    assert client.get(reverse("workbench:themes_suggest", args=[a])).status_code == 405
    assert client.post(reverse("workbench:coding", args=[a, v])).status_code == 405
    assert client.delete(reverse("workbench:analysis", args=[a])).status_code == 405


@pytest.mark.django_db
def test_opening_a_transcript_is_audited(bench: Bench) -> None:
    client = bench.owner.client("en")
    client.get(reverse("workbench:coding", args=[bench.analysis.pk, bench.version.pk]))
    client.get(reverse("workbench:impression", args=[bench.analysis.pk]))
    events = AuditEvent.objects.filter(action="workbench.transcript.view")
    assert events.count() == 2
    assert {e.details["step"] for e in events} == {1, 2}


@pytest.mark.django_db
def test_researchers_texts_are_encrypted_at_rest(bench: Bench) -> None:
    from django.db import connection

    from kollega.workbench import actions

    actions.do_add_theme(bench.owner.user, bench.analysis, label="Skam over å be om hjelp")
    with connection.cursor() as cursor:
        cursor.execute("SELECT label FROM workbench_theme")
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT text FROM workbench_analysistranscript")
        (text,) = cursor.fetchone()
    assert "Skam" not in stored
    assert "sliten" not in text
