"""The package installs on the Pythons of current Debian and Ubuntu releases (issue 24);
.ci/check-python-versions shows that every locked dependency has a release for them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[2]


def test_it_allows_python_3_11_to_3_13() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    allowed = SpecifierSet(project["requires-python"])
    for version in ("3.11", "3.12", "3.13"):
        assert version in allowed, f"{version} is shut out by {allowed}"
