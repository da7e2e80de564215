"""Grade an answer document: each statement's stance against the verdicts of its claims.

Outcome per statement: ``correct`` (the stance agrees with every claim's verdict), ``incorrect``
(it disagrees with at least one decisive verdict), ``undecided`` (no disagreement, but a verdict is
INCONCLUSIVE).  A statement's score is the fraction of its claims it agrees with (partial credit);
a part's score is its points times the mean statement score; the total is the sum over parts.
Each claim is evaluated once per run, however many statements cite it (and once per class with the
verdict cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .answers import AnswerKey, Statement, load_key
from .coverage import Coverage, coverage_of
from .verdict import HOLDS, INCONCLUSIVE, Verdict

__all__ = ["GradedStatement", "GradeResult", "grade", "grade_key", "render"]


@dataclass(frozen=True)
class GradedStatement:
    statement: Statement
    verdicts: tuple[Verdict, ...]
    outcome: str      # correct / incorrect / undecided
    score: float      # in [0, 1]

    def agreement(self, v: Verdict) -> str:
        if v.outcome is INCONCLUSIVE or v.error:
            return "undecided"
        holds = v.outcome is HOLDS
        return "agrees" if holds == (self.statement.stance == "asserts") else "disagrees"


@dataclass(frozen=True)
class GradeResult:
    key: AnswerKey
    coverage: Coverage
    statements: tuple[GradedStatement, ...]
    part_scores: dict[str, tuple[float, float]]   # part -> (score, max)

    @property
    def score(self) -> float:
        return round(sum(s for s, _ in self.part_scores.values()), 6)

    @property
    def max_score(self) -> float:
        return round(sum(m for _, m in self.part_scores.values()), 6)

    @property
    def all_correct(self) -> bool:
        return all(g.outcome == "correct" for g in self.statements)

    def counts(self) -> dict[str, int]:
        out = {"correct": 0, "incorrect": 0, "undecided": 0}
        for g in self.statements:
            out[g.outcome] += 1
        return out


def _grade_statement(st: Statement, verdicts: dict[str, Verdict]) -> GradedStatement:
    vs = tuple(verdicts[c] for c in st.claims)
    g = GradedStatement(st, vs, "", 0.0)
    marks = [g.agreement(v) for v in vs]
    if "disagrees" in marks:
        outcome = "incorrect"
    elif "undecided" in marks:
        outcome = "undecided"
    else:
        outcome = "correct"
    return GradedStatement(st, vs, outcome, marks.count("agrees") / len(marks))


def grade(key: AnswerKey, verdicts: dict[str, Verdict]) -> GradeResult:
    graded = tuple(_grade_statement(st, verdicts) for st in key.statements)
    points = {p.id: p.points for p in key.parts}
    by_part: dict[str, list[float]] = {}
    for g in graded:
        by_part.setdefault(g.statement.part, []).append(g.score)
    part_scores = {}
    for part, scores in by_part.items():
        pts = points.get(part, 1.0)
        part_scores[part] = (round(pts * sum(scores) / len(scores), 6), pts)
    return GradeResult(key, coverage_of(key), graded, part_scores)


def grade_key(path: str | Path, *, master_seed: int = 0, use_cache: bool = True,
              progress: Callable | None = None) -> GradeResult:
    """Load and validate the key (AnswerKeyError on bad input), run its claims, grade."""
    from .bank import load_bank
    from .cache import cached_evaluate

    bank = {c.id: c for c in load_bank()}
    key = load_key(path, known_claims=set(bank))
    ids = key.claim_ids()
    verdicts = {}
    for i, cid in enumerate(ids, 1):
        if progress:
            progress(i, len(ids), cid)
        verdicts[cid] = cached_evaluate(bank[cid], master_seed=master_seed, use_cache=use_cache)
        if progress:
            progress(i, len(ids), cid, verdicts[cid])
    return grade(key, verdicts)


def render(result: GradeResult, fmt: str, *, instructor: bool = True, output=None) -> str:
    """The report in ``fmt``; ``output`` (where it will be written) lets Markdown write its figures there."""
    from . import report

    if fmt == "markdown":
        return report.markdown(result, instructor=instructor, output=output)
    return {"text": report.text, "json": report.json_report,
            "gradescope": report.gradescope}[fmt](result, instructor=instructor)
