"""Tiny sentence-transformers model folders, made here with random weights (never downloaded).

The layout is the one EmbeddingGemma, LaBSE and multilingual-e5 ship in: ``modules.json``,
the Transformer's ``config.json``, ``tokenizer.json`` and ``model.safetensors`` at the top,
then ``1_Pooling``, optional ``N_Dense`` folders and a Normalize module.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

WORDS = [
    "i",
    "could",
    "not",
    "sleep",
    "at",
    "night",
    "and",
    "woke",
    "at",
    "three",
    "went",
    "through",
    "my",
    "patients",
    "the",
    "tiredness",
    "stayed",
    "with",
    "me",
    "all",
    "day",
    "afraid",
    "somebody",
    "work",
    "would",
    "find",
    "out",
    "record",
    "follow",
    "colleague",
    "called",
    "back",
    "listened",
    "jeg",
    "sov",
    "ikke",
    "om",
    "natta",
    "var",
    "redd",
    "for",
    "at",
    "noen",
    "på",
    "jobben",
    "skulle",
    "få",
    "vite",
    "task",
    "search",
    "result",
    "query",
    "title",
    "none",
    "text",
]
SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>"]  # Gemma's order: pad 0, eos 1, bos 2


def bf16_words(arr: np.ndarray) -> np.ndarray:
    """bfloat16 as stored: the upper 16 bits of each float32 (values already representable)."""
    return (np.ascontiguousarray(arr, dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)


def to_bf16_values(arr: np.ndarray) -> np.ndarray:
    """The float32 values a bfloat16 tensor holds (lower 16 bits dropped)."""
    words = np.ascontiguousarray(arr, dtype=np.float32).view(np.uint32) & 0xFFFF0000
    return words.view(np.float32)


def write_safetensors(path: Path, tensors: dict[str, np.ndarray], dtype: str = "F32") -> None:
    """The safetensors format: an 8-byte header length, a JSON header, the raw data."""
    header: dict[str, object] = {}
    blobs: list[bytes] = []
    offset = 0
    for name, arr in tensors.items():
        if dtype == "BF16":
            data = bf16_words(arr).tobytes()
        else:
            data = np.ascontiguousarray(arr, dtype=np.float16 if dtype == "F16" else np.float32)
            data = data.tobytes()
        header[name] = {
            "dtype": dtype,
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + b"".join(blobs))


def write_tokenizer(path: Path) -> int:
    """A word-level tokenizer with Gemma-style ``<bos> … <eos>`` framing; returns its size."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    vocab = {t: i for i, t in enumerate([*SPECIALS, *dict.fromkeys(WORDS)])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="<bos> $A <eos>", special_tokens=[("<bos>", 2), ("<eos>", 1)]
    )
    tok.save(str(path))
    return len(vocab)


def _modules(folder: Path, extra: list[tuple[str, str]]) -> None:
    mods = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]
    for i, (path, kind) in enumerate(extra, start=1):
        mods.append(
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
        )
    (folder / "modules.json").write_text(json.dumps(mods))


def _dense(folder: Path, rng: np.random.Generator, n_in: int, n_out: int, act: str) -> None:
    folder.mkdir()
    (folder / "config.json").write_text(
        json.dumps(
            {
                "in_features": n_in,
                "out_features": n_out,
                "bias": act == "Tanh",
                "activation_function": f"torch.nn.modules.activation.{act}"
                if act == "Tanh"
                else "torch.nn.modules.linear.Identity",
            }
        )
    )
    tensors = {"linear.weight": rng.normal(0, 0.3, (n_out, n_in))}
    if act == "Tanh":
        tensors["linear.bias"] = rng.normal(0, 0.1, n_out)
    write_safetensors(folder / "model.safetensors", tensors)


