"""Tiny diffusion models whose ELBO, log-likelihood and ELBO gap are exact (q09).

Two models, both float64:

* :class:`LinearGaussian` — forward ``x_t = sqrt(1-beta_t) x_{t-1} + sqrt(beta_t) eps`` and a
  linear-Gaussian reverse model ``p(x_{t-1}|x_t) = N(a_t x_t + b_t, s_t^2)``, ``p(x_T) = N(m, v)``,
  independently per coordinate.  Then ``p(x_{0:T})`` is jointly Gaussian, so ``log p(x_0)``
  (:func:`log_marginal`), the ELBO (:func:`elbo_terms`, :func:`elbo_direct`) and
  ``KL(q(x_{1:T}|x_0) || p(x_{1:T}|x_0))`` (:func:`posterior_kl`) are all closed forms, computed by
  three independent routes so the identity ``log p = KL + ELBO`` is a real check.
* a 1-D nonlinear reverse model (mean ``a x + b + c tanh(w x)``) whose log-likelihood and
  posterior are computed on a grid (:func:`nonlinear_gap`): the posterior is no longer Gaussian.

The DDPM-style model (an MLP reverse mean, :class:`verify.lab.models.DDPM`) and the q09
measurements live in :mod:`verify.experiments.diffusion_measures`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import NamedTuple

import torch

from ..lab.models._generative import gauss_kl

__all__ = ["LinearGaussian", "ElboTerms", "NonlinearGap", "random_model", "exact_reversal", "alpha_bar",
           "log_marginal", "elbo_terms", "elbo", "elbo_direct", "posterior_kl", "sample_elbo", "elbo_argmax",
           "loglik_max", "match_marginal", "gauss_kl", "lt_value", "nonlinear_gap", "AscentStep", "ascent_steps",
           "bayes_check"]

LOG2PI = math.log(2 * math.pi)
DT = torch.float64


def alpha_bar(betas: torch.Tensor) -> torch.Tensor:
    return torch.cumprod(1 - betas, 0)


@dataclass(frozen=True)
class LinearGaussian:
    """Parameters, each (T, d) except the prior (d,); index t-1 holds step t."""

    betas: torch.Tensor
    a: torch.Tensor
    b: torch.Tensor
    log_s: torch.Tensor
    prior_mean: torch.Tensor
    prior_logvar: torch.Tensor

    @property
    def T(self) -> int:
        return self.a.shape[0]

    def tensors(self) -> list[torch.Tensor]:
        return [self.a, self.b, self.log_s, self.prior_mean, self.prior_logvar]


def random_model(T: int, d: int, gen: torch.Generator, *, beta_lo=0.05, beta_hi=0.6) -> LinearGaussian:
    u = lambda *s: torch.rand(*s, generator=gen, dtype=DT)  # noqa: E731
    n = lambda *s: torch.randn(*s, generator=gen, dtype=DT)  # noqa: E731
    return LinearGaussian(
        betas=beta_lo + (beta_hi - beta_lo) * u(T).sort().values,
        a=0.2 + 1.0 * u(T, d), b=0.5 * n(T, d), log_s=-1.5 + 1.2 * u(T, d),
        prior_mean=torch.zeros(d, dtype=DT), prior_logvar=torch.zeros(d, dtype=DT))


def exact_reversal(betas: torch.Tensor, d: int) -> LinearGaussian:
    """The time reversal of the stationary forward chain (data N(0, 1)): a = sqrt(1-beta), s^2 = beta."""
    T = betas.shape[0]
    col = lambda v: v[:, None].expand(T, d).clone()  # noqa: E731
    return LinearGaussian(betas=betas, a=col(torch.sqrt(1 - betas)), b=torch.zeros(T, d, dtype=DT),
                          log_s=col(0.5 * torch.log(betas)), prior_mean=torch.zeros(d, dtype=DT),
                          prior_logvar=torch.zeros(d, dtype=DT))


def _marginal_moments(m: LinearGaussian):
    mean, var = m.prior_mean, torch.exp(m.prior_logvar).expand_as(m.prior_mean)
    for t in range(m.T - 1, -1, -1):
        mean = m.a[t] * mean + m.b[t]
        var = m.a[t] ** 2 * var + torch.exp(2 * m.log_s[t])
    return mean, var


def log_marginal(m: LinearGaussian, x0: torch.Tensor) -> torch.Tensor:
    """log p(x_0), exact, per example (n,): Gaussian moments propagated down the reverse chain."""
    mean, var = _marginal_moments(m)
    return (-0.5 * (LOG2PI + torch.log(var) + (x0 - mean) ** 2 / var)).sum(-1)


@dataclass(frozen=True)
class ElboTerms:
    """The DDPM decomposition ELBO = L0 - L_mid - L_T, per example (n,)."""

    L0: torch.Tensor
    L_mid: torch.Tensor
    L_T: torch.Tensor


def elbo_terms(m: LinearGaussian, x0: torch.Tensor) -> ElboTerms:
    """DDPM decomposition, per example: ELBO = L0 - sum(L_mid) - L_T, with
    L0 = E_q log p(x_0|x_1), L_{t-1} = E_q KL(q(x_{t-1}|x_t,x_0) || p(x_{t-1}|x_t)),
    L_T = KL(q(x_T|x_0) || p(x_T)); every expectation in closed form."""
    ab = alpha_bar(m.betas)[:, None]
    bt = m.betas[:, None]
    s2 = torch.exp(2 * m.log_s)
    mu1, var1 = torch.sqrt(ab[0]) * x0, 1 - ab[0]
    L0 = (-0.5 * (LOG2PI + torch.log(s2[0]) + ((x0 - m.a[0] * mu1 - m.b[0]) ** 2 + m.a[0] ** 2 * var1) / s2[0])).sum(-1)
    mids = []
    for t in range(1, m.T):  # step t+1 (>= 2) in 1-based notation
        abt, abp = ab[t], ab[t - 1]
        c1 = torch.sqrt(abp) * bt[t] / (1 - abt)
        c2 = torch.sqrt(1 - bt[t]) * (1 - abp) / (1 - abt)
        vpost = (1 - abp) * bt[t] / (1 - abt)
        mut, vt = torch.sqrt(abt) * x0, 1 - abt
        k = c2 - m.a[t]
        sq = (c1 * x0 - m.b[t] + k * mut) ** 2 + k ** 2 * vt
        mids.append((0.5 * (torch.log(s2[t] / vpost) + (vpost + sq) / s2[t] - 1)).sum(-1))
    LT = gauss_kl(torch.sqrt(ab[-1]) * x0, 1 - ab[-1], m.prior_mean, torch.exp(m.prior_logvar)).sum(-1)
    mid = torch.stack(mids).sum(0) if mids else torch.zeros_like(L0)
    return ElboTerms(L0, mid, LT)


def elbo(m: LinearGaussian, x0: torch.Tensor, *, with_LT: bool = True) -> torch.Tensor:
    t = elbo_terms(m, x0)
    return t.L0 - t.L_mid - (t.L_T if with_LT else 0)


def _q_cov(betas: torch.Tensor) -> torch.Tensor:
    """Cov(x_s, x_t | x_0) for s, t in 1..T: sqrt(ab_t/ab_s) (1 - ab_s) for s <= t."""
    ab = alpha_bar(betas)
    s = torch.arange(len(betas))
    lo, hi = torch.minimum(s[:, None], s[None, :]), torch.maximum(s[:, None], s[None, :])
    return torch.sqrt(ab[hi] / ab[lo]) * (1 - ab[lo])


def elbo_direct(m: LinearGaussian, x0: torch.Tensor) -> torch.Tensor:
    """E_q[log p(x_{0:T})] + H[q(x_{1:T}|x_0)] from the joint moments of q (no posterior q(x_{t-1}|x_t,x_0))."""
    T = m.T
    C = _q_cov(m.betas)                                     # (T, T) over x_1..x_T
    mu = torch.sqrt(alpha_bar(m.betas))[None, :, None] * x0[:, None, :]   # (n, T, d)
    mean = torch.cat([x0[:, None, :], mu], 1)               # (n, T+1, d) over x_0..x_T
    Cf = torch.zeros(T + 1, T + 1, dtype=DT)
    Cf[1:, 1:] = C
    pv = torch.exp(m.prior_logvar)
    e = -0.5 * (LOG2PI + m.prior_logvar + ((mean[:, T] - m.prior_mean) ** 2 + Cf[T, T]) / pv)
    for t in range(1, T + 1):
        a, b, s2 = m.a[t - 1], m.b[t - 1], torch.exp(2 * m.log_s[t - 1])
        r = mean[:, t - 1] - a * mean[:, t] - b
        sq = r ** 2 + Cf[t - 1, t - 1] + a ** 2 * Cf[t, t] - 2 * a * Cf[t - 1, t]
        e = e - 0.5 * (LOG2PI + torch.log(s2) + sq / s2)
    entropy = (0.5 * (LOG2PI + 1 + torch.log(m.betas))).sum()
    return (e + entropy).sum(-1)


def _p_joint(m: LinearGaussian):
    """Mean (d, T+1) and covariance (d, T+1, T+1) of p(x_0..x_T) via x = A^{-1}(c + D xi)."""
    T, d = m.T, m.a.shape[1]
    A = torch.eye(T + 1, dtype=DT).expand(d, T + 1, T + 1).clone()
    c = torch.zeros(d, T + 1, dtype=DT)
    D = torch.zeros(d, T + 1, dtype=DT)
    for t in range(1, T + 1):                  # x_{t-1} - a_t x_t = b_t + s_t xi
        A[:, t - 1, t] = -m.a[t - 1]
        c[:, t - 1] = m.b[t - 1]
        D[:, t - 1] = torch.exp(m.log_s[t - 1])
    c[:, T], D[:, T] = m.prior_mean, torch.exp(0.5 * m.prior_logvar)
    Ainv = torch.linalg.inv(A)
    mean = (Ainv @ c[..., None])[..., 0]
    L = Ainv * D[:, None, :]
    return mean, L @ L.transpose(-1, -2)


def _mvn_kl(mq, Cq, mp, Cp):
    """KL(N(mq, Cq) || N(mp, Cp)) for batched means (..., k) and covariances (..., k, k)."""
    k = mq.shape[-1]
    Lp = torch.linalg.cholesky(Cp)
    diff = (mp - mq)[..., None]
    sol = torch.cholesky_solve(diff, Lp)
    tr = torch.diagonal(torch.cholesky_solve(Cq.expand_as(Cp), Lp), dim1=-2, dim2=-1).sum(-1)
    return 0.5 * (tr + (diff * sol).sum((-1, -2)) - k + torch.logdet(Cp) - torch.logdet(Cq.expand_as(Cp)))


def posterior_kl(m: LinearGaussian, x0: torch.Tensor, *, target: str = "posterior") -> torch.Tensor:
    """KL(q(x_{1:T}|x_0) || p(x_{1:T}|x_0)) (Gaussian conditioning of the joint), or against the
    model's marginal p(x_{1:T}) when ``target='prior'``; per example (n,)."""
    mean, S = _p_joint(m)                                   # (d, T+1), (d, T+1, T+1)
    Cq = _q_cov(m.betas)
    mq = torch.sqrt(alpha_bar(m.betas))[None, None, :] * x0[:, :, None]   # (n, d, T)
    if target == "posterior":
        gain = S[:, 1:, 0] / S[:, 0, 0, None]               # (d, T)
        mp = mean[None, :, 1:] + gain[None] * (x0 - mean[None, :, 0])[..., None]
        Cp = S[:, 1:, 1:] - gain[..., None] * S[:, 0, None, 1:]
    elif target == "prior":
        mp, Cp = mean[None, :, 1:].expand_as(mq), S[:, 1:, 1:]
    else:
        raise ValueError(f"target must be 'posterior' or 'prior', got {target!r}")
    return _mvn_kl(mq, Cq, mp, Cp[None]).sum(-1)


