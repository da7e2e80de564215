"""The measures of the q07 claims: what self-attention and Bob's reordering cost, and what they compute.

Each measure takes ``(p, ctx)`` (the claim's protocol and its :class:`~verify.runner.Context`) and
returns a :class:`~verify.stats.Check` that the claim's declared ``Exact`` decision decides.  Costs
come from :func:`.attention.stage_costs` (FLOPs and softmaxed elements counted on meta tensors);
behaviour from float64 random Q, K, V, one draw per trial.
"""

from __future__ import annotations

import math

import torch

from ..stats import Check
from ..verdict import exact
from .attention import (bob_attention, bob_weights, random_qkv, scaling_table, sdpa_flops, stage_costs,
                        standard_attention)

__all__ = ["scaling", "softmax_share", "sdpa_count", "cost_ratio", "nxn_intermediates", "forms_differ",
           "forms_agree", "pairwise_scores", "token_mixing", "convex_weights", "efficient_attention_gap",
           "context_dependence", "query_dependence", "mixing_rank"]


def _slope(x, y, expected: float = 0.0) -> tuple[float, float]:
    """(slope of log y on log x, slope - expected)."""
    from ..stats import loglog_slope

    f = loglog_slope(x, y, expected=expected, tolerance=math.inf)   # the claim's decision applies the tolerance
    return f.statistic, f.difference


# ------------------------------------------------------------------------------------- costs --

def scaling(p, ctx) -> Check:
    """How far the measured ``p.metric`` of stage ``p.stage`` of ``p.form`` grows from n**n_slope
    (d fixed) and d**d_slope (n fixed): difference = the larger of the two slope misses."""
    by_n, by_d = scaling_table(p.form, p.stage, p.metric, p.ns, p.d_fixed, p.ds, p.n_fixed)
    if min(by_n + by_d) <= 0:
        return exact(False, reason=f"{p.metric} of stage {p.stage!r} is 0 somewhere: nothing to fit",
                     evidence={"by_n": by_n, "by_d": by_d})
    sn, dn = _slope(p.ns, by_n, p.n_slope)
    sd, dd = _slope(p.ds, by_d, p.d_slope)
    table = {"form": p.form, "stage": p.stage, "metric": p.metric,
             f"n (d={p.d_fixed})": list(p.ns), "count vs n": by_n, "slope in n": round(sn, 4),
             f"d (n={p.n_fixed})": list(p.ds), "count vs d": by_d, "slope in d": round(sd, 4)}
    return Check(difference=max(abs(dn), abs(dd)), statistic_name="max |slope - claimed|",
                 reason=f"slopes: n {sn:.3f} (claimed {p.n_slope}), d {sd:.3f} (claimed {p.d_slope})",
                 evidence=table)


def softmax_share(p, ctx) -> Check:
    """The log-log slope of (softmax elements / matmul FLOPs) of standard attention as ``p.axis``
    ('n' or 'd') grows; ok iff it is at least ``p.min_slope``."""
    sm_n, sm_d = scaling_table("standard", "softmax", "softmax_elements", p.ns, p.d_fixed, p.ds, p.n_fixed)
    fl_n, fl_d = scaling_table("standard", "total", "flops", p.ns, p.d_fixed, p.ds, p.n_fixed)
    x, sm, fl = (p.ns, sm_n, fl_n) if p.axis == "n" else (p.ds, sm_d, fl_d)
    ratio = [a / b for a, b in zip(sm, fl)]
    slope, _ = _slope(x, ratio)
    return Check(ok=slope >= p.min_slope, difference=slope, tolerance=p.min_slope,
                 statistic_name=f"slope of ratio vs {p.axis}",
                 evidence={p.axis: list(x), "softmax elements": sm, "matmul FLOPs": fl, "ratio": ratio})


def sdpa_count(p, ctx) -> Check:
    """FLOPs counted for F.scaled_dot_product_attention (backend ``p.backend``) vs the explicit
    matmuls; ok iff the counts are equal and the outputs agree within 1e-5 (float32)."""
    r = sdpa_flops(p.n, p.d, ctx.stream("qkv").base, p.backend)
    return Check(ok=r.sdpa == r.explicit and r.max_abs_diff <= 1e-5, difference=r.explicit - r.sdpa,
                 tolerance=0, statistic_name="explicit - SDPA FLOPs",
                 evidence={"sdpa": r.sdpa, "explicit": r.explicit, "max_abs_diff": r.max_abs_diff,
                           "backend": p.backend})


