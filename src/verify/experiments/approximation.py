"""Universal approximation (q02): explicit one-hidden-layer ReLU constructions, Telgarsky's sawtooth,
and the tiny 1-D regression ensembles that contrast what a width *can represent* with what
gradient descent *reaches* and how it *generalises*.

Constructions are exact and float64: a one-hidden-layer ReLU net on a line is a continuous
piecewise-linear (PL) function with at most ``width`` breakpoints, and conversely every PL function
with n pieces on [a, b] is such a net with n units (``relu_interpolant``).  Trained experiments are
float32 seed ensembles through :func:`verify.lab.train.train_ensemble`, memoised with
:func:`verify.lab.memo.shared` so claims reading the same run share it.  The claims' measures
(protocol in, measurement out) are in :mod:`verify.experiments.approximation_measures`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..lab.measure import forward_flops, param_count
from ..lab.memo import shared
from ..lab.models import MLP, ShallowReLU
from ..seeding import SeedStream

__all__ = ["TARGETS", "target", "ShallowReLU", "relu_interpolant", "sup_error", "min_uniform_width",
           "tent_net", "count_pieces", "ridge_product_net", "random_feature_fit", "deep_mlp",
           "FitErrors", "NoisyFit", "SawtoothCosts", "learnability", "fit_noisy", "sawtooth_costs",
           "matched_runs", "sigmoid_gradient_ratios"]


# --------------------------------------------------------------------------- targets (1-D, float64)

def _sawtooth(x: torch.Tensor, k: int) -> torch.Tensor:
    """Telgarsky's tent map composed k times on [0, 1]: 2**k linear pieces, values in [0, 1]."""
    for _ in range(k):
        x = torch.where(x < 0.5, 2 * x, 2 - 2 * x)
    return x


TARGETS = {
    "sin": lambda x, f: torch.sin(2 * math.pi * f * x),        # f full periods on [0, 1]
    "square": lambda x, f: x ** 2,                              # smooth, not piecewise linear
    "ramp": lambda x, f: (x - 0.5).abs(),                       # piecewise linear: a ReLU net is exact
    "step": lambda x, f: (x >= 0).to(x.dtype),                  # discontinuous at 0
    "sawtooth": lambda x, f: _sawtooth(x, int(f)),              # 2**f pieces
}


def target(name: str, x: torch.Tensor, freq: float = 1.0) -> torch.Tensor:
    try:
        return TARGETS[name](x, freq)
    except KeyError:
        raise ValueError(f"unknown target {name!r}; choose from {sorted(TARGETS)}") from None


# --------------------------------------------------------------------------- exact constructions


def relu_interpolant(knots: torch.Tensor, values: torch.Tensor) -> ShallowReLU:
    """The one-hidden-layer ReLU net equal to the PL interpolant of (knots, values) on [knots[0], knots[-1]].

    f(x) = v0 + sum_i c_i relu(x - t_i), t_i = knots[:-1], c_0 = s_0, c_i = s_i - s_{i-1} (s: slopes);
    ``len(knots) - 1`` units, float64.
    """
    knots, values = knots.double(), values.double()
    slopes = (values[1:] - values[:-1]) / (knots[1:] - knots[:-1])
    coef = torch.cat([slopes[:1], slopes[1:] - slopes[:-1]])
    net = ShallowReLU(len(coef)).double()
    with torch.no_grad():
        net.hidden.weight.copy_(torch.ones(len(coef), 1, dtype=torch.float64))
        net.hidden.bias.copy_(-knots[:-1])
        net.out.weight.copy_(coef[None])
        net.out.bias.copy_(values[:1])
    return net


def sup_error(net: nn.Module, name: str, freq: float, a: float, b: float, grid: int) -> float:
    """max |net(x) - target(x)| over ``grid`` equispaced points of [a, b] (float64)."""
    x = torch.linspace(a, b, grid, dtype=torch.float64)[:, None]
    with torch.no_grad():
        return float((net(x) - target(name, x, freq)).abs().max())


