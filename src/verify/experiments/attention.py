"""Attention experiments for q07 (cost and behaviour of softmax(QK^T/sqrt d)V vs Bob's
softmax(Q/sqrt d)(K^T V)) and q08 (Bahdanau-style alignment maps).

Costs are *measured*: every stage runs on ``meta`` tensors (shapes only, no arithmetic) under
``torch.utils.flop_counter.FlopCounterMode`` and an op recorder.  Two blind spots of the FLOP
counter matter here and are reported rather than papered over: softmax and other element-wise
ops count 0 FLOPs (so softmax work is counted as the number of elements it exponentiates), and
the fused ``F.scaled_dot_product_attention`` kernel on CPU counts 0 (see :func:`sdpa_flops`).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

from ..lab.memo import shared
from ..lab.models import BahdanauAligner, SlotTranslator

__all__ = ["standard_attention", "bob_attention", "bob_weights", "OpRecorder", "stage_costs",
           "scaling_table", "sdpa_flops", "BahdanauAligner", "naive_softmax", "masked_softmax"]


# --------------------------------------------------------------------------------------------
# q07: the two forms of attention, with explicit matmuls
# --------------------------------------------------------------------------------------------

def standard_attention(q, k, v, *, softmax: bool = True):
    """softmax(QK^T/sqrt d)V (or, with ``softmax=False``, the linear (QK^T/sqrt d)V)."""
    d = q.shape[-1]
    s = q @ k.transpose(-2, -1) / math.sqrt(d)
    a = torch.softmax(s, dim=-1) if softmax else s
    return a @ v


def bob_attention(q, k, v, *, softmax: bool = True, key_softmax: bool = False,
                  kv_map: str = "none", aggregate: str = "sum"):
    """Bob's softmax(Q/sqrt d)(K^T V), with the variants the falsifiers need.

    ``key_softmax``: also softmax K over the sequence (Shen et al. 2021, efficient attention).
    ``kv_map="tanh"``: a nonlinearity on the d x d summary K^T V.
    ``aggregate="self"``: each token uses its own k_i^T v_i instead of the sum over tokens.
    """
    d = q.shape[-1]
    kk = torch.softmax(k, dim=-2) if key_softmax else k
    qq = torch.softmax(q / math.sqrt(d), dim=-1) if softmax else q / math.sqrt(d)
    if aggregate == "self":
        kv = kk.unsqueeze(-1) * v.unsqueeze(-2)          # (n, d, d): k_i^T v_i per token
        return (qq.unsqueeze(-2) @ kv).squeeze(-2)
    kv = kk.transpose(-2, -1) @ v
    if kv_map == "tanh":
        kv = torch.tanh(kv)
    return qq @ kv


def bob_weights(q, k, *, key_softmax: bool = False):
    """The n x n token-mixing matrix W with bob_attention(q, k, v) == W @ v: W = softmax(Q/sqrt d) K^T."""
    d = q.shape[-1]
    kk = torch.softmax(k, dim=-2) if key_softmax else k
    return torch.softmax(q / math.sqrt(d), dim=-1) @ kk.transpose(-2, -1)


class OpRecorder(TorchDispatchMode):
    """Records every aten op run inside it: name and output shape; counts softmax elements
    (one exp per element: the work FlopCounterMode does not count)."""

    SOFTMAX = ("aten._softmax.default", "aten.softmax.int", "aten._log_softmax.default")

    def __init__(self):
        super().__init__()
        self.ops: list[tuple[str, tuple[int, ...]]] = []
        self.softmax_elements = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else ()
        self.ops.append((str(func), shape))
        if str(func) in self.SOFTMAX:
            self.softmax_elements += math.prod(shape)
        return out


def _stages(form: str, q, k, v):
    """The named stages of one form, each a thunk over the previous results."""
    d = q.shape[-1]
    if form == "standard":
        return [("scores", lambda r: q @ k.transpose(-2, -1)),
                ("scale", lambda r: r["scores"] / math.sqrt(d)),
                ("softmax", lambda r: torch.softmax(r["scale"], dim=-1)),
                ("mix", lambda r: r["softmax"] @ v)]
    if form == "bob":
        return [("kv", lambda r: k.transpose(-2, -1) @ v),
                ("scale", lambda r: q / math.sqrt(d)),
                ("softmax", lambda r: torch.softmax(r["scale"], dim=-1)),
                ("mix", lambda r: r["softmax"] @ r["kv"])]
    raise ValueError(f"form must be 'standard' or 'bob', got {form!r}")


@shared
def stage_costs(form: str, n: int, d: int) -> dict:
    """Measured cost of each stage of ``form`` at sequence length n and width d (meta tensors):
    {stage: {"flops", "softmax_elements", "shapes"}} plus "total"."""
    q, k, v = (torch.empty(n, d, device="meta") for _ in range(3))
    results: dict = {}
    out: dict = {}
    for name, thunk in _stages(form, q, k, v):
        rec = OpRecorder()
        with FlopCounterMode(display=False) as fc, rec:
            results[name] = thunk(results)
        out[name] = {"flops": int(fc.get_total_flops()), "softmax_elements": rec.softmax_elements,
                     "shapes": [s for _, s in rec.ops]}
    out["total"] = {"flops": sum(s["flops"] for s in out.values()),
                    "softmax_elements": sum(s["softmax_elements"] for s in out.values()),
                    "shapes": [sh for s in list(out.values()) for sh in s["shapes"]]}
    return out


def scaling_table(form: str, stage: str, metric: str, ns, d_fixed: int, ds, n_fixed: int):
    """Two series for log-log fits: metric vs n at fixed d, and vs d at fixed n."""
    by_n = [stage_costs(form, n, d_fixed)[stage][metric] for n in ns]
    by_d = [stage_costs(form, n_fixed, d)[stage][metric] for d in ds]
    return by_n, by_d


def sdpa_flops(n: int, d: int, seed: int, backend: str = "default") -> dict:
    """FLOPs FlopCounterMode reports for F.scaled_dot_product_attention (``backend`` "default":
    whatever kernel torch picks on CPU, the fused flash kernel; "math": the unfused reference) vs
    explicit matmuls on the same float32 CPU tensors, and the largest output difference."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, 1, n, d, generator=g) for _ in range(3))
    import contextlib

    pin = sdpa_kernel(SDPBackend.MATH) if backend == "math" else contextlib.nullcontext()
    with pin, FlopCounterMode(display=False) as fused:
        o1 = torch.nn.functional.scaled_dot_product_attention(q, k, v)
    with FlopCounterMode(display=False) as explicit:
        o2 = standard_attention(q, k, v)
    return {"sdpa": int(fused.get_total_flops()), "explicit": int(explicit.get_total_flops()),
            "max_abs_diff": float((o1 - o2).abs().max())}


