"""The measures of the q04 claims (EMA versus uniform averaging of an optimiser's moments).

Each measure takes a claim's protocol ``p`` and its :class:`~verify.runner.Context` and returns
what the claim's declared decision decides: a :class:`~verify.stats.Check` for the exact
computations, a :class:`~verify.stats.Curve` for the lag's growth, a :class:`~verify.stats.Pair`
of per-seed losses for the momentum runs.  The experiments are in :mod:`verify.experiments.optim`.
"""

from __future__ import annotations

import numpy as np
import torch

from ..stats import Check, Curve, Pair
from . import optim

__all__ = ["weights_geometric", "weights_equal", "lag_ratio", "lag_curve", "momentum_loss",
           "uniform_misses_optimum", "ema_distance_to_worst", "ema_uniform_distance", "noise_variance",
           "noise_variance_gap", "effective_lr_rises", "ema_schedule_is_mean", "adagrad_distance"]


# ------------------------------------------------------------------------ weights and lags

def weights_geometric(p, ctx) -> Check:
    """The weights d m_t / d g_i of ``scheme`` at step t: ok iff they strictly increase with i and
    consecutive ones are in ratio beta (to 1e-9)."""
    w = optim.average_weights(p.t, p.scheme, p.beta)
    increasing = bool((w[1:] > w[:-1]).all())
    ratio_err = float(((w[:-1] / w[1:]) - p.beta).abs().max())
    return Check(ok=increasing and ratio_err <= 1e-9, difference=ratio_err, tolerance=1e-9,
                 statistic_name="max |w_{i-1}/w_i - beta|",
                 evidence={"scheme": p.scheme, "t": p.t, "weights_oldest_5": w[:5].tolist(),
                           "weights_newest_5": w[-5:].tolist(), "strictly_increasing": increasing})


def weights_equal(p, ctx) -> Check:
    """max_i |w_i - 1/t| for the weights of ``scheme`` at step t (the decision's tolerance decides)."""
    w = optim.average_weights(p.t, p.scheme, p.beta)
    return Check(difference=float((w - 1.0 / p.t).abs().max()), statistic_name="max |w_i - 1/t|",
                 evidence={"scheme": p.scheme, "t": p.t, "w_oldest": float(w[0]), "w_newest": float(w[-1])})


def lag_ratio(p, ctx) -> Check:
    """Half-way lags after a step change at t0: ok iff the uniform average's is >= ``factor`` times
    the EMA's."""
    lag_e = optim.step_lag(p.t0, "ema", p.beta)
    lag_u = optim.step_lag(p.t0, "uniform", p.beta)
    ratio = lag_u / lag_e
    return Check(ok=ratio >= p.factor, difference=ratio, tolerance=p.factor, statistic_name="lag_uniform / lag_ema",
                 evidence={"t0": p.t0, "lag_ema_steps": lag_e, "lag_uniform_steps": lag_u})


def lag_curve(p, ctx) -> Curve:
    """The half-way lag of ``scheme`` against the change time t0, for every t0 of the protocol."""
    lags = [optim.step_lag(t0, p.scheme, p.beta) for t0 in p.t0s]
    return Curve(p.t0s, lags, evidence={"scheme": p.scheme,
                                        "table": {str(t0): round(lag, 3) for t0, lag in zip(p.t0s, lags)}})


# ------------------------------------------------------------------------ momentum on the digits

def momentum_loss(p, ctx) -> Pair:
    """Per seed, the final training loss in ``environment`` of uniform-average momentum (a) and of
    EMA momentum (b), each at the learning rate of the grid where its mean loss is lowest."""
    res = optim.momentum_digits(ctx.shared_stream("q04-momentum-digits").base, p.n_seeds, p.steps, p.batch,
                                tuple(p.lrs), p.beta, p.hidden, p.switch_at, p.eval_last)
    env, best = p.environment, {}
    for sch in optim.SCHEMES:
        means = {lr: float(np.mean(res[(env, sch, lr)])) for lr in p.lrs}
        best[sch] = min(means, key=means.get)
    table = {f"{sch} lr={lr:g}": round(float(np.mean(res[(env, sch, lr)])), 4)
             for sch in optim.SCHEMES for lr in p.lrs}
    return Pair(res[(env, "uniform", best["uniform"])], res[(env, "ema", best["ema"])],
                evidence=dict(environment=env, beta=p.beta, best_lr=best, mean_loss_by_lr=table))


# ------------------------------------------------------------------------ Reddi et al.'s online problem

def _ends(p) -> optim.ReddiEnd:
    return optim.reddi_ends(p.T, p.C, p.period, alpha=p.alpha, beta1=p.beta1, beta2=p.beta2,
                            switch_at=p.switch_at, scale_before=p.scale_before, after=p.after)


def uniform_misses_optimum(p, ctx) -> Check:
    """Distance of uniform-v Adam's end point from the optimum: ok iff above ``distance`` and
    above EMA-Adam's distance."""
    r = _ends(p)
    du, de = abs(r.uniform - r.optimum), abs(r.ema - r.optimum)
    return Check(ok=du > p.distance and du > de, difference=du, tolerance=p.distance,
                 statistic_name="|x_uniform - x*|",
                 evidence={"x*": r.optimum, "x_ema (last 10%)": r.ema, "x_uniform (last 10%)": r.uniform,
                           "switch_at": p.switch_at})


