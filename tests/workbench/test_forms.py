"""The workbench's forms: limits come from the models, and a refused post changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kollega.workbench.models import Analysis, CodeGroup, MeaningUnit, Subgroup
from tests.workbench.conftest import Bench, htmx
from tests.workbench.steps34 import coded


@pytest.mark.django_db
def test_a_name_over_the_models_limit_is_refused_and_nothing_is_made(bench: Bench) -> None:
    client = bench.owner.client("en")
    limit = Analysis._meta.get_field("name").max_length
    assert limit is not None
    response = client.post(
        reverse("workbench:analyses"), {"study": bench.study.pk, "name": "x" * (limit + 1)}
    )
    assert response.status_code == 400
    assert f"at most {limit} characters" in response.content.decode()
    assert Analysis.objects.count() == 1

    response = client.post(
        reverse("workbench:group_add", args=[bench.analysis.pk]), {"name": "x" * (limit + 1)}
    )
    assert response.status_code == 302
    assert CodeGroup.objects.filter(analysis=bench.analysis).count() == len(bench.groups)


@pytest.mark.django_db
def test_a_subgroup_post_with_an_unknown_unit_is_refused_on_its_page(bench: Bench) -> None:
    coded(bench)
    group = CodeGroup.objects.get(analysis=bench.analysis, name="Exhaustion")
    url = reverse("workbench:subgroup_add", args=[bench.analysis.pk, group.pk])
    response = bench.owner.client("en").post(url, {"name": "Nights", "units": ["one"]})
    assert response.status_code == 400
    assert "Unknown meaning unit." in response.content.decode()
    assert not Subgroup.objects.exists()


@pytest.mark.django_db
def test_a_unit_with_an_unknown_code_group_is_refused(bench: Bench) -> None:
    start, end = bench.span("Jeg var sliten etter mange vakter.")
    url = reverse("workbench:unit_create", args=[bench.analysis.pk, bench.version.pk])
    response = htmx(bench.owner.client("en")).post(
        url, {"start": start, "end": end, "group": "999999"}
    )
    assert response.status_code == 200
    assert "Unknown code group." in response.content.decode()
    assert not MeaningUnit.objects.exists()
