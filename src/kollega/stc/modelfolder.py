"""A sentence-embedding model from a local folder in the sentence-transformers layout.

The organisation places the folder (``KOLLEGA_EMBEDDING_MODEL``); it is read offline, on the
CPU, with numpy and the ``tokenizers`` wheel only: no torch. What the folder must hold:

* ``modules.json``: the pipeline, in order: a Transformer, a Pooling, optional Dense layers and
  an optional Normalize (``sentence_transformers.models.*``);
* the Transformer's ``config.json`` (architecture ``Gemma3TextModel``, as EmbeddingGemma, or
  ``BertModel``/``XLMRobertaModel``, as LaBSE and multilingual-e5), ``tokenizer.json`` and
  ``model.safetensors``; ``sentence_bert_config.json`` for the longest input;
* ``<module>/config.json`` (and ``model.safetensors`` for Dense) for each further module;
* ``config_sentence_transformers.json``: its ``prompts`` give the prefix for queries and for
  documents (EmbeddingGemma's ``task: search result | query: ``); E5 folders without prompts
  get E5's ``query: ``/``passage: ``.

Weights are memory-mapped float32/float16/bfloat16 and computed in float32, so only the rows
of the (large) token embedding that a text uses are read. A text longer than the model's
input is split into overlapping windows whose vectors are averaged by length, never cut off.
The model's identity is its folder name and the SHA-256 of its weights (`FolderEmbedder.model_id`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["FolderEmbedder", "ModelFolderError", "read_safetensors", "weights_sha256"]

Kind = Literal["passage", "query"]
F32 = NDArray[np.float32]

_ST = "sentence_transformers.models."
# A masked score: finite, so a padded row whose every key is masked stays finite (a NaN there
# would reach real rows through 0 * NaN in the next layer's attention).
_MASKED = -1e9
_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16, "F64": np.float64}


class ModelFolderError(ValueError):
    """The folder is not a usable sentence-transformers model; the message says what is wrong."""


# --- Files ---------------------------------------------------------------------------------


def read_safetensors(path: Path) -> dict[str, NDArray[Any]]:
    """Memory-mapped arrays of a ``.safetensors`` file by tensor name.

    bfloat16 tensors come back wrapped (`_Bf16`: rows widen to float32 when read); the rest
    as read-only memmaps. Raises `ModelFolderError` for a file that is not safetensors or
    whose header does not match its data.
    """
    try:
        with path.open("rb") as f:
            (size,) = struct.unpack("<Q", f.read(8))
            if size > 100_000_000:
                raise ModelFolderError(f"{path}: not a safetensors file")
            header = json.loads(f.read(size))
    except (OSError, struct.error, ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, ModelFolderError):
            raise
        raise ModelFolderError(f"{path}: not a readable safetensors file ({exc})") from exc
    base = 8 + size
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    out: dict[str, NDArray[Any]] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = _DTYPES.get(meta["dtype"])
            if dtype is None:
                raise ModelFolderError(
                    f"{path}: tensor {name} has unsupported type {meta['dtype']}"
                )
            start, end = meta["data_offsets"]
            if not 0 <= start <= end <= len(raw) - base:
                raise ModelFolderError(f"{path}: tensor {name} lies outside the file")
            arr = raw[base + start : base + end].view(dtype).reshape(meta["shape"])
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ModelFolderError):
                raise
            raise ModelFolderError(f"{path}: tensor {name} is malformed ({exc})") from exc
        out[name] = _Bf16(arr) if meta["dtype"] == "BF16" else arr  # type: ignore[assignment]
    return out


class _Bf16:
    """A bfloat16 tensor kept as its raw 16-bit words; rows widen to float32 when read."""

    def __init__(self, words: NDArray[np.uint16]) -> None:
        self.words = words
        self.shape = words.shape

    def __getitem__(self, index: Any) -> F32:
        w = np.asarray(self.words[index], dtype=np.uint32) << 16
        return w.view(np.float32)


def _as_f32(arr: Any) -> F32:
    if isinstance(arr, _Bf16):
        return arr[...]
    out: F32 = np.asarray(arr, dtype=np.float32)
    return out


def _rows(arr: Any, ids: NDArray[np.int64]) -> F32:
    """Rows ``ids`` of an embedding table, as float32, reading only those rows."""
    if isinstance(arr, _Bf16):
        return arr[ids]
    out: F32 = np.asarray(arr[ids], dtype=np.float32)
    return out


@functools.lru_cache(maxsize=16)
def _sha256_file(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def weights_sha256(path: Path) -> str:
    """SHA-256 of one weights file, computed once per process (keyed by size and mtime)."""
    st = path.stat()
    return _sha256_file(str(path), st.st_size, st.st_mtime_ns)


def _json(path: Path, *, required: bool = True) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise ModelFolderError(f"{path.parent}: no {path.name}; not a model folder")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFolderError(f"{path}: not readable JSON ({exc})") from exc
    if not isinstance(data, dict | list):
        raise ModelFolderError(f"{path}: unexpected content")
    return data if isinstance(data, dict) else {"modules": data}


# --- Layers --------------------------------------------------------------------------------


def _linear(x: F32, w: Any, b: Any = None) -> F32:
    y: F32 = x @ _as_f32(w).T
    if b is not None:
        y += _as_f32(b)
    return y


def _layer_norm(x: F32, w: Any, b: Any, eps: float) -> F32:
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    out: F32 = (x - mu) / np.sqrt(var + eps) * _as_f32(w) + _as_f32(b)
    return out


def _gemma_rms_norm(x: F32, w: Any, eps: float) -> F32:
    """Gemma's RMSNorm: the learned scale is stored as (scale - 1)."""
    out: F32 = x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps) * (1.0 + _as_f32(w))
    return out


