"""Measurement tools, one of each: FLOPs, parameters, tensors and ops seen by the dispatcher,
receptive fields, image shifts and pixel permutations.

FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode``: matrix products only (mm, addmm,
bmm, convolutions, attention kernels that register a formula); elementwise work such as ReLU, tanh,
bias additions, pooling and softmax is not counted (:class:`OpRecorder` counts softmax elements).
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

__all__ = ["flops", "forward_flops", "param_count", "LargestTensor", "largest_tensor_during", "OpRecorder",
           "receptive_field", "shift", "pixel_permutation"]


def flops(fn: Callable[[], object]) -> int:
    """FLOPs FlopCounterMode counts while ``fn()`` runs (matrix products only)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


def forward_flops(model: nn.Module, x: torch.Tensor) -> int:
    """FLOPs of one forward pass of ``model`` on ``x``, without autograd."""
    with torch.no_grad():
        return flops(lambda: model(x))


def param_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


class LargestTensor(TorchDispatchMode):
    """Records the largest number of elements of any *new* tensor an aten op returns while active
    (outputs sharing an input's storage, e.g. a weight's transpose or detach, are not counted)."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0
        self.ops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        from torch.utils._pytree import tree_leaves

        out = func(*args, **(kwargs or {}))
        inputs = {t.untyped_storage().data_ptr() for t in tree_leaves((args, kwargs))
                  if isinstance(t, torch.Tensor)}
        for t in tree_leaves(out):
            if isinstance(t, torch.Tensor) and t.untyped_storage().data_ptr() not in inputs:
                self.largest = max(self.largest, t.numel())
        self.ops += 1
        return out


def largest_tensor_during(fn: Callable[[], object]) -> int:
    """Elements of the largest newly allocated tensor created by any operation while ``fn()`` runs
    (autograd's backward ops included: the dispatch mode sees every aten call of the engine)."""
    mode = LargestTensor()
    with mode:
        fn()
    return mode.largest


class OpRecorder(TorchDispatchMode):
    """Records every aten op run inside it: name and output shape; counts softmax elements
    (one exp per element: the work FlopCounterMode does not count)."""

    SOFTMAX = ("aten._softmax.default", "aten.softmax.int", "aten._log_softmax.default")

    def __init__(self):
        super().__init__()
        self.ops: list[tuple[str, tuple[int, ...]]] = []
        self.softmax_elements = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else ()
        self.ops.append((str(func), shape))
        if str(func) in self.SOFTMAX:
            self.softmax_elements += math.prod(shape)
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


def pixel_permutation(n_pixels: int, seed: int | None) -> torch.Tensor:
    """A fixed random permutation of pixel indices (the identity for seed None)."""
    if seed is None:
        return torch.arange(n_pixels)
    return torch.randperm(n_pixels, generator=torch.Generator().manual_seed(seed))
