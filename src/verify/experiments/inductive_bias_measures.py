"""The measurements of the q06 claims (inductive bias), each ``(p, ctx) -> Check | Pair`` (one a Finding).

Exact facts about convolution and pooling return a :class:`~verify.stats.Check`.  Every trained
comparison reads the shared learners of :func:`verify.experiments.inductive_bias.learners` (one run
per process under the shared stream ``q06-learners``): :func:`compare` pairs a metric of learner
``p.a`` with a metric of learner ``p.b`` at training-set size ``p.size``; the claims declare the
decisions.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..lab.fuzz import counterexample
from ..lab.measure import receptive_field, shift
from ..lab.models import LocallyConnected2d
from ..stats import Check, Pair
from .inductive_bias import (conv_vs_local_counts, dense_counts, even_lattice_input, layer_receptive_fields,
                             learners, pixel_correlation_by_distance, window_elements, window_max)

__all__ = ["pixel_correlation_gap", "local_shared_filters", "receptive_field_growth", "conv_equivariance",
           "conv_invariance", "maxpool_shift_invariance", "pool_is_window_max", "pool_keeps_maxima",
           "sharing_parameters", "sharing_flops", "locality_flops", "off_training_set_accuracy",
           "compare", "flip_rate", "disagreement", "disagreement_by_size"]


# ------------------------------------------------------------------ locality, sharing, pooling

def pixel_correlation_gap(p, ctx) -> Check:
    """mean|r| of pixel pairs at distance ``p.near`` minus that at distance >= ``p.far`` (task ``p.task``)."""
    by_d = pixel_correlation_by_distance(p.task, ctx.shared_stream("q06-permutation"))
    far = [v for d, v in by_d.items() if d >= p.far]
    gap = by_d[p.near] - sum(far) / len(far)
    return Check(ok=gap >= p.min_gap, difference=gap, tolerance=p.min_gap, statistic_name="mean|r| near - mean|r| far",
                 evidence={"mean |r| by Chebyshev distance": {d: round(v, 4) for d, v in by_d.items()}})


def local_shared_filters(p, ctx) -> Check:
    """Whether a conv layer (kernel ``p.kernel``, or 'full') has a local receptive field and equals
    the locally connected layer that holds its one filter at every position, for fuzzed shapes."""
    from hypothesis import strategies as st

    def local_and_shared(case):
        c_in, side = case
        k = 2 * side - 1 if p.kernel == "full" else p.kernel
        conv = nn.Conv2d(c_in, 2, k, padding=k // 2).double()
        rf = receptive_field(conv, side, c_in)
        lc = LocallyConnected2d.from_conv(conv, side).double()
        x = torch.randn(2, c_in, side, side, dtype=torch.float64)
        tied = torch.allclose(conv(x), lc(x), atol=1e-10, rtol=0)
        return rf <= p.max_fraction * side * side and tied

    cases = st.tuples(st.integers(1, 3), st.integers(*p.sides))
    torch.manual_seed(ctx.seed("weights"))
    bad = counterexample(cases, local_and_shared, examples=p.examples, seed=ctx.seed("fuzz"))
    k = 2 * 8 - 1 if p.kernel == "full" else p.kernel
    rf8 = receptive_field(nn.Conv2d(1, 1, k, padding=k // 2).double(), 8)
    return Check(ok=bad is None, statistic_name="counterexample (c_in, side)",
                 reason="" if bad is None else f"(c_in, side)={bad} is not local-and-shared",
                 evidence={"counterexample": bad, "receptive field on 8x8 (pixels of 64)": rf8, "kernel": p.kernel})


def receptive_field_growth(p, ctx) -> Check:
    """Receptive field of the centre layer-2 unit minus that of the centre layer-1 unit."""
    rf1, rf2 = layer_receptive_fields(p.side, p.k2, p.pool)
    return Check(ok=rf2 > rf1, difference=rf2 - rf1, statistic_name="RF(layer 2) - RF(layer 1) in pixels",
                 evidence={"receptive field layer 1": rf1, "receptive field layer 2": rf2, "image pixels": p.side ** 2})


def _shape_cases(max_side=10):
    """Fuzzed (batch, channels, side, kernel, dy, dx)."""
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(3, max_side),
                     st.sampled_from([1, 3, 5]), st.integers(-4, 4), st.integers(-4, 4))


def conv_equivariance(p, ctx) -> Check:
    """Whether conv (padding mode ``p.padding_mode``) commutes with circular shifts, for fuzzed shapes."""
    def equivariant(case):
        n, c, side, k, dy, dx = case
        if k > side:
            return True
        conv = nn.Conv2d(c, 2, k, padding=k // 2, padding_mode=p.padding_mode).double()
        x = torch.randn(n, c, side, side, dtype=torch.float64)
        a = conv(shift(x, dy, dx, circular=True))
        b = shift(conv(x), dy, dx, circular=True)
        return torch.allclose(a, b, atol=p.atol, rtol=0)

    torch.manual_seed(ctx.seed("weights"))
    bad = counterexample(_shape_cases(), equivariant, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="counterexample (n, c, side, k, dy, dx)",
                 evidence={"counterexample": bad, "padding_mode": p.padding_mode})


def conv_invariance(p, ctx) -> Check:
    """Whether ReLU(conv) followed by readout ``p.readout`` ('none' or 'global_max') is unchanged by
    circular shifts, for fuzzed shapes."""
    def invariant(case):
        n, c, side, k, dy, dx = case
        if k > side:
            return True
        conv = nn.Conv2d(c, 2, k, padding=k // 2, padding_mode="circular").double()

        def f(x):
            h = torch.relu(conv(x))
            return h.amax(dim=(-2, -1)) if p.readout == "global_max" else h

        x = torch.randn(n, c, side, side, dtype=torch.float64)
        return torch.allclose(f(shift(x, dy, dx, circular=True)), f(x), atol=p.atol, rtol=0)

    torch.manual_seed(ctx.seed("weights"))
    bad = counterexample(_shape_cases(), invariant, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="counterexample (n, c, side, k, dy, dx)",
                 evidence={"counterexample": bad, "readout": p.readout})


def maxpool_shift_invariance(p, ctx) -> Check:
    """Whether 2x2 max pooling is unchanged by a one-column circular shift of ``p.inputs`` inputs
    ('random' Gaussian maps, or 'even_lattice' maps)."""
    from hypothesis import strategies as st

    g = ctx.generator("values")

    def invariant(case):
        n, c, half = case
        shape = (n, c, 2 * half, 2 * half)
        x = (even_lattice_input(shape, g) if p.inputs == "even_lattice"
             else torch.randn(shape, generator=g, dtype=torch.float64))
        return torch.equal(F.max_pool2d(shift(x, 0, 1, circular=True), 2), F.max_pool2d(x, 2))

    cases = st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 6))
    bad = counterexample(cases, invariant, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="counterexample (n, c, half side)",
                 evidence={"counterexample": bad, "inputs": p.inputs})


def _pool(p):
    return F.max_pool2d if p.pool == "max" else F.avg_pool2d


def pool_is_window_max(p, ctx) -> Check:
    """Whether pooling ``p.pool`` equals the unfold-based window maximum, for fuzzed shapes."""
    from hypothesis import strategies as st

    g = ctx.generator("values")
    pool = _pool(p)

    def matches(case):
        n, c, h, w, k, stride = case
        stride = k if stride == 0 else stride
        x = torch.randn(n, c, max(h, k), max(w, k), generator=g, dtype=torch.float64)
        return torch.equal(pool(x, k, stride), window_max(x, k, stride))

    cases = st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(2, 9), st.integers(2, 9),
                      st.sampled_from([2, 3]), st.sampled_from([0, 1, 2]))
    bad = counterexample(cases, matches, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="counterexample (n, c, h, w, k, stride)",
                 evidence={"counterexample": bad, "pool": p.pool})


def pool_keeps_maxima(p, ctx) -> Check:
    """Whether every 2x2 pooled value (``p.pool``) is an element of its window and its largest, and
    the global maximum survives, for fuzzed inputs."""
    from hypothesis import strategies as st

    g = ctx.generator("values")
    pool = _pool(p)

    def keeps(case):
        n, c, half = case
        x = torch.randn(n, c, 2 * half, 2 * half, generator=g, dtype=torch.float64)
        y = pool(x, 2)
        win = window_elements(x, 2, 2)                       # (n, c, 4, h/2, w/2)
        is_element = (win == y.unsqueeze(2)).any(dim=2).all()
        is_largest = (win <= y.unsqueeze(2)).all()
        return bool(is_element and is_largest and y.max() == x.max())

    cases = st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 6))
    bad = counterexample(cases, keeps, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="counterexample (n, c, half side)",
                 evidence={"counterexample": bad, "pool": p.pool})


# ------------------------------------------------------------------ parameters and FLOPs

def _layer_cases():
    """Fuzzed (batch, c_in, c_out, side, k): layers small enough to count in milliseconds."""
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 4), st.integers(4, 10),
                     st.sampled_from([1, 3, 5]))


def sharing_parameters(p, ctx) -> Check:
    """Whether conv has fewer parameters than the locally connected layer, by exactly the number of
    output positions, for fuzzed layers (``p.kernel`` 'small' or 'full')."""
    from dataclasses import asdict

    def fewer(case):
        n, ci, co, side, k = case
        k = side if p.kernel == "full" else min(k, side - 1)
        c = conv_vs_local_counts(n, ci, co, side, k)
        return c.params_conv < c.params_local and c.params_local == (side - k + 1) ** 2 * c.params_conv

    bad = counterexample(_layer_cases(), fewer, examples=p.examples, seed=ctx.seed("fuzz"))
    k = 8 if p.kernel == "full" else 3
    ex = asdict(conv_vs_local_counts(1, 8, 16, 8, k))
    return Check(ok=bad is None, statistic_name="counterexample (batch, c_in, c_out, side, k)",
                 evidence={"counterexample": bad, f"8x8 image, 8->16 channels, k={k}": ex})


def sharing_flops(p, ctx) -> Check:
    """Whether conv needs fewer FLOPs than ``p.baseline`` ('local' or 'dense'), for fuzzed layers;
    the conv count is checked against the hand formula on the way."""
    from dataclasses import asdict

    from ..errors import HarnessBug

    def cheaper(case):
        n, ci, co, side, k = case
        k = min(k, side - 1)
        c = conv_vs_local_counts(n, ci, co, side, k)
        if c.flops_conv != c.flops_by_hand:
            raise HarnessBug(f"FlopCounterMode disagrees with 2*N*L*c_out*c_in*k^2: {c}")
        base = c.flops_local if p.baseline == "local" else dense_counts(n, ci, co, side, k).flops_dense
        return c.flops_conv < base

    bad = counterexample(_layer_cases(), cheaper, examples=p.examples, seed=ctx.seed("fuzz"))
    ex = {**asdict(conv_vs_local_counts(1, 8, 16, 8, 3)), **asdict(dense_counts(1, 8, 16, 8, 3))}
    return Check(ok=bad is None, statistic_name="counterexample (batch, c_in, c_out, side, k)",
                 evidence={"counterexample": bad, "baseline": p.baseline, "8x8 image, 8->16 channels, k=3": ex})


def locality_flops(p, ctx) -> Check:
    """Whether conv (``p.kernel`` 'small' or 'full') needs fewer FLOPs than a dense layer with the
    same outputs, for fuzzed layers."""
    def cheaper(case):
        n, ci, co, side, k = case
        k = side if p.kernel == "full" else min(k, side - 1)
        return conv_vs_local_counts(n, ci, co, side, k).flops_conv < dense_counts(n, ci, co, side, k).flops_dense

    bad = counterexample(_layer_cases(), cheaper, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="counterexample (batch, c_in, c_out, side, k)",
                 evidence={"counterexample": bad, "kernel": p.kernel})


# ------------------------------------------------------------------ no free lunch

def off_training_set_accuracy(p, ctx) -> Check:
    """Off-training-set accuracy of two fixed learners (nearest neighbour, majority), averaged
    exactly over every target of ``p.targets`` ('uniform': all Boolean completions of the training
    labels; 'threshold': the consistent threshold functions) on ``p.bits``-bit inputs."""
    import itertools
    import random
    from fractions import Fraction

    inputs = list(itertools.product((0, 1), repeat=p.bits))
    rng = random.Random(ctx.seed("split"))
    order = inputs[:]
    rng.shuffle(order)
    train, test = order[: p.train], order[p.train:]
    if p.targets == "uniform":
        truth = {x: rng.randint(0, 1) for x in train}
        targets = [dict(zip(test, labels)) for labels in itertools.product((0, 1), repeat=len(test))]
    else:
        # every threshold function with small integer weights that agrees with some training labelling
        funcs = {tuple(int(sum(w * b for w, b in zip(ws, x)) > t) for x in inputs)
                 for ws in itertools.product((-1, 0, 1, 2), repeat=p.bits) for t in (-1, 0, 1, 2)}
        f0 = sorted(funcs)[rng.randrange(len(funcs))]
        table = dict(zip(inputs, f0))
        truth = {x: table[x] for x in train}
        consistent = [dict(zip(inputs, f)) for f in funcs if all(dict(zip(inputs, f))[x] == truth[x] for x in train)]
        targets = [{x: f[x] for x in test} for f in consistent]

    def nearest(x):
        best = min(train, key=lambda t: (sum(a != b for a, b in zip(t, x)), t))
        return truth[best]

    majority = int(2 * sum(truth.values()) >= len(truth))
    acc = {}
    for name, predict in {"nearest_neighbour": nearest, "majority": lambda x: majority}.items():
        preds = {x: predict(x) for x in test}
        acc[name] = sum(Fraction(sum(preds[x] == t[x] for x in test), len(test)) for t in targets) / len(targets)
    worst = max(abs(float(a) - 0.5) for a in acc.values())
    return Check(ok=all(a == Fraction(1, 2) for a in acc.values()), difference=worst, tolerance=0.0,
                 statistic_name="max |off-training-set accuracy - 1/2|",
                 evidence={"targets": len(targets), **{k: float(v) for k, v in acc.items()}})


# ------------------------------------------------------------------ trained learners

def _learners(p, ctx):
    return learners(tuple(p.sizes), p.n_seeds, p.steps, ctx.shared_stream("q06-learners"))


def compare(p, ctx) -> Pair:
    """Per-member ``p.metric_a`` of learner ``p.a`` against ``p.metric_b`` of learner ``p.b`` at
    training-set size ``p.size`` (every learner on the same subsets: member i with member i)."""
    runs = _learners(p, ctx)
    return Pair(runs[p.a].values(p.metric_a, p.size), runs[p.b].values(p.metric_b, p.size),
                label=f"{p.metric_a}[{p.a}] - {p.metric_b}[{p.b}] at n={p.size}",
                evidence={"learners (mean over seeds)": runs.table()})


def flip_rate(p, ctx) -> Check:
    """Mean over members of the pooled CNN's ``p.shift_metric`` (a prediction-change rate) at ``p.size``."""
    rates = _learners(p, ctx)["cnn@digits"].values(p.shift_metric, p.size)
    mean = sum(rates) / len(rates)
    return Check(ok=mean == 0, difference=mean, tolerance=0.0, statistic_name="flip rate",
                 evidence={"flip rate per seed": [round(r, 4) for r in rates]})


