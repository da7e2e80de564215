"""Outcomes, findings and verdicts: the result objects of evaluating a claim.

A claim's evaluation function returns a :class:`Finding` (what the experiment showed); the runner
wraps it into a :class:`Verdict` with the claim id, seeds, environment and time.  Neither raises
because a claim is false: asserting does (:meth:`Verdict.assert_expected`).
"""

from __future__ import annotations

import enum
import math
import platform
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping


class Outcome(str, enum.Enum):
    HOLDS = "HOLDS"
    REFUTED = "REFUTED"
    INCONCLUSIVE = "INCONCLUSIVE"
    # The claim speaks about other torch versions than the one installed (a fact of a version,
    # e.g. which ops the FLOP counter knows): not run, not graded, and said so.
    NOT_APPLICABLE = "NOT_APPLICABLE"

    def flipped(self) -> "Outcome":
        """The opposite decisive outcome; INCONCLUSIVE and NOT_APPLICABLE have none."""
        return {Outcome.HOLDS: Outcome.REFUTED, Outcome.REFUTED: Outcome.HOLDS}.get(self, self)

    def __str__(self) -> str:
        return self.value


HOLDS, REFUTED, INCONCLUSIVE = Outcome.HOLDS, Outcome.REFUTED, Outcome.INCONCLUSIVE
NOT_APPLICABLE = Outcome.NOT_APPLICABLE


def _clean(value: Any) -> Any:
    """Make evidence JSON-friendly: tuples to lists, numpy/torch scalars to floats, NaN and inf to None."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return None if not math.isfinite(value) else value   # JSON has no NaN or Infinity
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        return _clean(value.tolist())
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


@dataclass(frozen=True, kw_only=True)
class Numbers:
    """What a decision reports, shared by :class:`Finding` and :class:`Verdict` (keyword-only).

    ``statistic``/``pvalue`` come first, as in scipy.stats results.  Exact claims report
    ``difference`` against ``tolerance`` instead of a p-value.
    """

    statistic: float | None = None
    pvalue: float | None = None
    statistic_name: str = ""
    effect: float | None = None
    effect_name: str = ""
    ci: tuple[float, float] | None = None
    difference: float | None = None
    tolerance: float | None = None
    rule: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Finding(Numbers):
    """What one evaluation showed, before the runner adds identity, seeds and environment."""

    outcome: Outcome
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def with_evidence(self, **more: Any) -> "Finding":
        merged = {**self.evidence, **more}
        return Finding(**{**self.__dict__, "evidence": merged})


def exact(ok: bool, *, difference: float | None = None, tolerance: float | None = None,
          statistic_name: str = "", reason: str = "", evidence: Mapping[str, Any] | None = None,
          rule: str = "") -> Finding:
    """The finding of an exact check: HOLDS iff ``ok``."""
    return Finding(HOLDS if ok else REFUTED, difference=difference, tolerance=tolerance,
                   statistic_name=statistic_name, reason=reason, rule=rule,
                   evidence=dict(evidence or {}))


def inconclusive(reason: str, **evidence: Any) -> Finding:
    return Finding(INCONCLUSIVE, reason=reason, evidence=evidence)


def environment() -> dict[str, Any]:
    """The facts a verdict depends on besides the claim: torch version, threads, platform."""
    import torch

    return {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "machine": platform.machine(),
    }


@dataclass(frozen=True)
class Verdict(Numbers):
    """The decision on one claim, with the evidence it rests on."""

    claim: str
    outcome: Outcome
    expected: Outcome
    alpha: float | None = None
    seeds: tuple[int, ...] = ()
    master_seed: int = 0
    falsified: bool = False
    falsifier: str = ""
    error: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    environment: Mapping[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    cached: bool = False

    @property
    def as_expected(self) -> bool:
        """Under the falsifier the expected outcome is the flipped one.  A claim not applicable to
        the installed torch is as expected (it was not run: reports say so)."""
        if self.outcome is NOT_APPLICABLE:
            return not self.error
        target = self.expected.flipped() if self.falsified else self.expected
        return not self.error and self.outcome == target

    def summary(self) -> str:
        """The numbers in one short phrase: statistic, p-value or exact difference."""
        parts = []
        if self.statistic is not None:
            parts.append(f"{self.statistic_name or 'stat'}={self.statistic:.4g}")
        if self.pvalue is not None:
            parts.append(f"p={self.pvalue:.3g}")
            if self.alpha is not None:
                parts.append(f"alpha={self.alpha:.3g}")
        if self.effect is not None:
            parts.append(f"{self.effect_name or 'effect'}={self.effect:.4g}")
        if self.ci is not None:
            parts.append(f"CI=[{self.ci[0]:.4g}, {self.ci[1]:.4g}]")
        if self.difference is not None:
            tol = f" (tol {self.tolerance:.3g})" if self.tolerance is not None else ""
            label = "difference" if self.statistic is not None else (self.statistic_name or "difference")
            parts.append(f"{label}={self.difference:.4g}{tol}")
        return ", ".join(parts)

    def __repr__(self) -> str:
        extra = self.summary()
        flag = ", falsified" if self.falsified else ""
        return f"Verdict(claim={self.claim!r}, outcome={self.outcome.value}{flag}" + (
            f", {extra})" if extra else ")")

    def explain(self) -> str:
        """A few lines a person reads: outcome, numbers, rule, reason."""
        lines = [repr(self)]
        if self.rule:
            lines.append(f"  rule: {self.rule}")
        if self.reason:
            lines.append(f"  reason: {self.reason}")
        if self.error:
            lines.append(f"  HARNESS ERROR (a bug in verify or the claim, not a refutation): {self.error}")
        return "\n".join(lines)

    def reproduce_command(self) -> str:
        cmd = "verify falsify" if self.falsified else "verify check"
        seed = f" --master-seed {self.master_seed}" if self.master_seed else ""
        return f"{cmd} {self.claim}{seed}"

    def assert_expected(self) -> None:
        """Raise AssertionError (with the numbers and a reproduce command) unless as expected."""
        if self.as_expected:
            return
        if self.error:
            raise RuntimeError(f"harness error in claim {self.claim}: {self.error}")
        target = self.expected.flipped() if self.falsified else self.expected
        raise AssertionError(
            f"{self.claim}: expected {target.value}, got {self.outcome.value}"
            f"{' under falsifier ' + self.falsifier if self.falsified else ''}\n"
            f"  {self.summary() or 'no statistic'}\n"
            f"  rule: {self.rule}\n"
            + (f"  reason: {self.reason}\n" if self.reason else "")
            + f"  reproduce: {self.reproduce_command()}"
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        head = {k: data.pop(k) for k in ("claim", "outcome", "expected")}   # identity first, then numbers
        return _clean({**head, **data, "as_expected": self.as_expected})

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Verdict":
        data = dict(data)
        data.pop("as_expected", None)
        data["outcome"] = Outcome(data["outcome"])
        data["expected"] = Outcome(data["expected"])
        data["seeds"] = tuple(data.get("seeds") or ())
        if data.get("ci") is not None:
            data["ci"] = tuple(data["ci"])
        return cls(**data)
