"""Decisions a claim declares, and the measurements they decide on.

A claim names what it measures and how that is decided::

    claim(..., measure="verify.experiments.inductive_bias:compare",
          decision=Greater(min_effect=0.02, paired=True))

The measurement function returns one of the small records below (:class:`Pair` of per-seed
samples, :class:`Curve` of points, :class:`Count`, or :class:`Check` for an exact computation);
``decision.decide(measurement, alpha)`` returns the :class:`~verify.verdict.Finding`, and
``decision.rule(alpha)`` is the rule text that the claim prints -- generated from the same fields
that decide, so the printed rule is the rule that runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..errors import HarnessBug
from ..verdict import HOLDS, REFUTED, Finding

__all__ = ["Pair", "Curve", "Count", "Check", "Decision", "Greater", "Equivalent", "TwoLines",
           "Slope", "LogLogSlope", "Proportion", "Exact"]


# ------------------------------------------------------------------------------- measurements

@dataclass(frozen=True)
class Pair:
    """Per-seed samples of two arms (``a`` vs ``b``); paired arms share seeds index by index."""

    a: Sequence[float]
    b: Sequence[float]
    label: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Curve:
    """Points (x, y), optionally blocked (``blocks[i]``: the seed index that point i shares)."""

    x: Sequence[float]
    y: Sequence[float]
    blocks: Sequence[int] | None = None
    label: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Count:
    successes: int
    trials: int
    label: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """An exact computation: ``ok`` (or ``difference`` against an :class:`Exact` tolerance)."""

    ok: bool | None = None
    difference: float | None = None
    tolerance: float | None = None
    statistic_name: str = ""
    reason: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)


def _expect(measurement: Any, kind: type, decision: Any) -> None:
    if not isinstance(measurement, kind):
        raise HarnessBug(f"{type(decision).__name__} decides a {kind.__name__}, but the measurement "
                         f"returned {type(measurement).__name__}")


def _with(finding: Finding, evidence: Mapping[str, Any]) -> Finding:
    return finding.with_evidence(**evidence) if evidence else finding


# ---------------------------------------------------------------------------------- decisions

class Decision:
    """Base of the declared decisions: ``decide(measurement, alpha) -> Finding``, ``rule(alpha)``."""

    statistical = True

    def decide(self, measurement: Any, alpha: float | None) -> Finding:  # pragma: no cover
        raise NotImplementedError

    def rule(self, alpha: float | None) -> str:  # pragma: no cover
        raise NotImplementedError


def _on_pair(decision, test: str, m: Pair, alpha: float | None, **bounds) -> Finding:
    """Run the two-sample ``test`` of :mod:`verify.stats._tests` on a Pair for ``decision``."""
    from . import _tests

    _expect(m, Pair, decision)
    f = getattr(_tests, test)(m.a, m.b, alpha=alpha, paired=decision.paired, label=m.label or decision.label,
                              **bounds)
    return _with(f, m.evidence)


def _a(alpha: float | None) -> str:
    return "alpha" if alpha is None else f"alpha={alpha:.3g}"


@dataclass(frozen=True, kw_only=True)
class _OnPair(Decision):
    """A decision on a :class:`Pair`: ``paired`` arms share seeds index by index."""

    paired: bool = False
    label: str = "mean(a) - mean(b)"


@dataclass(frozen=True)
class Greater(_OnPair):
    """mean(a) exceeds mean(b) by at least ``min_effect`` (one-sided Welch or paired t)."""

    min_effect: float

    def decide(self, m: Pair, alpha: float | None) -> Finding:
        return _on_pair(self, "greater", m, alpha, min_effect=self.min_effect)

    def rule(self, alpha: float | None) -> str:
        return (f"one-sided {'paired' if self.paired else 'Welch'} t at {_a(alpha)}: HOLDS if {self.label} > 0 "
                f"and estimate >= {self.min_effect:g}; REFUTED if {self.label} < {self.min_effect:g} is significant")


@dataclass(frozen=True)
class Equivalent(_OnPair):
    """mean(a) and mean(b) differ by less than ``margin`` (TOST)."""

    margin: float

    def decide(self, m: Pair, alpha: float | None) -> Finding:
        return _on_pair(self, "equivalent", m, alpha, margin=self.margin)

    def rule(self, alpha: float | None) -> str:
        return (f"TOST at {_a(alpha)}, margin +-{self.margin:g} on {self.label}; REFUTED if |diff| > margin "
                "is significant")


@dataclass(frozen=True)
class TwoLines(Decision):
    """y first rises then falls in x (Simonsohn's two-lines test).

    ``by_side``: each limb's slope tested on its own side with one intercept per block (for sweeps
    with common random numbers across x); else the pooled interrupted regression with HC3 errors.
    """

    margin: float
    x_label: str = "x"
    by_side: bool = False

    def decide(self, m: Curve, alpha: float | None) -> Finding:
        from ._twolines import two_lines, two_lines_by_side

        _expect(m, Curve, self)
        if self.by_side:
            f = two_lines_by_side(m.x, m.y, alpha=alpha, margin=self.margin, x_label=self.x_label, blocks=m.blocks)
        else:
            f = two_lines(m.x, m.y, alpha=alpha, margin=self.margin, x_label=self.x_label)
        return _with(f, m.evidence)

    def rule(self, alpha: float | None) -> str:
        side = ", side-wise standard errors" if self.by_side else ""
        return (f"Simonsohn two-lines test (Robin Hood breakpoint{side}) at {_a(alpha)}: HOLDS if the low limb "
                f"rises and the high limb falls; REFUTED if a limb is shown flatter than {self.margin:g} per "
                f"unit {self.x_label}")


@dataclass(frozen=True)
class Slope(Decision):
    """The OLS slope of y on x: at least ``min_effect`` (a trend), or within ``margin`` of 0 (none)."""

    min_effect: float | None = None
    margin: float | None = None
    label: str = "slope"

    def __post_init__(self) -> None:
        if (self.min_effect is None) == (self.margin is None):
            raise TypeError("Slope needs exactly one of min_effect= (a trend) or margin= (no trend)")

    def decide(self, m: Curve, alpha: float | None) -> Finding:
        from ._twolines import slope_finding

        _expect(m, Curve, self)
        f = slope_finding(m.x, m.y, alpha=alpha, min_effect=self.min_effect, margin=self.margin,
                          label=m.label or self.label, blocks=m.blocks)
        return _with(f, m.evidence)

    def rule(self, alpha: float | None) -> str:
        if self.min_effect is not None:
            return (f"one-sided t on the OLS {self.label} at {_a(alpha)}: HOLDS if > 0 and estimate >= "
                    f"{self.min_effect:g}; REFUTED if < {self.min_effect:g} is significant")
        return (f"TOST on the OLS {self.label} at {_a(alpha)}, margin +-{self.margin:g}; REFUTED if "
                f"|{self.label}| > {self.margin:g} is significant")


@dataclass(frozen=True)
class LogLogSlope(Decision):
    """y grows like x**expected: the least-squares slope of log y on log x, within ``tolerance``."""

    expected: float
    tolerance: float
    label: str = "log-log slope"
    statistical = False

    def decide(self, m: Curve, alpha: float | None) -> Finding:
        from ._tests import loglog_slope

        _expect(m, Curve, self)
        f = loglog_slope(m.x, m.y, expected=self.expected, tolerance=self.tolerance, label=m.label or self.label)
        return _with(f, m.evidence)

    def rule(self, alpha: float | None) -> str:
        return f"HOLDS iff |{self.label} - {self.expected:g}| <= {self.tolerance:g}"


@dataclass(frozen=True)
class Proportion(Decision):
    """A rate exceeds ``threshold`` (exact binomial test both ways)."""

    threshold: float
    label: str = "rate"

    def decide(self, m: Count, alpha: float | None) -> Finding:
        from ._tests import proportion_greater

        _expect(m, Count, self)
        f = proportion_greater(m.successes, m.trials, threshold=self.threshold, alpha=alpha,
                               label=m.label or self.label)
        return _with(f, m.evidence)

    def rule(self, alpha: float | None) -> str:
        return (f"exact binomial at {_a(alpha)}: HOLDS if {self.label} > {self.threshold:g}; REFUTED if "
                f"{self.label} < {self.threshold:g}")


@dataclass(frozen=True)
class Exact(Decision):
    """An exact fact: HOLDS iff the measurement's ``ok`` (the ``condition`` says what it checks),
    or, with ``tolerance``, iff ``|difference| <= tolerance``."""

    condition: str = ""
    tolerance: float | None = None
    statistical = False

    def decide(self, m: Check, alpha: float | None) -> Finding:
        _expect(m, Check, self)
        if self.tolerance is not None:
            if m.difference is None:
                raise HarnessBug("Exact(tolerance=...) needs the measurement's difference")
            ok, tol = abs(m.difference) <= self.tolerance, self.tolerance
        else:
            if m.ok is None:
                raise HarnessBug("Exact() needs the measurement's ok (or declare a tolerance)")
            ok, tol = bool(m.ok), m.tolerance
        return Finding(HOLDS if ok else REFUTED, difference=m.difference, tolerance=tol,
                       statistic_name=m.statistic_name, reason=m.reason, evidence=dict(m.evidence))

    def rule(self, alpha: float | None) -> str:
        if self.tolerance is not None:
            what = self.condition or "the exact difference"
            return f"exact: HOLDS iff |{what}| <= {self.tolerance:g}"
        return f"exact: HOLDS iff {self.condition}" if self.condition else "exact: HOLDS iff the check passes"
