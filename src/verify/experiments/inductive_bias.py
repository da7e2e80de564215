"""Experiments for q06 (inductive bias): weight sharing vs a locally connected layer, shift
equivariance/invariance of convolution and max-pooling, and CNN vs low-bias models across
training-set sizes on the UCI digits.

Every experiment that several claims read is memoised with :func:`verify.runner.shared` and takes
its seed explicitly.  Seed ensembles train in one vmapped pass (:func:`verify.train.train_ensemble`);
training-set sizes ride in the same pass: member (size, seed) gets its own subsample, tiled to the
largest size so that uniform minibatches over the tiled set are uniform over the subsample.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from verify.runner import shared

__all__ = ["LocallyConnected2d", "TinyViT", "conv_vs_local_counts", "dense_counts", "shift",
           "receptive_field", "pixel_correlation_by_distance", "size_sweep", "shift_robustness",
           "MODELS"]


# ---------------------------------------------------------------- layers and models

class LocallyConnected2d(nn.Module):
    """A convolution without weight sharing: every output position has its own k x k filter.

    Same receptive fields as ``nn.Conv2d(c_in, c_out, k, padding=padding)`` (unfold = im2col), so
    it is the fair baseline for what weight sharing alone changes.
    """

    def __init__(self, c_in: int, c_out: int, k: int, side: int, padding: int = 0):
        super().__init__()
        self.k, self.padding = k, padding
        self.out_side = side + 2 * padding - k + 1
        positions = self.out_side ** 2
        self.weight = nn.Parameter(torch.randn(positions, c_out, c_in * k * k) / math.sqrt(c_in * k * k))
        self.bias = nn.Parameter(torch.zeros(positions, c_out))

    def forward(self, x):
        cols = nn.functional.unfold(x, self.k, padding=self.padding)        # (N, c_in*k*k, L)
        out = torch.einsum("nkl,lok->nol", cols, self.weight) + self.bias.T  # (N, c_out, L)
        return out.reshape(x.shape[0], -1, self.out_side, self.out_side)

    @classmethod
    def from_conv(cls, conv: nn.Conv2d, side: int) -> "LocallyConnected2d":
        """The locally connected layer whose every position holds the conv's one shared filter."""
        c_out, c_in, k, _ = conv.weight.shape
        lc = cls(c_in, c_out, k, side, padding=conv.padding[0])
        with torch.no_grad():
            lc.weight.copy_(conv.weight.reshape(c_out, -1).expand(lc.weight.shape))
            lc.bias.copy_(conv.bias.expand(lc.bias.shape))
        return lc


