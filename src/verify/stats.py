"""Pre-declared decision rules.  scipy.stats does the standard tests; only what no well-kept
library offers (the two-lines U test, the three-way decision wrappers) is written here.

Every rule returns a :class:`~verify.verdict.Finding`: HOLDS, REFUTED or INCONCLUSIVE with the
statistic, p-value, effect and interval.  Family-wise error: each statistical claim is tested at
``claim_alpha()`` = FAMILY_ALPHA / DECLARED_FAMILY_SIZE (Bonferroni, valid under any dependence),
fixed when the bank is declared, so a verdict never depends on which other claims ran with it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats as _st

from .verdict import HOLDS, INCONCLUSIVE, REFUTED, Finding

__all__ = ["FAMILY_ALPHA", "DECLARED_FAMILY_SIZE", "claim_alpha", "holm", "greater", "equivalent",
           "two_lines", "TwoLinesResult", "loglog_slope", "power_welch", "seeds_for_power",
           "proportion_greater"]

# The bank promises at most 5 % chance of any false decisive verdict among its statistical claims
# under their nulls.  The family size is declared, not counted, so adding a claim never moves
# another claim's alpha; a test (tests/test_bank.py) fails when the bank outgrows it.
FAMILY_ALPHA = 0.05
DECLARED_FAMILY_SIZE = 100


def claim_alpha() -> float:
    """The per-claim significance level of every statistical claim (Bonferroni over the family)."""
    return FAMILY_ALPHA / DECLARED_FAMILY_SIZE


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values (for reports across one run), in the input order."""
    p = np.asarray(pvalues, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[idx]))
        adjusted[idx] = running
    return adjusted.tolist()


def _welch_ci(a: np.ndarray, b: np.ndarray, level: float, paired: bool) -> tuple[float, float, float, float]:
    """Difference of means, its standard error, df, and the two-sided CI at ``level``."""
    if paired:
        d = a - b
        se = d.std(ddof=1) / math.sqrt(len(d))
        df = len(d) - 1
        diff = d.mean()
    else:
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else len(a) + len(b) - 2
        diff = a.mean() - b.mean()
    q = _st.t.ppf(0.5 + level / 2, df)
    return float(diff), float(se), float(df), (float(diff - q * se), float(diff + q * se))


def _one_sided(a: np.ndarray, b: np.ndarray, shift: float, alternative: str, paired: bool) -> float:
    """p-value of H0: mean(a) - mean(b) (<= or >=) shift, by Welch or paired t.

    scipy's "precision loss" warning (a group with almost no spread, e.g. a constant reference) is
    silenced: exactly constant data is decided before this point, and near-constant data gives a
    large |t|, which is the right answer.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _one_sided_t(a, b, shift, alternative, paired)


def _one_sided_t(a: np.ndarray, b: np.ndarray, shift: float, alternative: str, paired: bool) -> float:
    if paired:
        res = _st.ttest_1samp(a - b - shift, 0.0, alternative=alternative)
    else:
        res = _st.ttest_ind(a - shift, b, equal_var=False, alternative=alternative)
    return float(res.pvalue)


def _degenerate(a: np.ndarray, b: np.ndarray, paired: bool) -> bool:
    spread = (a - b).std() if paired else max(a.std(), b.std())
    return bool(spread == 0)


def greater(a: Sequence[float], b: Sequence[float], *, min_effect: float, alpha: float,
            paired: bool = False, label: str = "mean(a) - mean(b)") -> Finding:
    """Claim: mean(a) exceeds mean(b) by at least ``min_effect`` (a meaningful difference).

    HOLDS    if H0: diff <= 0 is rejected at alpha and the estimate is >= min_effect;
    REFUTED  if H0: diff >= min_effect is rejected at alpha (the difference is shown smaller than
             the smallest effect of interest, zero or reversed);
    else INCONCLUSIVE.  Welch's t (unequal variances) or the paired t on differences.
    Degenerate data (no spread at all) is decided by the exact difference.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    rule = (f"one-sided {'paired' if paired else 'Welch'} t at alpha={alpha:.3g}: HOLDS if {label} > 0 "
            f"and estimate >= {min_effect:g}; REFUTED if {label} < {min_effect:g} is significant")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return Finding(INCONCLUSIVE, reason="non-finite measurements (diverged training?)", rule=rule)
    if _degenerate(a, b, paired):
        diff = float(a.mean() - b.mean())
        outcome = HOLDS if diff >= min_effect and diff > 0 else REFUTED
        return Finding(outcome, difference=diff, statistic_name=label, rule=rule,
                       reason="no spread across seeds: decided by the exact difference",
                       evidence={"a": a.tolist(), "b": b.tolist()})
    diff, se, df, ci = _welch_ci(a, b, 1 - 2 * alpha, paired)
    p_pos = _one_sided(a, b, 0.0, "greater", paired)
    p_small = _one_sided(a, b, min_effect, "less", paired)
    # The reported t is the statistic of the test whose p-value is reported (H0: diff <= 0 for
    # HOLDS, H0: diff >= min_effect for REFUTED), so the pair can be checked against a t table.
    t_pos = diff / se if se else float("inf")
    t_small = (diff - min_effect) / se if se else float("-inf")
    if p_pos < alpha and diff >= min_effect:
        outcome, p, t = HOLDS, p_pos, t_pos
    elif p_small < alpha:
        outcome, p, t = REFUTED, p_small, t_small
    elif p_pos <= p_small:
        outcome, p, t = INCONCLUSIVE, p_pos, t_pos
    else:
        outcome, p, t = INCONCLUSIVE, p_small, t_small
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2) if not paired else float((a - b).std(ddof=1))
    return Finding(outcome, statistic=t, pvalue=p, statistic_name="t",
                   effect=diff, effect_name=label, ci=ci, rule=rule,
                   evidence={"a": a.tolist(), "b": b.tolist(), "df": df,
                             "cohen_d": diff / pooled if pooled else None,
                             "p_greater_than_0": p_pos, "p_less_than_min_effect": p_small})