def _gelu_tanh(x: F32) -> F32:
    y = 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))
    out: F32 = np.asarray(y, dtype=np.float32)  # no copy: already float32
    return out


def _gelu_erf(x: F32) -> F32:
    # Imported when used: scipy is slow to load and only this path needs it.
    from scipy.special import erf

    out: F32 = (0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))).astype(np.float32)
    return out


def _softmax(s: F32) -> F32:
    s = s - s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return s


def _attend(q: F32, k: F32, v: F32, bias: F32, scale: float) -> F32:
    """q (B,H,T,D), k and v (B,Hkv,T,D), additive bias broadcastable to (B,H,T,T)."""
    if k.shape[1] != q.shape[1]:  # grouped-query attention: share each key head
        rep = q.shape[1] // k.shape[1]
        k = np.repeat(k, rep, axis=1)
        v = np.repeat(v, rep, axis=1)
    scores: F32 = (q @ k.transpose(0, 1, 3, 2)) * np.float32(scale) + bias
    out: F32 = _softmax(scores) @ v
    return out


def _heads(x: F32, n: int) -> F32:
    b, t, _ = x.shape
    out: F32 = x.reshape(b, t, n, -1).transpose(0, 2, 1, 3)
    return out


def _merge(x: F32) -> F32:
    b, h, t, d = x.shape
    out: F32 = x.transpose(0, 2, 1, 3).reshape(b, t, h * d)
    return out


def _strip(weights: dict[str, Any], prefixes: Sequence[str]) -> dict[str, Any]:
    for p in prefixes:
        if any(k.startswith(p) for k in weights):
            return {k.removeprefix(p): v for k, v in weights.items()}
    return weights


