"""The measures of the q08 claims about softmax rows: sums, masks, white and gray pixels.

Each measure takes ``(p, ctx)`` and returns a :class:`~verify.stats.Check`.  Most search with
Hypothesis (:func:`verify.lab.fuzz.counterexample`) over row shapes, dtypes, logit magnitudes and
-inf masks; ``p.normalise`` swaps the softmax for the falsifiers' alternatives
(:func:`.attention.normalise_rows`).
"""

from __future__ import annotations

import torch

from ..lab.fuzz import counterexample
from ..stats import Check
from .attention import naive_softmax, normalise_rows

__all__ = ["DTYPES", "row_tolerance", "softmax_rows", "fully_masked_rows", "masked_row_sums",
           "large_logits", "single_weight_rows", "underflow_zeros", "white_iff_single", "float32_white",
           "double_white_rows", "equal_split"]

DTYPES = ("float32", "float64", "bfloat16", "float16")   # every softmax dtype CPU torch supports


def row_tolerance(dtype, m: int) -> float:
    """Row-sum tolerance: each of m weights is rounded once to the dtype (relative error <= eps/2),
    plus the reduction: m * eps bounds both (bfloat16 eps 2^-7, float16 2^-10, float32 2^-23)."""
    return max(1, m) * torch.finfo(dtype).eps


def _logits_cases(p):
    """Hypothesis strategy: (shape, softmax dim, dtype, scale, spikes, data seed)."""
    from hypothesis import strategies as st

    shapes = st.lists(st.integers(1, p.max_side), min_size=1, max_size=p.max_dims).map(tuple)
    return shapes.flatmap(lambda s: st.tuples(
        st.just(s), st.integers(0, len(s) - 1), st.sampled_from(DTYPES),
        st.sampled_from(p.scales), st.booleans(), st.integers(0, 2**31 - 1)))


def _masked_logits(case, p):
    """Logits of the case and a -inf mask leaving >= 1 entry per softmax slice unmasked (or, with
    ``p.fully_masked_row``, one slice entirely masked)."""
    shape, dim, dtype, scale, spikes, seed = case
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64) * scale
    if spikes and x.numel() >= 2:          # the large logits of the brief: +1e4 and -1e4
        x.view(-1)[0], x.view(-1)[-1] = 1e4, -1e4
    mask = torch.rand(shape, generator=g) < p.mask_rate
    keep = torch.nn.functional.one_hot(torch.randint(shape[dim], shape[:dim] + shape[dim + 1:], generator=g),
                                       shape[dim]).movedim(-1, dim).bool()
    mask &= ~keep                           # at least one unmasked entry per slice
    if p.fully_masked_row:
        idx = [0] * len(shape)
        idx[dim] = slice(None)
        mask[tuple(idx)] = True
    return x.to(getattr(torch, dtype)), mask


def _fill(p, dtype) -> float:
    return float("-inf") if p.fill == "-inf" else torch.finfo(dtype).min


def softmax_rows(p, ctx) -> Check:
    """A search for a -inf-masked softmax (any shape, dim, dtype, scale) with a non-finite weight, a
    weight outside [0, 1], a masked weight != 0 or a slice sum off 1 by more than m*eps; ok iff none."""
    def ok(case):
        x, mask = _masked_logits(case, p)
        dim = case[1]
        y = torch.softmax(x.masked_fill(mask, float("-inf")), dim=dim)
        yd = y.double()
        return bool(torch.isfinite(yd).all() and (yd >= 0).all() and (yd <= 1).all()
                    and (yd[mask] == 0).all()
                    and ((yd.sum(dim) - 1).abs() <= row_tolerance(y.dtype, x.shape[dim])).all())

    bad = counterexample(_logits_cases(p), ok, examples=p.examples, seed=ctx.stream("fuzz").base)
    worst = {}
    for dt in DTYPES:   # a fixed table for graders: worst |row sum - 1| per dtype, 64 rows of 7
        x = (torch.randn(64, 7, generator=ctx.generator(dt), dtype=torch.float64) * 30).to(getattr(torch, dt))
        worst[dt] = float((torch.softmax(x, -1).double().sum(-1) - 1).abs().max())
    return Check(ok=bad is None, statistic_name="counterexample",
                 reason="" if bad is None else f"case (shape, dim, dtype, scale, spikes, seed) = {bad}",
                 evidence={"counterexample": bad, "examples": p.examples,
                           "worst |row sum - 1| at scale 30, 64x7": worst,
                           "tolerance m*eps (m=7)": {dt: row_tolerance(getattr(torch, dt), 7) for dt in DTYPES}})


