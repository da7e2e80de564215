"""Experiments for q06 (inductive bias): weight sharing vs a locally connected layer, shift
equivariance/invariance of convolution and max-pooling, and CNN vs low-bias models across
training-set sizes on the UCI digits.

Every experiment that several claims read is memoised with :func:`verify.lab.memo.shared` and takes
its seed explicitly.  Seed ensembles train in one vmapped pass (:func:`verify.lab.train.train_ensemble`);
training-set sizes ride in the same pass: member (size, seed) gets its own subsample, tiled to the
largest size so that uniform minibatches over the tiled set are uniform over the subsample.
"""

from __future__ import annotations


import torch
from torch import nn

from ..lab.memo import shared
from ..lab.models import LocallyConnected2d

__all__ = ["LocallyConnected2d", "conv_vs_local_counts", "dense_counts", "shift", "receptive_field",
           "layer_receptive_fields", "window_max", "window_elements", "even_lattice_input",
           "pixel_correlation_by_distance", "size_sweep", "learners", "metric", "disagreement", "MODELS"]


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

def _flops(fn) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


def conv_vs_local_counts(batch: int, c_in: int, c_out: int, side: int, k: int) -> dict:
    """Parameters and FLOPs (FlopCounterMode and by hand) of a conv layer and of the locally
    connected layer with the same receptive fields (no padding)."""
    conv = nn.Conv2d(c_in, c_out, k)
    lc = LocallyConnected2d(c_in, c_out, k, side)
    x = torch.randn(batch, c_in, side, side)
    positions = (side - k + 1) ** 2
    by_hand = 2 * batch * positions * c_out * c_in * k * k   # one multiply-add per weight use
    with torch.no_grad():
        out = {
            "params_conv": sum(p.numel() for p in conv.parameters()),
            "params_local": sum(p.numel() for p in lc.parameters()),
            "flops_conv": _flops(lambda: conv(x)),
            "flops_local": _flops(lambda: lc(x)),
            "flops_by_hand": by_hand,
        }
    return out


def dense_counts(batch: int, c_in: int, c_out: int, side: int, k: int) -> dict:
    """Parameters and FLOPs of a dense layer mapping the same input to the same number of outputs
    as a no-padding conv layer (every output sees every input: no locality, no sharing)."""
    positions = (side - k + 1) ** 2
    lin = nn.Linear(c_in * side * side, c_out * positions)
    x = torch.randn(batch, c_in * side * side)
    with torch.no_grad():
        return {"params_dense": sum(p.numel() for p in lin.parameters()), "flops_dense": _flops(lambda: lin(x))}


# ---------------------------------------------------------------- shifts and receptive fields

def shift(x: torch.Tensor, dy: int, dx: int, circular: bool = False) -> torch.Tensor:
    """Translate the last two dims by (dy, dx) pixels: circularly, or filling with zeros."""
    if circular:
        return torch.roll(x, shifts=(dy, dx), dims=(-2, -1))
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[..., yd, xd] = x[..., ys, xs]
    return out


