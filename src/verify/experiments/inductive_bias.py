"""Experiments for q06 (inductive bias): weight sharing vs a locally connected layer, shift
equivariance/invariance of convolution and max-pooling, and CNN vs low-bias models across
training-set sizes on the UCI digits.

Every experiment that several claims read is memoised with :func:`verify.lab.memo.shared` and takes
its :class:`~verify.seeding.SeedStream` explicitly.  Seed ensembles train in one vmapped pass (:func:`verify.lab.train.train_ensemble`);
training-set sizes ride in the same pass: member (size, seed) gets its own subsample, tiled to the
largest size so that uniform minibatches over the tiled set are uniform over the subsample.
Results are typed (:class:`LearnerRun`, :class:`Learners`); the q06 claims' measurements are in
:mod:`verify.experiments.inductive_bias_measures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import torch
from torch import nn

from ..lab.measure import flops, param_count, pixel_permutation, receptive_field, shift
from ..lab.memo import shared
from ..lab.models import LocallyConnected2d
from ..seeding import SeedStream

__all__ = ["LayerCounts", "DenseCounts", "conv_vs_local_counts", "dense_counts", "layer_receptive_fields",
           "window_max", "window_elements", "even_lattice_input", "pixel_correlation_by_distance",
           "LearnerRun", "Learners", "size_sweep", "learners", "MODELS", "SHIFTS"]


# ---------------------------------------------------------------- layers and models


def _mlp():
    from verify.lab.models import MLP
    return MLP((64, 128, 10))    # 64 inputs, one hidden layer of 128: ~9.6k parameters, fits 1,200 digits


def _cnn():
    from verify.lab.models import SmallCNN
    return SmallCNN(8, 16)       # the library's conv-pool-conv-pool CNN: ~2.1k parameters


def _cnn_nopool():
    from verify.lab.models import SmallCNN
    return SmallCNN(8, 16, pool=False)


MODELS = {"mlp": _mlp, "cnn": _cnn, "cnn_nopool": _cnn_nopool}


# ---------------------------------------------------------------- exact counts

@dataclass(frozen=True)
class LayerCounts:
    """Parameters and FLOPs of a conv layer and of the locally connected layer with the same
    receptive fields; ``flops_by_hand`` is 2 x batch x positions x c_out x c_in x k^2."""

    params_conv: int
    params_local: int
    flops_conv: int
    flops_local: int
    flops_by_hand: int


@dataclass(frozen=True)
class DenseCounts:
    params_dense: int
    flops_dense: int


def conv_vs_local_counts(batch: int, c_in: int, c_out: int, side: int, k: int) -> LayerCounts:
    """Parameters and FLOPs (FlopCounterMode and by hand) of a conv layer and of the locally
    connected layer with the same receptive fields (no padding)."""
    conv = nn.Conv2d(c_in, c_out, k)
    lc = LocallyConnected2d(c_in, c_out, k, side)
    x = torch.randn(batch, c_in, side, side)
    positions = (side - k + 1) ** 2
    by_hand = 2 * batch * positions * c_out * c_in * k * k   # one multiply-add per weight use
    with torch.no_grad():
        return LayerCounts(param_count(conv), param_count(lc), flops(lambda: conv(x)), flops(lambda: lc(x)), by_hand)


def dense_counts(batch: int, c_in: int, c_out: int, side: int, k: int) -> DenseCounts:
    """Parameters and FLOPs of a dense layer mapping the same input to the same number of outputs
    as a no-padding conv layer (every output sees every input: no locality, no sharing)."""
    positions = (side - k + 1) ** 2
    lin = nn.Linear(c_in * side * side, c_out * positions)
    x = torch.randn(batch, c_in * side * side)
    with torch.no_grad():
        return DenseCounts(param_count(lin), flops(lambda: lin(x)))


# ---------------------------------------------------------------- shifts and receptive fields

def layer_receptive_fields(side: int = 8, k2: int = 3, pool: bool = True) -> tuple[int, int]:
    """Receptive fields (input pixels) of the centre unit of layer 1 (3x3 conv) and of layer 2
    (optional 2x2 pooling, then a k2 x k2 conv) of a SmallCNN-shaped stack.  Connectivity only:
    weights set to 1, average pooling and no ReLU, so no unit's gradient vanishes by accident."""
    c1 = nn.Conv2d(1, 1, 3, padding=1, bias=False).double()
    c2 = nn.Conv2d(1, 1, k2, padding=k2 // 2, bias=False).double()
    with torch.no_grad():
        c1.weight.fill_(1.0)
        c2.weight.fill_(1.0)

    def layer2(x):
        h = c1(x)
        return c2(nn.functional.avg_pool2d(h, 2) if pool else h)

    return receptive_field(c1, side), receptive_field(layer2, side)


def window_max(x: torch.Tensor, k: int, stride: int) -> torch.Tensor:
    """Max over each k x k window (stride ``stride``) computed independently of max_pool2d:
    unfold the windows and take the largest element of each."""
    n, c, h, w = x.shape
    cols = nn.functional.unfold(x.reshape(n * c, 1, h, w), k, stride=stride)   # (n*c, k*k, L)
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    return cols.max(dim=1).values.reshape(n, c, oh, ow)


def window_elements(x: torch.Tensor, k: int, stride: int) -> torch.Tensor:
    """(n, c, k*k, oh, ow): the elements of every pooling window."""
    n, c, h, w = x.shape
    cols = nn.functional.unfold(x.reshape(n * c, 1, h, w), k, stride=stride)
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    return cols.reshape(n, c, k * k, oh, ow)


def even_lattice_input(shape, generator) -> torch.Tensor:
    """Non-negative values on even rows and even columns, zero elsewhere: every 2x2 pooling
    window holds its largest value in its top-left corner, which a one-pixel shift to the right
    keeps inside the same window."""
    x = torch.rand(shape, generator=generator, dtype=torch.float64)
    mask = torch.zeros(shape[-2:], dtype=torch.float64)
    mask[::2, ::2] = 1.0
    return x * mask


# ---------------------------------------------------------------- data

def _permutation(stream: SeedStream) -> torch.Tensor:
    """The one fixed permutation of the 64 pixel positions drawn from ``stream``."""
    return pixel_permutation(64, stream.int("permutation"))


def _task_data(task: str, stream: SeedStream):
    """(x_train, y_train, x_test, y_test) images (N, 8, 8) for 'digits' or 'permuted' (one fixed
    random permutation of the 64 pixel positions, the same for train and test: the information
    is unchanged, only the spatial layout a CNN assumes is destroyed).  The split is seeded with
    ``stream.base``."""
    from verify.lab.data import digits_split

    xtr, ytr, xte, yte = digits_split(stream.base)
    if task == "permuted":
        perm = _permutation(stream)
        xtr = xtr.reshape(-1, 64)[:, perm].reshape(-1, 8, 8)
        xte = xte.reshape(-1, 64)[:, perm].reshape(-1, 8, 8)
    elif task != "digits":
        raise ValueError(f"unknown task {task!r}; use 'digits' or 'permuted'")
    return xtr, ytr, xte, yte


def pixel_correlation_by_distance(task: str, stream: SeedStream) -> dict[int, float]:
    """Mean absolute Pearson correlation between pixel pairs, by Chebyshev distance on the 8x8
    grid (all 1,797 images; constant border pixels left out); 'permuted' first applies the
    stream's pixel permutation."""
    from verify.lab.data import digits

    images, _ = digits()
    flat = images.reshape(-1, 64).double()
    if task == "permuted":
        flat = flat[:, _permutation(stream)]
    keep = flat.std(0) > 0
    corr = torch.corrcoef(flat[:, keep].T).abs()
    coords = torch.stack(torch.meshgrid(torch.arange(8), torch.arange(8), indexing="ij"), -1).reshape(64, 2)[keep]
    dist = (coords[:, None, :] - coords[None, :, :]).abs().max(-1).values
    return {int(d): float(corr[dist == d].mean()) for d in dist.unique().tolist() if d > 0}


# ---------------------------------------------------------------- training experiments

SHIFTS = (0, 1, 3)   # pixel distances at which every sweep measures shift sensitivity (0: identity)

# A metric name as claims' protocols spell it: 'train_acc', 'test_acc', or 'acc_shift<d>' /
# 'flip_shift<d>' (accuracy on, and fraction of predictions changed by, d-pixel shifts).
_METRIC = re.compile(r"^(?:(train_acc|test_acc)|(acc|flip)_shift(\d+))$")


@dataclass(frozen=True)
class LearnerRun:
    """One model trained on one task: per training-set size, one value (or prediction row) per
    member, member i of every size group having its own subset and init; the shift measurements
    exist at the largest size only."""

    sizes: tuple[int, ...]
    train_acc: tuple[torch.Tensor, ...]     # per size: (members,)
    test_acc: tuple[torch.Tensor, ...]      # per size: (members,)
    train_pred: tuple[torch.Tensor, ...]    # per size: (members, training-set size)
    test_pred: tuple[torch.Tensor, ...]     # per size: (members, test-set size)
    shift_acc: Mapping[int, torch.Tensor]   # shift distance -> (members,): accuracy, mean of 4 directions
    shift_flip: Mapping[int, torch.Tensor]  # shift distance -> (members,): fraction of predictions changed

    def _at(self, size: int) -> int:
        if size not in self.sizes:
            raise ValueError(f"no run at training-set size {size}; sizes are {self.sizes}")
        return self.sizes.index(size)

    def values(self, metric: str, size: int) -> list[float]:
        """Per-member values of ``metric`` ('train_acc', 'test_acc', 'acc_shift<d>', 'flip_shift<d>')
        at training-set ``size``."""
        m = _METRIC.match(metric)
        if m is None:
            raise ValueError(f"unknown metric {metric!r}; use train_acc, test_acc, acc_shift<d> or flip_shift<d>")
        plain, kind, d = m.groups()
        if plain:
            return getattr(self, plain)[self._at(size)].tolist()
        if size != max(self.sizes):
            raise ValueError(f"shift metrics exist only at the largest size {max(self.sizes)}, not {size}")
        table = self.shift_acc if kind == "acc" else self.shift_flip
        if int(d) not in table:
            raise ValueError(f"shift {d} was not measured; shifts are {sorted(table)}")
        return table[int(d)].tolist()

    def predictions(self, on: str, size: int) -> torch.Tensor:
        """(members, N) predicted classes on the 'train' or 'test' inputs at ``size``."""
        if on not in ("train", "test"):
            raise ValueError(f"on must be 'train' or 'test', got {on!r}")
        return getattr(self, f"{on}_pred")[self._at(size)]


@dataclass(frozen=True)
class Learners:
    """Every learner q06 compares, by name 'model@task' (a claim protocol's ``a``/``b``)."""

    runs: Mapping[str, LearnerRun]

    def __getitem__(self, name: str) -> LearnerRun:
        if name not in self.runs:
            raise ValueError(f"unknown learner {name!r}; learners are {sorted(self.runs)}")
        return self.runs[name]

    def disagreement(self, a: str, b: str, size: int, on: str = "test") -> list[float]:
        """Per-member fraction of (test or training) inputs on which learners a and b predict
        different classes (both trained on the same subsets: member i with member i)."""
        pa, pb = self[a].predictions(on, size), self[b].predictions(on, size)
        return (pa != pb).float().mean(-1).tolist()

    def table(self) -> dict:
        """Means over members of every learner's accuracies (evidence)."""
        rows = {}
        for name, r in self.runs.items():
            for i, n in enumerate(r.sizes):
                rows[f"{name} n={n}"] = {"train_acc": round(float(r.train_acc[i].mean()), 4),
                                         "test_acc": round(float(r.test_acc[i].mean()), 4)}
            rows[f"{name} n={max(r.sizes)} shifted"] = {
                f"acc/flip at {d}px": (round(float(r.shift_acc[d].mean()), 3), round(float(r.shift_flip[d].mean()), 3))
                for d in (1, 3)}
        return rows


def _learner_run(ens, sizes, groups, xs, ys, xte, yte) -> LearnerRun:
    """Accuracies and predictions of a trained ensemble whose members form ``groups`` (one slice
    per size), and the shift measurements of the last group."""
    train_pred = ens.predict(xs, per_member=True).argmax(-1)
    test_pred = ens.predict(xte).argmax(-1)
    train_acc = (train_pred == ys).float().mean(-1)
    test_acc = (test_pred == yte).float().mean(-1)
    last = groups[-1]
    base = test_pred[last]                                                   # (members, N)
    shift_acc, shift_flip = {}, {}
    for d in SHIFTS:
        moves = [(d, 0), (-d, 0), (0, d), (0, -d)]
        shifted = torch.stack([ens.predict(shift(xte, dy, dx)).argmax(-1)[last] for dy, dx in moves])
        shift_acc[d] = (shifted == yte).float().mean((0, 2))
        shift_flip[d] = (shifted != base).float().mean((0, 2))
    return LearnerRun(tuple(sizes), tuple(train_acc[g] for g in groups), tuple(test_acc[g] for g in groups),
                      tuple(train_pred[g] for g in groups), tuple(test_pred[g] for g in groups), shift_acc, shift_flip)


@shared
def size_sweep(task: str, models: tuple[str, ...], sizes: tuple[int, ...], n_seeds, steps: int,
               stream: SeedStream, largest_only: tuple[str, ...] = ()) -> dict[str, LearnerRun]:
    """Train each model on random training subsets of each size (``n_seeds`` subsets per size, an
    int or one count per size; the same subsets for every model and task), and each model of
    ``largest_only`` on the largest size's subsets only (member i paired with member i of the
    others).  The split is seeded with ``stream.base``, and so is one generator from which the
    subsets and member seeds are drawn in turn."""
    from verify.lab.train import train_ensemble

    if set(models) & set(largest_only):
        raise ValueError(f"a model cannot be in both models and largest_only: {sorted(set(models) & set(largest_only))}")
    xtr, ytr, xte, yte = _task_data(task, stream)
    full = max(sizes)
    per_size = (n_seeds,) * len(sizes) if isinstance(n_seeds, int) else tuple(n_seeds)
    g = torch.Generator().manual_seed(stream.base)
    idx, member_seeds = [], []
    for n, k in zip(sizes, per_size):
        if full % n:
            raise ValueError(f"sizes must divide the largest size {full}; got {n}")
        for s in range(k):
            sub = torch.randperm(len(xtr), generator=g)[:n]
            idx.append(sub.repeat(full // n))          # tiled: uniform minibatches over the subset
            member_seeds.append(int(torch.randint(2**31 - 1, (1,), generator=g)))
    idx = torch.stack(idx)                                # (S, full)
    xs, ys = xtr[idx], ytr[idx]
    bounds = [sum(per_size[:i]) for i in range(len(sizes) + 1)]
    groups = [slice(bounds[i], bounds[i + 1]) for i in range(len(sizes))]   # members of each size
    last = groups[-1]

    def train(name, seeds, x, y):
        return train_ensemble(lambda i: MODELS[name](), seeds, x, y, steps=steps,
                              batch_size=64,             # 64: Adam's usual small-batch regime
                              lr=3e-3,                   # Adam at 3e-3: the MLP fits 1,200 digits in a few hundred steps
                              x_per_member=True)

    out = {name: _learner_run(train(name, member_seeds, xs, ys), sizes, groups, xs, ys, xte, yte) for name in models}
    for name in largest_only:
        ens = train(name, member_seeds[last], xs[last], ys[last])
        out[name] = _learner_run(ens, (full,), [slice(None)], xs[last], ys[last], xte, yte)
    return out


@shared
def learners(sizes: tuple[int, ...], n_seeds: tuple[int, ...], steps: int, stream: SeedStream) -> Learners:
    """The MLP and the CNN on digits and on pixel-permuted digits, and the CNN without pooling on
    digits at the largest size: all on the same split and subsets, member i of every learner on
    the same subset with the same seed (paired)."""
    digits = size_sweep("digits", ("mlp", "cnn"), sizes, n_seeds, steps, stream, largest_only=("cnn_nopool",))
    permuted = size_sweep("permuted", ("mlp", "cnn"), sizes, n_seeds, steps, stream)
    return Learners({"mlp@digits": digits["mlp"], "cnn@digits": digits["cnn"], "mlp@permuted": permuted["mlp"],
                     "cnn@permuted": permuted["cnn"], "cnn_nopool@digits": digits["cnn_nopool"]})
