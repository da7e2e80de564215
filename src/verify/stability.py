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

    @property
    def ok(self) -> bool:
        return all(r.agreement >= REQUIRED_AGREEMENT for r in self.rows)

    def to_json(self) -> dict:
        return {"master_seeds": self.master_seeds, "required_agreement": REQUIRED_AGREEMENT, "ok": self.ok,
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
        lines.append(f"{len(self.rows)} statistical claims x {self.master_seeds} master seeds; "
                     f"required agreement {REQUIRED_AGREEMENT:.0%}: {'ok' if self.ok else 'NOT MET'}")
        return "\n".join(lines)


def run_stability(ids, claims_dir=None, *, master_seeds: int, progress: bool = True) -> StabilityReport:
    from .bank import select
    from .cache import cached_evaluate

    if master_seeds < 1:
        raise ValueError(f"--master-seeds must be >= 1, got {master_seeds}")
    claims = [c for c in select(ids, claims_dir) if c.statistical]
    outcomes: dict[str, list[str]] = {c.id: [] for c in claims}
    stats: dict[str, list[float | None]] = {c.id: [] for c in claims}
    # Master seeds outermost: the experiments of one master seed are shared by all its claims and
    # are never needed again afterwards, so the bounded experiment memo can drop them.
    for m in range(master_seeds):
        for c in claims:
            v = cached_evaluate(c, master_seed=m)
            outcomes[c.id].append(v.outcome.value)
            stats[c.id].append(v.statistic)
        if progress:
            agree = sum(outcomes[c.id][-1] == c.expected.value for c in claims)
            print(f"[master seed {m + 1}/{master_seeds}] {agree}/{len(claims)} as expected", file=sys.stderr)
    rows = [StabilityRow(c.id, c.expected.value, tuple(outcomes[c.id]), tuple(stats[c.id])) for c in claims]
    return StabilityReport(tuple(rows), master_seeds)
