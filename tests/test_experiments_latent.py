"""Tests for verify.experiments.latent and latent_measures (q01): codes, probes, separability
proxies, the figure's fit, the measurements and the slope decisions they feed."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from verify import HOLDS, REFUTED
from verify import stats as S
from verify.claim import Protocol
from verify.experiments import latent as L
from verify.experiments import latent_measures as LM
from verify.lab.models import MaskedAutoencoder
from verify.lab.train import mse, train_ensemble
from verify.seeding import SeedStream

SWEEP = SeedStream(3, "test", "sweep")
# A cheap sweep: untrained autoencoders (steps=0), 2 levels x 2 seed indices.
TINY = dict(levels=(1, 2), seeds_per_h=2, hidden=8, steps=0, batch_size=32, lr=1e-3, train_size=0,
            probe="logistic", per_class=0, repeats=1, l2=1e-3, max_iter=5, shuffle_labels=False)


class _Ctx:
    """The part of verify.runner.Context a measurement uses, without a claim."""

    def shared_stream(self, name):
        return SeedStream(0, "shared", name)


def _toy_ensemble():
    torch.manual_seed(0)
    x = torch.rand(40, 16)
    hs = [1, 3, 8]
    ens = train_ensemble(lambda i: MaskedAutoencoder(16, 12, hs[i], 8), [1, 2, 3], x, x, loss=mse,
                         steps=3, batch_size=20, lr=1e-2)
    return ens, x, hs


def test_encode_matches_member_encoder():
    """The batched encoder gives every member's own MaskedAutoencoder.encode output."""
    ens, x, _ = _toy_ensemble()
    codes = L.encode(ens.params, ens.buffers, x)
    for i in range(len(ens)):
        torch.testing.assert_close(codes[i], ens.member(i).encode(x))


def test_masked_code_units_are_zero():
    """Code units beyond h are exactly zero, so a member carries an h-dimensional code."""
    ens, x, hs = _toy_ensemble()
    codes = L.encode(ens.params, ens.buffers, x)
    for i, h in enumerate(hs):
        assert torch.count_nonzero(codes[i, :, h:]) == 0
        assert torch.count_nonzero(codes[i, :, :h]) > 0


def test_standardise_keeps_dead_units_zero():
    """Standardising gives active units zero mean and unit variance and leaves constant units at zero."""
    tr = torch.cat([torch.randn(2, 50, 3), torch.zeros(2, 50, 2)], dim=-1)
    a, b = L.standardise(tr, tr[:, :10])
    torch.testing.assert_close(a[..., :3].mean(1), torch.zeros(2, 3), atol=1e-5, rtol=0)
    torch.testing.assert_close(a[..., :3].std(1), torch.ones(2, 3))
    assert torch.count_nonzero(a[..., 3:]) == 0 and torch.count_nonzero(b[..., 3:]) == 0


def test_labelled_subset_is_balanced_and_seeded():
    """Each labelled subset holds exactly per_class examples of every class, the same for the same seed."""
    y = torch.arange(10).repeat(30)
    s = L.labelled_subset(y, 4, 3, seed=7)
    assert s.shape == (3, 40)
    for row in s:
        assert torch.bincount(y[row], minlength=10).tolist() == [4] * 10
    assert torch.equal(s, L.labelled_subset(y, 4, 3, seed=7))


def test_logistic_probe_batched_equals_separate_fits():
    """Fitting members jointly gives each member the accuracy of its own separate (convex) fit."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 60, 5, generator=g, dtype=torch.float64)
    y = torch.randint(0, 10, (3, 60), generator=g)
    xt = torch.randn(3, 30, 5, generator=g, dtype=torch.float64)
    yt = torch.randint(0, 10, (3, 30), generator=g)
    tr, te = L.logistic_probe(x, y, xt, yt, l2=1e-2, max_iter=200)
    for i in range(3):
        tr_i, te_i = L.logistic_probe(x[i:i + 1], y[i:i + 1], xt[i:i + 1], yt[i:i + 1], l2=1e-2, max_iter=200)
        assert tr[i].item() == pytest.approx(tr_i.item()) and te[i].item() == pytest.approx(te_i.item())


def test_logistic_probe_separates_separable_classes():
    """On well separated class clusters the logistic probe reaches perfect train and test accuracy."""
    g = torch.Generator().manual_seed(1)
    centres = 10 * torch.randn(10, 6, generator=g)
    y = torch.arange(10).repeat(8)
    x = centres[y] + torch.randn(80, 6, generator=g)
    tr, te = L.logistic_probe(x[None], y[None], x[None], y[None], l2=1e-3, max_iter=100)
    assert tr.item() == 1.0 and te.item() == 1.0


def test_pinv_lda_matches_numpy_closed_form():
    """The batched pseudo-inverse LDA predicts exactly the closed-form numpy rule."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 7))
    y = np.repeat(np.arange(10), 5)
    xt = rng.normal(size=(20, 7))
    yt = rng.integers(0, 10, 20)
    means = np.stack([x[y == c].mean(0) for c in range(10)])
    resid = x - means[y]
    prec = np.linalg.pinv(resid.T @ resid / (50 - 10), hermitian=True)
    scores = xt @ prec @ means.T - 0.5 * np.einsum("cd,de,ce->c", means, prec, means)
    expected = (scores.argmax(1) == yt).mean()
    _, te = L.pinv_lda_probe(torch.tensor(x)[None], torch.tensor(y)[None], torch.tensor(xt)[None],
                             torch.tensor(yt)[None])
    assert te.item() == pytest.approx(expected)


