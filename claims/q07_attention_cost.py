"""q07 — The cost and the behaviour of self-attention, and Bob's reordering.

Reconstructed question: "Let Q, K, V be n x d matrices with d << n.
1) What is the time complexity of computing self-attention softmax(QK^T/sqrt(d))V?
2) Bob proposes to compute softmax(Q/sqrt(d))(K^T V) instead. What is the time complexity of his
   version? Is it better? Does it preserve the behaviour of attention?"

Costs are measured, not assumed: each stage runs on shape-only (``meta``) tensors under
``torch.utils.flop_counter.FlopCounterMode`` with explicit matmuls, and log-log slopes are fitted
with ``verify.stats.loglog_slope``.  Blind spots of the counter, stated where they matter:
element-wise ops (the 1/sqrt d scaling, softmax) count 0 FLOPs, so softmax work is measured as
the number of elements it exponentiates; and the fused ``F.scaled_dot_product_attention`` CPU
kernel counts 0 FLOPs (claim ``q07.1.alt.flop_counter_sees_fused_sdpa``).
"""

from verify import ANALYTIC, HOLDS, PROXY, REFUTED, Falsifier, claim, exact

# Grids shared by every scaling claim (one measurement each, memoised by (form, n, d)).
NS = (128, 256, 512, 1024, 2048)   # n doubles five times: d << n holds at every point (d_fixed=16)
D_FIXED = 16                       # a typical head width, << every n above
DS = (4, 8, 16, 32, 64)            # d doubles five times, all << n_fixed
N_FIXED = 4096                     # long enough that d << n at every d above
TOL = 0.05                         # FLOP counts of a matmul are exact integers: slopes are exact
                                   # up to float rounding; 0.05 separates 1 from 2 from 0 cleanly


def _scaling(p):
    """HOLDS iff the measured metric grows like n**n_slope at fixed d AND like d**d_slope at fixed n."""
    from verify.experiments.attention import scaling_table
    from verify.stats import loglog_slope

    by_n, by_d = scaling_table(p.form, p.stage, p.metric, NS, D_FIXED, DS, N_FIXED)
    if min(by_n + by_d) <= 0:
        return exact(False, reason=f"{p.metric} of stage {p.stage!r} is 0 somewhere: nothing to fit",
                     evidence={"by_n": by_n, "by_d": by_d})
    fn = loglog_slope(NS, by_n, expected=p.n_slope, tolerance=TOL, label="slope in n")
    fd = loglog_slope(DS, by_d, expected=p.d_slope, tolerance=TOL, label="slope in d")
    ok = fn.outcome is HOLDS and fd.outcome is HOLDS
    table = {"form": p.form, "stage": p.stage, "metric": p.metric,
             f"n (d={D_FIXED})": list(NS), "count vs n": by_n, "slope in n": round(fn.statistic, 4),
             f"d (n={N_FIXED})": list(DS), "count vs d": by_d, "slope in d": round(fd.statistic, 4)}
    return exact(ok, difference=max(abs(fn.difference), abs(fd.difference)), tolerance=TOL,
                 statistic_name="max |slope - claimed|",
                 reason=f"slopes: n {fn.statistic:.3f} (claimed {p.n_slope}), d {fd.statistic:.3f} "
                        f"(claimed {p.d_slope})", evidence=table)


_SCALING_RULE = ("HOLDS iff the log-log slope of the measured count vs n (d fixed at 16) is within "
                 "0.05 of the claimed n-exponent AND the slope vs d (n fixed at 4096) is within 0.05 "
                 "of the claimed d-exponent")
_GRID = dict(grid="n in 128..2048 at d=16; d in 4..64 at n=4096 (module constants NS, DS)")


def _proto(form, stage, metric, n_slope, d_slope):
    return dict(form=form,          # which computation order is measured
                stage=stage,        # which stage (or 'total') of it
                metric=metric,      # 'flops' (FlopCounterMode) or 'softmax_elements' (exp calls)
                n_slope=n_slope,    # the exponent of n the statement claims
                d_slope=d_slope,    # the exponent of d the statement claims
                **_GRID)


# ------------------------------------------------------------------------------ q07.1 --------

