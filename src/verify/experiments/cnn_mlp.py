"""CNN vs MLP on the 8x8 digits: what each model costs, what each can represent, how each reacts
to scrambled or shifted pixels.  Shared by the q03a/q03b claims (``claims/q03_cnn_vs_mlp.py``).

Two kinds of tool live here:

* exact structure: :func:`conv_matrix` builds the (doubly-block-Toeplitz) matrix of a ``conv2d``,
  :func:`cnn_as_mlp` rewrites a conv-ReLU net as a fully connected net of the same depth,
  :func:`superposition_gap`, :func:`linearly_separable`, :func:`conv_projection_residual`;
* :func:`digits_run` / :func:`split_run`: vmapped seed ensembles trained on (optionally permuted)
  digits, memoised with :func:`verify.lab.memo.shared` so every claim that reads one trains it once
  per process (keyed by its :class:`~verify.seeding.SeedStream`).

Parameter and FLOP counts, shifts and pixel permutations come from :mod:`verify.lab.measure`; the
claims' measurements are in :mod:`verify.experiments.cnn_mlp_measures`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import torch
from torch import nn

from ..lab.measure import forward_flops, param_count, pixel_permutation, shift
from ..lab.memo import shared
from ..lab.models import ConvNet
from ..seeding import SeedStream

__all__ = ["ConvNet", "conv_matrix", "cnn_as_mlp", "make_model", "digits_run", "DigitsRun",
           "run_from_protocol", "superposition_gap", "linearly_separable", "conv_projection_residual",
           "activation_bytes", "SplitRun", "split_run"]


def conv_matrix(weight: torch.Tensor, in_shape: tuple[int, int, int], stride: int = 1, padding: int = 0,
                flip: bool = False) -> torch.Tensor:
    """The matrix M with ``conv2d(x, weight).flatten() == M @ x.flatten()`` for x of ``in_shape``.

    Built entry by entry from the definition of cross-correlation (what ``conv2d`` computes):
    ``y[o, i, j] = sum_{c, u, v} w[o, c, u, v] x[c, i*s + u - p, j*s + v - p]``.  For one channel
    pair it is doubly block Toeplitz (Toeplitz blocks arranged in a Toeplitz pattern).  ``flip=True``
    builds the matrix of the textbook convolution (kernel flipped) instead, which conv2d is not.
    """
    c_in, h, w = in_shape
    c_out, _, kh, kw = weight.shape
    if flip:
        weight = weight.flip(-1, -2)
    wl = weight.tolist()
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    m = [[0.0] * (c_in * h * w) for _ in range(c_out * oh * ow)]
    for o in range(c_out):
        for i in range(oh):
            for j in range(ow):
                row = m[(o * oh + i) * ow + j]
                for c in range(c_in):
                    for u in range(kh):
                        r = i * stride + u - padding
                        if not 0 <= r < h:
                            continue
                        for v in range(kw):
                            q = j * stride + v - padding
                            if 0 <= q < w:
                                row[(c * h + r) * w + q] += wl[o][c][u][v]
    return torch.tensor(m, dtype=weight.dtype).reshape(c_out * oh * ow, c_in * h * w)


def cnn_as_mlp(net: ConvNet, side: int) -> nn.Sequential:
    """The fully connected net (same depth, same activation) computing exactly ``net`` (no pooling)."""
    if net.pool:
        raise ValueError("cnn_as_mlp needs pool=False: max-pooling is not one linear layer")
    conv = net.conv
    m = conv_matrix(conv.weight.detach(), (1, side, side), conv.stride[0], conv.padding[0])
    out = m.shape[0] // conv.out_channels
    first = nn.Linear(m.shape[1], m.shape[0], bias=conv.bias is not None, dtype=m.dtype)
    with torch.no_grad():
        first.weight.copy_(m)
        if conv.bias is not None:
            first.bias.copy_(conv.bias.detach().repeat_interleave(out))
    return nn.Sequential(nn.Flatten(), first, type(net.act)(), net.head)


def make_model(kind: str, hidden: int = 100, channels: int = 16, kernel: int = 3) -> nn.Module:
    """The two models compared on digits.  ``kind`` is 'mlp' (64-hidden-10, ReLU) or 'cnn'
    (ConvNet: conv(kernel, channels)-ReLU-maxpool-linear; 'same' padding for kernel < 8)."""
    if kind == "mlp":
        from ..lab.models import MLP

        return MLP((64, hidden, 10))
    if kind == "cnn":
        pad = 0 if kernel == 8 else kernel // 2
        return ConvNet(c=channels, k=kernel, padding=pad, side=8, pool=kernel < 8)
    raise ValueError(f"unknown model kind {kind!r}; use 'mlp' or 'cnn'")


@dataclass(frozen=True)
class DigitsRun:
    """Per-seed accuracies of one trained ensemble (tuples aligned with ``seeds``)."""

    seeds: tuple[int, ...]
    train_acc: tuple[float, ...]
    test_acc: tuple[float, ...]
    shifted_acc: Mapping[int, tuple[float, ...]]  # shift distance -> per-seed accuracy, mean of 4 directions
    scrambled_test_acc: tuple[float, ...]  # test images (only) scrambled by the run's permutation
    params: int
    flops: int

    def accuracy(self, test_shift: int = 0) -> tuple[float, ...]:
        """Per-seed test accuracy on digits shifted by ``test_shift`` pixels (0: the test set)."""
        if test_shift == 0:
            return self.test_acc
        if test_shift not in self.shifted_acc:
            raise ValueError(f"test_shift {test_shift} was not measured; the run has shifts {sorted(self.shifted_acc)}")
        return self.shifted_acc[test_shift]


def _acc(logits: torch.Tensor, y: torch.Tensor) -> list[float]:
    return (logits.argmax(-1) == y).float().mean(-1).tolist()


@shared
def digits_run(kind: str, stream: SeedStream, n_seeds: int, *, permute: bool = False, hidden: int = 100,
               channels: int = 8, kernel: int = 3, n_train: int = 1200, steps: int = 150,
               batch: int = 64, lr: float = 1e-2, shifts: tuple[int, ...] = (1, 2)) -> DigitsRun:
    """Train ``n_seeds`` models of ``kind`` on the digits.

    The split and the pixel permutation are seeded with ``stream.base`` (the seed the q03 claims
    passed before streams existed: their split and permutation are unchanged); member i's init and
    minibatch order come from ``stream.int("init", i)``.  ``permute`` scrambles the pixels of
    train AND test images with one fixed permutation.  When the first layer is dense (the MLP, or a
    CNN with an 8x8 kernel) the permuted run's first-layer weights are initialised with the same
    permutation applied to their columns, so each permuted member computes, up to float summation
    order, the same function as its unpermuted twin composed with the permutation (a coupling: the
    paired difference isolates the effect of the arrangement itself).
    """
    from ..lab.data import digits_split
    from ..lab.train import train_ensemble

    xtr, ytr, xte, yte = digits_split(stream.base)
    xtr, ytr = xtr[:n_train], ytr[:n_train]
    perm = pixel_permutation(64, stream.base if permute else None)
    test_perm = pixel_permutation(64, stream.base)

    def scramble(x, order=perm):
        return x.reshape(len(x), 64)[:, order].reshape(len(x), 8, 8)

    seeds = stream.ints("init", n_seeds)

    def build(i):
        m = make_model(kind, hidden, channels, kernel)
        if permute and (kind == "mlp" or kernel == 8):
            # the first layer is dense (an MLP, or a conv whose kernel covers the whole image)
            with torch.no_grad():
                w = m.net[1].weight if kind == "mlp" else m.conv.weight.view(channels, 64)
                w.copy_(w[:, perm].clone())  # W' = W[:, perm], so W' x[perm] = W x
        return m

    ens = train_ensemble(build, seeds, scramble(xtr), ytr, steps=steps, batch_size=batch, lr=lr)
    train_acc = _acc(ens.predict(scramble(xtr)), ytr)
    test_acc = _acc(ens.predict(scramble(xte)), yte)
    scrambled = _acc(ens.predict(scramble(xte, test_perm)), yte) if not permute else test_acc
    shifted = {}
    for s in shifts:
        accs = [_acc(ens.predict(scramble(shift(xte, dy, dx))), yte)
                for dy, dx in ((s, 0), (-s, 0), (0, s), (0, -s))]
        shifted[s] = tuple(sum(a[i] for a in accs) / 4 for i in range(n_seeds))
    model = make_model(kind, hidden, channels, kernel)
    return DigitsRun(tuple(seeds), tuple(train_acc), tuple(test_acc), shifted, tuple(scrambled), param_count(model),
                     forward_flops(model, xte[:1]))


def run_from_protocol(p, stream: SeedStream, kind: str, permute: bool = False) -> DigitsRun:
    """:func:`digits_run` with the sizes and budget a q03 claim's protocol declares (the other
    model's sizes are left out of the call, so a CNN override never retrains the MLP)."""
    sizes = dict(hidden=p.mlp_hidden) if kind == "mlp" else dict(channels=p.cnn_channels, kernel=p.cnn_kernel)
    return digits_run(kind, stream, p.seeds, permute=permute, steps=p.steps, batch=p.batch, lr=p.lr,
                      **sizes)


