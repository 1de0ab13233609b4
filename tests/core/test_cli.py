"""The `kollega` command as a person at a terminal uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kollega.cli import _write_demo_study, main
from kollega.stc.io import validate_qdpx


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("serve", "worker", "scheduler", "demo", "stc", "speech"):
        assert f"  {command}" in out


def test_make_data_key_prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    from cryptography.fernet import Fernet

    assert main(["make-data-key"]) == 0
    Fernet(capsys.readouterr().out.strip().encode())


def test_the_demo_writes_the_stc_study_with_a_valid_qdpx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOLLEGA_VAR_DIR", str(tmp_path))
    _write_demo_study()
    study = tmp_path / "demo-study"
    assert "## Results" in (study / "report.md").read_text(encoding="utf-8")
    validate_qdpx(study / "demo-study.qdpx")