@claim(
    id="q07.1.flops.scores_n2d", question="q07.1",
    statement="Computing the score matrix QK^T for n x d matrices Q, K costs Theta(n^2 d) FLOPs: "
              "slope 2 in n at fixed d and slope 1 in d at fixed n.",
    quote="the time complexity of computing QK^T , is $O(n^2d)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="QK^T is an (n x d)(d x n) product: n^2 dot products of length d, 2n^2d FLOPs as "
              "FlopCounterMode counts them (a multiply-add = 2).",
    protocol=_proto("standard", "scores", "flops", 2, 1), rule=_SCALING_RULE,
    falsifier=Falsifier("measure_ktv", "measure Bob's first product K^T V instead (2nd^2 FLOPs): "
                        "slopes 1 in n and 2 in d", form="bob", stage="kv"),
)
def scores_n2d(p, ctx):
    return _scaling(p)


@claim(
    id="q07.1.softmax.n2_elements", question="q07.1",
    statement="The row softmax of the n x n score matrix exponentiates n^2 elements: its work is "
              "Theta(n^2), independent of d (and the 1/sqrt d scaling touches the same n^2 elements).",
    quote="apply softmax which takes $O(n^2)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="softmax is one exp per element of its n x n input plus a row sum and a division. "
              "FlopCounterMode counts 0 FLOPs for softmax (its blind spot), so the number of "
              "softmaxed elements recorded by a dispatch-mode op recorder is the measure.",
    protocol=_proto("standard", "softmax", "softmax_elements", 2, 0), rule=_SCALING_RULE,
    falsifier=Falsifier("softmax_of_q", "measure the softmax in Bob's order (over Q, n x d): "
                        "slopes 1 and 1", form="bob"),
)
def softmax_n2(p, ctx):
    return _scaling(p)


@claim(
    id="q07.1.flops.mix_n2d", question="q07.1",
    statement="Multiplying the n x n attention matrix by V (n x d) costs Theta(n^2 d) FLOPs.",
    quote="we multiple the result by the matrix V which has the dimensions $(n \\times d)$, so it takes $O(n^2d)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="(n x n)(n x d): n*d dot products of length n, 2n^2d FLOPs.",
    protocol=_proto("standard", "mix", "flops", 2, 1), rule=_SCALING_RULE,
    falsifier=Falsifier("bob_mix", "measure Bob's final product softmax(Q)(K^T V) (2nd^2)",
                        form="bob"),
)
def mix_n2d(p, ctx):
    return _scaling(p)


@claim(
    id="q07.1.flops.total_n2d", question="q07.1",
    statement="Standard self-attention softmax(QK^T/sqrt d)V costs Theta(n^2 d) in total "
              "(4n^2d matmul FLOPs; the O(n^2) scaling and softmax are lower order).",
    quote="Overall, the time complexity is $O(n^2d)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Sum of two 2n^2d matmuls plus O(n^2) element-wise work (Vaswani et al. 2017, "
              "Table 1: self-attention O(n^2 d) per layer).",
    protocol=_proto("standard", "total", "flops", 2, 1), rule=_SCALING_RULE,
    falsifier=Falsifier("bob_total", "measure Bob's order instead (4nd^2)", form="bob"),
)
def total_n2d(p, ctx):
    return _scaling(p)


@claim(
    id="q07.1.alt.linear_in_n", question="q07.1",
    statement="Standard self-attention costs O(n d^2): linear in n and quadratic in d.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="The measured slopes of the standard order are 2 in n and 1 in d; n d^2 is the cost "
              "of Bob's reordering, not of attention.",
    protocol=_proto("standard", "total", "flops", 1, 2), rule=_SCALING_RULE,
    falsifier=Falsifier("bob_order", "measure Bob's order, which is O(nd^2)", form="bob"),
)
def alt_linear_in_n(p, ctx):
    return _scaling(p)


@claim(
    id="q07.1.alt.independent_of_d", question="q07.1",
    statement="Standard self-attention costs O(n^2), independent of the width d.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Both matmuls are linear in d (measured slope 1 in d); only the softmax is "
              "independent of d.",
    protocol=_proto("standard", "total", "flops", 2, 0), rule=_SCALING_RULE,
    falsifier=Falsifier("softmax_only", "count only the softmax work (n^2 exp calls)",
                        stage="softmax", metric="softmax_elements"),
)
def alt_independent_of_d(p, ctx):
    return _scaling(p)