# --------------------------------------------------------------------------------------------
# q08: softmax rows and a tiny Bahdanau-style aligner (random weights: the claims are structural)
# --------------------------------------------------------------------------------------------

def naive_softmax(x, dim: int = -1):
    """exp(x)/sum exp(x) without subtracting the max (what torch.softmax does not do)."""
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


def masked_softmax(x, mask, *, fill: float = float("-inf"), dim: int = -1, impl: str = "torch"):
    """softmax over ``dim`` after x.masked_fill(mask, fill); mask True = masked out."""
    z = x.masked_fill(mask, fill)
    return torch.softmax(z, dim=dim) if impl == "torch" else naive_softmax(z, dim=dim)


# --------------------------------------------------------------------------------------------
# q08c: a trained aligner on a task where one target slot needs one source word, another two
# --------------------------------------------------------------------------------------------


def slot_task(vocab: int, t_x: int, need_b: int):
    """Every source sequence over ``vocab`` of length t_x, and two target slots:
    slot A copies x_1 (needs one source word); slot B is (x_0 + x_3) mod vocab (needs two) or,
    with ``need_b=1``, copies x_3."""
    x = torch.cartesian_prod(*[torch.arange(vocab)] * t_x)
    a = x[:, 1]
    b = (x[:, 0] + x[:, 3]) % vocab if need_b == 2 else x[:, 3]
    return x, torch.stack([a, b], dim=1)


def slot_cross_entropy(out, y):
    return nn.functional.cross_entropy(out.flatten(0, -2), y.flatten())


@shared
def trained_slot_attention(seeds: tuple[int, ...], need_b: int, steps: int, vocab: int = 5,
                           t_x: int = 5, emb: int = 16, attn: int = 16, hidden: int = 64,
                           batch: int = 256, lr: float = 0.01) -> dict:
    """Train one SlotTranslator per seed (one vmapped ensemble); per seed, on the whole task:
    mean max attention weight of slot A's and slot B's rows, the mean weight on each needed
    source position, and each slot's accuracy."""
    from verify.lab.train import train_ensemble

    x, y = slot_task(vocab, t_x, need_b)
    ens = train_ensemble(lambda i: SlotTranslator(vocab, t_x, 2, emb, attn, hidden), seeds, x, y,
                         loss=slot_cross_entropy, steps=steps, batch_size=batch, lr=lr)
    rows = []
    with torch.no_grad():
        for i in range(len(seeds)):
            m = ens.member(i)
            a, _ = m.attention(x)
            pred = m(x).argmax(-1)
            rows.append({"seed": seeds[i],
                         "max_weight_A": float(a[:, 0].max(-1).values.mean()),
                         "max_weight_B": float(a[:, 1].max(-1).values.mean()),
                         "B_weight_on_x0": float(a[:, 1, 0].mean()),
                         "B_weight_on_x3": float(a[:, 1, 3].mean()),
                         "acc_A": float((pred[:, 0] == y[:, 0]).float().mean()),
                         "acc_B": float((pred[:, 1] == y[:, 1]).float().mean()),
                         "B_rows_spread": int((a[:, 1] > 0.05).sum(-1).ge(2).sum()),
                         "B_rows_spread_correct": int(((a[:, 1] > 0.05).sum(-1).ge(2)
                                                       & (pred[:, 1] == y[:, 1])).sum())})
    return {"rows": rows, "n_examples": len(x)}