class TinyViT(nn.Module):
    """A one-block vision transformer for 8x8 digits: 2x2 patches -> 16 tokens, learned position
    embeddings, single-head self-attention + MLP (pre-norm), mean-pooled tokens -> linear head.
    Attention is written out (no fused kernel) so it vmaps and its FLOPs are counted."""

    def __init__(self, dim: int = 32, patch: int = 2, side: int = 8, classes: int = 10):
        super().__init__()
        self.patch = patch
        tokens = (side // patch) ** 2
        self.embed = nn.Linear(patch * patch, dim)
        self.pos = nn.Parameter(torch.randn(tokens, dim) * 0.02)
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        if x.dim() == 4:
            x = x.squeeze(-3)
        p = self.patch
        n, s = x.shape[0], x.shape[-1]
        t = x.reshape(n, s // p, p, s // p, p).permute(0, 1, 3, 2, 4).reshape(n, -1, p * p)
        h = self.embed(t) + self.pos
        q, k, v = self.qkv(self.norm1(h)).chunk(3, dim=-1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), dim=-1)
        h = h + self.proj(att @ v)
        h = h + self.mlp(self.norm2(h))
        return self.head(h.mean(dim=1))


def _mlp():
    from verify.models import MLP
    return MLP((64, 128, 10))    # 64 inputs, one hidden layer of 128: ~9.6k parameters, fits 1,200 digits


def _cnn():
    from verify.models import SmallCNN
    return SmallCNN(8, 16)       # the library's conv-pool-conv-pool CNN: ~2.1k parameters


def _cnn_nopool():
    from verify.models import SmallCNN
    return SmallCNN(8, 16, pool=False)


MODELS = {"mlp": _mlp, "cnn": _cnn, "cnn_nopool": _cnn_nopool, "vit": lambda: TinyViT()}


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


# ---------------------------------------------------------------- data

def pixel_permutation(seed: int) -> torch.Tensor:
    return torch.randperm(64, generator=torch.Generator().manual_seed(seed))


def _task_data(task: str, seed: int):
    """(x_train, y_train, x_test, y_test) images (N, 8, 8) for 'digits' or 'permuted' (one fixed
    random permutation of the 64 pixel positions, the same for train and test: the information
    is unchanged, only the spatial layout a CNN assumes is destroyed)."""
    from verify.data import digits_split

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
    from verify.data import digits

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

@shared
def size_sweep(task: str, models: tuple[str, ...], sizes: tuple[int, ...], n_seeds: int, steps: int,
               seed: int) -> dict:
    """Train each model on random training subsets of each size (n_seeds subsets per size; the
    same subsets for every model) and return per (size, seed): train accuracy on the subset, test
    accuracy, and test predictions (for disagreement between models)."""
    from verify.train import train_ensemble

    xtr, ytr, xte, yte = _task_data(task, seed)
    full = max(sizes)
    g = torch.Generator().manual_seed(seed)
    idx, member_seeds = [], []
    for n in sizes:
        if full % n:
            raise ValueError(f"sizes must divide the largest size {full}; got {n}")
        for s in range(n_seeds):
            sub = torch.randperm(len(xtr), generator=g)[:n]
            idx.append(sub.repeat(full // n))          # tiled: uniform minibatches over the subset
            member_seeds.append(int(torch.randint(2**31 - 1, (1,), generator=g)))
    idx = torch.stack(idx)                                # (S, full)
    xs, ys = xtr[idx], ytr[idx]
    out = {"sizes": sizes, "n_seeds": n_seeds, "y_test": yte}
    for name in models:
        ens = train_ensemble(lambda i: MODELS[name](), member_seeds, xs, ys, steps=steps,
                             batch_size=64,             # 64: Adam's usual small-batch regime
                             lr=3e-3,                   # Adam at 3e-3 fits every model here in a few hundred steps
                             x_per_member=True)
        train_pred = ens.predict(xs, per_member=True).argmax(-1)
        test_pred = ens.predict(xte).argmax(-1)
        shape = (len(sizes), n_seeds)
        out[name] = {
            "train_acc": (train_pred == ys).float().mean(-1).reshape(shape),
            "test_acc": (test_pred == yte).float().mean(-1).reshape(shape),
            "test_pred": test_pred.reshape(*shape, -1),
        }
    return out


@shared
def shift_robustness(models: tuple[str, ...], n_seeds: int, steps: int, shift_px: int, seed: int) -> dict:
    """Train each model on the 1,200 training digits (n_seeds members) and measure, on the test
    digits, the accuracy unshifted and under the four shifts by ``shift_px`` pixels (zero fill),
    and the fraction of test images whose predicted class changes under each shift."""
    from verify.train import train_ensemble

    xtr, ytr, xte, yte = _task_data("digits", seed)
    g = torch.Generator().manual_seed(seed)
    member_seeds = torch.randint(2**31 - 1, (n_seeds,), generator=g).tolist()
    moves = [(shift_px, 0), (-shift_px, 0), (0, shift_px), (0, -shift_px)]
    out = {}
    for name in models:
        ens = train_ensemble(lambda i: MODELS[name](), member_seeds, xtr, ytr, steps=steps,
                             batch_size=64, lr=3e-3)
        base = ens.predict(xte).argmax(-1)                               # (S, N)
        shifted = torch.stack([ens.predict(shift(xte, dy, dx)).argmax(-1) for dy, dx in moves])  # (4, S, N)
        out[name] = {
            "acc": (base == yte).float().mean(-1),                        # (S,)
            "acc_shifted": (shifted == yte).float().mean((0, 2)),         # (S,)
            "flip_rate": (shifted != base).float().mean((0, 2)),          # (S,)
            "flips": int((shifted != base).sum()), "trials": int(shifted.numel()),
        }
    return out