@claim(
    id="q07.1.alt.softmax_dominates", question="q07.1",
    statement="The softmax is the dominant cost of attention: its share of the work (exp calls per "
              "matmul FLOP) does not shrink as d grows.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="softmax does n^2 exps, the matmuls 4n^2d FLOPs: the ratio is 1/(4d), slope -1 in d. "
              "(At fixed d the ratio is constant in n: both are n^2.)",
    protocol=dict(axis="d",        # the size that grows
                  min_slope=-0.05, # 'does not shrink': slope of the ratio >= -0.05 (exact counts)
                  **_GRID),
    rule="HOLDS iff the log-log slope of (softmax elements / matmul FLOPs) vs the growing size is >= -0.05",
    falsifier=Falsifier("grow_n", "grow n at fixed d instead: the ratio is constant (slope 0)", axis="n"),
)
def alt_softmax_dominates(p, ctx):
    from verify.experiments.attention import scaling_table
    from verify.stats import loglog_slope

    sm_n, sm_d = scaling_table("standard", "softmax", "softmax_elements", NS, D_FIXED, DS, N_FIXED)
    fl_n, fl_d = scaling_table("standard", "total", "flops", NS, D_FIXED, DS, N_FIXED)
    x, sm, fl = (NS, sm_n, fl_n) if p.axis == "n" else (DS, sm_d, fl_d)
    ratio = [a / b for a, b in zip(sm, fl)]
    slope = loglog_slope(x, ratio, expected=0.0, tolerance=1.0).statistic
    return exact(slope >= p.min_slope, difference=slope, tolerance=p.min_slope,
                 statistic_name=f"slope of ratio vs {p.axis}",
                 evidence={p.axis: list(x), "softmax elements": sm, "matmul FLOPs": fl,
                           "ratio": ratio})


@claim(
    id="q07.1.alt.flop_counter_sees_fused_sdpa", question="q07.1",
    statement="torch's FlopCounterMode reports the same FLOPs for F.scaled_dot_product_attention "
              "on CPU as for the explicit matmuls softmax(QK^T/sqrt d)V.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Measured blind spot: on CPU torch dispatches SDPA to the fused flash kernel "
              "(_scaled_dot_product_flash_attention_for_cpu), which has no FLOP formula registered, "
              "so the counter reports 0 while the outputs agree to float32 rounding. The unfused "
              "math backend decomposes into matmuls and is counted. This is why every q07 cost "
              "claim measures explicit matmuls.",
    protocol=dict(n=32,             # small: the count, not the time, is measured
                  d=8,              # d < n as in the question
                  backend="default"),  # whatever kernel torch picks on CPU
    rule="HOLDS iff FlopCounterMode's count for SDPA equals its count for the explicit matmuls "
         "(4n^2d) and the outputs agree within 1e-5",
    falsifier=Falsifier("math_backend", "pin SDPA to the unfused math backend", backend="math"),
)
def alt_flop_counter_sees_fused_sdpa(p, ctx):
    from verify.experiments.attention import sdpa_flops

    r = sdpa_flops(p.n, p.d, ctx.seed("qkv"), p.backend)
    ok = r["sdpa"] == r["explicit"] and r["max_abs_diff"] <= 1e-5
    return exact(ok, difference=r["explicit"] - r["sdpa"], tolerance=0,
                 statistic_name="explicit - SDPA FLOPs", evidence={**r, "backend": p.backend})


# ------------------------------------------------------------------------------ q07.2 --------

@claim(
    id="q07.2.flops.kv_nd2", question="q07.2",
    statement="Computing K^T V for n x d matrices K, V costs Theta(n d^2) FLOPs.",
    quote="first compute K^TV which takes $O(nd^2)$ time",
    kind=ANALYTIC, expected=HOLDS,
    rationale="(d x n)(n x d): d^2 dot products of length n, 2nd^2 FLOPs.",
    protocol=_proto("bob", "kv", "flops", 1, 2), rule=_SCALING_RULE,
    falsifier=Falsifier("measure_qk", "measure QK^T instead (2n^2d)", form="standard", stage="scores"),
)
def kv_nd2(p, ctx):
    return _scaling(p)


