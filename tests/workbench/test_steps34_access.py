"""Steps 3-4 and results: only researchers on the study (others 404, other roles 403)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tests.workbench.conftest import Bench
from tests.workbench.steps34 import condensed

GET_PAGES = ["condensation_index", "synthesis", "check", "results", "export_qdpx", "export_qdc"]


def urls(bench: Bench) -> list[str]:
    pk = bench.analysis.pk
    group = bench.groups[0].pk
    return [
        *(reverse(f"workbench:{name}", args=[pk]) for name in GET_PAGES),
        reverse("workbench:condensation", args=[pk, group]),
        reverse("workbench:download", args=[pk, "report", "docx"]),
        reverse("workbench:download", args=[pk, "coreq", "csv"]),
    ]


def test_a_researcher_not_on_the_study_gets_404_everywhere(bench: Bench) -> None:
    condensed(bench)
    client = bench.stranger.client()
    for url in urls(bench):
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("workbench:subgroup_add", args=[bench.analysis.pk, bench.groups[0].pk]),
        reverse("workbench:category_add", args=[bench.analysis.pk]),
        reverse("workbench:import_qdc", args=[bench.analysis.pk]),
    ]:
        assert client.post(url, {"name": "x"}).status_code == 404, url


@pytest.mark.parametrize("role", ["counsellor", "coordinator", "administrator", "outsider"])
def test_other_roles_get_403(bench: Bench, cast: Cast, role: str) -> None:
    client = cast.members()[role].client()
    for url in [*urls(bench), reverse("workbench:import_qdpx")]:
        assert client.get(url).status_code == 403, url


def test_strangers_are_sent_to_sign_in(bench: Bench) -> None:
    for url in urls(bench):
        response = Client().get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"], url


def test_wrong_methods_are_refused(bench: Bench) -> None:
    client = bench.owner.client()
    pk = bench.analysis.pk
    for url in [
        reverse("workbench:check", args=[pk]),
        reverse("workbench:results", args=[pk]),
        reverse("workbench:export_qdpx", args=[pk]),
        reverse("workbench:download", args=[pk, "steps", "md"]),
    ]:
        assert client.post(url).status_code == 405, url
    assert client.get(reverse("workbench:import_qdc", args=[pk])).status_code == 405
    assert client.put(reverse("workbench:synthesis", args=[pk])).status_code == 405


def test_a_colleague_on_the_study_works_on_the_same_analysis(bench: Bench) -> None:
    condensed(bench)
    client = bench.colleague.client()
    for url in urls(bench):
        assert client.get(url).status_code == 200, url