def equivalent(a: Sequence[float], b: Sequence[float], *, margin: float, alpha: float,
               paired: bool = False, label: str = "mean(a) - mean(b)") -> Finding:
    """Claim: mean(a) and mean(b) differ by less than ``margin`` ("no difference").

    HOLDS   by TOST: both H0: diff <= -margin and H0: diff >= margin rejected at alpha;
    REFUTED if the difference is shown to lie outside the margin (one-sided at alpha);
    else INCONCLUSIVE.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    rule = f"TOST at alpha={alpha:.3g}, margin +-{margin:g} on {label}; REFUTED if |diff| > margin is significant"
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return Finding(INCONCLUSIVE, reason="non-finite measurements (diverged training?)", rule=rule)
    if _degenerate(a, b, paired):
        diff = float(a.mean() - b.mean())
        return Finding(HOLDS if abs(diff) < margin else REFUTED, difference=diff, tolerance=margin,
                       statistic_name=label, rule=rule, reason="no spread: decided by the exact difference")
    diff, se, df, ci = _welch_ci(a, b, 1 - 2 * alpha, paired)
    p_low = _one_sided(a, b, -margin, "greater", paired)
    p_high = _one_sided(a, b, margin, "less", paired)
    p_tost = max(p_low, p_high)
    p_above = _one_sided(a, b, margin, "greater", paired)
    p_below = _one_sided(a, b, -margin, "less", paired)
    p_out = min(p_above, p_below)
    # t of the binding one-sided test (the one whose p-value is reported)
    t_low, t_high = ((diff + margin) / se, (diff - margin) / se) if se else (float("inf"), float("-inf"))
    t_tost = t_low if p_low >= p_high else t_high
    t_out = t_high if p_above <= p_below else t_low
    if p_tost < alpha:
        outcome, p, t = HOLDS, p_tost, t_tost
    elif p_out < alpha:
        outcome, p, t = REFUTED, p_out, t_out
    else:
        outcome, p, t = INCONCLUSIVE, p_tost, t_tost
    return Finding(outcome, statistic=t, pvalue=p, statistic_name="t",
                   effect=diff, effect_name=label, ci=ci, tolerance=margin, rule=rule,
                   evidence={"a": a.tolist(), "b": b.tolist(), "df": df, "p_tost": p_tost,
                             "p_outside": p_out})


def proportion_greater(successes: int, trials: int, *, threshold: float, alpha: float,
                       label: str = "rate") -> Finding:
    """Claim: a rate exceeds ``threshold``.  Exact binomial test both ways (scipy.stats.binomtest)."""
    res_hi = _st.binomtest(successes, trials, threshold, alternative="greater")
    res_lo = _st.binomtest(successes, trials, threshold, alternative="less")
    rate = successes / trials
    ci = res_hi.proportion_ci(confidence_level=1 - 2 * alpha, method="exact")
    rule = f"exact binomial at alpha={alpha:.3g}: HOLDS if {label} > {threshold:g}; REFUTED if {label} < {threshold:g}"
    if res_hi.pvalue < alpha:
        outcome, p = HOLDS, res_hi.pvalue
    elif res_lo.pvalue < alpha:
        outcome, p = REFUTED, res_lo.pvalue
    else:
        outcome, p = INCONCLUSIVE, min(res_hi.pvalue, res_lo.pvalue)
    return Finding(outcome, statistic=rate, statistic_name=label, pvalue=float(p), effect=rate - threshold,
                   effect_name=f"{label} - {threshold:g}", ci=(float(ci.low), float(ci.high)), rule=rule,
                   evidence={"successes": successes, "trials": trials})


@dataclass(frozen=True)
class TwoLinesResult:
    """Simonsohn's two-lines test: slopes left and right of the breakpoint, one-sided p-values."""

    breakpoint: float
    slope_low: float
    slope_high: float
    se_low: float
    se_high: float
    p_low: float    # one-sided p of the expected sign of the left slope
    p_high: float   # one-sided p of the expected sign of the right slope
    df: int
    flat_region: tuple[float, ...]

    @property
    def pvalue(self) -> float:
        """Intersection-union test: the U is shown iff both slopes are (max of the two p)."""
        return max(self.p_low, self.p_high)