@claim(
    id="q07.2.softmax.nd_elements", question="q07.2",
    statement="Bob's softmax over Q/sqrt d exponentiates n*d elements: Theta(nd) work.",
    quote="apply softmax on $\\frac{Q}{\\sqrt{d}}$ which takes O(nd)",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Q is n x d; one exp per element (FlopCounterMode counts softmax as 0, so elements "
              "are counted with a dispatch-mode recorder).",
    protocol=_proto("bob", "softmax", "softmax_elements", 1, 1), rule=_SCALING_RULE,
    falsifier=Falsifier("standard_softmax", "measure the standard softmax over the n x n scores",
                        form="standard"),
)
def softmax_nd(p, ctx):
    return _scaling(p)


@claim(
    id="q07.2.flops.mix_nd2", question="q07.2",
    statement="Multiplying softmax(Q/sqrt d) (n x d) by K^T V (d x d) costs Theta(n d^2) FLOPs.",
    quote="compute multiply the two results which takes $O(nd^2)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="(n x d)(d x d): n*d dot products of length d, 2nd^2 FLOPs.",
    protocol=_proto("bob", "mix", "flops", 1, 2), rule=_SCALING_RULE,
    falsifier=Falsifier("standard_mix", "measure the standard A V product (2n^2d)", form="standard"),
)
def mix_nd2(p, ctx):
    return _scaling(p)


@claim(
    id="q07.2.flops.total_nd2", question="q07.2",
    statement="Bob's order softmax(Q/sqrt d)(K^T V) costs Theta(n d^2) in total.",
    quote="computing it as Bob suggests would take $O(nd^2)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Two 2nd^2 matmuls plus O(nd) element-wise work; the same order as linear "
              "attention (Katharopoulos et al. 2020; Shen et al. 2021).",
    protocol=_proto("bob", "total", "flops", 1, 2), rule=_SCALING_RULE,
    falsifier=Falsifier("standard_total", "measure the standard order (4n^2d)", form="standard"),
)
def total_nd2(p, ctx):
    return _scaling(p)


def _cheaper(p):
    from verify.experiments.attention import stage_costs

    rows, ok = [], True
    for n in p.ns:
        for r in p.d_over_n:
            d = max(1, int(round(n * r)))
            bob, std = stage_costs("bob", n, d)["total"]["flops"], stage_costs("standard", n, d)["total"]["flops"]
            rows.append({"n": n, "d": d, "bob": bob, "standard": std, "bob/standard": bob / std})
            ok &= bob < std
    worst = max(r["bob/standard"] for r in rows)
    return exact(ok, difference=worst, tolerance=1.0, statistic_name="max FLOP ratio bob/standard",
                 evidence={"table": rows})


@claim(
    id="q07.2.flops.cheaper_when_d_lt_n", question="q07.2",
    statement="When d << n, Bob's order costs fewer FLOPs than the standard order (ratio d/n).",
    quote="Since d<<n, this time complexity is better than the original time complexity which took $O(n^2d)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="4nd^2 / 4n^2d = d/n < 1 exactly when d < n.",
    protocol=dict(ns=(64, 256, 1024),          # three sequence lengths
                  d_over_n=(1 / 64, 1 / 16, 1 / 4)),  # d << n: at most a quarter of n
    rule="HOLDS iff Bob's measured total FLOPs are below the standard order's at every grid point",
    falsifier=Falsifier("d_gt_n", "widths larger than the sequence (d = 4n..64n): ratio d/n > 1",
                        d_over_n=(4, 16, 64), ns=(4, 8, 16)),
)
def cheaper_when_d_lt_n(p, ctx):
    return _cheaper(p)


@claim(
    id="q07.2.alt.always_cheaper", question="q07.2",
    statement="Bob's order is cheaper than standard attention for every n and d.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="The FLOP ratio is d/n: Bob's order loses whenever d > n (short sequences, wide heads).",
    protocol=dict(ns=(8, 64, 512),              # short to long sequences
                  d_over_n=(1 / 8, 1, 8)),      # d below, at and above n
    rule="HOLDS iff Bob's measured total FLOPs are below the standard order's at every grid point",
    falsifier=Falsifier("only_d_lt_n", "restrict the grid to d < n", d_over_n=(1 / 64, 1 / 8)),
)
def alt_always_cheaper(p, ctx):
    return _cheaper(p)


def _qkv(n, d, seed, dtype="float64"):
    import torch

    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(n, d, generator=g, dtype=getattr(torch, dtype)) for _ in range(3))


