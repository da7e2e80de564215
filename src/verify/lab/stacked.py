"""Layers for S models at once, written as the batched kernels a CPU runs fastest.

A model class may define ``forward_stacked(self, params, buffers, x)``: the forward pass of S
members whose parameters are stacked along a leading dimension (``torch.func.stack_module_state``),
on x of shape (S, B, ...), returning (S, B, ...).  :func:`verify.lab.train.train_ensemble` uses it
instead of ``vmap(functional_call)`` when the class that defines ``forward_stacked`` also defines
``forward`` (so a subclass that changes ``forward`` falls back to vmap).  It must compute exactly
what ``forward`` computes; tests/test_train.py checks every one against vmap, outputs and gradients.

Why bother, for tiny models on one CPU thread (measured, 48 SmallCNNs, batch 64):
  * vmap runs a conv over members as one grouped conv on a channels-first (NCHW) tensor, and
    max-pooling a channels-first tensor costs ~4x its channels-last version; a forward+backward
    step takes 79 ms through vmap and 33 ms here, with bitwise-equal results;
  * a linear layer over members is one ``baddbmm`` instead of vmap's per-operator dispatch.

Layout inside a stacked conv net: (B, S*C, H, W) in channels-last memory, member-major channels,
so a conv over members is one grouped conv (``groups=S``) and pooling runs on contiguous channels.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

__all__ = ["linear", "to_grouped", "flat_linear", "conv2d", "uses_stacked_forward"]


def linear(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """(S, B, out) from h (S, B, in), weight (S, out, in), bias (S, out) or None."""
    w = weight.transpose(1, 2)
    return torch.baddbmm(bias.unsqueeze(1), h, w) if bias is not None else torch.bmm(h, w)


def to_grouped(x: torch.Tensor, channels: int = 1) -> torch.Tensor:
    """(S, B, [C,] H, W) images -> (B, S*C, H, W) channels-last, member-major channels."""
    s, b = x.shape[:2]
    h, w = x.shape[-2:]
    x = x.reshape(s, b, channels, h, w).transpose(0, 1).reshape(b, s * channels, h, w)
    return x.contiguous(memory_format=torch.channels_last)


def flat_linear(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """``linear(x.flatten(-3))`` of every member: h (B, S*C, H, W), weight (S, out, C*H*W) -> (S, B, out).

    The features are gathered in the channels-last (H, W, C) order and the weight's columns are
    permuted to match (a product of the same numbers, summed in another order), so the gradient
    flowing back into h keeps h's channels-last layout: flattening in (C, H, W) order instead
    hands the ReLU's backward a channels-first gradient, which made it ~5x slower (measured).
    """
    b, sc, hh, ww = h.shape
    s = weight.shape[0]
    c, hw = sc // s, hh * ww
    feats = h.permute(0, 2, 3, 1).reshape(b, hw, s, c).permute(2, 0, 1, 3).reshape(s, b, hw * c)
    w = weight.reshape(s, -1, c, hw).transpose(2, 3).reshape(s, -1, hw * c)
    return linear(feats, w, bias)


def conv2d(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, padding: int) -> torch.Tensor:
    """Every member's conv at once: h (B, S*C_in, H, W), weight (S, C_out, C_in, k, k), bias (S, C_out)."""
    s, c_out = weight.shape[:2]
    return F.conv2d(h, weight.reshape(s * c_out, *weight.shape[2:]),
                    bias.reshape(-1) if bias is not None else None, padding=padding, groups=s)


def _defining_class(cls: type, name: str) -> type | None:
    return next((k for k in cls.__mro__ if name in k.__dict__), None)


def uses_stacked_forward(model: torch.nn.Module) -> bool:
    """True when ``model``'s own class pairs ``forward_stacked`` with the ``forward`` it runs."""
    cls = type(model)
    owner = _defining_class(cls, "forward_stacked")
    return owner is not None and owner is _defining_class(cls, "forward")
