"""Tests for verify.experiments.inductive_bias and inductive_bias_measures (fast: no training)."""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from verify.experiments import inductive_bias as ib
from verify.lab.measure import shift
from verify.lab.models import LocallyConnected2d
from verify.seeding import SeedStream


def test_locally_connected_with_tied_filters_equals_conv():
    """A locally connected layer holding the conv's filter at every position computes the conv."""
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1).double()
    lc = LocallyConnected2d.from_conv(conv, 7).double()
    x = torch.randn(2, 3, 7, 7, dtype=torch.float64)
    torch.testing.assert_close(lc(x), conv(x), rtol=0, atol=1e-12)


def test_locally_connected_gradients_match_finite_differences():
    """LocallyConnected2d's autograd gradients pass torch.autograd.gradcheck in float64."""
    torch.manual_seed(0)
    lc = LocallyConnected2d(2, 3, 3, 5).double()
    x = torch.randn(1, 2, 5, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, w, b: torch.func.functional_call(lc, {"weight": w, "bias": b}, (x,)),
                                    (x, lc.weight.detach().requires_grad_(), lc.bias.detach().requires_grad_()))


def test_counts_params_ratio_is_positions_and_flops_equal():
    """Sharing divides parameters by the number of output positions and leaves FLOPs unchanged."""
    c = ib.conv_vs_local_counts(2, 3, 4, 8, 3)
    assert c.params_local == 36 * c.params_conv
    assert c.flops_conv == c.flops_local == c.flops_by_hand == 2 * 2 * 36 * 4 * 3 * 9
    assert ib.dense_counts(2, 3, 4, 8, 3).flops_dense == 2 * 2 * (3 * 64) * (4 * 36)


def test_shift_moves_content_and_fills_zeros():
    """lab.measure.shift translates by (dy, dx) with zero fill, and circularly equals torch.roll."""
    x = torch.arange(16.0).reshape(1, 4, 4)
    y = shift(x, 1, -1)
    assert y[0, 1, 0] == x[0, 0, 1] and y[0, 0].abs().sum() == 0 and y[0, :, 3].abs().sum() == 0
    torch.testing.assert_close(y[0, 1:, :3], x[0, :3, 1:])
    assert torch.equal(shift(x, 2, 3, circular=True), torch.roll(x, (2, 3), (-2, -1)))
    assert torch.equal(shift(x, 0, 0), x)


@pytest.mark.parametrize("k,stride", [(2, 2), (3, 1), (3, 2)])
def test_window_max_matches_max_pool(k, stride):
    """The unfold-based window maximum equals F.max_pool2d."""
    x = torch.randn(2, 3, 7, 6, generator=torch.Generator().manual_seed(1))
    assert torch.equal(ib.window_max(x, k, stride), F.max_pool2d(x, k, stride))


def test_even_lattice_inputs_are_pool_invariant_to_right_shift_only():
    """Maxima on the even lattice survive a one-pixel right shift under 2x2 pooling, not a left one."""
    x = ib.even_lattice_input((1, 2, 6, 6), torch.Generator().manual_seed(0))
    pool = F.max_pool2d
    assert torch.equal(pool(shift(x, 0, 1, circular=True), 2), pool(x, 2))
    assert not torch.equal(pool(shift(x, 0, -1, circular=True), 2), pool(x, 2))


def test_receptive_fields_grow_with_depth_only_with_spatial_mixing():
    """Layer-2 units see more pixels than layer-1 units, unless layer 2 is 1x1 without pooling."""
    rf1, rf2 = ib.layer_receptive_fields(8, 3, True)
    assert rf1 == 9 and rf2 > rf1
    assert ib.layer_receptive_fields(8, 1, False) == (9, 9)


def test_pixel_correlation_decays_with_distance_on_digits_not_on_permuted():
    """Adjacent digit pixels correlate more than distant ones; a pixel permutation removes that."""
    stream = SeedStream(0, "test", "permutation")
    d = ib.pixel_correlation_by_distance("digits", stream)
    p = ib.pixel_correlation_by_distance("permuted", stream)
    assert d[1] > 2 * d[4]
    assert abs(p[1] - p[4]) < 0.05


def _run(sizes=(2, 4), members=3, n_test=5, seed=0):
    """A LearnerRun of random predictions (no training): per size, ``members`` rows."""
    g = torch.Generator().manual_seed(seed)
    pred = [torch.randint(3, (members, n_test), generator=g) for _ in sizes]
    acc = [torch.rand(members, generator=g) for _ in sizes]
    shifts = {d: torch.rand(members, generator=g) for d in ib.SHIFTS}
    return ib.LearnerRun(tuple(sizes), tuple(acc), tuple(a / 2 for a in acc), tuple(pred), tuple(pred), shifts,
                         {d: v / 2 for d, v in shifts.items()})


def test_learner_run_values_reads_metrics_by_name_and_rejects_unknown_ones():
    """values() returns train/test accuracy at any size and shift metrics at the largest size only."""
    r = _run()
    assert r.values("train_acc", 2) == r.train_acc[0].tolist() and r.values("test_acc", 4) == r.test_acc[1].tolist()
    assert r.values("acc_shift1", 4) == r.shift_acc[1].tolist() and r.values("flip_shift3", 4) == r.shift_flip[3].tolist()
    for metric, size, message in [("acc_shift1", 2, "largest size"), ("flip_shift2", 4, "not measured"),
                                  ("loss", 4, "unknown metric"), ("test_acc", 3, "no run at training-set size")]:
        with pytest.raises(ValueError, match=message):
            r.values(metric, size)


def test_learners_disagreement_and_table():
    """Disagreement is the per-member fraction of differing predictions; unknown learner names are rejected."""
    a, b = _run(seed=0), _run(seed=1)
    runs = ib.Learners({"mlp@digits": a, "cnn@digits": b})
    expected = (a.test_pred[0] != b.test_pred[0]).float().mean(-1).tolist()
    assert runs.disagreement("mlp@digits", "cnn@digits", 2) == expected
    assert runs.disagreement("mlp@digits", "mlp@digits", 4, on="train") == [0.0, 0.0, 0.0]
    assert set(runs.table()) == {f"{n} n={s}" for n in ("mlp@digits", "cnn@digits") for s in (2, 4)} | {
        "mlp@digits n=4 shifted", "cnn@digits n=4 shifted"}
    with pytest.raises(ValueError, match="unknown learner 'vit@digits'"):
        runs["vit@digits"]


def test_largest_only_learner_is_paired_with_the_largest_size_group():
    """A model trained on the largest size only gets the same subsets and seeds as that size's group of a full sweep."""
    stream = SeedStream(0, "test", "sweep")
    alone = ib.size_sweep("digits", ("mlp",), (50, 100), (2, 2), 2, stream, largest_only=("cnn",))["cnn"]
    full = ib.size_sweep("digits", ("cnn",), (50, 100), (2, 2), 2, stream)["cnn"]
    assert alone.sizes == (100,)
    assert torch.equal(alone.test_pred[0], full.test_pred[1]) and torch.equal(alone.train_pred[0], full.train_pred[1])
    assert torch.equal(alone.shift_flip[1], full.shift_flip[1])
    with pytest.raises(ValueError, match="both models and largest_only"):
        ib.size_sweep("digits", ("cnn",), (50, 100), (2, 2), 2, stream, largest_only=("cnn",))