def _interrupted_regression(x: np.ndarray, y: np.ndarray, xc: float):
    """y = b0 + b1*xlow + b2*xhigh + b3*high (Simonsohn 2018, eq. 2); returns (coef, se, df).

    Standard errors are heteroskedasticity-robust (HC3, MacKinnon & White 1985), as in Simonsohn's
    reference implementation: with a pooled residual variance, a curved limb's misfit would inflate
    the other limb's standard error (a saturating curve could then never be shown flat).
    """
    xlow = np.where(x <= xc, x - xc, 0.0)
    xhigh = np.where(x > xc, x - xc, 0.0)
    high = (x > xc).astype(float)
    X = np.column_stack([np.ones_like(x), xlow, xhigh, high])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    df = len(y) - X.shape[1]
    bread = np.linalg.pinv(X.T @ X)
    leverage = np.einsum("ij,jk,ik->i", X, bread, X)
    weights = resid**2 / np.clip(1.0 - leverage, 1e-12, None) ** 2
    cov = bread @ (X.T * weights) @ X @ bread
    return coef, np.sqrt(np.clip(np.diag(cov), 0.0, None)), df


def two_lines_test(x: Sequence[float], y: Sequence[float], *, shape: str = "inverted") -> TwoLinesResult:
    """Simonsohn (2018) two-lines test with the Robin Hood breakpoint, for x with repeated levels.

    Flexible fit: with a few discrete x levels (each with several seeds) the saturated model, the
    per-level means, replaces the GAM of the paper.  The flat region is the set of levels whose mean
    lies within one standard error of the extreme mean.  Robin Hood: run the interrupted
    regression at the extreme level, then move the breakpoint to the z_high/(z_low+z_high)
    quantile of the flat region, giving more data to the weaker line (paper, section 4).
    For ``shape="inverted"`` the left slope should be > 0 and the right slope < 0.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    sign = 1.0 if shape == "inverted" else -1.0
    levels = np.unique(x)
    means = np.array([y[x == v].mean() for v in levels])
    ses = np.array([y[x == v].std(ddof=1) / math.sqrt((x == v).sum()) if (x == v).sum() > 1 else 0.0
                    for v in levels])
    k = int(np.argmax(sign * means))
    flat = levels[sign * means >= sign * means[k] - ses[k]]
    # The breakpoint must leave at least two levels on each side or a line has no slope.
    valid = levels[1:-2] if len(levels) >= 4 else levels[:1]
    def clamp(v: float) -> float:
        return float(min(max(v, valid.min()), valid.max()))
    xc = clamp(levels[k])
    coef, se, df = _interrupted_regression(x, y, xc)
    z1, z2 = abs(coef[1] / se[1]) if se[1] else 0.0, abs(coef[2] / se[2]) if se[2] else 0.0
    if z1 + z2 > 0 and len(flat) > 1:
        q = z2 / (z1 + z2)
        xc = clamp(float(np.quantile(flat, q, method="nearest")))
        coef, se, df = _interrupted_regression(x, y, xc)
    t1 = sign * coef[1] / se[1] if se[1] else (math.inf if sign * coef[1] > 0 else -math.inf)
    t2 = -sign * coef[2] / se[2] if se[2] else (math.inf if -sign * coef[2] > 0 else -math.inf)
    return TwoLinesResult(breakpoint=xc, slope_low=float(coef[1]), slope_high=float(coef[2]),
                          se_low=float(se[1]), se_high=float(se[2]),
                          p_low=float(_st.t.sf(t1, df)), p_high=float(_st.t.sf(t2, df)), df=int(df),
                          flat_region=tuple(float(v) for v in flat))


def two_lines(x: Sequence[float], y: Sequence[float], *, alpha: float, margin: float,
              shape: str = "inverted", x_label: str = "x") -> Finding:
    """Claim: y first rises then falls in x (``shape="inverted"``), or falls then rises ("u").

    HOLDS   if both slopes of the two-lines test have the claimed signs, each one-sided at alpha
            (intersection-union, so the pair is tested at alpha);
    REFUTED if either limb is shown flatter than ``margin`` in the claimed direction (one-sided at
            alpha that the right slope > -margin, or the left slope < margin, for an inverted U):
            a plateau or a monotone curve;
    else INCONCLUSIVE.
    """
    res = two_lines_test(x, y, shape=shape)
    sign = 1.0 if shape == "inverted" else -1.0
    df = res.df
    # one-sided p that each limb is flatter than the margin in the claimed direction
    p_low_flat = float(_st.t.cdf((sign * res.slope_low - margin) / res.se_low, df)) if res.se_low else float(sign * res.slope_low < margin)
    p_high_flat = float(_st.t.cdf((-sign * res.slope_high - margin) / res.se_high, df)) if res.se_high else float(-sign * res.slope_high < margin)
    rule = (f"Simonsohn two-lines test (Robin Hood breakpoint) at alpha={alpha:.3g}: HOLDS if both limbs "
            f"have the claimed signs; REFUTED if a limb is shown flatter than {margin:g} per unit {x_label}")
    ev = {"breakpoint": res.breakpoint, "slope_low": res.slope_low, "slope_high": res.slope_high,
          "se_low": res.se_low, "se_high": res.se_high, "p_low": res.p_low, "p_high": res.p_high,
          "p_low_flat": p_low_flat, "p_high_flat": p_high_flat, "flat_region": list(res.flat_region)}
    if res.pvalue < alpha:
        outcome, p = HOLDS, res.pvalue
    elif min(p_low_flat, p_high_flat) < alpha:
        outcome, p = REFUTED, min(p_low_flat, p_high_flat)
    else:
        outcome, p = INCONCLUSIVE, res.pvalue
    return Finding(outcome, statistic=res.slope_high, statistic_name=f"slope after breakpoint ({x_label})",
                   pvalue=p, effect=res.slope_low, effect_name=f"slope before breakpoint ({x_label})",
                   rule=rule, evidence=ev)


def loglog_slope(x: Sequence[float], y: Sequence[float], *, expected: float, tolerance: float,
                 label: str = "log-log slope") -> Finding:
    """Claim: y grows like x**expected.  Least-squares slope of log y on log x (scipy linregress);
    HOLDS iff |slope - expected| <= tolerance.  Meant for exact counts (FLOPs), not noisy data."""
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    res = _st.linregress(lx, ly)
    diff = float(res.slope - expected)
    return Finding(HOLDS if abs(diff) <= tolerance else REFUTED, statistic=float(res.slope),
                   statistic_name=label, difference=diff, tolerance=tolerance,
                   rule=f"HOLDS iff |{label} - {expected:g}| <= {tolerance:g}",
                   evidence={"x": list(map(float, x)), "y": list(map(float, y)), "r": float(res.rvalue)})


def power_welch(d: float, n: int, alpha: float) -> float:
    """Power of a one-sided two-sample t-test with n per group for standardised effect d
    (noncentral t; scipy.stats.nct)."""
    df = 2 * n - 2
    nc = d * math.sqrt(n / 2)
    return float(_st.nct.sf(_st.t.isf(alpha, df), df, nc))


def seeds_for_power(d: float, alpha: float, power: float = 0.9, n_max: int = 200) -> int:
    """Smallest n per group reaching ``power`` for effect d at ``alpha`` (one-sided Welch approx.)."""
    for n in range(2, n_max + 1):
        if power_welch(d, n, alpha) >= power:
            return n
    return n_max