def min_uniform_width(name: str, freq: float, eps: float, *, a: float = 0.0, b: float = 1.0,
                      max_width: int = 4096, grid: int = 20001) -> tuple[int | None, float]:
    """Smallest n (searched over powers of two, then bisected) whose n-unit uniform-knot ReLU
    interpolant is within ``eps`` of the target on [a, b]; (None, error at max_width) if none."""
    def err(n: int) -> float:
        k = torch.linspace(a, b, n + 1, dtype=torch.float64)
        return sup_error(relu_interpolant(k, target(name, k, freq)), name, freq, a, b, grid)

    n, e = 1, err(1)
    while e > eps:
        if n >= max_width:
            return None, e
        n = min(2 * n, max_width)
        e = err(n)
    lo, hi = n // 2, n                       # err(lo) > eps >= err(hi) (lo = 0 means n = 1)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if err(mid) <= eps:
            hi = mid
        else:
            lo = mid
    return hi, err(hi)


def ridge_product_net(n: int) -> ShallowReLU:
    """A one-hidden-layer ReLU net on R^2 approximating x*y on [0, 1]^2 from ridge functions:
    xy = ((x + y)^2 - (x - y)^2) / 4, each square a PL interpolant with n uniform pieces
    (sup error of each <= h^2/4, so <= h^2/8 overall).  2n units."""
    u = relu_interpolant(torch.linspace(0, 2, n + 1, dtype=torch.float64),
                         torch.linspace(0, 2, n + 1, dtype=torch.float64) ** 2)
    v = relu_interpolant(torch.linspace(-1, 1, n + 1, dtype=torch.float64),
                         torch.linspace(-1, 1, n + 1, dtype=torch.float64) ** 2)
    net = ShallowReLU(2 * n, d_in=2).double()
    with torch.no_grad():
        net.hidden.weight.copy_(torch.cat([torch.tensor([[1.0, 1.0]]).repeat(n, 1),
                                           torch.tensor([[1.0, -1.0]]).repeat(n, 1)]).double())
        net.hidden.bias.copy_(torch.cat([u.hidden.bias, v.hidden.bias]))
        net.out.weight.copy_(torch.cat([u.out.weight, -v.out.weight], dim=1) / 4)
        net.out.bias.copy_((u.out.bias - v.out.bias) / 4)
    return net


def random_feature_fit(act: str, name: str, freq: float, width: int, seed: int, *,
                       grid: int = 2001) -> tuple[ShallowReLU, float]:
    """Least-squares output layer on a random hidden layer (``act`` = 'relu' or 'square'), fitted
    on a dense grid of [0, 1]; returns the net and its sup error there.  For 'square' every such net
    is a polynomial of degree <= 2 whatever the width."""
    g = torch.Generator().manual_seed(seed)
    net = ShallowReLU(width, act=act).double()
    x = torch.linspace(0, 1, grid, dtype=torch.float64)[:, None]
    with torch.no_grad():
        net.hidden.weight.copy_(torch.randn(width, 1, generator=g, dtype=torch.float64))
        net.hidden.bias.copy_(-torch.rand(width, generator=g, dtype=torch.float64) * net.hidden.weight[:, 0])
        h = net.hidden(x)
        h = torch.relu(h) if act == "relu" else h ** 2
        feats = torch.cat([h, torch.ones(grid, 1, dtype=torch.float64)], dim=1)
        # gelsd (SVD): the default gelsy's rank decision on these ill-conditioned features gave
        # different solutions for the same call within one process (sup error 0.001-0.0025 at width 1024)
        sol = torch.linalg.lstsq(feats, target(name, x, freq), driver="gelsd").solution
        net.out.weight.copy_(sol[:-1].T)
        net.out.bias.copy_(sol[-1])
    return net, sup_error(net, name, freq, 0.0, 1.0, grid)


def tent_net(k: int) -> nn.Sequential:
    """Telgarsky's deep ReLU net: k hidden layers of 2 units computing the k-fold tent map on [0, 1].
    tent(z) = 2 relu(z) - 4 relu(z - 1/2); the output combination folds into the next layer."""
    layers: list[nn.Module] = []
    w_in, b_in = torch.tensor([[1.0], [1.0]]), torch.tensor([0.0, -0.5])
    comb = torch.tensor([[2.0, -4.0]])
    for i in range(k):
        lin = nn.Linear(1 if i == 0 else 2, 2).double()
        with torch.no_grad():
            if i == 0:
                lin.weight.copy_(w_in)
            else:
                lin.weight.copy_(w_in @ comb)          # (2, 1) @ (1, 2): z = comb . h, then w_in z + b_in
            lin.bias.copy_(b_in)
        layers += [lin, nn.ReLU()]
    out = nn.Linear(2, 1).double()
    with torch.no_grad():
        out.weight.copy_(comb)
        out.bias.zero_()
    return nn.Sequential(*layers, out)