def test_fisher_ratio_is_invariant_to_invertible_linear_maps():
    """The held-out Fisher criterion does not change when the code is mixed by an invertible matrix."""
    g = torch.Generator().manual_seed(2)
    y = torch.arange(10).repeat(30)
    x = torch.randn(10, 12, generator=g, dtype=torch.float64)[y] + torch.randn(300, 12, generator=g, dtype=torch.float64)
    a = torch.randn(12, 12, generator=g, dtype=torch.float64) + 3 * torch.eye(12, dtype=torch.float64)
    j1 = L.fisher_ratio(x[None], y[None], x[None], y[None], ridge=1e-9)
    j2 = L.fisher_ratio((x @ a)[None], y[None], (x @ a)[None], y[None], ridge=1e-9)
    torch.testing.assert_close(j1, j2, rtol=1e-6, atol=0)


def test_class_r2_closed_form():
    """A unit equal to its class has eta squared 1, a constant-within-class-mean unit 0; masked units are ignored."""
    y = torch.arange(10).repeat(20)
    g = torch.Generator().manual_seed(3)
    noise = torch.randn(200, generator=g)
    noise = noise - torch.stack([noise[y == c].mean() for c in range(10)])[y]   # class means exactly 0
    x = torch.stack([y.double(), noise.double(), torch.zeros(200, dtype=torch.float64)], dim=-1)[None]
    r2_both = L.class_r2(x, y, torch.tensor([[1.0, 1.0, 0.0]], dtype=torch.float64))
    r2_first = L.class_r2(x, y, torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64))
    assert r2_first.item() == pytest.approx(1.0)
    assert r2_both.item() == pytest.approx(0.5, abs=1e-9)


def test_line_with_blocks_matches_dummy_regression():
    """The within-block slope and its standard error equal OLS with one intercept dummy per block."""
    rng = np.random.default_rng(4)
    x = np.tile(np.arange(5.0), 4)
    b = np.repeat(np.arange(4), 5)
    y = 0.3 * x + rng.normal(size=4)[b] + 0.1 * rng.normal(size=20)
    slope, se, df = S._twolines._line(x, y, b)
    X = np.column_stack([x, np.eye(4)[b]])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    cov = resid @ resid / (20 - 5) * np.linalg.inv(X.T @ X)
    assert slope == pytest.approx(coef[0]) and se == pytest.approx(math.sqrt(cov[0, 0])) and df == 15


def test_two_lines_by_side_decides_shapes():
    """An inverted U in log2 h HOLDS; a saturating log-shaped curve is REFUTED (its high limb is flat)."""
    rng = np.random.default_rng(5)
    x = np.repeat(np.arange(8.0), 6)
    blocks = np.tile(np.arange(6), 8)
    u = -0.05 * (x - 4) ** 2 + 0.005 * rng.normal(size=len(x))
    sat = 1 - np.exp(-x) + 0.003 * rng.normal(size=len(x))
    assert S.two_lines_by_side(x, u, alpha=5e-4, margin=0.01, blocks=blocks).outcome is HOLDS
    assert S.two_lines_by_side(x, sat, alpha=5e-4, margin=0.01, blocks=blocks).outcome is REFUTED


def test_slope_finding_directions_and_equivalence():
    """slope_finding HOLDS for a clear rise, REFUTED for a flat line, and TOST HOLDS for the flat line."""
    rng = np.random.default_rng(6)
    x = np.repeat(np.arange(4.0), 8)
    flat = 0.001 * rng.normal(size=32)
    assert S.slope_finding(x, 0.1 * x + flat, alpha=5e-4, min_effect=0.02).outcome is HOLDS
    assert S.slope_finding(x, flat, alpha=5e-4, min_effect=0.02).outcome is REFUTED
    assert S.slope_finding(x, flat, alpha=5e-4, margin=0.02).outcome is HOLDS
    assert S.slope_finding(x, 0.1 * x + flat, alpha=5e-4, margin=0.02).outcome is REFUTED


