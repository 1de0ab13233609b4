"""Rows a race already doubled before the constraints came are joined into the newest one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kollega.research.models import Study

BEFORE = [("workbench", "0001_analysis_and_four_steps")]
AFTER = [("workbench", "0002_one_condensate_and_analytic_text")]


@pytest.mark.django_db(transaction=True)
def test_doubled_condensates_and_analytic_texts_are_joined_and_no_words_lost() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    study = Study.objects.create(title="Help")  # research's tables are as they are now
    analysis = old.get_model("workbench", "Analysis").objects.create(study_id=study.pk, name="A")
    group = old.get_model("workbench", "CodeGroup").objects.create(analysis=analysis, name="G")
    subgroup = old.get_model("workbench", "Subgroup").objects.create(code_group=group, name="S")
    earlier = timezone.now() - timedelta(hours=1)
    condensate = old.get_model("workbench", "Condensate").objects
    condensate.create(subgroup=subgroup, text="Newest.", updated=timezone.now())
    condensate.create(subgroup=subgroup, text="Older.", updated=earlier)
    text = old.get_model("workbench", "AnalyticText").objects
    text.create(analysis=analysis, code_group=group, text="Older.", updated=earlier)
    text.create(analysis=analysis, code_group=group, text="Newest.", updated=timezone.now())
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    assert [c.text for c in new.get_model("workbench", "Condensate").objects.all()] == [
        "Newest.\n\nOlder."
    ]
    assert [t.text for t in new.get_model("workbench", "AnalyticText").objects.all()] == [
        "Newest.\n\nOlder."
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