def count_pieces(fn, a: float = 0.0, b: float = 1.0, resolution: int = 2 ** 14) -> int:
    """Linear pieces of a PL function on [a, b], from slope changes on a dyadic grid (float64).
    Exact for PL functions whose breakpoints lie on the grid (the sawtooths here, k <= 13)."""
    x = torch.linspace(a, b, resolution + 1, dtype=torch.float64)[:, None]
    with torch.no_grad():
        y = fn(x).flatten()
    s = (y[1:] - y[:-1]) / (x[1:, 0] - x[:-1, 0])
    return 1 + int(((s[1:] - s[:-1]).abs() > 1e-6 * (1 + s.abs().max())).sum())


def deep_mlp(depth: int, width: int) -> nn.Module:
    """1 -> width (x depth hidden layers, ReLU) -> 1."""
    return MLP((1,) + (width,) * depth + (1,), flatten=False)


def sigmoid_gradient_ratios(depth: int, width: int, batch: int, seeds, x_generator) -> list[float]:
    """Per seed: ||dL/dW|| of the first hidden-to-hidden layer over that of the last, in a
    16 -> width (x depth, sigmoid) -> 1 MLP at PyTorch's default init (init from ``torch.manual_seed
    (seed)``), L the mean squared output on N(0, I) inputs drawn from ``x_generator(seed)``.  Both
    layers are width x width, so the ratio isolates the decay of the backward signal with depth."""
    ratios = []
    for seed in seeds:
        torch.manual_seed(seed)
        net = MLP((16,) + (width,) * depth + (1,), act=nn.Sigmoid, flatten=False)
        x = torch.randn(batch, 16, generator=x_generator(seed))
        net(x).pow(2).mean().backward()
        hidden = [m for m in net.modules() if isinstance(m, nn.Linear)][1:-1]  # the width x width layers
        ratios.append((hidden[0].weight.grad.norm() / hidden[-1].weight.grad.norm()).item())
    return ratios


# --------------------------------------------------------------------------- trained experiments

@dataclass(frozen=True)
class FitErrors:
    """Per-seed errors of trained nets against the clean target on a fine grid."""

    sup: tuple[float, ...]
    rms: tuple[float, ...]


@dataclass(frozen=True)
class NoisyFit:
    """Per-seed results of :func:`fit_noisy`; ``gap`` = expected test MSE on fresh labels - train MSE."""

    train_mse: tuple[float, ...]
    test_mse: tuple[float, ...]
    gap: tuple[float, ...]
    bayes_mse: float
    params: int


@shared
def learnability(name: str, freq: float, width: int, steps: int, lr: float, grid: int, seeds: tuple,
                 init: str = "random") -> FitErrors:
    """Adam on MSE, full batch on ``grid`` points of [0, 1], one-hidden-layer ReLU nets of ``width``.
    ``init="construction"`` starts every member at the uniform-knot interpolant instead of at random.
    Returns per-seed sup and RMS error on a 4x finer grid."""
    from ..lab.train import mse, train_ensemble

    x = torch.linspace(0, 1, grid)[:, None]
    y = target(name, x, freq)

    def make(i):
        m = ShallowReLU(width)
        if init == "construction":
            k = torch.linspace(0, 1, width + 1, dtype=torch.float64)
            built = relu_interpolant(k, target(name, k, freq)).state_dict()
            m.load_state_dict({key: v.float() for key, v in built.items()})
        return m

    ens = train_ensemble(make, list(seeds), x, y, loss=mse, steps=steps, batch_size=grid, lr=lr)
    xt = torch.linspace(0, 1, 4 * grid)[:, None]
    err = ens.predict(xt) - target(name, xt, freq)
    return FitErrors(sup=tuple(err.abs().amax(dim=(1, 2)).tolist()),
                     rms=tuple(err.pow(2).mean(dim=(1, 2)).sqrt().tolist()))


