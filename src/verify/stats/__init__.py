"""Pre-declared decision rules, decided in one place.

A claim declares a decision object (:mod:`verify.stats.decisions`: ``Greater``, ``Equivalent``,
``TwoLines``, ``Slope``, ``LogLogSlope``, ``Proportion``, ``Exact``); the functions below are the
tests they run, each returning a :class:`~verify.verdict.Finding`, and all make the three-way
HOLDS / REFUTED / INCONCLUSIVE decision through one private function (``_decide.three_way``).

Family-wise error: each statistical claim is tested at ``claim_alpha()`` = FAMILY_ALPHA /
DECLARED_FAMILY_SIZE (Bonferroni, valid under any dependence), fixed when the bank is declared, so
a verdict never depends on which other claims ran with it.
"""

from __future__ import annotations

from .decisions import (Check, Count, Curve, Decision, Equivalent, Exact, Greater, LogLogSlope, Pair,
                        Proportion, Slope, TwoLines)

__all__ = ["FAMILY_ALPHA", "DECLARED_FAMILY_SIZE", "claim_alpha",
           "Decision", "Greater", "Equivalent", "TwoLines", "Slope", "LogLogSlope", "Proportion", "Exact",
           "Pair", "Curve", "Count", "Check",
           "greater", "equivalent", "two_lines", "two_lines_test", "two_lines_by_side", "slope_finding",
           "TwoLinesResult", "loglog_slope", "proportion_greater", "holm", "power_welch", "seeds_for_power"]

# The bank promises at most 5 % chance of any false decisive verdict among its statistical claims
# under their nulls.  The family size is declared, not counted, so adding a claim never moves
# another claim's alpha; a test (tests/test_bank.py) fails when the bank outgrows it.
FAMILY_ALPHA = 0.05
DECLARED_FAMILY_SIZE = 100


def claim_alpha() -> float:
    """The per-claim significance level of every statistical claim (Bonferroni over the family)."""
    return FAMILY_ALPHA / DECLARED_FAMILY_SIZE


# The tests need scipy (~0.5 s to import); claim modules import the decisions when the bank loads,
# so the tests are imported on first use.
_LAZY = {name: "._tests" for name in ("greater", "equivalent", "holm", "loglog_slope", "power_welch",
                                       "proportion_greater", "seeds_for_power")}
_LAZY.update({name: "._twolines" for name in ("TwoLinesResult", "slope_finding", "two_lines",
                                              "two_lines_by_side", "two_lines_test")})


def __getattr__(name: str):
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    if name in ("_tests", "_twolines"):
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'verify.stats' has no attribute {name!r}")