class _Gemma3:
    """Gemma 3 text encoder with bidirectional attention (EmbeddingGemma)."""

    def __init__(self, cfg: dict[str, Any], w: dict[str, Any]) -> None:
        self.w = _strip(w, ("model.", "language_model.model."))
        self.n_layers = int(cfg["num_hidden_layers"])
        self.n_heads = int(cfg["num_attention_heads"])
        self.n_kv = int(cfg.get("num_key_value_heads", self.n_heads))
        self.head_dim = int(cfg.get("head_dim", cfg["hidden_size"] // self.n_heads))
        self.hidden = int(cfg["hidden_size"])
        self.eps = float(cfg.get("rms_norm_eps", 1e-6))
        self.scale = float(cfg.get("query_pre_attn_scalar", self.head_dim)) ** -0.5
        window = cfg.get("sliding_window")
        # Bidirectional Gemma 3 looks (window // 2) tokens either way (transformers' rule).
        self.window = None if window is None else int(window) // 2 + 1
        types = cfg.get("layer_types")
        if not types:
            pattern = int(cfg.get("sliding_window_pattern", 6))
            types = [
                "full_attention" if (i + 1) % pattern == 0 else "sliding_attention"
                for i in range(self.n_layers)
            ]
        self.sliding = [t == "sliding_attention" for t in types]
        self.theta_global = float(cfg.get("rope_theta", 1_000_000.0))
        self.theta_local = float(cfg.get("rope_local_base_freq", 10_000.0))
        scaling = cfg.get("rope_scaling") or {}
        self.rope_factor = float(scaling.get("factor", 1.0)) if scaling else 1.0
        if "embed_tokens.weight" not in self.w:
            raise ModelFolderError("the weights hold no embed_tokens.weight for Gemma 3")

    def _rope(self, t: int, theta: float, factor: float) -> tuple[F32, F32]:
        d = self.head_dim
        inv = 1.0 / (theta ** (np.arange(0, d, 2, dtype=np.float64) / d)) / factor
        ang = np.arange(t, dtype=np.float64)[:, None] * inv[None, :]
        ang = np.concatenate([ang, ang], axis=1)
        return np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)

    @staticmethod
    def _rotate(x: F32, cos: F32, sin: F32) -> F32:
        half = x.shape[-1] // 2
        rot = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
        out: F32 = np.asarray(x * cos + rot * sin, dtype=np.float32)
        return out

    def __call__(self, ids: NDArray[np.int64], mask: NDArray[np.bool_]) -> F32:
        w, eps = self.w, self.eps
        b, t = ids.shape
        x = _rows(w["embed_tokens.weight"], ids.reshape(-1)).reshape(b, t, -1)
        x *= np.float32(math.sqrt(self.hidden))
        pad = np.where(mask, 0.0, _MASKED).astype(np.float32)[:, None, None, :]
        pos = np.arange(t)
        near = np.abs(pos[:, None] - pos[None, :]) < (self.window or t + 1)
        local = pad + np.where(near, 0.0, _MASKED).astype(np.float32)[None, None]
        ropes = {
            False: self._rope(t, self.theta_global, self.rope_factor),
            True: self._rope(t, self.theta_local, 1.0),
        }
        for i in range(self.n_layers):
            p = f"layers.{i}."
            h = _gemma_rms_norm(x, w[p + "input_layernorm.weight"], eps)
            q = _heads(_linear(h, w[p + "self_attn.q_proj.weight"]), self.n_heads)
            k = _heads(_linear(h, w[p + "self_attn.k_proj.weight"]), self.n_kv)
            v = _heads(_linear(h, w[p + "self_attn.v_proj.weight"]), self.n_kv)
            q = _gemma_rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = _gemma_rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
            cos, sin = ropes[self.sliding[i]]
            q, k = self._rotate(q, cos, sin), self._rotate(k, cos, sin)
            a = _attend(q, k, v, local if self.sliding[i] else pad, self.scale)
            h = _linear(_merge(a), w[p + "self_attn.o_proj.weight"])
            x = x + _gemma_rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
            h = _gemma_rms_norm(x, w[p + "pre_feedforward_layernorm.weight"], eps)
            gate = _gelu_tanh(_linear(h, w[p + "mlp.gate_proj.weight"]))
            h = _linear(
                gate * _linear(h, w[p + "mlp.up_proj.weight"]), w[p + "mlp.down_proj.weight"]
            )
            x = x + _gemma_rms_norm(h, w[p + "post_feedforward_layernorm.weight"], eps)
        return _gemma_rms_norm(x, w["norm.weight"], eps)


class _Bert:
    """BERT and XLM-RoBERTa encoders (LaBSE, multilingual-e5, paraphrase-multilingual-…)."""

    def __init__(self, cfg: dict[str, Any], w: dict[str, Any], *, roberta: bool) -> None:
        self.w = _strip(w, ("bert.", "roberta.", "model."))
        self.n_layers = int(cfg["num_hidden_layers"])
        self.n_heads = int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.head_dim = int(cfg["hidden_size"]) // self.n_heads
        self.act: Callable[[F32], F32] = (
            _gelu_tanh if cfg.get("hidden_act") in ("gelu_new", "gelu_pytorch_tanh") else _gelu_erf
        )
        # RoBERTa numbers positions from padding_idx + 1.
        self.pos_offset = int(cfg.get("pad_token_id", 1)) + 1 if roberta else 0
        if "embeddings.word_embeddings.weight" not in self.w:
            raise ModelFolderError("the weights hold no embeddings.word_embeddings.weight")

    def __call__(self, ids: NDArray[np.int64], mask: NDArray[np.bool_]) -> F32:
        w, eps = self.w, self.eps
        b, t = ids.shape
        e = "embeddings."
        x = _rows(w[e + "word_embeddings.weight"], ids.reshape(-1)).reshape(b, t, -1)
        x += _rows(w[e + "position_embeddings.weight"], np.arange(t) + self.pos_offset)[None]
        if e + "token_type_embeddings.weight" in w:
            x += _rows(w[e + "token_type_embeddings.weight"], np.zeros(1, dtype=np.int64))
        x = _layer_norm(x, w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], eps)
        pad = np.where(mask, 0.0, _MASKED).astype(np.float32)[:, None, None, :]
        for i in range(self.n_layers):
            p = f"encoder.layer.{i}."

            def lin(h: F32, name: str, p: str = p) -> F32:
                return _linear(h, w[p + name + ".weight"], w[p + name + ".bias"])

            q = _heads(lin(x, "attention.self.query"), self.n_heads)
            k = _heads(lin(x, "attention.self.key"), self.n_heads)
            v = _heads(lin(x, "attention.self.value"), self.n_heads)
            a = lin(_merge(_attend(q, k, v, pad, self.head_dim**-0.5)), "attention.output.dense")
            o = p + "attention.output.LayerNorm."
            x = _layer_norm(x + a, w[o + "weight"], w[o + "bias"], eps)
            h = lin(self.act(lin(x, "intermediate.dense")), "output.dense")
            x = _layer_norm(
                x + h, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps
            )
        return x


