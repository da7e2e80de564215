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
kernel counts 0 FLOPs before torch 2.15 and is counted from 2.15 on (claims
``q07.1.alt.flop_counter_sees_fused_sdpa`` and ``..._since_2_15``: facts of torch versions).
"""

from verify import ANALYTIC, HOLDS, PROXY, REFUTED, Falsifier, claim
from verify.claim import MUTATION, REGIME
from verify.stats import Exact

# The grids every scaling claim measures on (one count each, memoised by (form, n, d)).
GRID = dict(ns=(128, 256, 512, 1024, 2048),   # n doubles five times: d << n holds at every point
            d_fixed=16,                        # a typical head width, << every n above
            ds=(4, 8, 16, 32, 64),             # d doubles five times, all << n_fixed
            n_fixed=4096)                      # long enough that d << n at every d above
TOL = 0.05   # FLOP counts of a matmul are exact integers: slopes are exact up to float rounding;
             # 0.05 separates 1 from 2 from 0 cleanly
# A scaling protocol names the computation order (form: 'standard' or 'bob'), the stage measured
# (or 'total'), the metric ('flops' from the FLOP counter, or 'softmax_elements': exp calls, which
# the counter does not see) and the exponents of n and d that the statement claims.
# The fused-SDPA facts (one per torch range): the same protocol and rule.
SDPA = dict(n=32,                # small: the count, not the time, is measured
            d=8,                 # d < n as in the question
            backend="default")   # whatever kernel torch picks on CPU
SDPA_COUNTED = Exact("FlopCounterMode's count for SDPA equals its count for the explicit matmuls (4n^2d) and the "
                     "outputs agree within 1e-5")
SCALING = Exact("larger slope miss: log-log slope vs n (d=16) or vs d (n=4096) minus the claimed exponent",
                tolerance=TOL)


# ------------------------------------------------------------------------------ q07.1 --------

claim(
    id="q07.1.flops.scores_n2d", question="q07.1",
    statement="Computing the score matrix QK^T for n x d matrices Q, K costs Theta(n^2 d) FLOPs: "
              "slope 2 in n at fixed d and slope 1 in d at fixed n.",
    quote="the time complexity of computing QK^T , is $O(n^2d)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="QK^T is an (n x d)(d x n) product: n^2 dot products of length d, 2n^2d FLOPs as "
              "FlopCounterMode counts them (a multiply-add = 2).",
    explain="We counted the arithmetic operations of computing QK^T for many sizes: doubling n multiplied "
            "the count by 4 and doubling d multiplied it by 2, exactly the growth of n squared times d.",
    phrasings=dict(asserts=["computing QK^T takes O(n^2 d) time",
                            "the score matrix costs n squared times d operations",
                            "QK^T is quadratic in the sequence length"],
                   denies=["computing QK^T is linear in n", "QK^T only costs O(nd)"]),
    protocol=dict(form="standard", stage="scores", metric="flops", n_slope=2, d_slope=1, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("measure_ktv", "measure Bob's first product K^T V instead (2nd^2 FLOPs): "
                        "slopes 1 in n and 2 in d", kind=MUTATION, form="bob", stage="kv"),
)

claim(
    id="q07.1.softmax.n2_elements", question="q07.1",
    statement="The row softmax of the n x n score matrix exponentiates n^2 elements: its work is "
              "Theta(n^2), independent of d (and the 1/sqrt d scaling touches the same n^2 elements).",
    quote="apply softmax which takes $O(n^2)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="softmax is one exp per element of its n x n input plus a row sum and a division. "
              "FlopCounterMode counts 0 FLOPs for softmax (its blind spot), so the number of "
              "softmaxed elements recorded by a dispatch-mode op recorder is the measure.",
    explain="We counted how many numbers the softmax exponentiates: n times n of them, so doubling n "
            "quadrupled the work, while changing the width d did not change it at all.",
    phrasings=dict(asserts=["the softmax step costs O(n^2)", "softmax over the n x n scores is quadratic in n",
                            "the softmax work does not depend on d"],
                   denies=["the softmax costs O(n^2 d)", "the softmax is linear in the sequence length"]),
    protocol=dict(form="standard", stage="softmax", metric="softmax_elements", n_slope=2, d_slope=0, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("softmax_of_q", "measure the softmax in Bob's order (over Q, n x d): "
                        "slopes 1 and 1", kind=MUTATION, form="bob"),
)

claim(
    id="q07.1.flops.mix_n2d", question="q07.1",
    statement="Multiplying the n x n attention matrix by V (n x d) costs Theta(n^2 d) FLOPs.",
    quote="we multiple the result by the matrix V which has the dimensions $(n \\times d)$, so it takes $O(n^2d)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="(n x n)(n x d): n*d dot products of length n, 2n^2d FLOPs.",
    explain="We counted the operations of multiplying the n-by-n attention weights by V: doubling n "
            "multiplied the count by 4 and doubling d by 2, so it grows like n squared times d.",
    phrasings=dict(asserts=["multiplying the attention matrix by V is O(n^2 d)",
                            "the product with V is quadratic in n and linear in d"],
                   denies=["multiplying by V only costs O(nd)", "the V product is linear in n"]),
    protocol=dict(form="standard", stage="mix", metric="flops", n_slope=2, d_slope=1, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("bob_mix", "measure Bob's final product softmax(Q)(K^T V) (2nd^2)",
                        kind=MUTATION, form="bob"),
)

claim(
    id="q07.1.flops.total_n2d", question="q07.1",
    statement="Standard self-attention softmax(QK^T/sqrt d)V costs Theta(n^2 d) in total "
              "(4n^2d matmul FLOPs; the O(n^2) scaling and softmax are lower order).",
    quote="Overall, the time complexity is $O(n^2d)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Sum of two 2n^2d matmuls plus O(n^2) element-wise work (Vaswani et al. 2017, "
              "Table 1: self-attention O(n^2 d) per layer).",
    explain="Counting every matrix-product operation of standard attention gave exactly 4 times n squared "
            "times d: quadrupled when n doubled, doubled when d doubled.",
    phrasings=dict(asserts=["self-attention is O(n^2 d) overall",
                            "standard attention is quadratic in the sequence length",
                            "the total cost of attention is n^2 d"],
                   denies=["attention is linear in the sequence length", "self-attention costs O(n d^2)"]),
    protocol=dict(form="standard", stage="total", metric="flops", n_slope=2, d_slope=1, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("bob_total", "measure Bob's order instead (4nd^2)", kind=MUTATION, form="bob"),
)

claim(
    id="q07.1.alt.linear_in_n", question="q07.1",
    statement="Standard self-attention costs O(n d^2): linear in n and quadratic in d.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="The measured slopes of the standard order are 2 in n and 1 in d; n d^2 is the cost "
              "of Bob's reordering, not of attention.",
    explain="Counting the operations of standard attention showed them quadrupling when n doubled and "
            "doubling when d doubled: n squared times d, not n times d squared.",
    phrasings=dict(asserts=["standard attention costs O(n d^2)", "attention is linear in n and quadratic in d"],
                   denies=["attention is quadratic in n, not linear", "standard attention is O(n^2 d), not O(nd^2)"]),
    protocol=dict(form="standard", stage="total", metric="flops", n_slope=1, d_slope=2, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("bob_order", "measure Bob's order, which is O(nd^2)", kind=MUTATION, form="bob"),
)

claim(
    id="q07.1.alt.independent_of_d", question="q07.1",
    statement="Standard self-attention costs O(n^2), independent of the width d.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Both matmuls are linear in d (measured slope 1 in d); only the softmax is "
              "independent of d.",
    explain="The operation count of standard attention doubled every time the width d doubled, so "
            "the cost depends on d; only the softmax part does not.",
    phrasings=dict(asserts=["attention costs O(n^2) regardless of d",
                            "the width d does not affect the cost of attention"],
                   denies=["the cost of attention also grows with d", "attention is n^2 d, not just n^2"]),
    protocol=dict(form="standard", stage="total", metric="flops", n_slope=2, d_slope=0, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("softmax_only", "count only the softmax work (n^2 exp calls)", kind=MUTATION,
                        stage="softmax", metric="softmax_elements"),
)

claim(
    id="q07.1.alt.softmax_dominates", question="q07.1",
    statement="The softmax is the dominant cost of attention: its share of the work (exp calls per "
              "matmul FLOP) does not shrink as d grows.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="softmax does n^2 exps, the matmuls 4n^2d FLOPs: the ratio is 1/(4d), slope -1 in d. "
              "(At fixed d the ratio is constant in n: both are n^2.)",
    explain="The softmax does about n squared exponentials while the matrix products do 4 times n squared "
            "times d operations, so the softmax's share halved each time d doubled (1/16 at d=4, 1/256 at d=64).",
    phrasings=dict(asserts=["the softmax is the most expensive part of attention",
                            "softmax dominates the cost of self-attention"],
                   denies=["the matrix multiplications, not the softmax, dominate the cost",
                           "the softmax is a lower-order term next to the matmuls"]),
    protocol=dict(axis="d",         # the size that grows
                  min_slope=-0.05,  # 'does not shrink': slope of the ratio >= -0.05 (exact counts)
                  **GRID),
    measure="verify.experiments.attention_measures:softmax_share",
    decision=Exact("the log-log slope of (softmax elements / matmul FLOPs) vs the growing size is >= -0.05"),
    falsifier=Falsifier("grow_n", "grow n at fixed d instead: the ratio is constant (slope 0)",
                        kind=MUTATION, axis="n"),
)

claim(
    id="q07.1.alt.flop_counter_sees_fused_sdpa", question="q07.1",
    statement="Before torch 2.15, torch's FlopCounterMode reports the same FLOPs for "
              "F.scaled_dot_product_attention on CPU as for the explicit matmuls softmax(QK^T/sqrt d)V.",
    kind=ANALYTIC, expected=REFUTED, torch="<2.15",   # a fact of torch versions (amended, see rationale)
    rationale="Measured blind spot: on CPU torch dispatches SDPA to the fused flash kernel "
              "(_scaled_dot_product_flash_attention_for_cpu), which has no FLOP formula registered before "
              "torch 2.15, so the counter reports 0 while the outputs agree to float32 rounding (measured on "
              "2.9.1, 2.11.0, 2.13.0 and 2.14.1). The unfused math backend decomposes into matmuls and is "
              "counted. This is why every q07 cost claim measures explicit matmuls. Amendment (issue 19): "
              "torch 2.15.0 registers a formula for the CPU flash kernel (32,768 = 32,768), so this claim now "
              "speaks about torch < 2.15 and q07.1.alt.flop_counter_sees_fused_sdpa_since_2_15 about the rest.",
    explain="With PyTorch before version 2.15, its operation counter reported 0 operations for the built-in fused "
            "attention on CPU but 32,768 for the same computation written as matrix products, though the outputs "
            "matched.",
    phrasings=dict(asserts=["FlopCounterMode counts the fused scaled_dot_product_attention correctly",
                            "the FLOP counter sees the same work in SDPA as in explicit matmuls"],
                   denies=["FlopCounterMode reports zero FLOPs for the fused CPU attention kernel"]),
    protocol=SDPA,
    measure="verify.experiments.attention_measures:sdpa_count",
    decision=SDPA_COUNTED,
    falsifier=Falsifier("math_backend", "pin SDPA to the unfused math backend", kind=MUTATION, backend="math"),
)

claim(
    id="q07.1.alt.flop_counter_sees_fused_sdpa_since_2_15", question="q07.1",
    statement="From torch 2.15 on, torch's FlopCounterMode reports the same FLOPs for "
              "F.scaled_dot_product_attention on CPU as for the explicit matmuls softmax(QK^T/sqrt d)V.",
    kind=ANALYTIC, expected=HOLDS, torch=">=2.15",
    rationale="torch 2.15 registers FLOP formulas for aten._scaled_dot_product_flash_attention_for_cpu "
              "(measured on 2.15.0: 32,768 = 32,768 for n = 32, d = 8), so the counter sees the fused kernel. "
              "The twin of q07.1.alt.flop_counter_sees_fused_sdpa (torch < 2.15).",
    explain="With PyTorch 2.15 or newer, its operation counter reported the same number of operations for the "
            "built-in fused attention on CPU as for the same computation written as matrix products.",
    phrasings=dict(asserts=["FlopCounterMode counts the fused scaled_dot_product_attention correctly",
                            "the FLOP counter sees the same work in SDPA as in explicit matmuls"],
                   denies=["FlopCounterMode reports zero FLOPs for the fused CPU attention kernel"]),
    protocol=SDPA,
    measure="verify.experiments.attention_measures:sdpa_count",
    decision=SDPA_COUNTED,
    falsifier=Falsifier("opaque_op", "wrap SDPA in a custom operator with no FLOP formula: the counter cannot "
                        "see into it", kind=MUTATION, backend="opaque"),
)


# ------------------------------------------------------------------------------ q07.2 --------

claim(
    id="q07.2.flops.kv_nd2", question="q07.2",
    statement="Computing K^T V for n x d matrices K, V costs Theta(n d^2) FLOPs.",
    quote="first compute K^TV which takes $O(nd^2)$ time",
    kind=ANALYTIC, expected=HOLDS,
    rationale="(d x n)(n x d): d^2 dot products of length n, 2nd^2 FLOPs.",
    explain="We counted the operations of computing K^T V: doubling n doubled the count and doubling d "
            "quadrupled it, the growth of n times d squared.",
    phrasings=dict(asserts=["computing K^T V takes O(nd^2)", "K transpose V is linear in n and quadratic in d"],
                   denies=["K^T V costs O(n^2 d)", "K^T V is quadratic in the sequence length"]),
    protocol=dict(form="bob", stage="kv", metric="flops", n_slope=1, d_slope=2, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("measure_qk", "measure QK^T instead (2n^2d)", kind=MUTATION, form="standard",
                        stage="scores"),
)

claim(
    id="q07.2.softmax.nd_elements", question="q07.2",
    statement="Bob's softmax over Q/sqrt d exponentiates n*d elements: Theta(nd) work.",
    quote="apply softmax on $\\frac{Q}{\\sqrt{d}}$ which takes O(nd)",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Q is n x d; one exp per element (FlopCounterMode counts softmax as 0, so elements "
              "are counted with a dispatch-mode recorder).",
    explain="Bob's softmax over Q exponentiates n times d numbers: the count doubled when n doubled and "
            "doubled again when d doubled.",
    phrasings=dict(asserts=["softmax(Q/sqrt d) takes O(nd)", "Bob's softmax is linear in n"],
                   denies=["Bob's softmax is still O(n^2)", "the softmax over Q costs n squared"]),
    protocol=dict(form="bob", stage="softmax", metric="softmax_elements", n_slope=1, d_slope=1, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("standard_softmax", "measure the standard softmax over the n x n scores",
                        kind=MUTATION, form="standard"),
)

claim(
    id="q07.2.flops.mix_nd2", question="q07.2",
    statement="Multiplying softmax(Q/sqrt d) (n x d) by K^T V (d x d) costs Theta(n d^2) FLOPs.",
    quote="compute multiply the two results which takes $O(nd^2)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="(n x d)(d x d): n*d dot products of length d, 2nd^2 FLOPs.",
    explain="We counted the operations of multiplying the n-by-d softmax output by the d-by-d matrix "
            "K^T V: doubling n doubled the count and doubling d quadrupled it (n times d squared).",
    phrasings=dict(asserts=["the last product in Bob's order is O(nd^2)",
                            "multiplying softmax(Q) by K^T V is linear in n"],
                   denies=["the final product of Bob's version is O(n^2 d)"]),
    protocol=dict(form="bob", stage="mix", metric="flops", n_slope=1, d_slope=2, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("standard_mix", "measure the standard A V product (2n^2d)", kind=MUTATION,
                        form="standard"),
)

claim(
    id="q07.2.flops.total_nd2", question="q07.2",
    statement="Bob's order softmax(Q/sqrt d)(K^T V) costs Theta(n d^2) in total.",
    quote="computing it as Bob suggests would take $O(nd^2)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Two 2nd^2 matmuls plus O(nd) element-wise work; the same order as linear "
              "attention (Katharopoulos et al. 2020; Shen et al. 2021).",
    explain="All of the matrix products in Bob's order together cost exactly 4 times n times d squared "
            "operations: linear in the sequence length and quadratic in the width.",
    phrasings=dict(asserts=["Bob's version runs in O(nd^2)", "Bob's reordering makes attention linear in n"],
                   denies=["Bob's order is still O(n^2 d)",
                           "reordering the products does not change the complexity"]),
    protocol=dict(form="bob", stage="total", metric="flops", n_slope=1, d_slope=2, **GRID),
    measure="verify.experiments.attention_measures:scaling", decision=SCALING,
    falsifier=Falsifier("standard_total", "measure the standard order (4n^2d)", kind=MUTATION, form="standard"),
)

claim(
    id="q07.2.flops.cheaper_when_d_lt_n", question="q07.2",
    statement="When d << n, Bob's order costs fewer FLOPs than the standard order (ratio d/n).",
    quote="Since d<<n, this time complexity is better than the original time complexity which took $O(n^2d)$",
    kind=ANALYTIC, expected=HOLDS,
    rationale="4nd^2 / 4n^2d = d/n < 1 exactly when d < n.",
    explain="At every size we tried with d at most a quarter of n, Bob's order used fewer operations than "
            "standard attention; the ratio was exactly d/n, at worst 1/4.",
    phrasings=dict(asserts=["when d is much smaller than n, Bob's version is faster",
                            "Bob's order is better because d << n", "O(nd^2) beats O(n^2 d) when d < n"],
                   denies=["Bob's version is not faster even when d << n"]),
    protocol=dict(ns=(64, 256, 1024),                 # three sequence lengths
                  d_over_n=(1 / 64, 1 / 16, 1 / 4)),  # d << n: at most a quarter of n
    measure="verify.experiments.attention_measures:cost_ratio",
    decision=Exact("Bob's measured total FLOPs are below the standard order's at every grid point"),
    falsifier=Falsifier("d_gt_n", "widths larger than the sequence (d = 4n..64n): ratio d/n > 1",
                        kind=REGIME, d_over_n=(4, 16, 64), ns=(4, 8, 16)),
)

claim(
    id="q07.2.alt.always_cheaper", question="q07.2",
    statement="Bob's order is cheaper than standard attention for every n and d.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="The FLOP ratio is d/n: Bob's order loses whenever d > n (short sequences, wide heads).",
    explain="Bob's order was cheaper only while d was smaller than n: with d equal to n both cost the same, "
            "and with d = 8n Bob's order needed 8 times more operations.",
    phrasings=dict(asserts=["Bob's order is always cheaper than standard attention",
                            "reordering the product is faster for any sizes"],
                   denies=["Bob's version is only cheaper when d < n",
                           "for short sequences and wide heads Bob's order is slower"]),
    protocol=dict(ns=(8, 64, 512),              # short to long sequences
                  d_over_n=(1 / 8, 1, 8)),      # d below, at and above n
    measure="verify.experiments.attention_measures:cost_ratio",
    decision=Exact("Bob's measured total FLOPs are below the standard order's at every grid point"),
    falsifier=Falsifier("only_d_lt_n", "restrict the grid to d < n", kind=REGIME, d_over_n=(1 / 64, 1 / 8)),
)

BEHAVIOUR = dict(n=12,      # tokens: > d so the d << n regime and rank gaps show
                 d=4,       # head width
                 trials=5)  # independent random (Q, K, V) draws; exact checks need no power

claim(
    id="q07.2.behaviour.differs", question="q07.2",
    statement="Bob's softmax(Q/sqrt d)(K^T V) does not compute the same function as "
              "softmax(QK^T/sqrt d)V: on random Q, K, V the outputs differ.",
    quote="it does not preserve the original behavior of the attention formulation",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Matrix products are associative, but the softmax is not linear: softmax(QK^T)V != "
              "softmax(Q)(K^TV). Without the softmax the reordering is exact ((QK^T)V = Q(K^TV)).",
    explain="On 5 random inputs the two formulas gave different outputs every time (entries off by 1.7 to "
            "5.3), so Bob's reordering changes what attention computes; without the softmax they would agree.",
    phrasings=dict(asserts=["Bob's version does not preserve the behaviour of attention",
                            "moving the softmax changes the result", "Bob's formula gives different outputs"],
                   denies=["Bob's version computes the same thing, just faster",
                           "the reordering is just associativity"]),
    protocol=dict(**BEHAVIOUR, softmax=True,  # both forms with their softmax
                  tol=1e-6),                  # float64 outputs of O(1) size: 1e-6 >> rounding
    measure="verify.experiments.attention_measures:forms_differ",
    decision=Exact("in every trial the max |standard - Bob| exceeds 1e-6 (float64)"),
    falsifier=Falsifier("no_softmax", "drop the softmax from both: associativity makes them equal",
                        kind=MUTATION, softmax=False),
)

claim(
    id="q07.2.alt.equivalent_to_attention", question="q07.2",
    statement="Bob's reordering is just associativity: softmax(Q/sqrt d)(K^T V) equals "
              "softmax(QK^T/sqrt d)V.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="The softmax sits between the products and is nonlinear (see q07.2.behaviour.differs).",
    explain="On 5 random inputs Bob's formula and real attention gave outputs differing by up to about 6; "
            "only after removing the softmax from both do they agree.",
    phrasings=dict(asserts=["Bob's version is equivalent to attention by associativity",
                            "softmax(Q)(K^T V) equals softmax(QK^T)V"],
                   denies=["the softmax is nonlinear, so the products cannot be regrouped"]),
    protocol=dict(**BEHAVIOUR, softmax=True, tol=1e-6),
    measure="verify.experiments.attention_measures:forms_agree",
    decision=Exact("in every trial the max |standard - Bob| is <= 1e-6 (float64)"),
    falsifier=Falsifier("no_softmax", "drop the softmax from both forms", kind=MUTATION, softmax=False),
)

claim(
    id="q07.2.scores.nxn_pairwise", question="q07.2",
    statement="For n x d matrices Q, K, the scores QK^T form an n x n matrix whose (i, j) entry is "
              "q_i . k_j (one score per pair of tokens), and softmax over each row gives token i's "
              "weights over all n tokens, summing to 1.",
    quote="we calculated QK^T , which result in $(n \\times n)$ matrix capturing the attention score between every pair of tokens",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Definition of the matrix product; the softmax is taken along the key axis.",
    explain="On 60 random shapes QK^T was always an n-by-n matrix whose entry (i, j) is the dot product of "
            "query i with key j, and each row's softmax summed to 1.",
    phrasings=dict(asserts=["QK^T is an n x n matrix of scores between every pair of tokens",
                            "each entry of QK^T compares one query with one key"],
                   denies=["QK^T is a d x d matrix", "the score matrix does not compare pairs of tokens"]),
    protocol=dict(max_n=12,        # Hypothesis draws n in 2..12
                  examples=60,     # shapes are few; 60 examples cover them
                  product="qkt"),  # which product is checked
    measure="verify.experiments.attention_measures:pairwise_scores",
    decision=Exact("for every fuzzed (n, d<n) the product has shape (n, n), entry (i, j) equals q_i . k_j "
                   "within 1e-12 and its row softmax sums to 1 within 1e-12 (float64)"),
    falsifier=Falsifier("ktv", "check Bob's K^T V instead: a d x d matrix, no token pairs",
                        kind=MUTATION, product="ktv"),
)

claim(
    id="q07.2.pairwise.no_nxn_intermediate", question="q07.2",
    statement="Bob's order never materialises an n x n token-to-token matrix: its only cross-token "
              "quantity is the d x d summary K^T V.",
    quote="Bob's version replaces this token-to-token interaction with a global transformation K^TV",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Every intermediate of softmax(Q/sqrt d)(K^TV) is n x d or d x d.",
    explain="Recording the shape of every intermediate result of Bob's order (n = 256, d = 16) found only "
            "256-by-16 and 16-by-16 matrices, never a 256-by-256 one.",
    phrasings=dict(asserts=["Bob's version never builds an n x n matrix",
                            "Bob replaces token-to-token scores with a global d x d summary K^T V"],
                   denies=["Bob's version still computes an n x n attention matrix"]),
    protocol=dict(form="bob", n=256, d=16),   # n != d so an n x n shape is recognisable
    measure="verify.experiments.attention_measures:nxn_intermediates",
    decision=Exact("no op recorded while computing the form outputs an (n, n) tensor"),
    falsifier=Falsifier("standard", "record the standard order, which builds the n x n scores",
                        kind=MUTATION, form="standard"),
)

claim(
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
    explain="Bob's output always equalled an n-by-n weight matrix W times V, and changing one key changed "
            "only that key's column of W: tokens still mix in pairs, just with weights that are not a softmax.",
    phrasings=dict(asserts=["Bob's version still mixes tokens pairwise",
                            "Bob's output can be written as W V with an n x n W"],
                   denies=["Bob's version removes the pairwise interactions between tokens",
                           "in Bob's form tokens no longer interact with each other"]),
    protocol=dict(**BEHAVIOUR, kv_map="none", key_softmax=False,
                  tol=1e-10),   # float64, O(1) values
    measure="verify.experiments.attention_measures:token_mixing",
    decision=Exact("in every trial |Bob - W V| <= 1e-10 and changing key m changes only column m of W"),
    falsifier=Falsifier("tanh_summary", "apply tanh to the d x d summary K^T V: the output is no "
                        "longer a token-pair mixing W V", kind=MUTATION, kv_map="tanh"),
)

claim(
    id="q07.2.alt.convex_combination", question="q07.2",
    statement="Like attention, Bob's output row i is a convex combination of the value rows "
              "(non-negative weights over tokens summing to 1).",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Bob's weights W = softmax(Q/sqrt d)K^T have rows summing to softmax(q_i).(sum_j k_j) "
              "and negative entries: not row-stochastic. With Shen et al.'s (2021) key softmax "
              "over the sequence, each column of K sums to 1 and is positive, so W becomes "
              "row-stochastic: efficient attention averages values, Bob's form does not.",
    explain="Bob's mixing weights had negative entries and rows summing to values far from 1 (off by up "
            "to 2), so his output is not an average of the value rows the way attention's is.",
    phrasings=dict(asserts=["Bob's output is still a weighted average of the values",
                            "Bob's weights are positive and sum to one like attention weights"],
                   denies=["Bob's weights can be negative and do not sum to 1"]),
    protocol=dict(**BEHAVIOUR, kv_map="none", key_softmax=False, tol=1e-10),
    measure="verify.experiments.attention_measures:convex_weights",
    decision=Exact("in every trial Bob's output equals W V with W >= -1e-10 and |rows of W - 1| <= 1e-10"),
    falsifier=Falsifier("key_softmax", "add Shen et al.'s softmax over the keys (efficient attention)",
                        kind=MUTATION, key_softmax=True),
)

claim(
    id="q07.2.alt.is_efficient_attention", question="q07.2",
    statement="Bob's form is Shen et al.'s (2021) efficient attention rho_q(Q)(rho_k(K)^T V) "
              "(here with the same 1/sqrt d temperature on the queries).",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Efficient attention also softmaxes K over the sequence axis (rho_k); Bob omits it, "
              "so the outputs differ.",
    explain="Bob's output differed from efficient attention, which also applies a softmax to the keys, by "
            "up to 7.5 on random inputs, so the two are not the same method.",
    phrasings=dict(asserts=["Bob's version is efficient attention", "Bob reinvented linear (efficient) attention"],
                   denies=["Bob's form lacks the key softmax of efficient attention"]),
    protocol=dict(**BEHAVIOUR, kv_map="none", key_softmax=False, tol=1e-10),
    measure="verify.experiments.attention_measures:efficient_attention_gap",
    decision=Exact("in every trial the max |Bob - efficient attention| <= 1e-10 (float64)"),
    falsifier=Falsifier("key_softmax", "give Bob's form the key softmax", kind=MUTATION, key_softmax=True),
)

claim(
    id="q07.2.behaviour.context_lost", question="q07.2",
    statement="In Bob's form the output of token i does not depend on the other tokens (no "
              "contextual dependencies): changing token m's key and value leaves out_i unchanged.",
    quote="the model loses the ability to capture contextual dependencies",
    kind=PROXY, expected=REFUTED,
    rationale="Proxy for 'capture contextual dependencies': whether out_i changes when another "
              "token changes. out_i = softmax(q_i/sqrt d) sum_j k_j^T v_j sums over all tokens, so "
              "every token influences every output.",
    explain="Changing one token's key and value changed the other tokens' outputs in Bob's form by up "
            "to 2.7, so each output still depends on the rest of the sequence.",
    phrasings=dict(asserts=["Bob's version loses contextual dependencies",
                            "in Bob's form each token ignores the others"],
                   denies=["Bob's output for a token still depends on every other token",
                           "K^T V sums over all tokens, so context is kept"]),
    protocol=dict(**BEHAVIOUR, aggregate="sum", tol=1e-10),
    measure="verify.experiments.attention_measures:context_dependence",
    decision=Exact("perturbing the key and value of token m (by +1), every out_i with i != m changes by "
                   "at most 1e-10, in every trial"),
    falsifier=Falsifier("self_summary", "use each token's own k_i^T v_i instead of the sum over "
                        "tokens: a genuinely context-free variant", kind=MUTATION, aggregate="self"),
)

claim(
    id="q07.2.behaviour.query_independent", question="q07.2",
    statement="Bob's form cannot adjust to the specific query: changing q_i leaves out_i unchanged.",
    quote="cannot adjust attention based on the specific query Q",
    kind=ANALYTIC, expected=REFUTED,
    rationale="out_i = softmax(q_i/sqrt d)(K^TV): the softmax over q_i's d entries is a "
              "query-dependent mixing of the rows of K^TV. Only for d = 1 is softmax of one entry "
              "constantly 1, making the output query-independent.",
    explain="Redrawing one token's query changed that token's output in Bob's form (by up to about 2), "
            "so his version does still adapt to the query.",
    phrasings=dict(asserts=["Bob's version cannot adapt to the query", "in Bob's form the output ignores the query"],
                   denies=["Bob's output still depends on the query through softmax(q_i)"]),
    protocol=dict(**BEHAVIOUR, tol=1e-10),
    measure="verify.experiments.attention_measures:query_dependence",
    decision=Exact("perturbing q_0 (by a random draw), out_0 changes by at most 1e-10 in every trial"),
    falsifier=Falsifier("d_equals_1", "width d = 1: softmax over one entry is always 1", kind=REGIME, d=1),
)

claim(
    id="q07.2.expressiveness.low_rank", question="q07.2",
    statement="Bob's n x n token-mixing matrix softmax(Q/sqrt d)K^T has rank at most d, below "
              "the rank of softmax(QK^T/sqrt d), which is full (n) for random inputs with d < n.",
    quote="This significantly limits the expressiveness and effectiveness of the attention mechanism",
    kind=PROXY, expected=HOLDS,
    rationale="Proxy for 'expressiveness': the rank of the token-mixing matrix (the low-rank "
              "bottleneck of linear attention; Wang et al. 2020, Linformer; Bhojanapalli et al. "
              "2020). The entry-wise exp makes softmax attention full-rank generically; Bob's W "
              "factors through d. 'Effectiveness' (task performance) is not measured.",
    explain="In all 5 random trials with 12 tokens and width 4, Bob's 12-by-12 mixing matrix had rank 4 "
            "while the softmax attention matrix had full rank 12.",
    phrasings=dict(asserts=["Bob's version is less expressive than attention", "Bob's mixing matrix is low-rank"],
                   denies=["Bob's version is just as expressive as standard attention"]),
    protocol=dict(**BEHAVIOUR),
    measure="verify.experiments.attention_measures:mixing_rank",
    decision=Exact("in every trial the numerical rank (torch.linalg.matrix_rank, float64) of Bob's W is "
                   "strictly below that of the softmax attention matrix"),
    falsifier=Falsifier("d_equals_n", "width d = n: W is no longer rank-limited", kind=REGIME, d=12),
)