def disagreement(p, ctx) -> Pair:
    """Per-member MLP/CNN disagreement rate on the ``p.on`` inputs at size ``p.size`` (a) against 0 (b)."""
    runs = _learners(p, ctx)
    d = runs.disagreement("mlp@digits", "cnn@digits", p.size, on=p.on)
    fits = [[round(v, 3) for v in runs[name].values("train_acc", p.size)] for name in ("mlp@digits", "cnn@digits")]
    return Pair(d, [0.0] * len(d), label=f"MLP/CNN disagreement on {p.on} inputs at n={p.size}",
                evidence={"train accuracy mlp / cnn": tuple(fits)})


def disagreement_by_size(p, ctx):
    """MLP/CNN test disagreement at ``p.small`` minus at ``p.large`` training digits, decided here
    (a Finding): Welch across sizes (separate subsets, different member counts), paired when both
    sizes are the same (the falsifier), where the per-member differences are exactly zero.  (A Pair
    cannot say which test applies; see the claim.)"""
    from ..stats import greater

    runs = _learners(p, ctx)
    a = runs.disagreement("mlp@digits", "cnn@digits", p.small)
    b = runs.disagreement("mlp@digits", "cnn@digits", p.large)
    return greater(a, b, min_effect=p.min_effect, alpha=ctx.alpha, paired=p.small == p.large,
                   label=f"disagreement(n={p.small}) - disagreement(n={p.large})")
