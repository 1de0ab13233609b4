"""Cases that consented to research before the pool existed join it after the migration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _nodes() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The migration that adds the research id (whatever its number after merging) and the
    ones it depends on."""
    graph = MigrationExecutor(connection).loader.graph
    (node,) = [n for n in graph.nodes if n[0] == "service" and n[1].endswith("case_research_id")]
    return sorted(graph.node_map[node].parents, key=lambda n: n.key), [node]  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_consenting_cases_get_a_research_id_and_others_none() -> None:
    parents, after = _nodes()
    before = [p.key for p in parents]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("service", "Case")
    common = {"category": "coping", "token_hash": "", "status": "new"}
    old.objects.create(
        reference="K-AAAA-AAAA", research_consent=True, **common | {"token_hash": "a"}
    )
    old.objects.create(
        reference="K-BBBB-BBBB", research_consent=True, **common | {"token_hash": "b"}
    )
    old.objects.create(
        reference="K-CCCC-CCCC", research_consent=False, **common | {"token_hash": "c"}
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("service", "Case")
    ids = dict(new.objects.values_list("reference", "research_id"))
    assert ids["K-AAAA-AAAA"] and ids["K-BBBB-BBBB"]
    assert ids["K-AAAA-AAAA"] != ids["K-BBBB-BBBB"]
    assert ids["K-CCCC-CCCC"] is None
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