# --- The pipeline --------------------------------------------------------------------------


@dataclass(slots=True)
class _Dense:
    weight: Any
    bias: Any
    tanh: bool

    def __call__(self, x: F32) -> F32:
        y = _linear(x, self.weight, self.bias)
        return np.tanh(y) if self.tanh else y


_E5_PROMPTS = {"query": "query: ", "passage": "passage: "}


class FolderEmbedder:
    """Embeds texts with the sentence-transformers model in ``path`` (see the module notes).

    ``max_tokens`` caps the tokens of one window (default: the folder's ``max_seq_length``);
    ``overlap`` is the share of a window repeated in the next; ``batch_tokens`` bounds the
    padded tokens computed at once (memory). Loading happens on first use; the constructor
    only checks that the folder looks like a model (raises `ModelFolderError` otherwise).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        max_tokens: int | None = None,
        overlap: float = 0.25,
        batch_tokens: int = 4096,
    ) -> None:
        self.path = Path(path)
        self.max_tokens = max_tokens
        self.overlap = overlap
        self.batch_tokens = batch_tokens
        if not self.path.is_dir():
            raise ModelFolderError(f"{self.path}: no such folder")
        self._modules = self._read_modules()
        self._loaded: tuple[Any, Any, list[Callable[[F32], F32]], bool] | None = None

    # -- the folder ---------------------------------------------------------------------

    def _read_modules(self) -> list[dict[str, Any]]:
        modules = _json(self.path / "modules.json")["modules"]
        if not isinstance(modules, list) or not modules:
            raise ModelFolderError(f"{self.path}/modules.json: lists no modules")
        kinds = [str(m.get("type", "")).removeprefix(_ST) for m in modules]
        if kinds[0] != "Transformer" or "Pooling" not in kinds:
            raise ModelFolderError(
                f"{self.path}: modules.json must start with a Transformer and hold a Pooling"
            )
        allowed = {"Transformer", "Pooling", "Dense", "Normalize"}
        if unknown := [k for k in kinds if k not in allowed]:
            raise ModelFolderError(f"{self.path}: unsupported module(s) {', '.join(unknown)}")
        for m in modules:
            m["kind"] = str(m["type"]).removeprefix(_ST)
        return list(modules)

    def _folder(self, module: dict[str, Any]) -> Path:
        return self.path / str(module.get("path", ""))

    @functools.cached_property
    def weights_file(self) -> Path:
        """The Transformer's weights (``model.safetensors``)."""
        f = self._folder(self._modules[0]) / "model.safetensors"
        if not f.is_file():
            raise ModelFolderError(
                f"{f.parent}: no model.safetensors (only safetensors weights can be read)"
            )
        return f

    @functools.cached_property
    def sha256(self) -> str:
        """SHA-256 of the Transformer's weights file: which checkpoint this is."""
        return weights_sha256(self.weights_file)

    @property
    def name(self) -> str:
        return self.path.resolve().name

    @property
    def model_id(self) -> str:
        """``<folder name>@sha256:<first 16 hex digits of the weights' SHA-256>``."""
        return f"{self.name}@sha256:{self.sha256[:16]}"

    @functools.cached_property
    def cache_id(self) -> str:
        """``model_id`` and a hash of everything else that shapes a vector: the folder's
        configuration files, tokenizer and other modules' weights, and this object's window
        settings. The embedding cache keys on it, so an edited folder never serves old vectors."""
        h = hashlib.sha256(repr((self.max_tokens, self.overlap)).encode())
        folders = [self.path] + [self._folder(m) for m in self._modules[1:]]
        for folder in dict.fromkeys(folders):
            for f in sorted(folder.glob("*.json")) + sorted(folder.glob("*.safetensors")):
                if f != self.weights_file:
                    h.update(f"{f.relative_to(self.path)}\0{weights_sha256(f)}\0".encode())
        return f"{self.model_id}+{h.hexdigest()[:12]}"

    @functools.cached_property
    def prompts(self) -> dict[Kind, str]:
        """The prefix for each kind of text, from ``config_sentence_transformers.json``."""
        cfg = _json(self.path / "config_sentence_transformers.json", required=False)
        given = cfg.get("prompts") or {}
        if not given:
            return dict(_E5_PROMPTS) if "e5" in self.name.lower() else {"query": "", "passage": ""}  # type: ignore[return-value]
        query = given.get("query", "")
        passage = given.get("document", given.get("passage", given.get("Retrieval-document", "")))
        return {"query": str(query), "passage": str(passage)}

    # -- loading ------------------------------------------------------------------------

    def _load(self) -> tuple[Any, Any, list[Callable[[F32], F32]], bool]:
        if self._loaded is not None:
            return self._loaded
        # Imported when used: tokenizers is slow to load and only this path needs it.
        from tokenizers import Tokenizer

        top = self._folder(self._modules[0])
        cfg = _json(top / "config.json")
        tok_file = top / "tokenizer.json"
        if not tok_file.is_file():
            raise ModelFolderError(f"{top}: no tokenizer.json")
        try:
            tokenizer = Tokenizer.from_file(str(tok_file))
        except Exception as exc:  # the tokenizers wheel raises a bare Exception
            raise ModelFolderError(f"{tok_file}: not a tokenizer ({exc})") from exc
        tokenizer.no_truncation()
        tokenizer.no_padding()
        weights = read_safetensors(self.weights_file)
        arch = " ".join(cfg.get("architectures") or []) + " " + str(cfg.get("model_type", ""))
        encoder: Any
        if "Gemma3" in arch or "gemma3" in arch:
            encoder = _Gemma3(cfg, weights)
        elif "XLMRoberta" in arch or "xlm-roberta" in arch or "Roberta" in arch:
            encoder = _Bert(cfg, weights, roberta=True)
        elif "Bert" in arch or "bert" in arch:
            encoder = _Bert(cfg, weights, roberta=False)
        else:
            raise ModelFolderError(f"{top}: unsupported architecture {arch.strip() or '?'}")
        st = _json(top / "sentence_bert_config.json", required=False)
        limit = int(st.get("max_seq_length") or cfg.get("max_position_embeddings") or 512)
        if self.max_tokens is None:
            self.max_tokens = limit
        after: list[Callable[[F32], F32]] = []
        pooling: dict[str, Any] = {}
        normalise = False
        for m in self._modules[1:]:
            folder = self._folder(m)
            if m["kind"] == "Pooling":
                pooling = _json(folder / "config.json")
            elif m["kind"] == "Dense":
                dcfg = _json(folder / "config.json")
                dw_file = folder / "model.safetensors"
                if not dw_file.is_file():
                    raise ModelFolderError(f"{folder}: no model.safetensors")
                dw = read_safetensors(dw_file)
                act = str(dcfg.get("activation_function", ""))
                after.append(_Dense(dw["linear.weight"], dw.get("linear.bias"), "Tanh" in act))
            elif m["kind"] == "Normalize":
                normalise = True
        if pooling.get("pooling_mode_cls_token"):
            mode = "cls"
        elif pooling.get("pooling_mode_lasttoken"):
            mode = "last"
        elif pooling.get("pooling_mode_mean_tokens", True):
            mode = "mean"
        else:
            raise ModelFolderError(f"{self.path}: unsupported pooling {pooling}")
        self._mode = mode
        self._include_prompt = bool(pooling.get("include_prompt", True))
        self._loaded = (tokenizer, encoder, after, normalise)
        return self._loaded

    # -- embedding ----------------------------------------------------------------------

    def _windows(self, tokenizer: Any, prompt: str, text: str) -> list[tuple[list[int], int]]:
        """Each window's token ids (special tokens, the prompt, then a slice of the text) and
        how many leading ids are special tokens or the prompt."""
        enc = tokenizer.encode(prompt + text)
        ids: list[int] = list(enc.ids)
        special = list(enc.special_tokens_mask)
        offsets = list(enc.offsets)
        head = 0
        while head < len(ids) and (special[head] or offsets[head][1] <= len(prompt)):
            head += 1
        limit = self.max_tokens or len(ids)
        if len(ids) <= limit:
            return [(ids, head)]
        tail = len(ids)
        while tail > head and special[tail - 1]:
            tail -= 1
        room = limit - head - (len(ids) - tail)
        if room < 8:
            raise ModelFolderError(f"{self.path}: max_tokens {self.max_tokens} leaves no room")
        step = max(1, int(room * (1.0 - self.overlap)))
        out: list[tuple[list[int], int]] = []
        for s in range(head, tail, step):
            out.append((ids[:head] + ids[s : min(s + room, tail)] + ids[tail:], head))
            if s + room >= tail:
                break
        return out

    def _pool(self, h: F32, mask: NDArray[np.bool_], pooled: NDArray[np.bool_]) -> F32:
        """The Pooling module: the first token, the last real one, or the mean of ``pooled``."""
        if self._mode == "cls":
            return h[:, 0, :]
        if self._mode == "last":
            last = mask.sum(axis=1) - 1
            return h[np.arange(h.shape[0]), last, :]
        m = pooled[:, :, None].astype(np.float32)
        out: F32 = (h * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
        return out

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> F32:
        """One L2-normalised float32 row per text (every embedder's rows compare alike).

        A text longer than ``max_tokens`` is embedded window by window (each window the
        special tokens, the prompt, then the next stretch of text, overlapping by
        ``overlap``); the windows' vectors, each normalised where the folder ends in
        Normalize, are averaged weighted by their token counts.
        """
        tokenizer, encoder, after, normalise = self._load()
        prompt = self.prompts.get(kind, "")
        windows: list[tuple[int, list[int], int]] = []
        for i, text in enumerate(texts):
            windows += [(i, w, head) for w, head in self._windows(tokenizer, prompt, text)]
        dim: int | None = None
        sums: dict[int, F32] = {}
        weights: dict[int, float] = {}
        order = sorted(range(len(windows)), key=lambda j: len(windows[j][1]))
        start = 0
        pad_id = 0
        while start < len(order):
            longest = len(windows[order[start]][1])
            end = start + 1
            while end < len(order):
                longest = max(longest, len(windows[order[end]][1]))
                if longest * (end - start + 1) > self.batch_tokens:
                    break
                end += 1
            batch = [windows[j] for j in order[start:end]]
            t = max(len(toks) for _i, toks, _h in batch)
            ids = np.full((len(batch), t), pad_id, dtype=np.int64)
            mask = np.zeros((len(batch), t), dtype=bool)
            pooled = np.zeros((len(batch), t), dtype=bool)
            for r, (_i, toks, head) in enumerate(batch):
                ids[r, : len(toks)] = toks
                mask[r, : len(toks)] = True
                # include_prompt false: the special tokens and prompt are read, not pooled.
                pooled[r, 0 if self._include_prompt else head : len(toks)] = True
            vecs = self._pool(encoder(ids, mask), mask, pooled)
            for fn in after:
                vecs = fn(vecs)
            if normalise:  # each window a unit vector, as the model makes it
                vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
            for r, (i, toks, _h) in enumerate(batch):
                # A window counts by its length, so a short last window weighs little.
                v = vecs[r] * np.float32(len(toks))
                sums[i] = sums[i] + v if i in sums else v
                weights[i] = weights.get(i, 0.0) + len(toks)
            dim = vecs.shape[1]
            start = end
        if dim is None:
            dim = self._dimension(after)
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, v in sums.items():
            out[i] = v / np.float32(weights[i])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        result: F32 = (out / norms).astype(np.float32)
        return result

    def _dimension(self, after: list[Callable[[F32], F32]]) -> int:
        for fn in reversed(after):
            if isinstance(fn, _Dense):
                return int(fn.weight.shape[0])
        cfg = _json(self._folder(self._modules[0]) / "config.json")
        return int(cfg["hidden_size"])