def sample_elbo(m: LinearGaussian, x0: torch.Tensor, gen: torch.Generator, *, source: str = "q") -> torch.Tensor:
    """One-sample estimate log p(x_{0:T}) - log q(x_{1:T}|x_0) per example, x_{1:T} drawn from
    q(.|x_0) (``source='q'``, unbiased) or, wrongly, from the model's own reverse chain (``'model'``)."""
    T = m.T
    xs = [None] * (T + 1)
    if source == "q":
        prev = x0
        for t in range(1, T + 1):
            prev = torch.sqrt(1 - m.betas[t - 1]) * prev + torch.sqrt(m.betas[t - 1]) * torch.randn(
                x0.shape, generator=gen, dtype=DT)
            xs[t] = prev
    elif source == "model":
        cur = m.prior_mean + torch.exp(0.5 * m.prior_logvar) * torch.randn(x0.shape, generator=gen, dtype=DT)
        xs[T] = cur
        for t in range(T, 1, -1):
            noise = torch.randn(x0.shape, generator=gen, dtype=DT)
            cur = m.a[t - 1] * cur + m.b[t - 1] + torch.exp(m.log_s[t - 1]) * noise
            xs[t - 1] = cur
    else:
        raise ValueError(f"source must be 'q' or 'model', got {source!r}")
    xs[0] = x0
    ln = lambda x, mu, var: -0.5 * (LOG2PI + torch.log(var) + (x - mu) ** 2 / var)  # noqa: E731
    lp = ln(xs[T], m.prior_mean, torch.exp(m.prior_logvar))
    lq = 0
    for t in range(1, T + 1):
        lp = lp + ln(xs[t - 1], m.a[t - 1] * xs[t] + m.b[t - 1], torch.exp(2 * m.log_s[t - 1]))
        lq = lq + ln(xs[t], torch.sqrt(1 - m.betas[t - 1]) * xs[t - 1], m.betas[t - 1])
    return (lp - lq).sum(-1)