def fully_masked_rows(p, ctx) -> Check:
    """A search over row lengths 1..max_side and dtypes for a row filled entirely with ``p.fill``
    ('-inf' or 'min': the dtype's minimum) whose softmax is not all NaN; ok iff none."""
    from hypothesis import strategies as st

    seen = {}

    def ok(case):
        m, dt = case
        dtype = getattr(torch, dt)
        y = torch.softmax(torch.zeros(m, dtype=dtype).masked_fill(torch.ones(m, dtype=torch.bool), _fill(p, dtype)), -1)
        seen[f"{dt}, m={m}"] = y.double().tolist()
        return bool(torch.isnan(y).all())

    bad = counterexample(st.tuples(st.integers(1, p.max_side), st.sampled_from(DTYPES)), ok,
                         examples=p.examples, seed=ctx.stream("fuzz").base)
    return Check(ok=bad is None, statistic_name="counterexample (m, dtype)",
                 reason="" if bad is None else f"row length and dtype {bad} is not all NaN",
                 evidence={"fill": p.fill, "counterexample": bad, "sample rows": dict(list(seen.items())[:4])})


def masked_row_sums(p, ctx) -> Check:
    """A search for a masked softmax (masks filled with ``p.fill``) with a NaN or a slice not
    summing to 1 within m*eps; ok iff none."""
    def ok(case):
        x, mask = _masked_logits(case, p)
        dim = case[1]
        y = torch.softmax(x.masked_fill(mask, _fill(p, x.dtype)), dim=dim).double()
        return bool(torch.isfinite(y).all() and ((y.sum(dim) - 1).abs() <= row_tolerance(x.dtype, x.shape[dim])).all())

    bad = counterexample(_logits_cases(p), ok, examples=p.examples, seed=ctx.stream("fuzz").base)
    return Check(ok=bad is None, statistic_name="counterexample",
                 reason="" if bad is None else f"case {bad} has a row not summing to 1",
                 evidence={"fill": p.fill, "counterexample": bad})


def large_logits(p, ctx) -> Check:
    """softmax([logit, -logit, 0]) in every dtype (``p.impl``: 'torch' or the 'naive' exp/sum);
    ok iff some dtype gives a non-finite weight."""
    out = {}
    for dt in DTYPES:
        x = torch.tensor([p.logit, -p.logit, 0.0]).to(getattr(torch, dt))
        out[dt] = (torch.softmax(x, -1) if p.impl == "torch" else naive_softmax(x)).double().tolist()
    bad = [dt for dt, y in out.items() if not all(v == v and abs(v) != float("inf") for v in y)]
    return Check(ok=bool(bad), statistic_name="dtypes with non-finite weights", difference=len(bad),
                 evidence={"impl": p.impl, "weights": out})


def _one_unmasked(m, j, dt, seed, how):
    """A row of m random logits (dtype ``dt``) with every entry but j masked, normalised by ``how``."""
    x = torch.randn(m, generator=torch.Generator().manual_seed(seed)).to(getattr(torch, dt))
    mask = torch.ones(m, dtype=torch.bool)
    mask[j % m] = False
    return normalise_rows(x.masked_fill(mask, float("-inf")), -1, how)


def single_weight_rows(p, ctx) -> Check:
    """A search over rows with one unmasked entry (length, position, dtype) for one that does not
    have exactly one non-zero weight equal to 1; ok iff none."""
    from hypothesis import strategies as st

    def ok(case):
        m, j, dt, seed = case
        y = _one_unmasked(m, j, dt, seed, p.normalise)
        return bool((y != 0).sum() == 1 and y[j % m] == 1)

    cases = st.tuples(st.integers(1, p.max_side), st.integers(0, 63), st.sampled_from(DTYPES),
                      st.integers(0, 2**31 - 1))
    bad = counterexample(cases, ok, examples=p.examples, seed=ctx.stream("fuzz").base)
    return Check(ok=bad is None, statistic_name="counterexample (m, j, dtype, seed)",
                 reason="" if bad is None else f"row {bad}: its single non-zero weight is not 1",
                 evidence={"normalise": p.normalise, "counterexample": bad})


