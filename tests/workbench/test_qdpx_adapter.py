"""The .qdpx adapter: what other programs see of an analysis's code groups."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kollega.workbench import adapters
from kollega.workbench.models import CodeGroup
from tests.workbench.conftest import Bench

NS = "{urn:QDA-XML:project:1.0}"


@pytest.mark.django_db
def test_a_heading_only_code_group_is_exported_as_not_codable(bench: Bench, tmp_path: Path) -> None:
    import defusedxml.ElementTree as SafeET

    heading = CodeGroup.objects.create(analysis=bench.analysis, name="Body", codable=False)
    child = bench.groups[0]
    child.parent = heading
    child.save()
    out = tmp_path / "a.qdpx"
    adapters.write_qdpx(bench.analysis, out)
    with zipfile.ZipFile(out) as zf:
        root = SafeET.fromstring(zf.read("project.qde"))
    codable = {c.get("name"): c.get("isCodable") for c in root.iter(f"{NS}Code")}
    assert codable["Body"] == "false"
    assert codable[child.name] == "true"