def elbo_argmax(betas: torch.Tensor, x0: torch.Tensor) -> LinearGaussian:
    """The reverse parameters maximising the batch-mean ELBO (prior fixed at N(0, 1)): per step, the
    least-squares regression of x_{t-1} on x_t under q with x_0 drawn from the batch."""
    T, d = len(betas), x0.shape[1]
    mhat, vhat = x0.mean(0), x0.var(0, unbiased=False)
    ab = alpha_bar(betas)
    abp = torch.cat([torch.ones(1, dtype=DT), ab])
    E = torch.sqrt(abp)[:, None] * mhat                      # E x_t, t = 0..T
    V = abp[:, None] * vhat + (1 - abp)[:, None]             # Var x_t
    a, b, ls = [], [], []
    for t in range(1, T + 1):
        cov = torch.sqrt(1 - betas[t - 1]) * V[t - 1]
        at = cov / V[t]
        a.append(at)
        b.append(E[t - 1] - at * E[t])
        ls.append(0.5 * torch.log(V[t - 1] - at * cov))
    return LinearGaussian(betas=betas, a=torch.stack(a), b=torch.stack(b), log_s=torch.stack(ls),
                          prior_mean=torch.zeros(d, dtype=DT), prior_logvar=torch.zeros(d, dtype=DT))


