"""Averaging schemes for optimiser moments: exponential (EMA) versus uniform (arithmetic mean).

Question q04 asks what changes when an optimiser's exponential moving average of gradients (and of
squared gradients) is replaced by the uniform average of *all* past gradients.  This module holds
the experiments its claims read:

* :func:`average_weights` / :func:`running_average` — the weight each past gradient carries in the
  average, and the running average of a stream, for both schemes (float64, exact);
* :func:`step_lag` — how many steps an average needs to cross half-way after a step change;
* :func:`online_adam` — Adam-type updates on a 1-D online linear problem over [-1, 1] (Reddi, Kale
  & Kumar 2018, "On the Convergence of Adam and Beyond"), with an EMA or uniform second moment, and
  :func:`reddi_ends`, where both end up;
* :func:`momentum_digits` — a seed x scheme x learning-rate ensemble of tiny MLPs on the digits,
  trained with EMA or uniform-average momentum, optionally with the labels permuted mid-training.

The uniform average is itself a recursion: ``m_t = m_{t-1} + (g_t - m_{t-1}) / t``, an EMA whose
coefficient ``beta_t = 1 - 1/t`` grows towards 1, so its memory grows with t.  The claims' measures
(protocol in, measurement out) are in :mod:`verify.experiments.optim_measures`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch

from ..errors import Diverged
from ..lab.memo import shared

__all__ = ["SCHEMES", "running_average", "average_weights", "step_lag", "reddi_stream",
           "online_adam", "ReddiEnd", "reddi_ends", "effective_lr_increases", "momentum_digits",
           "uniform_v_adam_trajectory", "adagrad_trajectory"]

SCHEMES = ("ema", "uniform")


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown averaging scheme {scheme!r}; use one of {SCHEMES}")


def running_average(g: torch.Tensor, scheme: str, beta: float = 0.9, *,
                    bias_correction: bool = True) -> torch.Tensor:
    """The average after each step of the stream ``g`` (first dim = time), as an optimiser keeps it.

    ``ema``: ``m_t = beta m_{t-1} + (1 - beta) g_t`` from ``m_0 = 0``, divided by ``1 - beta**t``
    when ``bias_correction`` (Adam's m-hat, so the weights sum to 1); ``uniform``:
    ``m_t = m_{t-1} + (g_t - m_{t-1}) / t``, the arithmetic mean of ``g_1..g_t``.
    """
    _check_scheme(scheme)
    m = torch.zeros_like(g[0])
    out = []
    for t in range(1, len(g) + 1):
        if scheme == "ema":
            m = beta * m + (1 - beta) * g[t - 1]
            out.append(m / (1 - beta**t) if bias_correction else m)
        else:
            m = m + (g[t - 1] - m) / t
            out.append(m)
    return torch.stack(out)


def average_weights(t: int, scheme: str, beta: float = 0.9, *, bias_correction: bool = True) -> torch.Tensor:
    """Weight of each gradient g_1..g_t in the average at step t: d m_t / d g_i by reverse-mode AD
    through :func:`running_average` (measured on the recursion, not from the closed form)."""
    g = torch.zeros(t, dtype=torch.float64, requires_grad=True)
    m = running_average(g, scheme, beta, bias_correction=bias_correction)[-1]
    (w,) = torch.autograd.grad(m, g)
    return w.detach()


def step_lag(t0: int, scheme: str, beta: float = 0.9, *, horizon: int | None = None) -> float:
    """Steps after a step change (gradient -1 for t <= t0, +1 after) until the running average
    crosses 0 (the half-way point), linearly interpolated between the two steps that bracket it.
    Returns ``inf`` if it does not cross within ``horizon`` steps (default 4 t0 + 10 / (1 - beta))."""
    horizon = horizon or int(4 * t0 + 10 / (1 - beta)) + 10
    g = torch.cat([-torch.ones(t0, dtype=torch.float64), torch.ones(horizon, dtype=torch.float64)])
    m = running_average(g, scheme, beta)[t0 - 1:]  # m[0] is the average just before the change
    above = (m > 0).nonzero()
    if len(above) == 0:
        return math.inf
    k = int(above[0])
    lo, hi = float(m[k - 1]), float(m[k])
    return (k - 1) + (0 - lo) / (hi - lo)


def reddi_stream(T: int, C: float = 3.0, period: int = 3, *, switch_at: int | None = None,
                 scale_before: float = 1.0, after: float = -1.0) -> list[float]:
    """Gradients of Reddi et al.'s online problem f_t(x) = C x if t % period == 1 else -x.

    With ``switch_at`` the environment changes: up to ``switch_at`` the pattern is multiplied by
    ``scale_before``; afterwards every gradient is ``after`` (a new optimum at -sign(after)).
    """
    out = []
    for t in range(1, T + 1):
        if switch_at is not None and t > switch_at:
            out.append(after)
        else:
            out.append(scale_before * (C if t % period == 1 else -1.0))
    return out


def online_adam(grads: Sequence[float], *, second: str, alpha: float, beta1: float = 0.0,
                beta2: float = 0.9, decay: bool = True, eps: float = 1e-12, x0: float = 0.0) -> list[float]:
    """Projected Adam-type updates on [-1, 1] for a 1-D linear online problem with gradients
    ``grads``; returns x_1..x_T (the iterate after each step).

    ``second="ema"``: v_t = beta2 v_{t-1} + (1 - beta2) g_t^2 (Reddi et al.'s Adam, no bias
    correction); ``"uniform"``: v_t = mean(g_1^2..g_t^2).  Step alpha / sqrt(t) when ``decay``
    (the schedule of Reddi et al.'s Theorem 1), else alpha.  First moment: EMA with ``beta1``.
    """
    _check_scheme(second)
    x, m, v, s = x0, 0.0, 0.0, 0.0
    xs = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        if second == "ema":
            v = beta2 * v + (1 - beta2) * g * g
        else:
            s += g * g
            v = s / t
        a = alpha / math.sqrt(t) if decay else alpha
        x = min(1.0, max(-1.0, x - a * m / (math.sqrt(v) + eps)))
        xs.append(x)
    return xs


@dataclass(frozen=True)
class ReddiEnd:
    """Where EMA-v and uniform-v Adam end on one gradient stream: the mean of the last 10 % of
    iterates of each, and the optimum of the final environment."""

    optimum: float
    ema: float
    uniform: float


def reddi_ends(T: int, C: float, period: int, *, alpha: float, beta1: float, beta2: float,
               switch_at: int = 0, scale_before: float = 1.0, after: float = -1.0) -> ReddiEnd:
    """:func:`online_adam` with each second moment on :func:`reddi_stream` (``switch_at`` 0: no
    environment change).  The loss is linear, so the optimum is the end of [-1, 1] opposite the
    mean gradient of the last 10 % of steps."""
    g = reddi_stream(T, C, period, switch_at=switch_at or None, scale_before=scale_before, after=after)
    tail = slice(-max(1, T // 10), None)
    ends = {}
    for second in SCHEMES:
        xs = online_adam(g, second=second, alpha=alpha, beta1=beta1, beta2=beta2)[tail]
        ends[second] = sum(xs) / len(xs)
    return ReddiEnd(optimum=-1.0 if sum(g[tail]) > 0 else 1.0, **ends)


def effective_lr_increases(grads: Sequence[float], *, second: str, alpha: float, beta2: float = 0.9,
                           decay: bool = True) -> int:
    """How many steps the effective learning rate alpha_t / sqrt(v_t) goes *up* (by a relative
    1e-12 or more): Reddi et al.'s Gamma_t >= 0 condition fails exactly there."""
    _check_scheme(second)
    v, s, prev, count = 0.0, 0.0, None, 0
    for t, g in enumerate(grads, start=1):
        if second == "ema":
            v = beta2 * v + (1 - beta2) * g * g
        else:
            s += g * g
            v = s / t
        lr = (alpha / math.sqrt(t) if decay else alpha) / math.sqrt(v)
        if prev is not None and lr > prev * (1 + 1e-12):
            count += 1
        prev = lr
    return count


def _init_mlp(sizes: tuple[int, ...], seed: int) -> list[torch.Tensor]:
    """PyTorch's nn.Linear default init (uniform +-1/sqrt(fan_in)) from an explicit generator."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        bound = 1 / math.sqrt(a)
        out.append((torch.rand(a, b, generator=g) * 2 - 1) * bound)
        out.append((torch.rand(b, generator=g) * 2 - 1) * bound)
    return out


def _mlp(params: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Members-batched MLP: params[i] is (S, a, b) or (S, b); x is (S, B, in)."""
    h = x
    n = len(params) // 2
    for i in range(n):
        h = torch.baddbmm(params[2 * i + 1].unsqueeze(1), h, params[2 * i])
        if i < n - 1:
            h = torch.relu(h)
    return h


@shared
def momentum_digits(seed: int, n_seeds: int, steps: int, batch: int, lrs: tuple[float, ...],
                    beta: float, hidden: int, switch_at: int, eval_last: int) -> dict:
    """Train tiny MLPs on the digits with momentum SGD whose momentum is the bias-corrected EMA of
    gradients (``beta``) or the uniform average of all past gradients; the same lr grid for both.

    Two environments: ``"stationary"`` (the digits labels throughout) and ``"switch"`` (from step
    ``switch_at`` on the class labels are permuted by a fixed derangement: the target changes).
    Members: every (environment, scheme, lr, seed) combination, trained in one batched pass; members
    with the same seed index share their initialisation and minibatch order (a paired design).
    Returns ``{(env, scheme, lr): [loss per seed]}``: the training loss on the current labels,
    averaged over the minibatches of the last ``eval_last`` steps.
    """
    from ..lab.data import digits_split

    x, y, _, _ = digits_split(seed)
    x = x.flatten(1)
    n = len(x)
    g = torch.Generator().manual_seed(seed)
    seeds = torch.randint(0, 2**31 - 1, (n_seeds,), generator=g).tolist()
    envs = ("stationary", "switch")
    # scheme is the outermost index so each scheme's members are one contiguous slice
    members = [(env, sch, lr, i) for sch in SCHEMES for env in envs for lr in lrs for i in range(n_seeds)]
    S = len(members)
    half = S // 2
    sizes = (64, hidden, 10)
    inits = [_init_mlp(sizes, s) for s in seeds]
    seed_of = torch.tensor([m[3] for m in members])
    params = [torch.stack([inits[i][k] for i in seed_of.tolist()]).requires_grad_(True)
              for k in range(len(inits[0]))]
    lr = torch.tensor([m[2] for m in members])
    switches = torch.tensor([m[0] == "switch" for m in members])[:, None]
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    perm = torch.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 0])  # a derangement: every class gets a new label
    moms = [torch.zeros_like(p) for p in params]
    tail = torch.zeros(S)
    for step in range(steps):
        idx = torch.stack([torch.randperm(n, generator=gi)[:batch] for gi in gens])[seed_of]  # (S, B)
        xb, yb = x[idx], y[idx]
        if step >= switch_at:
            yb = torch.where(switches, perm[yb], yb)
        losses = torch.nn.functional.cross_entropy(_mlp(params, xb).flatten(0, 1), yb.flatten(),
                                                   reduction="none").view(S, -1).mean(1)
        grads = torch.autograd.grad(losses.sum(), params)
        t = step + 1
        with torch.no_grad():
            for p, m, gr in zip(params, moms, grads):
                shape = (-1,) + (1,) * (p.dim() - 1)
                m[:half].mul_(beta).add_(gr[:half], alpha=1 - beta)         # EMA
                m[half:].add_((gr[half:] - m[half:]) / t)                   # uniform mean
                p[:half].sub_(lr[:half].view(shape) * m[:half] / (1 - beta**t))
                p[half:].sub_(lr[half:].view(shape) * m[half:])
            if step >= steps - eval_last:
                tail += losses.detach()
        if step % 50 == 0 and not torch.isfinite(losses).all():
            raise Diverged(f"momentum_digits: non-finite loss at step {step}")
    tail /= eval_last
    result: dict = {}
    for (env, sch, lr_, _), v in zip(members, tail.tolist()):
        result.setdefault((env, sch, lr_), []).append(v if math.isfinite(v) else float("inf"))
    return result


