"""The decision rules against independent reference values (recipes beside each number)."""

import math

import numpy as np
import pytest
from scipy import stats as st

from verify import HOLDS, INCONCLUSIVE, REFUTED
from verify import stats


def test_claim_alpha_is_bonferroni_over_declared_family():
    """Each claim's alpha is the family alpha divided by the declared family size."""
    assert stats.claim_alpha() == pytest.approx(stats.FAMILY_ALPHA / stats.DECLARED_FAMILY_SIZE)


def test_holm_matches_hand_computation():
    """Holm adjusts sorted p-values by (m - rank) and keeps them monotone."""
    # p = [0.01, 0.04, 0.03, 0.005]; sorted 0.005,0.01,0.03,0.04 -> 4*.005=.02, 3*.01=.03, 2*.03=.06, 1*.04=.04->.06
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_greater_holds_on_a_large_effect_and_reports_welch_t():
    """A clear difference HOLDS and the statistic equals scipy's Welch t."""
    a = np.array([1.0, 1.1, 0.9, 1.05, 0.95, 1.02])
    b = a - 0.5 + np.array([0.01, -0.02, 0.03, 0.0, -0.01, 0.02])
    f = stats.greater(a, b, min_effect=0.1, alpha=0.001)
    assert f.outcome is HOLDS
    ref = st.ttest_ind(a, b, equal_var=False, alternative="greater")
    assert f.statistic == pytest.approx(ref.statistic)
    assert f.pvalue == pytest.approx(ref.pvalue)


def test_greater_refutes_when_difference_is_shown_below_min_effect():
    """Equal groups with a small spread are REFUTED against a meaningful minimum effect."""
    rng = np.random.default_rng(0)
    a = 1 + 0.01 * rng.standard_normal(20)
    b = 1 + 0.01 * rng.standard_normal(20)
    assert stats.greater(a, b, min_effect=0.05, alpha=0.001).outcome is REFUTED


def test_greater_is_inconclusive_with_noise_and_few_seeds():
    """Noisy data with three seeds decides nothing."""
    a, b = [1.0, 2.0, 0.5], [1.1, 0.4, 1.9]
    assert stats.greater(a, b, min_effect=0.1, alpha=0.001).outcome is INCONCLUSIVE


def test_greater_paired_uses_differences():
    """The paired rule equals a one-sample t-test on the differences."""
    a = np.array([3.0, 4.0, 5.0, 6.0, 7.0])
    b = a - np.array([1.0, 1.2, 0.9, 1.1, 1.05])
    f = stats.greater(a, b, min_effect=0.5, alpha=0.01, paired=True)
    ref = st.ttest_1samp(a - b, 0.0, alternative="greater")
    assert f.pvalue == pytest.approx(ref.pvalue) and f.outcome is HOLDS


def test_greater_degenerate_data_decided_exactly():
    """Constant data (no spread) is decided by the exact difference, not a NaN t."""
    assert stats.greater([1, 1, 1], [0, 0, 0], min_effect=0.5, alpha=0.01).outcome is HOLDS
    assert stats.greater([1, 1, 1], [1, 1, 1], min_effect=0.5, alpha=0.01).outcome is REFUTED


def test_tost_matches_two_one_sided_welch_tests():
    """TOST p is the larger of the two shifted one-sided Welch p-values."""
    rng = np.random.default_rng(1)
    a = 0.5 + 0.01 * rng.standard_normal(15)
    b = 0.5 + 0.01 * rng.standard_normal(15)
    f = stats.equivalent(a, b, margin=0.02, alpha=0.01)
    p1 = st.ttest_ind(a + 0.02, b, equal_var=False, alternative="greater").pvalue
    p2 = st.ttest_ind(a - 0.02, b, equal_var=False, alternative="less").pvalue
    assert f.outcome is HOLDS and f.pvalue == pytest.approx(max(p1, p2))


def test_equivalence_refuted_outside_margin():
    """A difference far beyond the margin is REFUTED."""
    a = np.array([1.0, 1.01, 0.99, 1.02, 0.98])
    assert stats.equivalent(a, a - 0.5, margin=0.05, alpha=0.01).outcome is REFUTED


def test_two_lines_detects_inverted_u_and_not_log_curve():
    """Simonsohn's point: a monotone log curve is not a U (a quadratic would say it is)."""
    x = np.repeat(np.arange(8.0), 6)
    rng = np.random.default_rng(2)
    bump = -(x - 4.0) ** 2 + 0.05 * rng.standard_normal(len(x))
    assert stats.two_lines(x, bump, alpha=0.001, margin=0.1).outcome is HOLDS
    logc = np.log1p(x) + 0.01 * rng.standard_normal(len(x))
    # quadratic regression on the log curve finds a significant negative x^2 term ...
    X = np.column_stack([np.ones_like(x), x, x**2])
    coef, res, *_ = np.linalg.lstsq(X, logc, rcond=None)
    assert coef[2] < 0
    # ... but the two-lines test does not call it a U
    assert stats.two_lines(x, logc, alpha=0.001, margin=0.02).outcome is not HOLDS


