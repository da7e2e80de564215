"""Tests for verify.experiments.autograd: manual backprop oracle, tensor-size and FLOP probes."""

import pytest
import torch

from verify.experiments import autograd as ag


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


def test_largest_tensor_counts_allocations_not_views():
    """A fresh 6x7 result counts 42 elements; a transpose of an input (a view) counts nothing."""
    a = torch.ones(6, 7)
    assert ag.largest_tensor_during(lambda: a + 1) == 42
    assert ag.largest_tensor_during(lambda: a.t()) == 0


def test_flops_of_matmul():
    """FlopCounterMode counts 2*m*k*n FLOPs for an (m, k) @ (k, n) product."""
    assert ag.flops_of(lambda: torch.ones(3, 4) @ torch.ones(4, 5)) == 2 * 3 * 4 * 5


def test_vjp_is_one_pass_and_jacobian_is_m_passes():
    """backward(gradient=v) costs the scalar backward's FLOPs and allocates no m x n tensor; the
    Jacobian costs one forward plus m backward passes and allocates the m x n matrix."""
    n, h, m = 8, 5, 6
    vjp = ag.vjp_or_jacobian(n, h, m, 0, "vjp")
    scalar = ag.vjp_or_jacobian(n, h, m, 0, "scalar")
    jac = ag.vjp_or_jacobian(n, h, m, 0, "jacobian")
    assert vjp["flops"] == scalar["flops"] == 2 * (n * h + h * m)
    assert jac["flops"] == (1 + m) * vjp["flops"]
    assert vjp["largest"] < m * n <= jac["largest"]


def test_unknown_mode_is_a_value_error():
    """A misspelt mode raises ValueError naming the allowed ones."""
    with pytest.raises(ValueError, match="jacobian"):
        ag.vjp_or_jacobian(2, 2, 2, 0, "jvp")
