"""The anonymous statistics row that a deleted request leaves has no way back to the request."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.models import CaseStatistic
from tests.service.conftest import submit


def test_it_leaves_no_audit_row_naming_the_statistics_row(db: None) -> None:
    seekers = [submit(region="finnmark") for _ in range(4)]
    case_ids = [s.case.pk for s in seekers]
    for seeker in seekers:
        response = Client().post(seeker.url("service:status_delete"), {"confirm": "on"})
        assert response.status_code in {200, 302}
    stats = list(CaseStatistic.objects.all())
    assert len(stats) == 4
    for event in AuditEvent.objects.all():
        assert "statistic" not in event.details
        text = json.dumps(event.details)
        for stat in stats:
            assert str(stat.pk) not in text, (event.action, event.details)
    # The row names no case: no relation, no case field, and a key that is no running number
    # to line up with the deletions' audit times.
    for field in CaseStatistic._meta.concrete_fields:
        assert not field.is_relation
        assert "case" not in field.name
    for stat in stats:
        assert stat.pk not in case_ids
        assert stat.pk >= 2**32


def test_retention_also_leaves_no_link(db: None) -> None:
    seeker = submit()
    actions.do_cancel_request(seeker.case)
    stat = actions.do_delete_case_data(seeker.case, deleted_by="retention")
    event = AuditEvent.objects.get(action="service.case.delete_data")
    assert event.details == {"deleted_by": "retention"}
    assert stat.pk >= 2**32


@pytest.mark.django_db(transaction=True)
def test_the_migration_strips_old_links_and_rekeys_old_rows() -> None:
    before = [("core", "0001_initial"), ("service", "0006_merge_away_and_translations")]
    after = [("core", "0002_unlink_statistics_from_audit")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    state = executor.loader.project_state(before).apps
    old_event = state.get_model("core", "AuditEvent")
    old_stat = state.get_model("service", "CaseStatistic")
    stats = [
        old_stat.objects.create(
            month="2026-10-01",
            category="coping",
            source="web",
            final_status="closed",
            deleted_by="seeker",
        )
        for _ in range(3)
    ]
    old_event.objects.create(
        action="service.case.delete_data",
        object_type="service.case",
        object_id="17",
        details={"deleted_by": "seeker", "statistic": stats[0].pk},
    )
    old_event.objects.create(action="other", details={"statistic": "kept"})
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    event = new.get_model("core", "AuditEvent").objects.get(object_id="17")
    assert event.details == {"deleted_by": "seeker"}
    assert new.get_model("core", "AuditEvent").objects.get(action="other").details == {
        "statistic": "kept"
    }
    keys = list(new.get_model("service", "CaseStatistic").objects.values_list("pk", flat=True))
    assert len(keys) == 3
    assert all(key >= 2**32 for key in keys)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
