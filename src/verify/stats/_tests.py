"""Mean comparisons, rates and exponents: the rules on two samples or a count.

scipy.stats does the standard tests; each rule here only wraps one in the three-way decision of
:func:`verify.stats._decide.three_way` and returns a :class:`~verify.verdict.Finding`.
"""

from __future__ import annotations

import math
import warnings
from typing import Sequence

import numpy as np
from scipy import stats as _st

from ..verdict import HOLDS, INCONCLUSIVE, REFUTED, Finding
from ._decide import three_way

__all__ = ["holm", "greater", "equivalent", "loglog_slope", "power_welch", "seeds_for_power",
           "proportion_greater"]


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
    outcome, p, branch = three_way(alpha, p_pos, p_small, effect_ok=diff >= min_effect, report="smaller")
    t = t_pos if branch == "holds" else t_small
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
    outcome, p, branch = three_way(alpha, p_tost, p_out)
    t = t_out if branch == "refutes" else t_tost
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
    outcome, p, _ = three_way(alpha, res_hi.pvalue, res_lo.pvalue, report="smaller")
    return Finding(outcome, statistic=rate, statistic_name=label, pvalue=float(p), effect=rate - threshold,
                   effect_name=f"{label} - {threshold:g}", ci=(float(ci.low), float(ci.high)), rule=rule,
                   evidence={"successes": successes, "trials": trials})


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
