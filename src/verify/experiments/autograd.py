"""Reverse-mode AD experiments for q05 (why ``loss.backward()`` wants a scalar).

``backward(gradient=v)`` on a non-scalar output y = f(x) computes the vector-Jacobian product
v^T J in one reverse pass, never forming J; the full Jacobian needs one reverse pass per output
(m passes).  This module measures both: which tensors autograd actually creates during the backward
(:func:`largest_tensor_during`), the FLOPs of each (:func:`flops_of`), and gives a two-layer MLP
with hand-derived backpropagation as an independent oracle (:func:`manual_backprop`).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ..lab.memo import shared

__all__ = ["two_layer", "manual_backprop", "LargestTensor", "largest_tensor_during", "flops_of",
           "tanh_net", "vjp_or_jacobian"]


def two_layer(x: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor,
              y: torch.Tensor, *, detach_hidden: bool = False) -> torch.Tensor:
    """Mean squared error of the MLP tanh(x W1 + b1) W2 + b2 against y (a scalar).  With
    ``detach_hidden`` the hidden activation is cut out of the graph (gradients stop there)."""
    h = torch.tanh(x @ W1 + b1)
    if detach_hidden:
        h = h.detach()
    out = h @ W2 + b2
    return ((out - y) ** 2).mean()


def manual_backprop(x, W1, b1, W2, b2, y) -> tuple[torch.Tensor, ...]:
    """The gradients of :func:`two_layer` by hand (chain rule, written out layer by layer)."""
    a = x @ W1 + b1
    h = torch.tanh(a)
    out = h @ W2 + b2
    d_out = 2 * (out - y) / out.numel()          # dL/d out for the mean of squares
    dW2 = h.T @ d_out
    db2 = d_out.sum(0)
    d_h = d_out @ W2.T
    d_a = d_h * (1 - h * h)                       # tanh' = 1 - tanh^2
    dW1 = x.T @ d_a
    db1 = d_a.sum(0)
    return dW1, db1, dW2, db2


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


def flops_of(fn: Callable[[], object]) -> int:
    """FLOPs counted by torch.utils.flop_counter.FlopCounterMode while ``fn()`` runs.  Only matrix
    products (mm/addmm/bmm/conv/attention) are counted; elementwise ops such as tanh are not."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    return counter.get_total_flops()


def tanh_net(n: int, h: int, m: int, seed: int):
    """f: R^n -> R^m, f(x) = tanh(tanh(x A) B) with fixed random A (n x h), B (h x m), float64;
    returns (f, x) with x a (1, n) leaf that requires grad."""
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(n, h, dtype=torch.float64, generator=g) / n**0.5
    B = torch.randn(h, m, dtype=torch.float64, generator=g) / h**0.5
    x = torch.randn(1, n, dtype=torch.float64, generator=g).requires_grad_(True)

    def f(z):
        return torch.tanh(torch.tanh(z @ A) @ B)

    return f, x


@shared
def vjp_or_jacobian(n: int, h: int, m: int, seed: int, mode: str) -> dict:
    """Cost of getting x's gradient information from the m-vector output of :func:`tanh_net`.

    ``mode="vjp"``: forward, then ``y.backward(gradient=v)`` (what PyTorch does for a non-scalar
    output); ``"scalar"``: forward, then ``(v * y).sum().backward()``; ``"jacobian"``:
    ``torch.autograd.functional.jacobian`` (one reverse pass per output).  Returns the FLOPs and the
    largest tensor created, for the backward part (vjp/scalar) or the whole call (jacobian, which
    includes its own forward).  Memoised: several claims read the same sizes.
    """
    if mode not in ("vjp", "scalar", "jacobian"):
        raise ValueError(f"unknown mode {mode!r}; use 'vjp', 'scalar' or 'jacobian'")
    f, x = tanh_net(n, h, m, seed)
    v = torch.randn(1, m, dtype=torch.float64, generator=torch.Generator().manual_seed(seed + 1))
    if mode == "jacobian":
        def run():
            return torch.autograd.functional.jacobian(f, x)
        return {"flops": flops_of(run), "largest": largest_tensor_during(run)}
    results = {}
    for what, measure in (("flops", flops_of), ("largest", largest_tensor_during)):
        x.grad = None
        y = f(x)
        if mode == "vjp":
            results[what] = measure(lambda: y.backward(gradient=v))
        else:
            s = (v * y).sum()
            results[what] = measure(lambda: s.backward())
    return results
