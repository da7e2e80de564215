"""``verify stability``: rerun statistical claims under N master seeds and report agreement.

Each master seed re-derives every seed of a claim (initialisations, data order, subsamples), so
the agreement rate is the probability that a fresh, equally-sized experiment reaches the same
verdict: the reproducibility of the verdict, not of the numbers.
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass

__all__ = ["StabilityRow", "StabilityReport", "run_stability", "REQUIRED_AGREEMENT"]

REQUIRED_AGREEMENT = 0.95  # at least 19 of 20 master seeds must agree with the expected verdict


@dataclass(frozen=True)
class StabilityRow:
    claim: str
    expected: str
    outcomes: tuple[str, ...]
    statistics: tuple[float | None, ...]

    @property
    def agreement(self) -> float:
        return sum(o == self.expected for o in self.outcomes) / len(self.outcomes)

    def spread(self) -> tuple[float, float] | None:
        vals = [v for v in self.statistics if v is not None]
        if len(vals) < 2:
            return None
        return statistics.mean(vals), statistics.stdev(vals)


@dataclass(frozen=True)
class StabilityReport:
    rows: tuple[StabilityRow, ...]
    master_seeds: int
    harness_errors: tuple[str, ...] = ()   # claims that crashed or timed out under some master seed

    @property
    def ok(self) -> bool:
        return not self.harness_errors and all(r.agreement >= REQUIRED_AGREEMENT for r in self.rows)

    @property
    def exit_code(self) -> int:
        """0 every claim agrees often enough, 1 one does not, 3 a harness error."""
        return 3 if self.harness_errors else (0 if self.ok else 1)

    def to_json(self) -> dict:
        return {"master_seeds": self.master_seeds, "required_agreement": REQUIRED_AGREEMENT, "ok": self.ok,
                "harness_errors": list(self.harness_errors),
                "claims": [{"claim": r.claim, "expected": r.expected, "agreement": r.agreement,
                            "outcomes": list(r.outcomes),
                            "statistic_mean": (r.spread() or (None, None))[0],
                            "statistic_sd": (r.spread() or (None, None))[1]} for r in self.rows]}

    def text(self) -> str:
        lines = [f"{'claim':<58} {'agree':>7}  statistic mean (sd)"]
        for r in self.rows:
            sp = r.spread()
            s = f"{sp[0]:.4g} ({sp[1]:.2g})" if sp else "-"
            flag = "" if r.agreement >= REQUIRED_AGREEMENT else "  < required"
            lines.append(f"{r.claim:<58} {r.agreement:7.0%}  {s}{flag}")
        if self.harness_errors:
            lines.append("HARNESS ERRORS (a bug, not instability) in: " + ", ".join(self.harness_errors))
        lines.append(f"{len(self.rows)} statistical claims x {self.master_seeds} master seeds; "
                     f"required agreement {REQUIRED_AGREEMENT:.0%}: {'ok' if self.ok else 'NOT MET'}")
        return "\n".join(lines)


def run_stability(ids, claims_dir=None, *, master_seeds: int, jobs: int | None = None,
                  progress: bool = True) -> StabilityReport:
    from .bank import select
    from .session import run

    if master_seeds < 1:
        from .errors import ConfigurationError

        raise ConfigurationError(f"--master-seeds must be a whole number >= 1, got {master_seeds}")
    claims = [c for c in select(ids, claims_dir) if c.statistical]
    outcomes: dict[str, list[str]] = {c.id: [] for c in claims}
    stats: dict[str, list[float | None]] = {c.id: [] for c in claims}
    errors: set[str] = set()
    # One session run per master seed: the experiments of one master seed are shared by all its
    # claims (each module on one worker) and are never needed again afterwards.
    for m in range(master_seeds):
        result = run(claims, master_seed=m, jobs=jobs)
        for v in result:
            outcomes[v.claim].append("HARNESS-ERROR" if v.error else v.outcome.value)
            stats[v.claim].append(v.statistic)
        errors.update(v.claim for v in result.harness_errors)
        if progress:
            agree = sum(outcomes[c.id][-1] == c.expected.value for c in claims)
            print(f"[master seed {m + 1}/{master_seeds}] {agree}/{len(claims)} as expected"
                  + (f", {len(result.harness_errors)} harness errors" if result.harness_errors else ""),
                  file=sys.stderr, flush=True)
    rows = [StabilityRow(c.id, c.expected.value, tuple(outcomes[c.id]), tuple(stats[c.id])) for c in claims]
    return StabilityReport(tuple(rows), master_seeds, tuple(sorted(errors)))