def loglik_max(x0: torch.Tensor) -> torch.Tensor:
    """max over Gaussian p(x_0) of the batch-mean log-likelihood (attained by the linear family)."""
    v = x0.var(0, unbiased=False)
    return (-0.5 * (LOG2PI + torch.log(v) + 1)).sum()


def match_marginal(m: LinearGaussian, x0: torch.Tensor) -> LinearGaussian:
    """Change (b_1, s_1) so that p(x_0) equals the batch's Gaussian MLE: a log-likelihood maximiser."""
    mean, var = m.prior_mean, torch.exp(m.prior_logvar).expand_as(m.prior_mean)
    for t in range(m.T - 1, 0, -1):
        mean, var = m.a[t] * mean + m.b[t], m.a[t] ** 2 * var + torch.exp(2 * m.log_s[t])
    s2 = x0.var(0, unbiased=False) - m.a[0] ** 2 * var
    if (s2 <= 0).any():
        raise ValueError("cannot match the marginal: a_1^2 Var(x_1) exceeds the data variance")
    b = m.b.clone(); b[0] = x0.mean(0) - m.a[0] * mean
    ls = m.log_s.clone(); ls[0] = 0.5 * torch.log(s2)
    return replace(m, b=b, log_s=ls)


def lt_value(x0: torch.Tensor, betas: torch.Tensor) -> torch.Tensor:
    """L_T = KL(q(x_T|x_0) || N(0, I)) per example, written with log1p/expm1 so tiny values stay exact."""
    log_ab = torch.log1p(-betas).sum()
    ab = torch.exp(log_ab)
    # 0.5 [ (1-ab) + ab x0^2 - 1 - log(1-ab) ] = 0.5 [ ab x0^2 - ab - log1p(-ab) ]
    inner = ab * x0 ** 2 + (-ab - torch.log1p(-ab) if float(ab) < 1 else torch.tensor(float("inf"), dtype=DT))
    if float(ab) == 0.0:
        inner = torch.zeros_like(x0)
    return (0.5 * inner).sum(-1)


