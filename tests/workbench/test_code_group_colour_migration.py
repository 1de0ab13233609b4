"""Code groups that existed before colours get the palette in turn, per analysis."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kollega.research.models import Study

BEFORE = [("workbench", "0003_coding_rounds")]
AFTER = [("workbench", "0004_code_group_colour")]


@pytest.mark.django_db(transaction=True)
def test_existing_groups_get_different_colours_in_their_order() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    study = Study.objects.create(title="Help")
    analysis_model = old.get_model("workbench", "Analysis")
    group_model = old.get_model("workbench", "CodeGroup")
    first = analysis_model.objects.create(study_id=study.pk, name="A")
    second = analysis_model.objects.create(study_id=study.pk, name="B")
    for n in range(10):
        group_model.objects.create(analysis=first, name=f"G{n}", position=n)
    group_model.objects.create(analysis=second, name="Only", position=0)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    groups = new.get_model("workbench", "CodeGroup").objects
    colours = list(
        groups.filter(analysis_id=first.pk).order_by("position").values_list("colour", flat=True)
    )
    assert colours == [1, 2, 3, 4, 5, 6, 7, 8, 1, 2]
    assert groups.get(analysis_id=second.pk).colour == 1
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