def underflow_zeros(p, ctx) -> Check:
    """How many weights of softmax([0, -gap, ..., -gap]) (length m, float32) are exactly 0; ok iff none."""
    x = torch.full((p.m,), -p.gap)
    x[0] = 0.0
    y = torch.softmax(x, -1)
    zeros = int((y == 0).sum())
    return Check(ok=zeros == 0, difference=zeros, tolerance=0, statistic_name="weights exactly 0",
                 evidence={"gap": p.gap, "weights": [float(v) for v in y]})


def white_iff_single(p, ctx) -> Check:
    """A search over float64 rows (length m, k unmasked entries, logits within +-logit_scale) for one
    where (max weight == 1) differs from (exactly one non-zero weight); ok iff none."""
    from hypothesis import strategies as st

    def ok(case):
        m, k, seed = case
        g = torch.Generator().manual_seed(seed)
        x = (torch.rand(m, generator=g, dtype=torch.float64) * 2 - 1) * p.logit_scale
        mask = torch.ones(m, dtype=torch.bool)
        mask[torch.randperm(m, generator=g)[:1 + k % m]] = False
        y = normalise_rows(x.masked_fill(mask, float("-inf")), -1, p.normalise)
        return bool((y.max() == 1) == (int((y != 0).sum()) == 1))

    bad = counterexample(st.tuples(st.integers(1, p.max_side), st.integers(0, 63), st.integers(0, 2**31 - 1)),
                         ok, examples=p.examples, seed=ctx.stream("fuzz").base)
    return Check(ok=bad is None, statistic_name="counterexample (m, k, seed)",
                 reason="" if bad is None else f"row {bad} breaks 'white iff one non-zero entry'",
                 evidence={"normalise": p.normalise, "counterexample": bad})


def float32_white(p, ctx) -> Check:
    """softmax([0, -gap]) in float32; ok iff both weights are non-zero and the larger is exactly 1."""
    y = torch.softmax(torch.tensor([0.0, -p.gap]), -1)
    return Check(ok=bool((y != 0).sum() == 2 and y.max() == 1.0), difference=float(1 - y.max()),
                 statistic_name="1 - max weight", evidence={"gap": p.gap, "weights": [float(v) for v in y]})


def double_white_rows(p, ctx) -> Check:
    """A search over float32 rows of logits in [0, logit_scale] for one whose normalised weights
    (``p.normalise``) include two equal to 1; ok iff one is found."""
    from hypothesis import strategies as st

    def no_double_white(case):
        m, seed = case
        x = torch.rand(m, generator=torch.Generator().manual_seed(seed)) * p.logit_scale
        return bool((normalise_rows(x, -1, p.normalise) == 1).sum() < 2)

    found = counterexample(st.tuples(st.integers(2, p.max_side), st.integers(0, 2**31 - 1)),
                           no_double_white, examples=p.examples, seed=ctx.stream("fuzz").base)
    return Check(ok=found is not None, statistic_name="row with >= 2 full weights found",
                 evidence={"normalise": p.normalise, "example": found})


def equal_split(p, ctx) -> Check:
    """Per trial, the spread (largest - smallest) of the non-zero softmax weights of m random
    logits times ``p.logit_scale``; ok iff every spread is within 1e-6."""
    spreads = []
    for s in ctx.seeds(p.trials, "row"):
        x = torch.randn(p.m, generator=torch.Generator().manual_seed(s), dtype=torch.float64) * p.logit_scale
        y = torch.softmax(x, -1)
        nz = y[y != 0]
        spreads.append(float(nz.max() - nz.min()))
    return Check(ok=max(spreads) <= 1e-6, difference=max(spreads), tolerance=1e-6,
                 statistic_name="max (largest - smallest non-zero weight)")