def test_sweep_draws_one_split_per_seed_index():
    """Members of one seed index share their train/test split across h; different seed indices draw different splits."""
    sw = L.autoencoder_sweep(SWEEP, (1, 2), 2, 8, 0, 32, 1e-3)   # untrained: cheap, the split is what is tested
    by_index = [(sw.seed_index == i).nonzero().flatten().tolist() for i in range(2)]
    for members in by_index:
        assert all(torch.equal(sw.y_test[members[0]], sw.y_test[m]) for m in members)
    assert not torch.equal(sw.y_test[by_index[0][0]], sw.y_test[by_index[1][0]])
    assert sw.y_train.shape == (4, 1200) and sw.y_test.shape == (4, 597)
    assert sorted(torch.bincount(sw.y_train[0], minlength=10) + torch.bincount(sw.y_test[0], minlength=10)) == \
        sorted(torch.bincount(sw.y_train[2], minlength=10) + torch.bincount(sw.y_test[2], minlength=10))


def test_labelled_subsets_come_from_the_label_stream():
    """Each seed index draws its own labelled subset from the label stream; the same stream draws the same."""
    sw = L.autoencoder_sweep(SWEEP, (1, 2), 2, 8, 0, 32, 1e-3)
    labels = SeedStream(0, "test", "labels")
    a = L._subsets_per_index(sw, 3, 2, labels)
    assert a.shape == (2, 2, 30) and torch.equal(a, L._subsets_per_index(sw, 3, 2, labels))
    assert not torch.equal(a[0], a[1])
    assert not torch.equal(a, L._subsets_per_index(sw, 3, 2, SeedStream(1, "test", "labels")))


def test_probe_gap_is_train_minus_test():
    """Probe.gap is the train accuracy minus the test accuracy, member by member."""
    r = L.Probe(train_acc=torch.tensor([0.9, 1.0]), test_acc=torch.tensor([0.8, 0.7]))
    torch.testing.assert_close(r.gap, torch.tensor([0.1, 0.3]))


def _balanced_sweep(values: np.ndarray, levels=(1, 2, 4, 8, 16, 32)):
    """A stand-in for AESweep with ``values`` (levels, seeds) as its member table."""
    seeds = values.shape[1]
    return SimpleNamespace(levels=levels, seeds_per_h=seeds,
                           by_level=lambda v: v.reshape(len(levels), seeds))


def test_two_lines_curve_draws_the_decisions_fit():
    """The figure's breakpoint and limb slopes are those of the side-wise two-lines test on the same points."""
    rng = np.random.default_rng(7)
    levels = (1, 2, 4, 8, 16, 32, 64, 128)
    x = np.log2(levels)
    table = (-0.03 * (x[:, None] - 4.5) ** 2 + rng.normal(size=6)[None] * 0.05
             + 0.01 * rng.normal(size=(8, 6)))
    sw = _balanced_sweep(table, levels)
    fig = L.two_lines_curve(sw, torch.tensor(table.flatten()), y_label="accuracy")
    f = S.two_lines_by_side(np.repeat(x, 6), table.flatten(), alpha=5e-4, margin=0.01,
                            blocks=np.tile(np.arange(6), 8))
    assert fig["breakpoint"] == 2 ** f.evidence["breakpoint"]
    slopes = [(ln["y"][1] - ln["y"][0]) / (math.log2(ln["x"][1]) - math.log2(ln["x"][0])) for ln in fig["lines"]]
    assert slopes == pytest.approx([f.evidence["slope_low"], f.evidence["slope_high"]], abs=1e-3)


def test_slope_measure_selects_levels_and_negates_falls():
    """slope() returns (log2 h, value) points of the fit levels, blocked by seed index, negated for a fall."""
    p = Protocol({**TINY, "metric": "test_mse", "falls": True, "fit_levels": (2,)})
    c = LM.slope(p, _Ctx())
    sw = L.autoencoder_sweep(*LM.sweep_args(p, _Ctx()))
    assert list(c.x) == [1.0, 1.0] and list(c.blocks) == [0, 1]
    assert list(c.y) == (-sw.mse_test[2:]).tolist()
    assert set(c.evidence["table"]) == {"h=1", "h=2"} and "test_mse" in c.evidence["table"]["h=1"]


def test_slope_measure_rejects_unknown_metric():
    """An unknown metric name is a ValueError that lists the known ones."""
    p = Protocol({**TINY, "metric": "accuracy", "falls": False, "fit_levels": (1, 2)})
    with pytest.raises(ValueError, match="test_acc"):
        LM.slope(p, _Ctx())


def test_inverted_u_measure_returns_every_member():
    """inverted_u() returns the probe's test accuracy of every member at log2 h, with table and figure."""
    c = LM.inverted_u(Protocol(TINY), _Ctx())
    assert list(c.x) == [0.0, 0.0, 1.0, 1.0] and list(c.blocks) == [0, 1, 0, 1]
    assert all(0.0 <= v <= 1.0 for v in c.y) and c.evidence["curve"]["x"] == [1.0, 2.0]