def cost_ratio(p, ctx) -> Check:
    """Bob's total FLOPs over the standard order's at every n in ``p.ns`` and d = n * r for r in
    ``p.d_over_n``; ok iff Bob's order is cheaper at every point."""
    rows = []
    for n in p.ns:
        for r in p.d_over_n:
            d = max(1, int(round(n * r)))
            bob, std = stage_costs("bob", n, d).total.flops, stage_costs("standard", n, d).total.flops
            rows.append({"n": n, "d": d, "bob": bob, "standard": std, "bob/standard": bob / std})
    return Check(ok=all(r["bob"] < r["standard"] for r in rows), difference=max(r["bob/standard"] for r in rows),
                 tolerance=1.0, statistic_name="max FLOP ratio bob/standard", evidence={"table": rows})


def nxn_intermediates(p, ctx) -> Check:
    """How many ops of form ``p.form`` output an (n, n) tensor; ok iff none does."""
    shapes = stage_costs(p.form, p.n, p.d).total.shapes
    nxn = [s for s in shapes if s == (p.n, p.n)]
    return Check(ok=not nxn, difference=len(nxn), tolerance=0, statistic_name="n x n intermediates",
                 evidence={"form": p.form, "op output shapes": shapes})


# --------------------------------------------------------------------------------- behaviour --

def _trials(p, ctx):
    """One float64 (Q, K, V) of shape (p.n, p.d) per trial, each from its own seed."""
    return [random_qkv(p.n, p.d, s) for s in ctx.seeds(p.trials, "qkv")]


def _form_diffs(p, ctx) -> list[float]:
    return [float((standard_attention(q, k, v, softmax=p.softmax)
                   - bob_attention(q, k, v, softmax=p.softmax)).abs().max()) for q, k, v in _trials(p, ctx)]


def forms_differ(p, ctx) -> Check:
    """max |standard - Bob| per trial (``p.softmax``: with or without the softmax); ok iff every
    trial differs by more than ``p.tol``."""
    diffs = _form_diffs(p, ctx)
    return Check(ok=min(diffs) > p.tol, difference=min(diffs), tolerance=p.tol,
                 statistic_name="min over trials of max |standard - Bob|",
                 evidence={"max_abs_diff_per_trial": diffs, "n": p.n, "d": p.d, "softmax": p.softmax})


def forms_agree(p, ctx) -> Check:
    """As :func:`forms_differ`; ok iff every trial agrees within ``p.tol``."""
    diffs = _form_diffs(p, ctx)
    return Check(ok=max(diffs) <= p.tol, difference=max(diffs), tolerance=p.tol,
                 statistic_name="max |standard - Bob|", evidence={"max_abs_diff_per_trial": diffs})


def pairwise_scores(p, ctx) -> Check:
    """A Hypothesis search over (n, d < n) for a product (``p.product``: 'qkt' = QK^T, 'ktv' =
    K^T V) that is not the n x n matrix of pairwise scores q_i . k_j with rows softmaxing to 1."""
    from hypothesis import strategies as st

    from ..lab.fuzz import counterexample

    data = ctx.stream("qkv")

    def ok(nd):
        n, d = nd
        q, k, _ = random_qkv(n, d, data.int(f"n={n},d={d}"))
        s = q @ k.T if p.product == "qkt" else k.T @ q
        if s.shape != (n, n):
            return False
        pair = torch.stack([torch.stack([q[i] @ k[j] for j in range(n)]) for i in range(n)])
        return bool((s - pair).abs().max() <= 1e-12 and (torch.softmax(s, -1).sum(-1) - 1).abs().max() <= 1e-12)

    shapes = st.integers(2, p.max_n).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n - 1)))
    bad = counterexample(shapes, ok, examples=p.examples, seed=ctx.stream("fuzz").base)
    return Check(ok=bad is None, statistic_name="counterexample (n, d)",
                 reason="" if bad is None else f"(n, d) = {bad} breaks the n x n pairwise-score property",
                 evidence={"counterexample": bad, "examples": p.examples, "product": p.product})


def token_mixing(p, ctx) -> Check:
    """Whether Bob's output (variant ``p.kv_map``) is W V with W = softmax(Q/sqrt d) K^T, W_ij a
    function of (q_i, k_j) alone: the larger of |Bob - W V| and the change of W outside column m
    when key m changes; ok iff both are within ``p.tol``."""
    worst, col_leak = 0.0, 0.0
    for q, k, v in _trials(p, ctx):
        out = bob_attention(q, k, v, kv_map=p.kv_map, key_softmax=p.key_softmax)
        w = bob_weights(q, k, key_softmax=p.key_softmax)
        worst = max(worst, float((out - w @ v).abs().max()))
        k2 = k.clone()
        k2[0] += 1.0
        col_leak = max(col_leak, float((bob_weights(q, k2) - bob_weights(q, k)).abs()[:, 1:].max()))
    return Check(ok=worst <= p.tol and col_leak <= p.tol, difference=max(worst, col_leak), tolerance=p.tol,
                 statistic_name="max |Bob - WV| or off-column change of W",
                 evidence={"max |Bob - W V|": worst, "change of W outside column m": col_leak,
                           "kv_map": p.kv_map, "W rows sum (last trial)": w.sum(-1)[:4].tolist(),
                           "W min (last trial)": float(torch.min(w))})


