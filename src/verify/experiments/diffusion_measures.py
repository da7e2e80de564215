"""The q09 measurements: what each diffusion claim computes, as ``measure(p, ctx) -> Check``.

Every q09 claim is exact, so each measure returns a :class:`~verify.stats.Check`.  The linear-
Gaussian identities share one fuzzing measure (:func:`fuzz_linear_gaussian`) whose protocol field
``check`` names the property (:data:`CHECKS`); the DDPM experiments (:func:`ddpm_grads`,
:func:`lt_grads`, :func:`train_pair`) train :class:`verify.lab.models.DDPM`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, NamedTuple

import torch

from ..lab.memo import shared
from ..lab.models import DDPM
from ..stats import Check
from . import diffusion as D

__all__ = ["CHECKS", "REL_TOL", "fuzz_linear_gaussian", "elbo_argmax_shortfall", "ascent_from",
           "nonlinear_kl", "mc_elbo", "lt_gradients", "lt_parameter_gradients", "lt_training", "lt_values",
           "GradRow", "ddpm_grads", "ddpm_grad_table", "lt_grads", "train_pair"]

REL_TOL = 1e-9   # float64 closed forms agree to ~1e-14 relative; 1e-9 leaves 5 orders of margin


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return bool(((a - b).abs() <= REL_TOL * (1 + a.abs())).all())


def _below(e: torch.Tensor, lp: torch.Tensor) -> bool:
    return bool((e <= lp + REL_TOL * (1 + lp.abs())).all())


# ------------------------------------------------------------------ linear-Gaussian fuzzing

@dataclass(frozen=True)
class Property:
    """A property of (protocol, model, x_0 batch, generator) that the fuzzer tries to break."""

    holds: Callable[..., bool]
    failure: str                    # what failed, for the reason (formatted with the protocol)
    tolerance: float | None = None  # the tolerance the verdict reports, where the claim states one


def _kl_or_log_ratio(p, m, x0, g) -> torch.Tensor:
    if p.quantity == "kl":
        return D.posterior_kl(m, x0)
    return D.log_marginal(m, x0) - D.sample_elbo(m, x0, g)   # log q - log p(.|x_0) at one sample


def _elbo_estimate(p, m, x0, g) -> torch.Tensor:
    return D.elbo(m, x0) if p.estimator == "closed_form" else D.sample_elbo(m, x0, g)


CHECKS = {
    "logp_is_kl_plus_elbo": Property(
        lambda p, m, x0, g: _close(D.log_marginal(m, x0), D.posterior_kl(m, x0, target=p.kl_target) + D.elbo(m, x0)),
        "identity fails", REL_TOL),
    "kl_nonnegative": Property(lambda p, m, x0, g: bool((_kl_or_log_ratio(p, m, x0, g) >= -1e-12).all()),
                               "negative {quantity}"),
    "elbo_below_logp": Property(lambda p, m, x0, g: _below(_elbo_estimate(p, m, x0, g), D.log_marginal(m, x0)),
                                "ELBO estimate exceeds log p"),
    "sample_elbo_below_logp": Property(lambda p, m, x0, g: _below(D.sample_elbo(m, x0, g), D.log_marginal(m, x0)),
                                       "a sample exceeds log p"),
    "elbo_equals_logp": Property(lambda p, m, x0, g: _close(D.log_marginal(m, x0), D.elbo(m, x0)),
                                 "ELBO != log p"),
    "gap_is_kl_to_prior": Property(
        lambda p, m, x0, g: _close(D.log_marginal(m, x0) - D.elbo(m, x0), D.posterior_kl(m, x0, target="prior")),
        "gap != KL to p(x_1:T)"),
    "posterior_by_bayes": Property(lambda p, m, x0, g: D.bayes_check(m, x0, g, normaliser=p.normaliser) <= 1e-9,
                                   "Bayes-rule density mismatch"),
    "decomposition_is_direct": Property(
        lambda p, m, x0, g: _close(D.elbo_direct(m, x0), D.elbo(m, x0, with_LT=not p.drop_LT)),
        "decomposition != direct ELBO"),
}


def _build(p, example):
    """The model, x_0 batch and generator of one fuzzed example (T, d, parameter seed)."""
    T, d, s = example
    gen = torch.Generator().manual_seed(s)
    m = D.random_model(T, d, gen)
    if p.model == "exact_reversal":
        m = D.exact_reversal(m.betas, d)
    elif p.model == "a1_zero":
        a = m.a.clone()
        a[0] = 0.0
        m = D.LinearGaussian(m.betas, a, m.b, m.log_s, m.prior_mean, m.prior_logvar)
    x0 = 2.0 * torch.randn(p.batch, d, generator=gen, dtype=D.DT)
    return m, x0, gen


def fuzz_linear_gaussian(p, ctx) -> Check:
    """Search (T, d, parameters, x_0) for a counterexample to the property ``CHECKS[p.check]``."""
    from hypothesis import strategies as st

    from ..lab.fuzz import counterexample

    prop = CHECKS[p.check]
    strat = st.tuples(st.integers(1, p.max_T), st.integers(1, p.max_d), st.integers(0, 2**31 - 1))
    bad = counterexample(strat, lambda ex: prop.holds(p, *_build(p, ex)), examples=p.examples, seed=ctx.seed("fuzz"))
    table = []
    for ex in [(1, 1, 0), (3, 2, 1), (6, 3, 2)] + ([bad] if bad is not None else []):
        m, x0, gen = _build(p, ex)
        table.append({"T, d, seed": ex, "log p(x0)": float(D.log_marginal(m, x0)[0]), "ELBO": float(D.elbo(m, x0)[0]),
                      "KL to posterior": float(D.posterior_kl(m, x0)[0]),
                      "KL to p(x_1:T)": float(D.posterior_kl(m, x0, target="prior")[0]),
                      "1-sample ELBO": float(D.sample_elbo(m, x0, gen)[0])})
    return Check(ok=bad is None, tolerance=prop.tolerance, statistic_name="counterexample (T, d, seed)",
                 reason="" if bad is None else f"{prop.failure.format(**p)} at (T, d, seed) = {bad}",
                 evidence={"counterexample": bad, "examples": p.examples, "table": table})


# ------------------------------------------------------------------ ELBO ascent on a data batch

def _ascent_data(p, ctx):
    g = ctx.generator("data")
    x0 = p.data_mean + p.data_std * torch.randn(p.n, 1, generator=g, dtype=D.DT)
    if p.standardize:
        x0 = (x0 - x0.mean()) / x0.std(unbiased=False)
    return x0, torch.linspace(p.beta_lo, p.beta_hi, p.T, dtype=D.DT)


def elbo_argmax_shortfall(p, ctx) -> Check:
    """How much mean log p(x_0) the ELBO maximiser gives up against the best attainable (nats)."""
    x0, betas = _ascent_data(p, ctx)
    best = D.loglik_max(x0)
    mE = D.elbo_argmax(betas, x0)
    shortfall = float(best - D.log_marginal(mE, x0).mean())
    ddpm = torch.linspace(1e-4, 0.02, 1000, dtype=D.DT)
    short_ddpm = float(best - D.log_marginal(D.elbo_argmax(ddpm, x0), x0).mean())
    return Check(difference=shortfall, statistic_name="log p shortfall at ELBO argmax (nats)",
                 evidence={"max mean log p": float(best),
                           "mean log p at ELBO argmax": float(D.log_marginal(mE, x0).mean()),
                           "mean ELBO at ELBO argmax": float(D.elbo(mE, x0).mean()),
                           "shortfall, same data, DDPM schedule T=1000": short_ddpm})


def ascent_from(p, ctx) -> Check:
    """The number of tested ELBO-ascent steps from ``p.start`` that raise the ELBO but not log p."""
    x0, betas = _ascent_data(p, ctx)
    rows = D.ascent_steps(p.start, x0, betas, steps=tuple(p.steps))
    bad = [r for r in rows if r.d_elbo > 0 and not r.d_logp > 0]
    return Check(ok=not bad, difference=float(len(bad)), tolerance=0.0,
                 statistic_name="steps raising ELBO but not log p",
                 evidence={"rows (eta, dELBO, dlog p)": rows})


# ------------------------------------------------------------------ the KL term of a nonlinear model

def nonlinear_kl(p, ctx) -> Check:
    """Whether the Gaussian closed-form KL matches the exact (quadrature) KL within ``p.tol``."""
    r = D.nonlinear_gap(p.c, n=p.grid)
    return Check(ok=r.closed_form_error <= p.tol, difference=r.closed_form_error, tolerance=p.tol,
                 statistic_name="|closed-form KL - exact KL|", evidence=asdict(r))


def mc_elbo(p, ctx) -> Check:
    """z-scores of the mean of ``p.samples`` one-sample ELBOs (x_{1:T} from ``p.source``) against the
    closed-form ELBO, for three random models."""
    g = ctx.generator("mc")
    zs = []
    for T, d in [(2, 1), (4, 2), (6, 3)][: p.models]:
        m = D.random_model(T, d, g)
        x0 = 2.0 * torch.randn(p.batch, d, generator=g, dtype=D.DT)
        s = D.sample_elbo(m, x0.repeat(p.samples, 1), g, source=p.source).view(p.samples, p.batch)
        zs += ((s.mean(0) - D.elbo(m, x0)) / (s.std(0) / p.samples ** 0.5)).tolist()
    zmax = max(abs(z) for z in zs)
    return Check(ok=zmax <= p.z_max, difference=zmax, tolerance=p.z_max, statistic_name="max |z|",
                 evidence={"z": [round(z, 3) for z in zs]})


# ------------------------------------------------------------------ L_T in a DDPM

class GradRow(NamedTuple):
    seed: int
    parameter: str
    equal: bool          # torch.equal(grad with L_T, grad without)
    max_diff: float


def ddpm_grads(T: int, d: int, n: int, seed: int, *, learn_schedule=False, learn_prior=False):
    """Gradients of the negative ELBO w.r.t. every parameter, (with L_T, without L_T), each by
    parameter name; same data, noise and init (``seed`` seeds the init and the data generator)."""
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = DDPM(T, d, learn_schedule=learn_schedule, learn_prior=learn_prior)
    x0 = torch.randn(n, d, generator=gen, dtype=D.DT)
    eps = torch.randn(T, n, d, generator=gen, dtype=D.DT)
    out = []
    for with_LT in (True, False):
        model.zero_grad(set_to_none=False)
        for prm in model.parameters():
            prm.grad = torch.zeros_like(prm)
        model.neg_elbo(x0, eps, with_LT=with_LT).backward()
        out.append({name: prm.grad.clone() for name, prm in model.named_parameters()})
    return tuple(out)


@shared
def ddpm_grad_table(T: int, d: int, n: int, seeds: tuple[int, ...], learn_schedule: bool,
                    learn_prior: bool) -> tuple[GradRow, ...]:
    """Per seed and parameter: torch.equal and the max |difference| of the two gradients."""
    rows = []
    for s in seeds:
        with_lt, without = ddpm_grads(T, d, n, s, learn_schedule=learn_schedule, learn_prior=learn_prior)
        for name in with_lt:
            diff = float((with_lt[name] - without[name]).abs().max())
            rows.append(GradRow(s, name, bool(torch.equal(with_lt[name], without[name])), diff))
    return tuple(rows)


def lt_grads(T: int, d: int, seed: int, *, learn_prior: bool, learn_schedule: bool = False) -> dict[str, float]:
    """max |d L_T / d theta| for every parameter of the DDPM model (0 where L_T does not use it)."""
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = DDPM(T, d, learn_prior=learn_prior, learn_schedule=learn_schedule)
    x0 = torch.randn(8, d, generator=gen, dtype=D.DT)
    LT = model.prior_kl(x0).mean()
    names, prms = zip(*model.named_parameters())
    grads = torch.autograd.grad(LT, prms, allow_unused=True) if LT.requires_grad else [None] * len(prms)
    return {n: 0.0 if g is None else float(g.abs().max()) for n, g in zip(names, grads)}


def train_pair(T: int, d: int, n: int, seed: int, *, steps: int, lr: float, learn_prior: bool) -> dict[str, float]:
    """Plain gradient descent on the negative ELBO with and without L_T from one init, same data and
    noise; max |difference| of the final parameters, per parameter."""
    gen = torch.Generator().manual_seed(seed)
    x0 = torch.randn(n, d, generator=gen, dtype=D.DT)
    eps = torch.randn(T, n, d, generator=gen, dtype=D.DT)
    finals = []
    for with_LT in (True, False):
        torch.manual_seed(seed)
        model = DDPM(T, d, learn_prior=learn_prior)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        for _ in range(steps):
            opt.zero_grad(set_to_none=False)
            model.neg_elbo(x0, eps, with_LT=with_LT).backward()
            opt.step()
        finals.append({k: v.detach().clone() for k, v in model.named_parameters()})
    return {k: float((finals[0][k] - finals[1][k]).abs().max()) for k in finals[0]}


def lt_gradients(p, ctx) -> Check:
    """Whether the negative ELBO's gradients are bitwise equal with and without L_T, for ``p.seeds``
    inits and for fuzzed (T, d, seed)."""
    from hypothesis import strategies as st

    from ..lab.fuzz import counterexample

    seeds = tuple(ctx.seeds(p.seeds, "init"))
    rows = ddpm_grad_table(p.T, p.d, p.n, seeds, p.learn_schedule, p.learn_prior)
    table_ok = all(r.equal for r in rows)

    def equal(ex) -> bool:
        return all(r.equal for r in ddpm_grad_table(ex[0], ex[1], 4, (ex[2],), p.learn_schedule, p.learn_prior))

    strat = st.tuples(st.integers(1, p.max_T), st.integers(1, p.max_d), st.integers(0, 2**31 - 1))
    bad = counterexample(strat, equal, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=table_ok and bad is None, difference=max(r.max_diff for r in rows), tolerance=0.0,
                 statistic_name="max |grad with L_T - grad without|",
                 evidence={"per seed, parameter (seed, name, equal, max diff)": [r for r in rows if r.seed == seeds[0]],
                           "all equal over seeds": table_ok, "fuzz counterexample (T, d, seed)": bad})


def lt_parameter_gradients(p, ctx) -> Check:
    """The largest |d L_T / d theta| over every parameter and ``p.seeds`` inits."""
    rows = {s: lt_grads(p.T, p.d, s, learn_prior=p.learn_prior) for s in ctx.seeds(p.seeds, "init")}
    worst = max(max(r.values()) for r in rows.values())
    return Check(ok=worst == 0.0, difference=worst, tolerance=0.0, statistic_name="max |dL_T/dtheta|",
                 evidence={"per parameter, first seed": next(iter(rows.values()))})


def lt_training(p, ctx) -> Check:
    """Whether some parameter differs after ``p.steps`` SGD steps with vs without L_T."""
    diffs = train_pair(p.T, p.d, p.n, ctx.seed("train"), steps=p.steps, lr=p.lr, learn_prior=p.learn_prior)
    worst = max(diffs.values())
    return Check(ok=worst > 0.0, difference=worst, tolerance=0.0, statistic_name="max |theta_with - theta_without|",
                 evidence={"per parameter": diffs})


def lt_values(p, ctx) -> Check:
    """L_T = KL(q(x_T|x_0) || N(0, 1)) on a grid of x_0 for a linear schedule: ``ok`` iff every value
    lies in (0, ``p.tiny``]; ``difference`` is the largest."""
    betas = torch.linspace(p.beta_start, p.beta_end, p.T, dtype=D.DT)
    x0 = torch.linspace(-1, 1, p.x0_grid, dtype=D.DT)[:, None]
    v = D.lt_value(x0, betas)
    ab = float(torch.exp(torch.log1p(-betas).sum()))
    return Check(ok=bool((v > 0).all() and (v <= p.tiny).all()), difference=float(v.max()), tolerance=p.tiny,
                 statistic_name="max L_T (nats)",
                 evidence={"alpha_bar_T": ab, "min L_T": float(v.min()), "max L_T": float(v.max())})
