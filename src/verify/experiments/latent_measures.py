"""The measurements of the q01 claims: curves over the latent size h of the shared autoencoder sweep.

Every claim of q01 reads the same autoencoders (:func:`verify.experiments.latent.autoencoder_sweep`,
seed stream ``shared/q01.autoencoders``) and, where labels are involved, the same labelled subsets
(stream ``shared/q01.labels``).  Two measures serve all of them:

* :func:`inverted_u` -- the probe's test accuracy at every h, for the two-lines test;
* :func:`slope` -- one per-member quantity (``p.metric``) over the levels ``p.fit_levels``, for a
  within-seed slope on log2 h; ``p.falls`` measures its negative (the claim is about a fall).

Both return a :class:`~verify.stats.Curve` of (log2 h, value) points blocked by seed index, with
a per-h table (and, for the two-lines test, a figure) as evidence.
"""

from __future__ import annotations

import math

from ..stats import Curve
from . import latent as L

__all__ = ["METRICS", "sweep_args", "probe", "inverted_u", "slope"]

# What ``p.metric`` may name: a quantity of each (h, seed) member.
METRICS = ("test_mse", "mse_ratio", "class_eta2", "fisher", "test_acc", "probe_gap")


def sweep_args(p, ctx) -> tuple:
    """The arguments of the shared autoencoder sweep under protocol ``p`` (its memo key)."""
    return (ctx.shared_stream("q01.autoencoders"), tuple(p.levels), p.seeds_per_h, p.hidden, p.steps,
            p.batch_size, p.lr, p.train_size)


def probe(p, ctx) -> tuple[L.AESweep, L.Probe]:
    """The sweep and the probe ``p.probe`` fitted on every member's code."""
    args = sweep_args(p, ctx)
    return L.autoencoder_sweep(*args), L.probe_sweep(args, p.probe, p.per_class, p.repeats,
                                                     ctx.shared_stream("q01.labels"), p.l2, p.max_iter,
                                                     p.shuffle_labels)


def inverted_u(p, ctx) -> Curve:
    """The probe's test accuracy against log2 h at every level, blocked by seed index."""
    sw, r = probe(p, ctx)
    return Curve([math.log2(h) for h in sw.h.tolist()], r.test_acc.tolist(), blocks=sw.seed_index.tolist(),
                 evidence={"table": L.level_table(sw, test_acc=r.test_acc, train_acc=r.train_acc),
                           "curve": L.two_lines_curve(sw, r.test_acc, y_label="probe test accuracy")})


def _metric(p, ctx, sw: L.AESweep):
    """(M,) values of ``p.metric`` and the per-h table columns that show where they come from."""
    if p.metric == "test_mse":
        return sw.mse_test, {"test_mse": sw.mse_test}
    if p.metric == "mse_ratio":
        ratio = sw.mse_test / sw.mse_train
        return ratio, {"train_mse": sw.mse_train, "test_mse": sw.mse_test, "ratio": ratio}
    if p.metric == "class_eta2":
        r2 = L.class_share(sw)
        return r2, {"class_eta2": r2, "test_mse": sw.mse_test}
    if p.metric == "fisher":
        j = L.separability(sweep_args(p, ctx), p.per_class, ctx.shared_stream("q01.labels"), p.ridge,
                           p.shuffle_labels)
        return j, {"fisher": j}
    if p.metric in ("test_acc", "probe_gap"):
        _, r = probe(p, ctx)
        if p.metric == "test_acc":
            return r.test_acc, {"test_acc": r.test_acc}
        return r.gap, {"train_acc": r.train_acc, "test_acc": r.test_acc, "gap": r.gap}
    raise ValueError(f"unknown q01 metric {p.metric!r}; use one of {METRICS}")


def slope(p, ctx) -> Curve:
    """``p.metric`` (negated if ``p.falls``) against log2 h over ``p.fit_levels``, blocked by seed
    index: the points of a within-seed slope per doubling of h."""
    sw = L.autoencoder_sweep(*sweep_args(p, ctx))
    values, table = _metric(p, ctx, sw)
    sel = L.select_levels(sw, tuple(p.fit_levels))
    y = -values if p.falls else values
    return Curve([math.log2(h) for h in sw.h[sel].tolist()], y[sel].tolist(), blocks=sw.seed_index[sel].tolist(),
                 evidence={"table": L.level_table(sw, **table)})