_BEHAVIOUR = dict(n=12,     # tokens: > d so the d << n regime and rank gaps show
                  d=4,      # head width
                  trials=5)  # independent random (Q, K, V) draws; exact checks need no power


@claim(
    id="q07.2.behaviour.differs", question="q07.2",
    statement="Bob's softmax(Q/sqrt d)(K^T V) does not compute the same function as "
              "softmax(QK^T/sqrt d)V: on random Q, K, V the outputs differ.",
    quote="it does not preserve the original behavior of the attention formulation",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Matrix products are associative, but the softmax is not linear: softmax(QK^T)V != "
              "softmax(Q)(K^TV). Without the softmax the reordering is exact ((QK^T)V = Q(K^TV)).",
    protocol=dict(**_BEHAVIOUR, softmax=True,  # both forms with their softmax
                  tol=1e-6),                   # float64 outputs of O(1) size: 1e-6 >> rounding
    rule="HOLDS iff in every trial the max |standard - Bob| exceeds 1e-6 (float64)",
    falsifier=Falsifier("no_softmax", "drop the softmax from both: associativity makes them equal",
                        softmax=False),
)
def behaviour_differs(p, ctx):
    from verify.experiments.attention import bob_attention, standard_attention

    diffs = []
    for s in ctx.seeds(p.trials, "qkv"):
        q, k, v = _qkv(p.n, p.d, s)
        diffs.append(float((standard_attention(q, k, v, softmax=p.softmax)
                            - bob_attention(q, k, v, softmax=p.softmax)).abs().max()))
    return exact(min(diffs) > p.tol, difference=min(diffs), tolerance=p.tol,
                 statistic_name="min over trials of max |standard - Bob|",
                 evidence={"max_abs_diff_per_trial": diffs, "n": p.n, "d": p.d, "softmax": p.softmax})


@claim(
    id="q07.2.alt.equivalent_to_attention", question="q07.2",
    statement="Bob's reordering is just associativity: softmax(Q/sqrt d)(K^T V) equals "
              "softmax(QK^T/sqrt d)V.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="The softmax sits between the products and is nonlinear (see q07.2.behaviour.differs).",
    protocol=dict(**_BEHAVIOUR, softmax=True, tol=1e-6),
    rule="HOLDS iff in every trial the max |standard - Bob| is <= 1e-6 (float64)",
    falsifier=Falsifier("no_softmax", "drop the softmax from both forms", softmax=False),
)
def alt_equivalent(p, ctx):
    from verify.experiments.attention import bob_attention, standard_attention

    diffs = []
    for s in ctx.seeds(p.trials, "qkv"):
        q, k, v = _qkv(p.n, p.d, s)
        diffs.append(float((standard_attention(q, k, v, softmax=p.softmax)
                            - bob_attention(q, k, v, softmax=p.softmax)).abs().max()))
    return exact(max(diffs) <= p.tol, difference=max(diffs), tolerance=p.tol,
                 statistic_name="max |standard - Bob|", evidence={"max_abs_diff_per_trial": diffs})