def ema_distance_to_worst(p, ctx) -> Check:
    """|x_ema - (+1)|: how far EMA-Adam's end point is from the worst point +1."""
    r = _ends(p)
    return Check(difference=abs(r.ema - 1.0), statistic_name="|x_ema - (+1)|",
                 evidence={"beta2": p.beta2, "x_ema (last 10%)": r.ema, "x_uniform (last 10%)": r.uniform})


def ema_uniform_distance(p, ctx) -> Check:
    """|x_ema - x_uniform|: how far apart the two second moments' end points are."""
    r = _ends(p)
    return Check(difference=abs(r.ema - r.uniform), statistic_name="|x_ema - x_uniform|",
                 evidence={"beta2": p.beta2, "x_ema": r.ema, "x_uniform": r.uniform})


def effective_lr_rises(p, ctx) -> Check:
    """Steps at which the effective learning rate goes up on Reddi's stream: ok iff the EMA's
    count is at most the uniform average's."""
    g = optim.reddi_stream(p.T, p.C, p.period)
    ne = optim.effective_lr_increases(g, second="ema", alpha=p.alpha, beta2=p.beta2)
    nu = optim.effective_lr_increases(g, second="uniform", alpha=p.alpha, beta2=p.beta2)
    return Check(ok=ne <= nu, difference=ne - nu, tolerance=0, statistic_name="increases(EMA) - increases(uniform)",
                 evidence={"T": p.T, "C": p.C, "increases_ema": ne, "increases_uniform": nu})


# ------------------------------------------------------------------------ noise and identities

def noise_variance(p, ctx) -> Check:
    """Var(EMA)/Var(g) = sum_i w_i^2 under i.i.d. noise at step t: ok iff <= ``ratio``."""
    w = optim.average_weights(p.t, "ema", p.beta)
    r = float((w * w).sum())
    return Check(ok=r <= p.ratio, difference=r, tolerance=p.ratio, statistic_name="Var(EMA)/Var(g)",
                 evidence={"beta": p.beta, "t": p.t, "theory (1-beta)/(1+beta)": (1 - p.beta) / (1 + p.beta)})


def noise_variance_gap(p, ctx) -> Check:
    """sum w_i^2 of the EMA minus that of the uniform average at step t: ok iff the uniform
    average's is lower (by more than rounding, 1e-12)."""
    vu = float((optim.average_weights(p.t, "uniform", p.beta) ** 2).sum())
    ve = float((optim.average_weights(p.t, "ema", p.beta) ** 2).sum())
    return Check(ok=vu < ve - 1e-12, difference=ve - vu, tolerance=1e-12,
                 statistic_name="Var(EMA) - Var(uniform) (units of sigma^2)",
                 evidence={"t": p.t, "var_uniform": vu, "var_ema": ve})


def ema_schedule_is_mean(p, ctx) -> Check:
    """Hypothesis search for a gradient stream (length x shape) on which the recursion
    m_t = beta_t m_{t-1} + (1 - beta_t) g_t with ``schedule`` differs from the prefix mean."""
    from hypothesis import strategies as st

    from ..lab.fuzz import counterexample

    def same(case) -> bool:
        t, shape = case
        g = torch.randn((t, *shape), dtype=torch.float64, generator=ctx.generator(str(case)))
        m = torch.zeros(shape, dtype=torch.float64)
        for i in range(1, t + 1):
            b = 1 - 1 / i if p.schedule == "1-1/t" else 0.9
            m = b * m + (1 - b) * g[i - 1]
        return torch.allclose(m, g.mean(0), rtol=1e-12, atol=1e-12)

    cases = st.tuples(st.integers(2, p.max_t), st.lists(st.integers(1, p.max_side), max_size=p.max_dims).map(tuple))
    bad = counterexample(cases, same, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="counterexample (t, shape)",
                 reason="" if bad is None else f"{bad} breaks recursion == mean",
                 evidence={"counterexample": bad, "examples": p.examples, "schedule": p.schedule})


def adagrad_distance(p, ctx) -> Check:
    """max |x_uniformAdam - x_Adagrad| over the trajectories on a random d-dimensional quadratic."""
    g = ctx.generator("quadratic")
    Q = torch.randn(p.d, p.d, dtype=torch.float64, generator=g)
    A = Q @ Q.T / p.d + 0.1 * torch.eye(p.d, dtype=torch.float64)
    b = torch.randn(p.d, dtype=torch.float64, generator=g)
    x0 = torch.randn(p.d, dtype=torch.float64, generator=g)
    xa = optim.uniform_v_adam_trajectory(A, b, x0, alpha=p.alpha, steps=p.steps, decay=p.decay)
    xg = optim.adagrad_trajectory(A, b, x0, alpha=p.alpha, steps=p.steps)
    return Check(difference=float((xa - xg).abs().max()), statistic_name="max |x_a - x_g|",
                 evidence={"steps": p.steps, "decay": p.decay})