@dataclass(frozen=True)
class SplitRun:
    """Per-member train and test accuracy of an ensemble whose members each have their own split."""

    seeds: tuple[int, ...]
    split_seeds: tuple[int, ...]
    train_acc: tuple[float, ...]
    test_acc: tuple[float, ...]

    @property
    def gap(self) -> tuple[float, ...]:
        """Per-member generalisation gap: train minus test accuracy."""
        return tuple(a - b for a, b in zip(self.train_acc, self.test_acc))


@shared
def split_run(kind: str, stream: SeedStream, n_seeds: int, *, hidden: int = 100, channels: int = 8,
              kernel: int = 3, steps: int = 150, batch: int = 64, lr: float = 1e-2) -> SplitRun:
    """Like :func:`digits_run`, but member i trains and tests on its own stratified split
    (``digits_split`` seeded by ``stream.int("split", i)``), so the spread across members includes
    the split-to-split variation of a train/test gap, not only that of init and minibatch order.
    Member i's init, minibatch order and split depend on (stream, i) only, not on ``kind``: member i
    of an MLP run and of a CNN run are paired on the same split."""
    from ..lab.data import digits_split
    from ..lab.train import train_ensemble

    seeds = stream.ints("init", n_seeds)
    split_seeds = stream.ints("split", n_seeds)
    xtr, ytr, xte, yte = (torch.stack(t) for t in zip(*(digits_split(s) for s in split_seeds)))
    ens = train_ensemble(lambda i: make_model(kind, hidden, channels, kernel), seeds, xtr, ytr, steps=steps,
                         batch_size=batch, lr=lr, x_per_member=True)
    return SplitRun(tuple(seeds), tuple(split_seeds), tuple(_acc(ens.predict(xtr, per_member=True), ytr)),
                    tuple(_acc(ens.predict(xte, per_member=True), yte)))


