"""The measures of the q02 claims (universal approximation, and why depth anyway).

Each measure takes a claim's protocol ``p`` and its :class:`~verify.runner.Context` and returns
what the claim's declared decision decides: a :class:`~verify.stats.Check` for the exact
constructions (``ok`` is the condition the claim's ``Exact(...)`` names), a
:class:`~verify.stats.Pair` of per-seed samples for the trained ensembles.  The constructions and
the training runs themselves are in :mod:`verify.experiments.approximation`.
"""

from __future__ import annotations

import math

import torch

from ..stats import Check, Pair
from . import approximation as A

__all__ = ["uniform_widths", "activation_fit", "interpolant_error", "ridge_product_error",
           "extrapolation_error", "trained_error", "best_training_mse", "generalisation_gap",
           "step_ramp_error", "sawtooth_width_ratio", "sawtooth_pieces_with_2k_units", "sawtooth_cost_ratio",
           "sawtooth_matched_params", "matched_metric", "sigmoid_gradient_decay"]


# ------------------------------------------------------------------------ constructions (q02a)

def uniform_widths(p, ctx) -> Check:
    """For every (f, eps): the smallest uniform-knot width within eps of sin(2 pi f x), if one is
    <= ``max_width``; ok iff every pair has one."""
    rows, ok = [], True
    for f in p.freqs:
        for eps in p.eps:
            w, err = A.min_uniform_width("sin", f, eps, max_width=p.max_width, grid=p.grid)
            ok &= w is not None
            rows.append({"f": f, "eps": eps, "width": w, "sup_error": err})
    worst = max(r["sup_error"] - r["eps"] for r in rows)
    return Check(ok=ok, difference=worst, tolerance=0.0, statistic_name="max(sup error - eps)",
                 evidence={"widths": rows})


def activation_fit(p, ctx) -> Check:
    """Random-feature fits of sin with ``activation`` at each width, against ReLU at the largest:
    ok iff the tested activation misses eps at every width while ReLU reaches it."""
    seed = ctx.seed("hidden")
    tested = {w: A.random_feature_fit(p.activation, "sin", p.freq, w, seed)[1] for w in p.widths}
    relu = A.random_feature_fit("relu", "sin", p.freq, max(p.widths), seed)[1]
    best = min(tested.values())
    return Check(ok=best > p.eps and relu <= p.eps, difference=best, tolerance=p.eps,
                 statistic_name=f"best sup error with {p.activation}",
                 evidence={f"{p.activation}_sup_error_by_width": tested, "relu_sup_error": relu})


def interpolant_error(p, ctx) -> Check:
    """Sup error on [0, 1] of the uniform-knot interpolant of ``target`` at each width; ok iff
    the best is <= ``tol`` (exact up to rounding)."""
    rows = {}
    for w in p.widths:
        k = torch.linspace(0, 1, w + 1, dtype=torch.float64)
        rows[w] = A.sup_error(A.relu_interpolant(k, A.target(p.target, k)), p.target, 1.0, 0.0, 1.0, 20001)
    best = min(rows.values())
    return Check(ok=best <= p.tol, difference=best, tolerance=p.tol, statistic_name="min sup error",
                 evidence={"sup_error_by_width": rows,
                           "lower_bound_x2_1/(8(W+1)^2)": {w: 1 / (8 * (w + 1) ** 2) for w in p.widths}})


def ridge_product_error(p, ctx) -> Check:
    """Sup error of the ridge construction of xy on a ``grid`` x ``grid`` square, doubling the
    pieces per ridge until it is within eps or the width passes ``max_width``."""
    g = torch.linspace(0, 1, p.grid, dtype=torch.float64)
    X = torch.cartesian_prod(g, g)
    rows, n = {}, 1
    while 2 * n <= p.max_width:
        with torch.no_grad():
            rows[2 * n] = float((A.ridge_product_net(n)(X)[:, 0] - X[:, 0] * X[:, 1]).abs().max())
        if rows[2 * n] <= p.eps:
            break
        n *= 2
    best = min(rows.values())
    return Check(ok=best <= p.eps, difference=best, tolerance=p.eps, statistic_name="sup error",
                 evidence={"sup_error_by_width": rows})


