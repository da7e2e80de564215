"""Reverse-mode AD experiments for q05 (why ``loss.backward()`` wants a scalar).

``backward(gradient=v)`` on a non-scalar output y = f(x) computes the vector-Jacobian product
v^T J in one reverse pass, never forming J; the full Jacobian needs one reverse pass per output
(m passes).  This module measures both with the lab's tools
(:func:`verify.lab.measure.largest_tensor_during`: which tensors autograd actually creates during
the backward; :func:`verify.lab.measure.flops`), and gives a two-layer MLP with hand-derived
backpropagation as an independent oracle (:func:`manual_backprop`).  The q05 claims'
measurements are in :mod:`verify.experiments.autograd_measures`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..lab.measure import flops, largest_tensor_during
from ..lab.memo import shared
from ..seeding import SeedStream

__all__ = ["two_layer", "manual_backprop", "tanh_net", "Cost", "vjp_or_jacobian"]


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


def tanh_net(n: int, h: int, m: int, seeds: SeedStream):
    """f: R^n -> R^m, f(x) = tanh(tanh(x A) B) with fixed random A (n x h), B (h x m), float64;
    returns (f, x) with x a (1, n) leaf that requires grad (all drawn from ``seeds.generator("net")``)."""
    g = seeds.generator("net")
    A = torch.randn(n, h, dtype=torch.float64, generator=g) / n**0.5
    B = torch.randn(h, m, dtype=torch.float64, generator=g) / h**0.5
    x = torch.randn(1, n, dtype=torch.float64, generator=g).requires_grad_(True)

    def f(z):
        return torch.tanh(torch.tanh(z @ A) @ B)

    return f, x


@dataclass(frozen=True)
class Cost:
    """What one way of differentiating costs: FLOPs (matrix products) and the largest new tensor."""

    flops: int
    largest: int


@shared
def vjp_or_jacobian(n: int, h: int, m: int, seeds: SeedStream, mode: str) -> Cost:
    """Cost of getting x's gradient information from the m-vector output of :func:`tanh_net`.

    ``mode="vjp"``: forward, then ``y.backward(gradient=v)`` (what PyTorch does for a non-scalar
    output); ``"scalar"``: forward, then ``(v * y).sum().backward()``; ``"jacobian"``:
    ``torch.autograd.functional.jacobian`` (one reverse pass per output).  Returns the FLOPs and the
    largest tensor created, for the backward part (vjp/scalar) or the whole call (jacobian, which
    includes its own forward).  v comes from ``seeds.generator("v")``.  Memoised: several claims read
    the same sizes.
    """
    if mode not in ("vjp", "scalar", "jacobian"):
        raise ValueError(f"unknown mode {mode!r}; use 'vjp', 'scalar' or 'jacobian'")
    f, x = tanh_net(n, h, m, seeds)
    v = torch.randn(1, m, dtype=torch.float64, generator=seeds.generator("v"))
    if mode == "jacobian":
        def run():
            return torch.autograd.functional.jacobian(f, x)
        return Cost(flops=flops(run), largest=largest_tensor_during(run))

    def backward_measured(tool):
        x.grad = None
        y = f(x)
        if mode == "vjp":
            return tool(lambda: y.backward(gradient=v))
        s = (v * y).sum()
        return tool(lambda: s.backward())

    return Cost(flops=backward_measured(flops), largest=backward_measured(largest_tensor_during))