def superposition_gap(f, x: torch.Tensor, y: torch.Tensor, a: float, b: float) -> float:
    """max |f(a x + b y) - (a f(x) + b f(y))|: zero (to rounding) iff f is linear on this pair."""
    with torch.no_grad():
        return float((f(a * x + b * y) - (a * f(x) + b * f(y))).abs().max())


def linearly_separable(x: torch.Tensor, y: torch.Tensor) -> bool:
    """Whether some (w, b) has sign(w.x + b) == y (y in {0, 1}) on every point: an LP feasibility
    problem, y_i' (w.x_i + b) >= 1 with y' = 2y - 1 (scipy.optimize.linprog, HiGHS)."""
    import numpy as np
    from scipy.optimize import linprog

    xs, ys = x.double().numpy(), 2.0 * y.double().numpy() - 1.0
    a_ub = -ys[:, None] * np.hstack([xs, np.ones((len(xs), 1))])
    res = linprog(np.zeros(a_ub.shape[1]), A_ub=a_ub, b_ub=-np.ones(len(xs)),
                  bounds=[(None, None)] * a_ub.shape[1], method="highs")
    return res.status == 0


def conv_projection_residual(dense: torch.Tensor, side: int, k: int, padding: int) -> float:
    """Relative distance from a dense (c_out*L, side*side) matrix to the nearest conv layer's matrix.

    conv_matrix is linear in the kernel, so the conv matrices form the span of the matrices of the
    unit kernels; least squares over that span gives the nearest one.
    """
    c_out = dense.shape[0] // ((side + 2 * padding - k + 1) ** 2)
    basis = []
    for j in range(c_out * k * k):
        unit = torch.zeros(c_out * k * k, dtype=torch.float64)
        unit[j] = 1.0
        basis.append(conv_matrix(unit.view(c_out, 1, k, k), (1, side, side), 1, padding).flatten())
    b = torch.stack(basis, 1)
    sol = torch.linalg.lstsq(b, dense.flatten()[:, None]).solution
    return float((b @ sol - dense.flatten()[:, None]).norm() / dense.norm())


def activation_bytes(model: nn.Module, x: torch.Tensor) -> int:
    """Bytes of every module output of one forward pass over the batch x (what full-batch
    training keeps for the backward pass, roughly)."""
    total = 0

    def hook(_m, _i, out):
        nonlocal total
        total += out.numel() * out.element_size()

    handles = [m.register_forward_hook(hook) for m in model.modules() if not list(m.children())]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total
