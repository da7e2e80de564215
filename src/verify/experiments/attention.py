"""Attention experiments for q07 (cost and behaviour of softmax(QK^T/sqrt d)V vs Bob's
softmax(Q/sqrt d)(K^T V)) and q08 (softmax rows, Bahdanau-style alignment maps, a trained aligner).

Costs are *measured*: every stage runs on ``meta`` tensors (shapes only, no arithmetic) under the
lab's FLOP counter and op recorder (:mod:`verify.lab.measure`).  Two blind spots of the FLOP
counter matter here and are reported rather than papered over: softmax and other element-wise
ops count 0 FLOPs (so softmax work is counted as the number of elements it exponentiates), and
the fused ``F.scaled_dot_product_attention`` kernel on CPU counts 0 (see :func:`sdpa_flops`).
The claims' measures are in :mod:`.attention_measures` (q07), :mod:`.attention_rows` and
:mod:`.attention_aligner` (q08).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Mapping

import torch
from torch import nn

from ..lab.measure import OpRecorder, flops
from ..lab.memo import shared
from ..lab.models import BahdanauAligner, SlotTranslator

__all__ = ["standard_attention", "bob_attention", "bob_weights", "random_qkv", "StageCost", "FormCost",
           "stage_costs", "scaling_table", "SdpaCount", "sdpa_flops", "naive_softmax", "masked_softmax",
           "normalise_rows", "slot_task", "SlotSeed", "SlotRun", "trained_slot_attention",
           "BahdanauAligner", "SlotTranslator"]


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


def random_qkv(n: int, d: int, seed: int, dtype: torch.dtype = torch.float64):
    """Three n x d standard-normal matrices Q, K, V from one seeded generator."""
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(n, d, generator=g, dtype=dtype) for _ in range(3))


@dataclass(frozen=True)
class StageCost:
    """What one stage costs: matmul FLOPs, softmaxed elements, and the output shape of every op."""

    flops: int
    softmax_elements: int
    shapes: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class FormCost:
    """The measured cost of each named stage of one form, and their sum (``cost["total"]``)."""

    stages: Mapping[str, StageCost]
    total: StageCost

    def __getitem__(self, stage: str) -> StageCost:
        if stage == "total":
            return self.total
        if stage not in self.stages:
            raise ValueError(f"stage must be 'total' or one of {list(self.stages)}, got {stage!r}")
        return self.stages[stage]


METRICS = ("flops", "softmax_elements")


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
def stage_costs(form: str, n: int, d: int) -> FormCost:
    """Measured cost of each stage of ``form`` at sequence length n and width d (meta tensors)."""
    q, k, v = (torch.empty(n, d, device="meta") for _ in range(3))
    results: dict = {}
    stages: dict[str, StageCost] = {}
    for name, thunk in _stages(form, q, k, v):
        rec = OpRecorder()

        def run(name=name, thunk=thunk, rec=rec):
            with rec:
                results[name] = thunk(results)

        counted = flops(run)
        stages[name] = StageCost(counted, rec.softmax_elements, tuple(s for _, s in rec.ops))
    total = StageCost(sum(s.flops for s in stages.values()), sum(s.softmax_elements for s in stages.values()),
                      tuple(sh for s in stages.values() for sh in s.shapes))
    return FormCost(stages, total)


def scaling_table(form: str, stage: str, metric: str, ns, d_fixed: int, ds, n_fixed: int):
    """Two series for log-log fits: ``metric`` ('flops' or 'softmax_elements') vs n at fixed d,
    and vs d at fixed n."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    by_n = [getattr(stage_costs(form, n, d_fixed)[stage], metric) for n in ns]
    by_d = [getattr(stage_costs(form, n_fixed, d)[stage], metric) for d in ds]
    return by_n, by_d


@dataclass(frozen=True)
class SdpaCount:
    """FLOPs counted for the SDPA kernel and for the explicit matmuls, and how far outputs differ."""

    sdpa: int
    explicit: int
    max_abs_diff: float


_OPAQUE: list = []


def _opaque_sdpa():
    """SDPA wrapped in a custom operator with no FLOP formula: an attention kernel the counter
    cannot see into, whatever the torch version (registered once per process)."""
    if not _OPAQUE:
        @torch.library.custom_op("verify::opaque_sdpa", mutates_args=())
        def opaque_sdpa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
            return torch.nn.functional.scaled_dot_product_attention(q, k, v)

        _OPAQUE.append(opaque_sdpa)
    return _OPAQUE[0]