@claim(
    id="q07.2.scores.nxn_pairwise", question="q07.2",
    statement="For n x d matrices Q, K, the scores QK^T form an n x n matrix whose (i, j) entry is "
              "q_i . k_j (one score per pair of tokens), and softmax over each row gives token i's "
              "weights over all n tokens, summing to 1.",
    quote="we calculated QK^T , which result in $(n \\times n)$ matrix capturing the attention score between every pair of tokens",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Definition of the matrix product; the softmax is taken along the key axis.",
    protocol=dict(max_n=12,       # Hypothesis draws n in 2..12
                  examples=60,    # shapes are few; 60 examples cover them
                  product="qkt"),  # which product is checked
    rule="HOLDS iff for every fuzzed (n, d<n) the product has shape (n, n), entry (i, j) equals "
         "q_i . k_j within 1e-12 and its row softmax sums to 1 within 1e-12 (float64)",
    falsifier=Falsifier("ktv", "check Bob's K^T V instead: a d x d matrix, no token pairs",
                        product="ktv"),
)
def scores_nxn_pairwise(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def ok(nd):
        n, d = nd
        q, k, _ = _qkv(n, d, n * 100 + d)
        s = q @ k.T if p.product == "qkt" else k.T @ q
        if s.shape != (n, n):
            return False
        pair = torch.stack([torch.stack([q[i] @ k[j] for j in range(n)]) for i in range(n)])
        return bool((s - pair).abs().max() <= 1e-12
                    and (torch.softmax(s, -1).sum(-1) - 1).abs().max() <= 1e-12)

    shapes = st.integers(2, p.max_n).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n - 1)))
    bad = counterexample(shapes, ok, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample (n, d)",
                 reason="" if bad is None else f"(n, d) = {bad} breaks the n x n pairwise-score property",
                 evidence={"counterexample": bad, "examples": p.examples, "product": p.product})


@claim(
    id="q07.2.pairwise.no_nxn_intermediate", question="q07.2",
    statement="Bob's order never materialises an n x n token-to-token matrix: its only cross-token "
              "quantity is the d x d summary K^T V.",
    quote="Bob's version replaces this token-to-token interaction with a global transformation K^TV",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Every intermediate of softmax(Q/sqrt d)(K^TV) is n x d or d x d.",
    protocol=dict(form="bob", n=256, d=16),   # n != d so an n x n shape is recognisable
    rule="HOLDS iff no op recorded while computing the form outputs an (n, n) tensor",
    falsifier=Falsifier("standard", "record the standard order, which builds the n x n scores",
                        form="standard"),
)
def no_nxn_intermediate(p, ctx):
    from verify.experiments.attention import stage_costs

    shapes = stage_costs(p.form, p.n, p.d)["total"]["shapes"]
    nxn = [s for s in shapes if s == (p.n, p.n)]
    return exact(not nxn, difference=len(nxn), tolerance=0, statistic_name="n x n intermediates",
                 evidence={"form": p.form, "op output shapes": shapes})


def _bob_case(p, seed):
    from verify.experiments.attention import bob_attention, bob_weights

    q, k, v = _qkv(p.n, p.d, seed)
    out = bob_attention(q, k, v, kv_map=p.kv_map, key_softmax=p.key_softmax)
    w = bob_weights(q, k, key_softmax=p.key_softmax)
    return q, k, v, out, w


@claim(
    id="q07.2.pairwise.token_mixing_remains", question="q07.2",
    statement="Bob's output is still a pairwise token mixing: out = W V with the n x n matrix "
              "W = softmax(Q/sqrt d) K^T, whose entry (i, j) depends only on query i and key j "
              "(what is lost is the softmax normalisation over keys, not the token pairs).",
    quote=None,
    kind=PROXY, expected=HOLDS,
    rationale="Proxy for 'pairwise interactions between tokens': an n x n weight matrix with "
              "W_ij = f(q_i, k_j) applied to V. Associativity gives softmax(Q)(K^TV) = "
              "(softmax(Q)K^T)V, so the pairs survive, as bilinear (not softmax) weights. The "
              "student's 'removes the pairwise interactions' denies this.",
    protocol=dict(**_BEHAVIOUR, kv_map="none", key_softmax=False,
                  tol=1e-10),   # float64, O(1) values
    rule="HOLDS iff in every trial |Bob - W V| <= 1e-10 and changing key m changes only column m of W",
    falsifier=Falsifier("tanh_summary", "apply tanh to the d x d summary K^T V: the output is no "
                        "longer a token-pair mixing W V", kv_map="tanh"),
)
def token_mixing_remains(p, ctx):
    import torch

    from verify.experiments.attention import bob_weights

    worst, col_leak = 0.0, 0.0
    for s in ctx.seeds(p.trials, "qkv"):
        q, k, v, out, w = _bob_case(p, s)
        worst = max(worst, float((out - w @ v).abs().max()))
        k2 = k.clone()
        k2[0] += 1.0
        dw = (bob_weights(q, k2) - bob_weights(q, k)).abs()
        col_leak = max(col_leak, float(dw[:, 1:].max()))
    ok = worst <= p.tol and col_leak <= p.tol
    return exact(ok, difference=max(worst, col_leak), tolerance=p.tol,
                 statistic_name="max |Bob - WV| or off-column change of W",
                 evidence={"max |Bob - W V|": worst, "change of W outside column m": col_leak,
                           "kv_map": p.kv_map, "W rows sum (last trial)": w.sum(-1)[:4].tolist(),
                           "W min (last trial)": float(torch.min(w))})