def convex_weights(p, ctx) -> Check:
    """Whether Bob's token-mixing W (``p.key_softmax``: with Shen et al.'s key softmax) is
    row-stochastic; ok iff in every trial out = W V, W >= -tol and every row sums to 1 within tol."""
    rows = []
    for q, k, v in _trials(p, ctx):
        out = bob_attention(q, k, v, kv_map=p.kv_map, key_softmax=p.key_softmax)
        w = bob_weights(q, k, key_softmax=p.key_softmax)
        rows.append({"|out - WV|": float((out - w @ v).abs().max()), "min W": float(w.min()),
                     "max |row sum - 1|": float((w.sum(-1) - 1).abs().max())})
    ok = all(r["|out - WV|"] <= p.tol and r["min W"] >= -p.tol and r["max |row sum - 1|"] <= p.tol for r in rows)
    return Check(ok=ok, difference=max(r["max |row sum - 1|"] for r in rows), tolerance=p.tol,
                 statistic_name="max |row sum of W - 1|", evidence={"trials": rows, "key_softmax": p.key_softmax})


def efficient_attention_gap(p, ctx) -> Check:
    """max |Bob - efficient attention softmax(Q/sqrt d)(softmax_seq(K)^T V)| per trial; ok iff every
    trial is within ``p.tol``."""
    diffs = []
    for q, k, v in _trials(p, ctx):
        out = bob_attention(q, k, v, kv_map=p.kv_map, key_softmax=p.key_softmax)
        eff = torch.softmax(q / math.sqrt(p.d), -1) @ (torch.softmax(k, dim=0).T @ v)
        diffs.append(float((out - eff).abs().max()))
    return Check(ok=max(diffs) <= p.tol, difference=max(diffs), tolerance=p.tol,
                 statistic_name="max |Bob - efficient attention|", evidence={"per trial": diffs})


def context_dependence(p, ctx) -> Check:
    """The largest change of Bob's out_i (i != m; ``p.aggregate``: summary over all tokens or each
    token's own) when token m's key and value move by +1; ok iff it is within ``p.tol``."""
    change = 0.0
    for q, k, v in _trials(p, ctx):
        base = bob_attention(q, k, v, aggregate=p.aggregate)
        k2, v2 = k.clone(), v.clone()
        k2[0] += 1.0
        v2[0] += 1.0
        change = max(change, float((bob_attention(q, k2, v2, aggregate=p.aggregate) - base)[1:].abs().max()))
    return Check(ok=change <= p.tol, difference=change, tolerance=p.tol, statistic_name="max change of out_i (i != m)",
                 evidence={"aggregate": p.aggregate, "max change": change})


def query_dependence(p, ctx) -> Check:
    """The largest change of Bob's out_0 when q_0 is redrawn (one new draw per trial); ok iff it is
    within ``p.tol``."""
    redraw = ctx.stream("redraw")
    change = 0.0
    for i, (q, k, v) in enumerate(_trials(p, ctx)):
        q2 = q.clone()
        q2[0] = torch.randn(p.d, generator=redraw.generator("q0", i), dtype=q.dtype)
        change = max(change, float((bob_attention(q2, k, v) - bob_attention(q, k, v))[0].abs().max()))
    return Check(ok=change <= p.tol, difference=change, tolerance=p.tol, statistic_name="max change of out_0",
                 evidence={"d": p.d, "max change": change})


def mixing_rank(p, ctx) -> Check:
    """Numerical ranks (float64) of Bob's W and of the softmax attention matrix per trial; ok iff
    Bob's is strictly lower in every trial."""
    rows = []
    for q, k, _ in _trials(p, ctx):
        a = torch.softmax(q @ k.T / math.sqrt(p.d), -1)
        rows.append({"rank Bob W": int(torch.linalg.matrix_rank(bob_weights(q, k))),
                     "rank softmax A": int(torch.linalg.matrix_rank(a))})
    return Check(ok=all(r["rank Bob W"] < r["rank softmax A"] for r in rows),
                 difference=max(r["rank Bob W"] - r["rank softmax A"] for r in rows), tolerance=0,
                 statistic_name="max rank(W_bob) - rank(A)", evidence={"n": p.n, "d": p.d, "trials": rows})
