"""Tests for verify.experiments.inductive_bias (fast: no training)."""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from verify.experiments import inductive_bias as ib


def test_locally_connected_with_tied_filters_equals_conv():
    """A locally connected layer holding the conv's filter at every position computes the conv."""
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1).double()
    lc = ib.LocallyConnected2d.from_conv(conv, 7).double()
    x = torch.randn(2, 3, 7, 7, dtype=torch.float64)
    torch.testing.assert_close(lc(x), conv(x), rtol=0, atol=1e-12)


def test_locally_connected_gradients_match_finite_differences():
    """LocallyConnected2d's autograd gradients pass torch.autograd.gradcheck in float64."""
    torch.manual_seed(0)
    lc = ib.LocallyConnected2d(2, 3, 3, 5).double()
    x = torch.randn(1, 2, 5, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, w, b: torch.func.functional_call(lc, {"weight": w, "bias": b}, (x,)),
                                    (x, lc.weight.detach().requires_grad_(), lc.bias.detach().requires_grad_()))


def test_counts_params_ratio_is_positions_and_flops_equal():
    """Sharing divides parameters by the number of output positions and leaves FLOPs unchanged."""
    c = ib.conv_vs_local_counts(2, 3, 4, 8, 3)
    assert c["params_local"] == 36 * c["params_conv"]
    assert c["flops_conv"] == c["flops_local"] == c["flops_by_hand"] == 2 * 2 * 36 * 4 * 3 * 9
    assert ib.dense_counts(2, 3, 4, 8, 3)["flops_dense"] == 2 * 2 * (3 * 64) * (4 * 36)


def test_shift_moves_content_and_fills_zeros():
    """shift() translates by (dy, dx) with zero fill, and circularly equals torch.roll."""
    x = torch.arange(16.0).reshape(1, 4, 4)
    y = ib.shift(x, 1, -1)
    assert y[0, 1, 0] == x[0, 0, 1] and y[0, 0].abs().sum() == 0 and y[0, :, 3].abs().sum() == 0
    assert torch.equal(ib.shift(x, 2, 3, circular=True), torch.roll(x, (2, 3), (-2, -1)))
    assert torch.equal(ib.shift(x, 0, 0), x)


@pytest.mark.parametrize("k,stride", [(2, 2), (3, 1), (3, 2)])
def test_window_max_matches_max_pool(k, stride):
    """The unfold-based window maximum equals F.max_pool2d."""
    x = torch.randn(2, 3, 7, 6, generator=torch.Generator().manual_seed(1))
    assert torch.equal(ib.window_max(x, k, stride), F.max_pool2d(x, k, stride))


def test_even_lattice_inputs_are_pool_invariant_to_right_shift_only():
    """Maxima on the even lattice survive a one-pixel right shift under 2x2 pooling, not a left one."""
    x = ib.even_lattice_input((1, 2, 6, 6), torch.Generator().manual_seed(0))
    pool = F.max_pool2d
    assert torch.equal(pool(ib.shift(x, 0, 1, circular=True), 2), pool(x, 2))
    assert not torch.equal(pool(ib.shift(x, 0, -1, circular=True), 2), pool(x, 2))


def test_receptive_fields_grow_with_depth_only_with_spatial_mixing():
    """Layer-2 units see more pixels than layer-1 units, unless layer 2 is 1x1 without pooling."""
    rf1, rf2 = ib.layer_receptive_fields(8, 3, True)
    assert rf1 == 9 and rf2 > rf1
    assert ib.layer_receptive_fields(8, 1, False) == (9, 9)


def test_pixel_correlation_decays_with_distance_on_digits_not_on_permuted():
    """Adjacent digit pixels correlate more than distant ones; a pixel permutation removes that."""
    d = ib.pixel_correlation_by_distance("digits", 0)
    p = ib.pixel_correlation_by_distance("permuted", 0)
    assert d[1] > 2 * d[4]
    assert abs(p[1] - p[4]) < 0.05