@claim(
    id="q07.2.alt.convex_combination", question="q07.2",
    statement="Like attention, Bob's output row i is a convex combination of the value rows "
              "(non-negative weights over tokens summing to 1).",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Bob's weights W = softmax(Q/sqrt d)K^T have rows summing to softmax(q_i).(sum_j k_j) "
              "and negative entries: not row-stochastic. With Shen et al.'s (2021) key softmax "
              "over the sequence, each column of K sums to 1 and is positive, so W becomes "
              "row-stochastic: efficient attention averages values, Bob's form does not.",
    protocol=dict(**_BEHAVIOUR, kv_map="none", key_softmax=False, tol=1e-10),
    rule="HOLDS iff in every trial Bob's output equals W V with W >= -1e-10 and |rows of W - 1| <= 1e-10",
    falsifier=Falsifier("key_softmax", "add Shen et al.'s softmax over the keys (efficient attention)",
                        key_softmax=True),
)
def alt_convex_combination(p, ctx):
    rows = []
    ok = True
    for s in ctx.seeds(p.trials, "qkv"):
        q, k, v, out, w = _bob_case(p, s)
        rep = float((out - w @ v).abs().max())
        neg = float(w.min())
        rowdev = float((w.sum(-1) - 1).abs().max())
        rows.append({"|out - WV|": rep, "min W": neg, "max |row sum - 1|": rowdev})
        ok &= rep <= p.tol and neg >= -p.tol and rowdev <= p.tol
    return exact(ok, difference=max(r["max |row sum - 1|"] for r in rows), tolerance=p.tol,
                 statistic_name="max |row sum of W - 1|",
                 evidence={"trials": rows, "key_softmax": p.key_softmax})


@claim(
    id="q07.2.alt.is_efficient_attention", question="q07.2",
    statement="Bob's form is Shen et al.'s (2021) efficient attention rho_q(Q)(rho_k(K)^T V) "
              "(here with the same 1/sqrt d temperature on the queries).",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Efficient attention also softmaxes K over the sequence axis (rho_k); Bob omits it, "
              "so the outputs differ.",
    protocol=dict(**_BEHAVIOUR, kv_map="none", key_softmax=False, tol=1e-10),
    rule="HOLDS iff in every trial the max |Bob - efficient attention| <= 1e-10 (float64)",
    falsifier=Falsifier("key_softmax", "give Bob's form the key softmax", key_softmax=True),
)
def alt_is_efficient_attention(p, ctx):
    import math

    import torch

    diffs = []
    for s in ctx.seeds(p.trials, "qkv"):
        q, k, v, out, _ = _bob_case(p, s)
        eff = torch.softmax(q / math.sqrt(p.d), -1) @ (torch.softmax(k, dim=0).T @ v)
        diffs.append(float((out - eff).abs().max()))
    return exact(max(diffs) <= p.tol, difference=max(diffs), tolerance=p.tol,
                 statistic_name="max |Bob - efficient attention|", evidence={"per trial": diffs})


@claim(
    id="q07.2.behaviour.context_lost", question="q07.2",
    statement="In Bob's form the output of token i does not depend on the other tokens (no "
              "contextual dependencies): changing token m's key and value leaves out_i unchanged.",
    quote="the model loses the ability to capture contextual dependencies",
    kind=PROXY, expected=REFUTED,
    rationale="Proxy for 'capture contextual dependencies': whether out_i changes when another "
              "token changes. out_i = softmax(q_i/sqrt d) sum_j k_j^T v_j sums over all tokens, so "
              "every token influences every output.",
    protocol=dict(**_BEHAVIOUR, aggregate="sum", tol=1e-10),
    rule="HOLDS iff, perturbing the key and value of token m (by +1), every out_i with i != m "
         "changes by at most 1e-10, in every trial",
    falsifier=Falsifier("self_summary", "use each token's own k_i^T v_i instead of the sum over "
                        "tokens: a genuinely context-free variant", aggregate="self"),
)
def context_lost(p, ctx):
    from verify.experiments.attention import bob_attention

    change = 0.0
    for s in ctx.seeds(p.trials, "qkv"):
        q, k, v = _qkv(p.n, p.d, s)
        base = bob_attention(q, k, v, aggregate=p.aggregate)
        k2, v2 = k.clone(), v.clone()
        k2[0] += 1.0
        v2[0] += 1.0
        other = bob_attention(q, k2, v2, aggregate=p.aggregate)
        change = max(change, float((other - base)[1:].abs().max()))
    return exact(change <= p.tol, difference=change, tolerance=p.tol,
                 statistic_name="max change of out_i (i != m)",
                 evidence={"aggregate": p.aggregate, "max change": change})