def sdpa_flops(n: int, d: int, seed: int, backend: str = "default") -> SdpaCount:
    """FLOPs the counter reports for F.scaled_dot_product_attention (``backend`` "default":
    whatever kernel torch picks on CPU, the fused flash kernel; "math": the unfused reference;
    "opaque": SDPA inside a custom operator without a FLOP formula) vs explicit matmuls on the
    same float32 CPU tensors, and the largest output difference."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, 1, n, d, generator=g) for _ in range(3))
    out: dict = {}
    pin = sdpa_kernel(SDPBackend.MATH) if backend == "math" else contextlib.nullcontext()
    sdpa = _opaque_sdpa() if backend == "opaque" else torch.nn.functional.scaled_dot_product_attention
    with pin:
        fused = flops(lambda: out.update(sdpa=sdpa(q, k, v)))
    explicit = flops(lambda: out.update(explicit=standard_attention(q, k, v)))
    return SdpaCount(fused, explicit, float((out["sdpa"] - out["explicit"]).abs().max()))


# --------------------------------------------------------------------------------------------
# q08: softmax rows (the aligner model is verify.lab.models.BahdanauAligner)
# --------------------------------------------------------------------------------------------

def naive_softmax(x, dim: int = -1):
    """exp(x)/sum exp(x) without subtracting the max (what torch.softmax does not do)."""
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


def masked_softmax(x, mask, *, fill: float = float("-inf"), dim: int = -1, impl: str = "torch"):
    """softmax over ``dim`` after x.masked_fill(mask, fill); mask True = masked out."""
    z = x.masked_fill(mask, fill)
    return torch.softmax(z, dim=dim) if impl == "torch" else naive_softmax(z, dim=dim)


def normalise_rows(z, dim: int, how: str):
    """The row normalisation under test: 'softmax' (attention), 'sigmoid' (independent gates, no
    normalisation), 'rowmax' (softmax then per-row rescaling so the brightest pixel is white)."""
    if how == "softmax":
        return torch.softmax(z, dim=dim)
    if how == "sigmoid":
        return torch.sigmoid(z)
    if how == "rowmax":
        y = torch.softmax(z, dim=dim)
        return y / y.amax(dim=dim, keepdim=True)
    raise ValueError(f"normalise must be 'softmax', 'sigmoid' or 'rowmax', got {how!r}")


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


@dataclass(frozen=True)
class SlotSeed:
    """One trained member, on the whole task: how peaked each slot's rows are, and its accuracy."""

    seed: int
    max_weight_a: float          # mean over sequences of slot A's largest attention weight
    max_weight_b: float
    b_weight_on_x0: float        # slot B's mean weight on each of the two words it needs
    b_weight_on_x3: float
    acc_a: float
    acc_b: float
    b_rows_spread: int           # slot-B rows with >= 2 weights above 0.05
    b_rows_spread_correct: int   # ... of which the prediction is right

    @property
    def spread_accuracy(self) -> float:
        """Slot-B accuracy on its spread rows (all slot-B rows when none is spread)."""
        return self.b_rows_spread_correct / self.b_rows_spread if self.b_rows_spread else self.acc_b


@dataclass(frozen=True)
class SlotRun:
    members: tuple[SlotSeed, ...]
    n_examples: int


@shared
def trained_slot_attention(stream, n_seeds: int, need_b: int, steps: int, vocab: int = 5,
                           t_x: int = 5, emb: int = 16, attn: int = 16, hidden: int = 64,
                           batch: int = 256, lr: float = 0.01) -> SlotRun:
    """Train ``n_seeds`` SlotTranslators (one vmapped ensemble; member i's init and batch order from
    ``stream.int("member", i)``) and measure each on the whole task."""
    from verify.lab.train import train_ensemble

    seeds = tuple(stream.ints("member", n_seeds))
    x, y = slot_task(vocab, t_x, need_b)
    ens = train_ensemble(lambda i: SlotTranslator(vocab, t_x, 2, emb, attn, hidden), seeds, x, y,
                         loss=slot_cross_entropy, steps=steps, batch_size=batch, lr=lr)
    members = []
    with torch.no_grad():
        for i in range(len(seeds)):
            m = ens.member(i)
            a, _ = m.attention(x)
            pred = m(x).argmax(-1)
            spread = (a[:, 1] > 0.05).sum(-1).ge(2)
            members.append(SlotSeed(
                seed=seeds[i], max_weight_a=float(a[:, 0].max(-1).values.mean()),
                max_weight_b=float(a[:, 1].max(-1).values.mean()),
                b_weight_on_x0=float(a[:, 1, 0].mean()), b_weight_on_x3=float(a[:, 1, 3].mean()),
                acc_a=float((pred[:, 0] == y[:, 0]).float().mean()),
                acc_b=float((pred[:, 1] == y[:, 1]).float().mean()),
                b_rows_spread=int(spread.sum()), b_rows_spread_correct=int((spread & (pred[:, 1] == y[:, 1])).sum())))
    return SlotRun(tuple(members), len(x))