def extrapolation_error(p, ctx) -> Check:
    """The eps-nets of ``target`` on [0, 1], evaluated on [0, extended]: ok iff every one is off
    by at least ``gap`` somewhere there."""
    rows = []
    for eps in p.eps:
        w, err = A.min_uniform_width(p.target, 1.0, eps)
        k = torch.linspace(0, 1, w + 1, dtype=torch.float64)
        net = A.relu_interpolant(k, A.target(p.target, k))
        far = A.sup_error(net, p.target, 1.0, 0.0, p.extended, 40001)
        rows.append({"eps": eps, "width": w, "sup_error_0_1": err, "sup_error_0_extended": far})
    worst = min(r["sup_error_0_extended"] for r in rows)
    return Check(ok=worst >= p.gap, difference=worst, tolerance=p.gap,
                 statistic_name=f"min sup error on [0, {p.extended:g}]", evidence={"nets": rows})


def best_training_mse(p, ctx) -> Check:
    """The least training MSE any function reaches on ``n_points`` noisy samples of sin(2 pi x)
    (each input twice when ``duplicates``), attained by the ReLU interpolant of the per-input mean
    labels; ok iff it is <= ``tol``."""
    g = ctx.generator("data")
    x = torch.linspace(0, 1, p.n_points, dtype=torch.float64)
    reps = 2 if p.duplicates else 1
    xs = x.repeat(reps)
    ys = torch.sin(2 * torch.pi * xs) + p.noise * torch.randn(len(xs), generator=g, dtype=torch.float64)
    means = ys.view(reps, -1).mean(0)
    net = A.relu_interpolant(x, means)
    with torch.no_grad():
        mse = float((net(xs[:, None])[:, 0] - ys).pow(2).mean())
    floor = float((ys.view(reps, -1) - means).pow(2).mean())
    return Check(ok=mse <= p.tol, difference=mse, tolerance=p.tol, statistic_name="best training MSE",
                 evidence={"min_mse_over_all_functions": floor, "net_width": len(x) - 1, "points": len(xs)})


def step_ramp_error(p, ctx) -> Check:
    """Error of ever steeper 3-unit ramp nets against the unit step on [-1, 1] under ``loss``
    ('sup', or 'l2' = RMS); ok iff the best is <= eps."""
    x = torch.linspace(-1, 1, p.grid, dtype=torch.float64)[:, None]
    y = A.target("step", x)
    rows = {}
    for d in p.ramp_halfwidths:
        net = A.relu_interpolant(torch.tensor([-1.0, -d, d, 1.0]), torch.tensor([0.0, 0.0, 1.0, 1.0]))
        with torch.no_grad():
            e = net(x) - y
        rows[d] = float(e.abs().max()) if p.loss == "sup" else float(e.pow(2).mean().sqrt())
    best = min(rows.values())
    return Check(ok=best <= p.eps, difference=best, tolerance=p.eps, statistic_name=f"best {p.loss} error",
                 evidence={f"{p.loss}_error_by_ramp_halfwidth": rows})


# ------------------------------------------------------------------------ trained ensembles (q02a)

def trained_error(p, ctx) -> Pair:
    """log10(sup error / eps) per seed of Adam-trained nets of the construction's width (from
    ``init``), against 0: the decision compares the excess over eps with log10(factor)."""
    width, cons_err = A.min_uniform_width("sin", p.freq, p.eps)
    r = A.learnability("sin", p.freq, width, p.steps, p.lr, p.grid, tuple(ctx.seeds(p.seeds, "init")), p.init)
    logr = [math.log10(s / p.eps) for s in r.sup]
    return Pair(logr, [0.0] * len(logr),
                evidence=dict(width=width, construction_sup_error=cons_err, trained_sup=list(r.sup),
                              trained_rms=list(r.rms), init=p.init))


def generalisation_gap(p, ctx) -> Pair:
    """Per seed, a wide one-hidden-layer net fitted to noisy samples of sin(2 pi x): expected test
    MSE on fresh labels (a) against its training MSE (b)."""
    r = A.fit_noisy("sin", 1.0, p.n_train, p.noise, 1, p.width, p.steps, p.lr,
                    tuple(ctx.seeds(p.seeds, "init")), ctx.seed("data"), stratified=p.stratified)
    test = [t + r.bayes_mse for t in r.test_mse]
    return Pair(test, list(r.train_mse),
                evidence=dict(train_mse=list(r.train_mse), expected_test_mse=test, bayes_mse=r.bayes_mse))


# ------------------------------------------------------------------------ depth (q02b)