@claim(
    id="q07.2.behaviour.query_independent", question="q07.2",
    statement="Bob's form cannot adjust to the specific query: changing q_i leaves out_i unchanged.",
    quote="cannot adjust attention based on the specific query Q",
    kind=ANALYTIC, expected=REFUTED,
    rationale="out_i = softmax(q_i/sqrt d)(K^TV): the softmax over q_i's d entries is a "
              "query-dependent mixing of the rows of K^TV. Only for d = 1 is softmax of one entry "
              "constantly 1, making the output query-independent.",
    protocol=dict(**_BEHAVIOUR, tol=1e-10),
    rule="HOLDS iff, perturbing q_0 (by a random draw), out_0 changes by at most 1e-10 in every trial",
    falsifier=Falsifier("d_equals_1", "width d = 1: softmax over one entry is always 1", d=1),
)
def query_independent(p, ctx):
    import torch

    from verify.experiments.attention import bob_attention

    change = 0.0
    for s in ctx.seeds(p.trials, "qkv"):
        q, k, v = _qkv(p.n, p.d, s)
        q2 = q.clone()
        q2[0] = torch.randn(p.d, generator=torch.Generator().manual_seed(s + 1), dtype=q.dtype)
        change = max(change, float((bob_attention(q2, k, v) - bob_attention(q, k, v))[0].abs().max()))
    return exact(change <= p.tol, difference=change, tolerance=p.tol,
                 statistic_name="max change of out_0", evidence={"d": p.d, "max change": change})


@claim(
    id="q07.2.expressiveness.low_rank", question="q07.2",
    statement="Bob's n x n token-mixing matrix softmax(Q/sqrt d)K^T has rank at most d, below "
              "the rank of softmax(QK^T/sqrt d), which is full (n) for random inputs with d < n.",
    quote="This significantly limits the expressiveness and effectiveness of the attention mechanism",
    kind=PROXY, expected=HOLDS,
    rationale="Proxy for 'expressiveness': the rank of the token-mixing matrix (the low-rank "
              "bottleneck of linear attention; Wang et al. 2020, Linformer; Bhojanapalli et al. "
              "2020). The entry-wise exp makes softmax attention full-rank generically; Bob's W "
              "factors through d. 'Effectiveness' (task performance) is not measured.",
    protocol=dict(**_BEHAVIOUR),
    rule="HOLDS iff in every trial the numerical rank (torch.linalg.matrix_rank, float64) of "
         "Bob's W is strictly below that of the softmax attention matrix",
    falsifier=Falsifier("d_equals_n", "width d = n: W is no longer rank-limited", d=12),
)
def low_rank(p, ctx):
    import math

    import torch

    from verify.experiments.attention import bob_weights

    rows, ok = [], True
    for s in ctx.seeds(p.trials, "qkv"):
        q, k, _ = _qkv(p.n, p.d, s)
        a = torch.softmax(q @ k.T / math.sqrt(p.d), -1)
        rb, ra = int(torch.linalg.matrix_rank(bob_weights(q, k))), int(torch.linalg.matrix_rank(a))
        rows.append({"rank Bob W": rb, "rank softmax A": ra})
        ok &= rb < ra
    return exact(ok, difference=max(r["rank Bob W"] - r["rank softmax A"] for r in rows), tolerance=0,
                 statistic_name="max rank(W_bob) - rank(A)", evidence={"n": p.n, "d": p.d, "trials": rows})