@shared
def fit_noisy(name: str, freq: float, n_train: int, noise: float, depth: int, width: int, steps: int,
              lr: float, seeds: tuple, data_seed: int, stratified: bool = False) -> NoisyFit:
    """ReLU MLPs (``depth`` hidden layers of ``width``) trained by full-batch Adam on MSE, one per
    seed, each on its own ``n_train`` samples x ~ U[0, 1], y = target(x) + noise * N(0, 1)
    (samples drawn from ``data_seed``, so every architecture sees the same data).  ``stratified``
    draws x_j ~ U[j/n, (j+1)/n] instead (one sample per cell: no wide holes, in particular none at
    the ends of [0, 1] where a net must extrapolate; a variance reduction for the per-seed gap).

    Per seed: ``train_mse`` on its noisy labels; ``test_mse`` against the clean target on a
    4001-point grid; ``gap`` = expected MSE on fresh noisy labels (test_mse + noise**2) - train_mse,
    the generalisation gap.  Bayes test MSE on fresh labels is noise**2."""
    from ..lab.train import mse, train_ensemble

    g = torch.Generator().manual_seed(data_seed)
    S = len(seeds)
    x = torch.rand(S, n_train, 1, generator=g)
    if stratified:
        x = (torch.arange(n_train, dtype=x.dtype)[None, :, None] + x) / n_train
    y = target(name, x, freq) + noise * torch.randn(S, n_train, 1, generator=g)
    xt = torch.linspace(0, 1, 4001)[:, None]
    yt = target(name, xt, freq)
    ens = train_ensemble(lambda i: deep_mlp(depth, width), list(seeds), x, y, loss=mse, steps=steps,
                         batch_size=n_train, lr=lr, x_per_member=True)
    tr = (ens.predict(x, per_member=True) - y).pow(2).mean(dim=(1, 2))
    te = (ens.predict(xt) - yt).pow(2).mean(dim=(1, 2))
    return NoisyFit(train_mse=tuple(tr.tolist()), test_mse=tuple(te.tolist()),
                    gap=tuple((te + noise ** 2 - tr).tolist()), bayes_mse=noise ** 2,
                    params=param_count(deep_mlp(depth, width)))


@dataclass(frozen=True)
class SawtoothCosts:
    """Telgarsky's depth-k sawtooth net against the smallest one-hidden-layer net computing it."""

    k: int
    deep_pieces: int
    deep_units: int
    deep_params: int
    deep_flops: int
    shallow_units_lower_bound: int
    shallow_params_lower_bound: int
    shallow_flops_lower_bound: int
    shallow_construction_units: int
    shallow_construction_params: int
    shallow_construction_flops: int
    shallow_matches: float          # max |shallow interpolant - deep net| on a dyadic grid

    def evidence(self) -> dict:
        return asdict(self)


def sawtooth_costs(k: int) -> SawtoothCosts:
    """Telgarsky's k-fold tent map: pieces of the deep net, the shallow interpolant's agreement with it,
    and lower bounds on the smallest one-hidden-layer net (units >= pieces - 1, 3 parameters and 2
    matmul FLOPs per unit plus the output bias) against the deep net's exact counts (FLOPs of one
    forward pass on one input, matmuls only: :func:`verify.lab.measure.forward_flops`)."""
    deep = tent_net(k)
    pieces = count_pieces(deep)
    knots = torch.linspace(0, 1, pieces + 1, dtype=torch.float64)
    with torch.no_grad():
        shallow = relu_interpolant(knots, deep(knots[:, None])[:, 0])
        x = torch.linspace(0, 1, 2 ** 14 + 1, dtype=torch.float64)[:, None]
        match = float((shallow(x) - deep(x)).abs().max())
    one = torch.zeros(1, 1, dtype=torch.float64)
    lb = pieces - 1
    return SawtoothCosts(k=k, deep_pieces=pieces, deep_units=2 * k, deep_params=param_count(deep),
                         deep_flops=forward_flops(deep, one), shallow_units_lower_bound=lb,
                         shallow_params_lower_bound=3 * lb + 1, shallow_flops_lower_bound=4 * lb,
                         shallow_construction_units=pieces, shallow_construction_params=param_count(shallow),
                         shallow_construction_flops=forward_flops(shallow, one), shallow_matches=match)


def matched_runs(stream: SeedStream, freq: float, n_train: int, noise: float, shallow_width: int,
                 deep_depth: int, deep_width: int, steps: int, lr: float, seeds: int) -> tuple[NoisyFit, NoisyFit]:
    """The shallow (1 x ``shallow_width``) and deep (``deep_depth`` x ``deep_width``) runs of
    :func:`fit_noisy` on sin(2 pi freq x): the same data and the same member seeds, all from
    ``stream`` (so every claim reading the same stream shares both runs)."""
    members, data = tuple(stream.ints("init", seeds)), stream.int("data")
    common = ("sin", float(freq), n_train, noise)
    shallow = fit_noisy(*common, 1, shallow_width, steps, lr, members, data)
    deep = fit_noisy(*common, deep_depth, deep_width, steps, lr, members, data)
    return shallow, deep