def uniform_v_adam_trajectory(A: torch.Tensor, b: torch.Tensor, x0: torch.Tensor, *, alpha: float,
                              steps: int, decay: bool) -> torch.Tensor:
    """Adam with beta1 = 0, eps = 0 and the *uniform* second moment v_t = mean(g_1^2..g_t^2) on the
    quadratic 0.5 x'Ax + b'x; step alpha/sqrt(t) if ``decay``.  Returns the iterates (steps, d)."""
    x, s, out = x0.clone(), torch.zeros_like(x0), []
    for t in range(1, steps + 1):
        g = A @ x + b
        s = s + g * g
        a = alpha / math.sqrt(t) if decay else alpha
        x = x - a * g / torch.sqrt(s / t)
        out.append(x)
    return torch.stack(out)


def adagrad_trajectory(A: torch.Tensor, b: torch.Tensor, x0: torch.Tensor, *, alpha: float,
                       steps: int) -> torch.Tensor:
    """torch.optim.Adagrad (eps = 0, no lr decay) on the same quadratic: the independent oracle."""
    x = x0.clone().requires_grad_(True)
    opt = torch.optim.Adagrad([x], lr=alpha, eps=0.0)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * x @ A @ x + b @ x).backward()
        opt.step()
        out.append(x.detach().clone())
    return torch.stack(out)