# --- 1-D nonlinear reverse model: grid quadrature ---------------------------------------------

@dataclass(frozen=True)
class NonlinearGap:
    """log p(x_0), the ELBO and the KL term of the 1-D nonlinear model, exact by quadrature, and
    the KL a Gaussian closed form gives (against the posterior's moment-matched Gaussian)."""

    c: float
    log_p: float
    elbo: float
    kl_exact: float
    kl_gaussian_closed_form: float
    gap: float
    closed_form_error: float


def nonlinear_gap(c: float, *, x0: float = 1.3, betas=(0.3, 0.5), a=(0.8, 0.6), b=(0.1, -0.2),
                  s=(0.6, 0.7), w: float = 2.0, lim: float = 9.0, n: int = 721) -> NonlinearGap:
    """T = 2, 1-D, reverse mean a_t x + b_t + c tanh(w x), prior N(0, 1).  On an n x n grid over
    (x_1, x_2): the exact posterior p(x_1, x_2 | x_0), log p(x_0), the ELBO, the exact KL, and the
    KL one gets by treating the posterior as Gaussian (its moment-matched Gaussian, closed form)."""
    g = torch.linspace(-lim, lim, n, dtype=DT)
    h = float(g[1] - g[0])
    X1, X2 = torch.meshgrid(g, g, indexing="ij")
    ln = lambda x, mu, var: -0.5 * (LOG2PI + math.log(var) + (x - mu) ** 2 / var)  # noqa: E731
    mean = lambda t, x: a[t] * x + b[t] + c * torch.tanh(w * x)  # noqa: E731
    logjoint = (ln(X2, 0.0, 1.0) + ln(X1, mean(1, X2), s[1] ** 2)
                + ln(torch.tensor(x0, dtype=DT), mean(0, X1), s[0] ** 2))
    logp = float(torch.logsumexp(logjoint.flatten(), 0) + 2 * math.log(h))
    post = torch.exp(logjoint - logp)                        # density on the grid
    q1m, q1v = math.sqrt(1 - betas[0]) * x0, betas[0]
    logq = ln(X1, q1m, q1v) + ln(X2, math.sqrt(1 - betas[1]) * X1, betas[1])
    qd = torch.exp(logq)
    kl_exact = float((qd * (logq - (logjoint - logp))).sum() * h * h)
    elbo = float((qd * (logjoint - logq)).sum() * h * h)
    # moment-matched Gaussian of the exact posterior, and the Gaussian closed-form KL against it
    w2 = post * h * h
    mu = torch.stack([(w2 * X1).sum(), (w2 * X2).sum()])
    d1, d2 = X1 - mu[0], X2 - mu[1]
    Cp = torch.stack([torch.stack([(w2 * d1 * d1).sum(), (w2 * d1 * d2).sum()]),
                      torch.stack([(w2 * d1 * d2).sum(), (w2 * d2 * d2).sum()])])
    mq = torch.tensor([q1m, math.sqrt(1 - betas[1]) * q1m], dtype=DT)
    Cq = torch.tensor([[q1v, math.sqrt(1 - betas[1]) * q1v],
                       [math.sqrt(1 - betas[1]) * q1v, (1 - betas[1]) * q1v + betas[1]]], dtype=DT)
    kl_gauss = float(_mvn_kl(mq, Cq, mu, Cp))
    return NonlinearGap(c=c, log_p=logp, elbo=elbo, kl_exact=kl_exact, kl_gaussian_closed_form=kl_gauss,
                        gap=logp - elbo, closed_form_error=abs(kl_gauss - kl_exact))


