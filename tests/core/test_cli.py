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


def test_the_demo_on_another_address_links_to_it_from_every_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import subprocess

    import kollega.cli as cli

    # Set first, so that what the demo writes into the environment is undone afterwards.
    monkeypatch.setenv("KOLLEGA_DEMO", "1")
    monkeypatch.setenv("SITE_URL", "unset")
    monkeypatch.delenv("SITE_URL")
    monkeypatch.setattr(cli, "_django_manage", lambda args: 0)
    monkeypatch.setattr(cli, "_write_demo_study", lambda: None)
    seen: list[str | None] = []

    def children(commands: list[list[str]]) -> int:
        # What each child process (server, worker, scheduler) will find in its environment.
        seen.append(os.environ.get("SITE_URL"))
        return 0

    monkeypatch.setattr(cli, "_run_together", children)
    monkeypatch.setattr(subprocess, "Popen", None)  # nothing is started for real
    assert main(["demo", "--bind", "127.0.0.1:8123"]) == 0
    assert seen == ["http://127.0.0.1:8123"]


def test_help_on_a_command_prints_that_commands_help() -> None:
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "kollega.cli", "help", "create_admin"],
        env=dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: kollega create_admin" in done.stdout
    assert "serve [--bind" not in done.stdout


def test_a_command_without_configuration_says_so_in_one_line() -> None:
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KOLLEGA_DATA_KEYS", "SECRET_KEY", "DJANGO_", "KOLLEGA_DEMO"))
    }
    done = subprocess.run(
        [sys.executable, "-m", "kollega.cli", "backup", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "SECRET_KEY is not set" in done.stderr
