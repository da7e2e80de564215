"""Tests for verify.experiments.autograd and autograd_measures: manual backprop oracle, the cost
experiment, and the q05 measurements."""

import pytest
import torch

from verify.claim import Protocol
from verify.experiments import autograd as ag
from verify.experiments import autograd_measures as am
from verify.lab import measure
from verify.seeding import SeedStream
from verify.stats import Check, Curve

NET = SeedStream(0, "test", "tanh-net")


class _Ctx:
    """The part of verify.runner.Context a measurement uses, without a claim."""

    def __init__(self):
        self._stream = SeedStream(0, "test", "ctx")

    def seed(self, name=""):
        return self._stream.int(name)

    def generator(self, name=""):
        return self._stream.generator(name)

    def shared_stream(self, name):
        return SeedStream(0, "shared", name)


def _mlp_params(seed=0):
    g = torch.Generator().manual_seed(seed)
    def r(*s):
        return torch.randn(*s, dtype=torch.float64, generator=g)
    return r(5, 3), r(3, 4), r(4), r(4, 2), r(2), r(5, 2)


def test_manual_backprop_matches_autograd():
    """Hand-derived backpropagation equals loss.backward() for the two-layer tanh MLP."""
    x, W1, b1, W2, b2, y = _mlp_params()
    ps = [t.clone().requires_grad_(True) for t in (W1, b1, W2, b2)]
    ag.two_layer(x, *ps, y).backward()
    for p, m in zip(ps, ag.manual_backprop(x, W1, b1, W2, b2, y)):
        torch.testing.assert_close(p.grad, m, rtol=1e-12, atol=1e-12)


def test_two_layer_passes_gradcheck():
    """two_layer's autograd gradients agree with finite differences in float64."""
    x, W1, b1, W2, b2, y = _mlp_params(1)
    ps = tuple(t.requires_grad_(True) for t in (W1, b1, W2, b2))
    assert torch.autograd.gradcheck(lambda *p: ag.two_layer(x, *p, y), ps)


# The two lab tools the cost experiment rests on (they belong in a tests/test_lab_measure.py).
def test_largest_tensor_counts_allocations_not_views():
    """A fresh 6x7 result counts 42 elements; a transpose of an input (a view) counts nothing."""
    a = torch.ones(6, 7)
    assert measure.largest_tensor_during(lambda: a + 1) == 42
    assert measure.largest_tensor_during(lambda: a.t()) == 0


def test_flops_of_matmul():
    """FlopCounterMode counts 2*m*k*n FLOPs for an (m, k) @ (k, n) product."""
    assert measure.flops(lambda: torch.ones(3, 4) @ torch.ones(4, 5)) == 2 * 3 * 4 * 5


def test_vjp_is_one_pass_and_jacobian_is_m_passes():
    """backward(gradient=v) costs the scalar backward's FLOPs and allocates no m x n tensor; the
    Jacobian costs one forward plus m backward passes and allocates the m x n matrix."""
    n, h, m = 8, 5, 6
    vjp = ag.vjp_or_jacobian(n, h, m, NET, "vjp")
    scalar = ag.vjp_or_jacobian(n, h, m, NET, "scalar")
    jac = ag.vjp_or_jacobian(n, h, m, NET, "jacobian")
    assert vjp.flops == scalar.flops == 2 * (n * h + h * m)
    assert jac.flops == (1 + m) * vjp.flops
    assert vjp.largest < m * n <= jac.largest


def test_unknown_mode_is_a_value_error():
    """A misspelt mode raises ValueError naming the allowed ones."""
    with pytest.raises(ValueError, match="jacobian"):
        ag.vjp_or_jacobian(2, 2, 2, NET, "jvp")


def test_tanh_net_is_drawn_from_its_stream():
    """The same stream gives the same network and input; another stream gives another."""
    (f1, x1), (f2, x2) = ag.tanh_net(4, 3, 2, NET), ag.tanh_net(4, 3, 2, NET)
    _, x3 = ag.tanh_net(4, 3, 2, SeedStream(1, "test", "tanh-net"))
    assert torch.equal(x1, x2) and torch.equal(f1(x1), f2(x2))
    assert not torch.equal(x1, x3)


def test_fuzzed_check_reports_the_smallest_counterexample():
    """mean and sum gradients first differ on a two-element vector, which the check reports."""
    c = am.mean_vs_sum(Protocol(dict(max_dims=3, max_side=4, examples=60)), _Ctx())
    assert isinstance(c, Check) and c.ok is False
    assert c.evidence["counterexample"] == (2,) and "(2,)" in c.reason


def test_fuzzed_check_passes_when_no_counterexample():
    """On one-element tensors only, mean and sum gradients agree: the check passes with no counterexample."""
    c = am.mean_vs_sum(Protocol(dict(max_dims=3, max_side=1, examples=10)), _Ctx())
    assert c.ok is True and c.evidence["counterexample"] is None and c.reason == ""


def test_jacobian_cost_ratio_is_one_plus_m():
    """The Jacobian's FLOPs over one vector-Jacobian product are 1 + m (one forward, m reverse passes)."""
    p = Protocol(dict(n=8, h=5, ms=(2, 4, 8), mode="jacobian"))
    curve = am.jacobian_cost_ratio(p, _Ctx())
    assert isinstance(curve, Curve) and list(curve.x) == [2, 4, 8] and list(curve.y) == [3.0, 5.0, 9.0]


def test_vjp_never_allocates_the_jacobian():
    """backward(gradient=v) creates no tensor as large as m x n; jacobian() does."""
    p = Protocol(dict(n=16, h=4, ms=(4, 8), mode="vjp"))
    assert am.largest_backward_tensor(p, _Ctx()).ok is False
    assert am.largest_backward_tensor(Protocol({**p, "mode": "jacobian"}), _Ctx()).ok is True