def sawtooth_width_ratio(p, ctx) -> Check:
    """Units of the smallest shallow net computing the 2^k-piece sawtooth over the deep net's 2k:
    ok iff the deep net has 2^k pieces, the shallow interpolant equals it and the ratio >= ``ratio``."""
    c = A.sawtooth_costs(p.k)
    ok = (c.deep_pieces == 2 ** p.k and c.shallow_matches <= 1e-9
          and c.shallow_units_lower_bound >= p.ratio * c.deep_units)
    return Check(ok=ok, difference=c.shallow_units_lower_bound / c.deep_units, tolerance=p.ratio,
                 statistic_name="shallow units / deep units",
                 evidence=c.evidence())


def sawtooth_pieces_with_2k_units(p, ctx) -> Check:
    """The most pieces a one-hidden-layer net with 2k units has (2k + 1) against the 2^k the deep
    net computes: ok iff enough."""
    c = A.sawtooth_costs(p.k)
    ok = 2 * p.k + 1 >= c.deep_pieces == 2 ** p.k
    return Check(ok=ok, difference=2 * p.k + 1 - c.deep_pieces, tolerance=0.0,
                 statistic_name="max pieces with 2k units - pieces needed", evidence=c.evidence())


def sawtooth_cost_ratio(p, ctx) -> Check:
    """min(parameter ratio, FLOP ratio) of the smallest shallow net over the deep sawtooth net."""
    c = A.sawtooth_costs(p.k)
    pr = c.shallow_params_lower_bound / c.deep_params
    fr = c.shallow_flops_lower_bound / c.deep_flops
    return Check(ok=min(pr, fr) >= p.ratio, difference=min(pr, fr), tolerance=p.ratio,
                 statistic_name="min(param ratio, FLOP ratio)",
                 evidence={**c.evidence(), "param_ratio": pr, "flop_ratio": fr})


def sawtooth_matched_params(p, ctx) -> Check:
    """Units a one-hidden-layer net gets at the deep sawtooth net's parameter count, against the
    sawtooth's 2^(k-1) teeth: below them some tooth holds no breakpoint (sup error >= 1/2); at
    2^k or more units the 2^k-unit interpolant fits and is exact."""
    c = A.sawtooth_costs(p.k)
    w = (c.deep_params - 1) // 3
    teeth = 2 ** (p.k - 1)
    if w < teeth:
        bound, ok = 0.5, c.deep_pieces == 2 ** p.k
    elif w >= c.deep_pieces:
        bound, ok = c.shallow_matches, False
    else:
        bound, ok = None, False
    return Check(ok=ok, difference=teeth - w, tolerance=0.0, statistic_name="teeth - matched shallow units",
                 evidence={**c.evidence(), "matched_shallow_units": w, "teeth": teeth,
                           "shallow_sup_error_lower_bound": bound})


def matched_metric(p, ctx) -> Pair:
    """``metric`` ('gap' or 'test_mse') per seed of arm ``a`` against arm ``b`` (each 'shallow' or
    'deep'), from the matched-parameter runs on one shared stream per (freq, n_train, noise)."""
    stream = ctx.shared_stream(f"q02b-matched-{p.freq}-{p.n_train}-{p.noise}")
    shallow, deep = A.matched_runs(stream, p.freq, p.n_train, p.noise, p.shallow_width, p.deep_depth,
                                   p.deep_width, p.steps, p.lr, p.seeds)
    arms = {"shallow": shallow, "deep": deep}
    return Pair(list(getattr(arms[p.a], p.metric)), list(getattr(arms[p.b], p.metric)),
                evidence=dict(shallow_params=shallow.params, deep_params=deep.params,
                              shallow_train=list(shallow.train_mse), deep_train=list(deep.train_mse),
                              shallow_test=list(shallow.test_mse), deep_test=list(deep.test_mse)))


def sigmoid_gradient_decay(p, ctx) -> Check:
    """First over last hidden-to-hidden gradient norm of a deep sigmoid MLP at default init, per
    seed: ok iff the largest ratio is below ``threshold``."""
    ratios = A.sigmoid_gradient_ratios(p.depth, p.width, p.batch, ctx.seeds(p.seeds, "init"),
                                       lambda seed: ctx.generator(f"x{seed}"))
    worst = max(ratios)
    return Check(ok=worst < p.threshold, difference=worst, tolerance=p.threshold,
                 statistic_name="max over seeds of first/last hidden-layer gradient-norm ratio",
                 evidence={"depth": p.depth, "ratios": ratios})