def test_two_lines_slopes_match_interrupted_regression_by_hand():
    """Slopes equal an ordinary least-squares fit of the interrupted regression at the breakpoint."""
    x = np.repeat(np.arange(6.0), 3)
    y = np.where(x <= 2, x, 4 - x) + np.tile([0.0, 0.01, -0.01], 6)
    r = stats.two_lines_test(x, y)
    xc = r.breakpoint
    X = np.column_stack([np.ones_like(x), np.where(x <= xc, x - xc, 0), np.where(x > xc, x - xc, 0), (x > xc) * 1.0])
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    assert r.slope_low == pytest.approx(coef[1]) and r.slope_high == pytest.approx(coef[2])


def test_two_lines_refutes_a_plateau():
    """A rise then a flat plateau is REFUTED as an inverted U (the right limb is shown flat)."""
    x = np.repeat(np.arange(7.0), 8)
    rng = np.random.default_rng(3)
    y = np.minimum(x, 3.0) + 0.01 * rng.standard_normal(len(x))
    assert stats.two_lines(x, y, alpha=0.001, margin=0.05).outcome is REFUTED


def test_loglog_slope_recovers_exponent():
    """y = 3 x^2 has log-log slope 2."""
    x = [8, 16, 32, 64]
    f = stats.loglog_slope(x, [3 * v**2 for v in x], expected=2, tolerance=0.05)
    assert f.outcome is HOLDS and f.statistic == pytest.approx(2.0)


def test_proportion_greater_uses_exact_binomial():
    """The p-value equals scipy's exact binomial test."""
    f = stats.proportion_greater(90, 100, threshold=0.5, alpha=0.001)
    assert f.outcome is HOLDS
    assert f.pvalue == pytest.approx(st.binomtest(90, 100, 0.5, alternative="greater").pvalue)


def test_power_matches_noncentral_t_recipe():
    """power_welch(d=1, n=10, alpha=0.05) equals the noncentral-t tail (G*Power gives 0.69)."""
    df, nc = 18, 1 * math.sqrt(10 / 2)
    ref = st.nct.sf(st.t.isf(0.05, df), df, nc)
    assert stats.power_welch(1.0, 10, 0.05) == pytest.approx(ref)
    assert 0.68 < ref < 0.70
    assert stats.seeds_for_power(3.0, 5e-4, 0.9) <= 8


def test_two_lines_uses_hc3_robust_standard_errors():
    """The slopes' standard errors equal the HC3 sandwich computed by hand (recipe: MacKinnon & White 1985)."""
    x = np.repeat(np.arange(6.0), 4)
    rng = np.random.default_rng(4)
    y = np.where(x <= 3, x, 6 - x) * (1 + 0.1 * rng.standard_normal(len(x)))
    coef, se, df = stats._twolines._interrupted_regression(x, y, 3.0)
    X = np.column_stack([np.ones_like(x), np.where(x <= 3, x - 3, 0), np.where(x > 3, x - 3, 0), (x > 3) * 1.0])
    e = y - X @ coef
    inv = np.linalg.inv(X.T @ X)
    h = np.diag(X @ inv @ X.T)
    meat = X.T @ np.diag(e**2 / (1 - h) ** 2) @ X
    assert se == pytest.approx(np.sqrt(np.diag(inv @ meat @ inv)))
    assert df == len(x) - 4


def test_two_lines_refutes_a_saturating_curve_with_enough_seeds():
    """A curve that rises steeply then saturates is shown flat on the right (robust SEs keep the left misfit out)."""
    x = np.repeat(np.arange(8.0), 16)
    rng = np.random.default_rng(5)
    y = 1 - np.exp(-x) + 0.005 * rng.standard_normal(len(x))
    assert stats.two_lines(x, y, alpha=5e-4, margin=0.01).outcome is REFUTED


@pytest.mark.parametrize("shift", [0.0, 0.3, 1.0])
def test_reported_t_reproduces_the_reported_p(shift):
    """Whatever the outcome, the reported t and df give the reported one-sided p-value."""
    rng = np.random.default_rng(6)
    a = shift + 0.1 * rng.standard_normal(12)
    b = 0.1 * rng.standard_normal(12)
    for f in (stats.greater(a, b, min_effect=0.5, alpha=0.001), stats.equivalent(a, b, margin=0.5, alpha=0.001)):
        df = f.evidence["df"]
        assert min(st.t.sf(f.statistic, df), st.t.cdf(f.statistic, df)) == pytest.approx(f.pvalue, rel=1e-6)