def make_gemma(folder: Path, *, seed: int = 0, max_seq_length: int = 2048) -> Path:
    """A two-layer bidirectional Gemma 3 encoder (one sliding, one full layer), mean pooling,
    Dense 8→12→8 and Normalize, with EmbeddingGemma's prompts."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    vocab = write_tokenizer(folder / "tokenizer.json")
    hidden, heads, kv, head_dim, inter = 8, 2, 1, 4, 16
    cfg = {
        "architectures": ["Gemma3TextModel"],
        "model_type": "gemma3_text",
        "hidden_size": hidden,
        "num_hidden_layers": 2,
        "num_attention_heads": heads,
        "num_key_value_heads": kv,
        "head_dim": head_dim,
        "intermediate_size": inter,
        "query_pre_attn_scalar": head_dim,
        "rms_norm_eps": 1e-6,
        "rope_theta": 1_000_000.0,
        "rope_local_base_freq": 10_000.0,
        "sliding_window": 4,
        "layer_types": ["sliding_attention", "full_attention"],
        "vocab_size": vocab,
        "max_position_embeddings": 2048,
        "use_bidirectional_attention": True,
    }
    (folder / "config.json").write_text(json.dumps(cfg))
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": max_seq_length})
    )
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps(
            {
                "prompts": {
                    "query": "task: search result | query: ",
                    "document": "title: none | text: ",
                },
                "default_prompt_name": None,
            }
        )
    )
    w: dict[str, np.ndarray] = {"embed_tokens.weight": rng.normal(0, 1, (vocab, hidden))}
    for i in range(2):
        p = f"layers.{i}."
        for name, shape in {
            "self_attn.q_proj.weight": (heads * head_dim, hidden),
            "self_attn.k_proj.weight": (kv * head_dim, hidden),
            "self_attn.v_proj.weight": (kv * head_dim, hidden),
            "self_attn.o_proj.weight": (hidden, heads * head_dim),
            "mlp.gate_proj.weight": (inter, hidden),
            "mlp.up_proj.weight": (inter, hidden),
            "mlp.down_proj.weight": (hidden, inter),
        }.items():
            w[p + name] = rng.normal(0, 0.3, shape)
        for name in (
            "input_layernorm",
            "post_attention_layernorm",
            "pre_feedforward_layernorm",
            "post_feedforward_layernorm",
        ):
            w[p + name + ".weight"] = rng.normal(0, 0.1, hidden)
        w[p + "self_attn.q_norm.weight"] = rng.normal(0, 0.1, head_dim)
        w[p + "self_attn.k_norm.weight"] = rng.normal(0, 0.1, head_dim)
    w["norm.weight"] = rng.normal(0, 0.1, hidden)
    write_safetensors(folder / "model.safetensors", w)
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": hidden, "pooling_mode_mean_tokens": True})
    )
    _dense(folder / "2_Dense", rng, hidden, 12, "Identity")
    _dense(folder / "3_Dense", rng, 12, hidden, "Identity")
    _modules(
        folder,
        [
            ("1_Pooling", "Pooling"),
            ("2_Dense", "Dense"),
            ("3_Dense", "Dense"),
            ("4_Normalize", "Normalize"),
        ],
    )
    return folder


def make_bert(folder: Path, *, seed: int = 1, pooling: str = "cls") -> Path:
    """A one-layer BERT encoder, CLS pooling, Dense with tanh and Normalize (LaBSE's shape);
    no prompts in its configuration."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    vocab = write_tokenizer(folder / "tokenizer.json")
    hidden, inter = 8, 16
    cfg = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hidden,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "intermediate_size": inter,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": 64,
        "type_vocab_size": 2,
        "vocab_size": vocab,
    }
    (folder / "config.json").write_text(json.dumps(cfg))
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 64}))
    w: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": rng.normal(0, 1, (vocab, hidden)),
        "embeddings.position_embeddings.weight": rng.normal(0, 0.1, (64, hidden)),
        "embeddings.token_type_embeddings.weight": rng.normal(0, 0.1, (2, hidden)),
        "embeddings.LayerNorm.weight": np.ones(hidden),
        "embeddings.LayerNorm.bias": np.zeros(hidden),
    }
    p = "encoder.layer.0."
    for name, shape in {
        "attention.self.query": (hidden, hidden),
        "attention.self.key": (hidden, hidden),
        "attention.self.value": (hidden, hidden),
        "attention.output.dense": (hidden, hidden),
        "intermediate.dense": (inter, hidden),
        "output.dense": (hidden, inter),
    }.items():
        w[p + name + ".weight"] = rng.normal(0, 0.3, shape)
        w[p + name + ".bias"] = rng.normal(0, 0.1, shape[0])
    for name in ("attention.output.LayerNorm", "output.LayerNorm"):
        w[p + name + ".weight"] = np.ones(hidden)
        w[p + name + ".bias"] = np.zeros(hidden)
    write_safetensors(folder / "model.safetensors", w)
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps(
            {
                "word_embedding_dimension": hidden,
                "pooling_mode_cls_token": pooling == "cls",
                "pooling_mode_mean_tokens": pooling == "mean",
            }
        )
    )
    _dense(folder / "2_Dense", rng, hidden, hidden, "Tanh")
    _modules(folder, [("1_Pooling", "Pooling"), ("2_Dense", "Dense"), ("3_Normalize", "Normalize")])
    return folder
