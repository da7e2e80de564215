"""Seed ensembles trained in one batched pass (torch.func.stack_module_state, then the model's
``forward_stacked`` where it has one -- batched kernels, see :mod:`verify.lab.stacked` -- or vmap).

Members are independent models: the summed loss gives each member exactly its own gradient, and
Adam/AdamW/SGD act elementwise, so the ensemble trains the same models as a Python loop over seeds
(up to float summation order; tests/test_train.py checks it against :func:`train_loop`) at a
fraction of the per-operation overhead that dominates tiny models on a CPU.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from ..errors import Diverged
from .stacked import uses_stacked_forward

__all__ = ["Ensemble", "train_ensemble", "train_loop", "cross_entropy", "mse"]


def cross_entropy(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(out, y)


def mse(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.mse_loss(out, y)


@dataclass
class Ensemble:
    """S models with stacked parameters; call it on x shared by all members or stacked per member."""

    base: nn.Module
    params: dict[str, torch.Tensor]
    buffers: dict[str, torch.Tensor]
    seeds: tuple[int, ...]
    losses: torch.Tensor | None = None  # (steps_recorded, S) training-loss trace
    stacked: bool = False               # members run through base.forward_stacked, not vmap

    def __len__(self) -> int:
        return len(self.seeds)

    def _f(self, p, b, x):
        return functional_call(self.base, (p, b), (x,))

    def __call__(self, x: torch.Tensor, *, per_member: bool = False) -> torch.Tensor:
        """(S, N, ...) outputs; ``x`` is (N, ...) shared or (S, N, ...) with ``per_member``."""
        if self.stacked:
            if not per_member:
                x = x.unsqueeze(0).expand(len(self), *x.shape)
            return self._template.forward_stacked(self.params, self.buffers, x)
        return vmap(self._f, in_dims=(0, 0, 0 if per_member else None))(self.params, self.buffers, x)

    def predict(self, x: torch.Tensor, *, per_member: bool = False, chunk: int = 4096) -> torch.Tensor:
        with torch.no_grad():
            if per_member:
                return self(x, per_member=True)
            return torch.cat([self(x[i:i + chunk]) for i in range(0, len(x), chunk)], dim=1)

    def member(self, i: int) -> nn.Module:
        """Member i as an ordinary module (a copy)."""
        m = copy.deepcopy(self._template)
        m.load_state_dict({**{k: v[i].detach() for k, v in self.params.items()},
                           **{k: v[i] for k, v in self.buffers.items()}})
        return m


def _batched_loss(loss: Callable) -> Callable:
    """Per-member mean losses (S,) from (S, B, ...) outputs: direct for the two built-in losses and
    for a loss marked ``loss.batched = True`` (one kernel instead of vmap's per-op dispatch), vmap
    for any other loss."""
    if loss is cross_entropy:
        # classes moved to dim 1, (S, C, B): the same log-softmax, but along a strided dimension,
        # which PyTorch's CPU kernel vectorises over B -- 3-5x faster than over 10 contiguous
        # classes, with equal results (measured; tests/test_train.py)
        return lambda out, y: nn.functional.cross_entropy(out.movedim(-1, 1), y, reduction="none").flatten(1).mean(1)
    if loss is mse:
        return lambda out, y: (out - y).pow(2).flatten(1).mean(1)
    if getattr(loss, "batched", False):   # the loss reduces only its last dims: (S, B, ...) -> (S,)
        return loss
    return vmap(loss)


def _optimizer(params: Sequence[torch.Tensor], name: str, lr: float, weight_decay: float):
    # fused: one kernel per parameter tensor instead of a chain of foreach ops; measured 1.5x faster
    # per step for 16-member ensembles on one CPU thread, same update rule (tests/test_train.py).
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=True)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, fused=True)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; use 'adam', 'adamw' or 'sgd'")


def _batches(n: int, batch_size: int, steps: int, seed: int) -> torch.Tensor:
    """(steps, batch) indices: epochs of a seeded permutation, the last partial batch dropped;
    the points in order when one batch holds them all."""
    if steps <= 0:
        return torch.empty(0, batch_size, dtype=torch.long)
    if batch_size >= n:   # full batch: every step sees all n points, so an order is only a summation
        return torch.arange(n).expand(steps, n)   # order -- and drawing one per step cost seconds
    g = torch.Generator().manual_seed(seed)
    per_epoch = max(1, n // batch_size)
    epochs = math.ceil(steps / per_epoch)
    perms = [torch.randperm(n, generator=g)[: per_epoch * batch_size].view(per_epoch, -1) for _ in range(epochs)]
    return torch.cat(perms)[:steps]


def train_ensemble(make_model: Callable[[int], nn.Module], seeds: Sequence[int], x: torch.Tensor,
                   y: torch.Tensor, *, loss: Callable = cross_entropy, steps: int, batch_size: int,
                   lr: float, optimizer: str = "adam", weight_decay: float = 0.0,
                   record_every: int = 0, x_per_member: bool = False) -> Ensemble:
    """Train one model per seed on (x, y), all members in one batched pass per step.

    ``make_model(i)`` builds member i; it is called under ``torch.manual_seed(seeds[i])`` so the
    init is the member's seed's.  Member i's minibatch order comes from ``seeds[i]`` too.  With
    ``x_per_member`` x and y are (S, N, ...): each member gets its own data (e.g. a subsample).
    Raises :class:`~verify.runner.Diverged` if any member's loss becomes NaN or infinite.
    """
    models = []
    for i, s in enumerate(seeds):
        torch.manual_seed(s)
        models.append(make_model(i))
    template = copy.deepcopy(models[0])
    params, buffers = stack_module_state(models)
    base = copy.deepcopy(models[0]).to("meta")
    ens = Ensemble(base, params, buffers, tuple(seeds), stacked=uses_stacked_forward(models[0]))
    ens._template = template
    opt = _optimizer(list(params.values()), optimizer, lr, weight_decay)
    n = x.shape[1] if x_per_member else x.shape[0]
    batch_size = min(batch_size, n)
    order = torch.stack([_batches(n, batch_size, steps, s) for s in seeds], dim=1)  # (steps, S, B)
    loss_v = _batched_loss(loss)
    if x_per_member:   # row indices into x flattened to (S*N, ...): index_select is ~5x faster than x[ar, idx]
        order = order + (torch.arange(len(seeds)) * n)[:, None]
        x, y = x.flatten(0, 1), y.flatten(0, 1)
    trace = []
    for step in range(steps):
        idx = order[step]
        flat = idx.flatten()
        xb = x.index_select(0, flat).view(*idx.shape, *x.shape[1:])
        yb = y.index_select(0, flat).view(*idx.shape, *y.shape[1:])
        out = ens(xb, per_member=True)
        member_losses = loss_v(out, yb)
        opt.zero_grad(set_to_none=True)
        member_losses.sum().backward()
        opt.step()
        if record_every and (step % record_every == 0 or step == steps - 1):
            trace.append(member_losses.detach())
        if step % 50 == 0 or step == steps - 1:
            if not torch.isfinite(member_losses).all():
                bad = [seeds[i] for i in (~torch.isfinite(member_losses)).nonzero().flatten().tolist()]
                raise Diverged(f"training loss became non-finite at step {step} for seeds {bad}")
    for p in params.values():
        p.requires_grad_(False)
    ens.losses = torch.stack(trace) if trace else None
    return ens


def train_loop(make_model: Callable[[int], nn.Module], seeds: Sequence[int], x: torch.Tensor,
               y: torch.Tensor, *, loss: Callable = cross_entropy, steps: int, batch_size: int,
               lr: float, optimizer: str = "adam", weight_decay: float = 0.0) -> list[nn.Module]:
    """The plain Python loop over seeds that :func:`train_ensemble` replaces (for tests/benchmarks)."""
    out = []
    n = x.shape[0]
    batch_size = min(batch_size, n)
    for i, s in enumerate(seeds):
        torch.manual_seed(s)
        model = make_model(i)
        opt = _optimizer(list(model.parameters()), optimizer, lr, weight_decay)
        order = _batches(n, batch_size, steps, s)
        for step in range(steps):
            idx = order[step]
            opt.zero_grad(set_to_none=True)
            loss(model(x[idx]), y[idx]).backward()
            opt.step()
        out.append(model)
    return out