class AscentStep(NamedTuple):
    eta: float       # step size
    d_elbo: float    # change of the batch-mean ELBO
    d_logp: float    # change of the batch-mean log p(x_0)


def ascent_steps(start: str, x0: torch.Tensor, betas: torch.Tensor, steps=(1e-3, 1e-2, 1e-1)) -> list[AscentStep]:
    """From a start point, one gradient-ascent step on the batch-mean ELBO over (a, b, log s) for
    each step size.  ``start='loglik_max'``: a maximiser of
    log p(x_0) that is not the ELBO maximiser (the ELBO argmax with (b_1, s_1) refitted to match the
    data's Gaussian MLE); ``start='far'``: a = 0.5, b = 0, s = 1, far from both maximisers."""
    T, d = len(betas), x0.shape[1]
    if start == "loglik_max":
        m = match_marginal(elbo_argmax(betas, x0), x0)
    elif start == "far":
        m = LinearGaussian(betas, torch.full((T, d), 0.5, dtype=DT), torch.zeros(T, d, dtype=DT),
                           torch.zeros(T, d, dtype=DT), torch.zeros(d, dtype=DT), torch.zeros(d, dtype=DT))
    else:
        raise ValueError(f"start must be 'loglik_max' or 'far', got {start!r}")
    ps = [t.clone().requires_grad_() for t in (m.a, m.b, m.log_s)]
    mm = replace(m, a=ps[0], b=ps[1], log_s=ps[2])
    e0 = elbo(mm, x0).mean()
    e0.backward()
    l0 = float(log_marginal(m, x0).mean())
    rows = []
    with torch.no_grad():
        for eta in steps:
            m2 = replace(m, a=m.a + eta * ps[0].grad, b=m.b + eta * ps[1].grad, log_s=m.log_s + eta * ps[2].grad)
            rows.append(AscentStep(eta, float(elbo(m2, x0).mean() - e0), float(log_marginal(m2, x0).mean()) - l0))
    return rows


def bayes_check(m: LinearGaussian, x0: torch.Tensor, gen: torch.Generator, *, normaliser: str = "marginal") -> float:
    """max |log p(x_{1:T}|x_0) - [log p(x_{0:T}) - log Z]| at points x_{1:T} ~ q(.|x_0), where the left
    side is the Gaussian-conditioning density of the joint and Z = p(x_0) (``'marginal'``) or 1 (``'none'``)."""
    T = m.T
    xs = [x0]
    for t in range(1, T + 1):
        xs.append(torch.sqrt(1 - m.betas[t - 1]) * xs[-1] + torch.sqrt(m.betas[t - 1]) * torch.randn(
            x0.shape, generator=gen, dtype=DT))
    ln = lambda x, mu, var: -0.5 * (LOG2PI + torch.log(var) + (x - mu) ** 2 / var)  # noqa: E731
    lj = ln(xs[T], m.prior_mean, torch.exp(m.prior_logvar))
    for t in range(1, T + 1):
        lj = lj + ln(xs[t - 1], m.a[t - 1] * xs[t] + m.b[t - 1], torch.exp(2 * m.log_s[t - 1]))
    lj = lj.sum(-1)
    logZ = log_marginal(m, x0) if normaliser == "marginal" else torch.zeros_like(lj)
    mean, S = _p_joint(m)
    gain = S[:, 1:, 0] / S[:, 0, 0, None]
    mp = mean[None, :, 1:] + gain[None] * (x0 - mean[None, :, 0])[..., None]      # (n, d, T)
    Cp = S[:, 1:, 1:] - gain[..., None] * S[:, 0, None, 1:]
    x = torch.stack(xs[1:], -1)                                                     # (n, d, T)
    post = torch.distributions.MultivariateNormal(mp, covariance_matrix=Cp[None].expand(x.shape[0], -1, -1, -1))
    lpost = post.log_prob(x).sum(-1)
    return float((lpost - (lj - logZ)).abs().max())