def receptive_field(f, side: int, c_in: int = 1, out_index=None) -> int:
    """Number of input pixels on which one output unit of ``f`` depends (autograd support).

    ``out_index`` picks the unit in the output (default: the centre unit of channel 0)."""
    x = torch.randn(1, c_in, side, side, dtype=torch.float64, requires_grad=True)
    y = f(x)
    if out_index is None:
        out_index = (0, 0) + tuple(s // 2 for s in y.shape[2:]) if y.dim() == 4 else (0, 0)
    (g,) = torch.autograd.grad(y[out_index], x)
    return int((g.abs().sum(dim=(0, 1)) > 0).sum())


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

def pixel_permutation(seed: int) -> torch.Tensor:
    return torch.randperm(64, generator=torch.Generator().manual_seed(seed))


def _task_data(task: str, seed: int):
    """(x_train, y_train, x_test, y_test) images (N, 8, 8) for 'digits' or 'permuted' (one fixed
    random permutation of the 64 pixel positions, the same for train and test: the information
    is unchanged, only the spatial layout a CNN assumes is destroyed)."""
    from verify.lab.data import digits_split

    xtr, ytr, xte, yte = digits_split(seed)
    if task == "permuted":
        perm = pixel_permutation(seed + 1)
        xtr = xtr.reshape(-1, 64)[:, perm].reshape(-1, 8, 8)
        xte = xte.reshape(-1, 64)[:, perm].reshape(-1, 8, 8)
    elif task != "digits":
        raise ValueError(f"unknown task {task!r}; use 'digits' or 'permuted'")
    return xtr, ytr, xte, yte


def pixel_correlation_by_distance(task: str, seed: int) -> dict[int, float]:
    """Mean absolute Pearson correlation between pixel pairs, by Chebyshev distance on the 8x8
    grid (all 1,797 images; constant border pixels left out)."""
    from verify.lab.data import digits

    images, _ = digits()
    flat = images.reshape(-1, 64).double()
    if task == "permuted":
        flat = flat[:, pixel_permutation(seed + 1)]
    keep = flat.std(0) > 0
    corr = torch.corrcoef(flat[:, keep].T).abs()
    coords = torch.stack(torch.meshgrid(torch.arange(8), torch.arange(8), indexing="ij"), -1).reshape(64, 2)[keep]
    dist = (coords[:, None, :] - coords[None, :, :]).abs().max(-1).values
    return {int(d): float(corr[dist == d].mean()) for d in dist.unique().tolist() if d > 0}


# ---------------------------------------------------------------- training experiments

SHIFTS = (0, 1, 3)   # pixel distances at which every sweep measures shift sensitivity (0: identity)


@shared
def size_sweep(task: str, models: tuple[str, ...], sizes: tuple[int, ...], n_seeds, steps: int,
               seed: int) -> dict:
    """Train each model on random training subsets of each size (n_seeds subsets per size, an int or
    one count per size; the
    same subsets for every model and task) and return, per model, (size, seed) arrays of train
    accuracy on the subset and test accuracy, test predictions (for disagreement between models),
    and, at the largest size, each member's accuracy on shifted test digits and the fraction of
    test digits whose prediction changes under a shift (four directions, zero fill), per SHIFTS."""
    from verify.lab.train import train_ensemble

    xtr, ytr, xte, yte = _task_data(task, seed)
    full = max(sizes)
    per_size = (n_seeds,) * len(sizes) if isinstance(n_seeds, int) else tuple(n_seeds)
    g = torch.Generator().manual_seed(seed)
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
    out = {"sizes": sizes, "n_seeds": per_size, "y_test": yte, "shifts": SHIFTS}
    bounds = [sum(per_size[:i]) for i in range(len(sizes) + 1)]
    groups = [slice(bounds[i], bounds[i + 1]) for i in range(len(sizes))]   # members of each size
    last = groups[-1]
    for name in models:
        ens = train_ensemble(lambda i: MODELS[name](), member_seeds, xs, ys, steps=steps,
                             batch_size=64,             # 64: Adam's usual small-batch regime
                             lr=3e-3,                   # Adam at 3e-3: the MLP fits 1,200 digits in a few hundred steps
                             x_per_member=True)
        train_pred = ens.predict(xs, per_member=True).argmax(-1)
        test_pred = ens.predict(xte).argmax(-1)
        train_acc = (train_pred == ys).float().mean(-1)
        test_acc = (test_pred == yte).float().mean(-1)
        res = {   # lists indexed by size; each entry has one value (or row) per seed of that size
            "train_acc": [train_acc[gr] for gr in groups],
            "test_acc": [test_acc[gr] for gr in groups],
            "test_pred": [test_pred[gr] for gr in groups],
            "train_pred": [train_pred[gr] for gr in groups],
        }
        base = test_pred[last]                                           # (seeds, N)
        for d in SHIFTS:
            moves = [(d, 0), (-d, 0), (0, d), (0, -d)]
            shifted = torch.stack([ens.predict(shift(xte, dy, dx)).argmax(-1)[last] for dy, dx in moves])
            res[f"acc_shift{d}"] = (shifted == yte).float().mean((0, 2))  # (seeds,)
            res[f"flip_shift{d}"] = (shifted != base).float().mean((0, 2))
        out[name] = res
    return out


@shared
def learners(sizes: tuple[int, ...], n_seeds: tuple[int, ...], steps: int, seed: int) -> dict:
    """Every learner q06 compares, keyed 'model@task': the MLP and the CNN on digits and on
    pixel-permuted digits (same subsets, paired by (size, seed)), and the CNN without pooling on
    all training digits (largest size only; its own seeds, so unpaired with the others)."""
    out = {"sizes": sizes}
    for task in ("digits", "permuted"):
        r = size_sweep(task, ("mlp", "cnn"), sizes, n_seeds, steps, seed)
        for m in ("mlp", "cnn"):
            out[f"{m}@{task}"] = r[m]
    r = size_sweep("digits", ("cnn_nopool",), (max(sizes),), (n_seeds[-1],), steps, seed + 1)
    out["cnn_nopool@digits"] = r["cnn_nopool"]
    return out


def metric(runs: dict, learner: str, size: int, name: str) -> list[float]:
    """Per-seed values of ``name`` ('test_acc', 'train_acc', 'acc_shift1', 'flip_shift0', ...) for a
    learner at a training-set size (shift metrics exist at the largest size only)."""
    r = runs[learner]
    if name.startswith(("acc_shift", "flip_shift")):
        if size != max(runs["sizes"]):
            raise ValueError(f"shift metrics exist only at the largest size {max(runs['sizes'])}, not {size}")
        return r[name].tolist()
    sizes = runs["sizes"] if learner != "cnn_nopool@digits" else (max(runs["sizes"]),)
    return r[name][sizes.index(size)].tolist()


def disagreement(runs: dict, a: str, b: str, size: int, on: str = "test") -> list[float]:
    """Per-seed fraction of (test or training) inputs on which learners a and b predict different
    classes; a and b must share subsets (same task sweep)."""
    i = runs["sizes"].index(size)
    pa, pb = runs[a][f"{on}_pred"][i], runs[b][f"{on}_pred"][i]
    return (pa != pb).float().mean(-1).tolist()
