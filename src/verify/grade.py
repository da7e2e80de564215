"""Grade an answer document: each statement's stances against the verdicts of its claims.

Results only; :mod:`verify.report` renders them.  Per statement:

* ``correct`` / ``incorrect`` / ``partly`` -- credit is the share of its *decided* claims whose
  verdict agrees with the statement's stance on that claim (an entry may assert one claim and deny
  another); ``partly`` when 0 < credit < 1.  An INCONCLUSIVE claim beside decided ones neither adds
  nor removes credit.
* ``undecided`` -- every claim INCONCLUSIVE: the experiments could not tell, so it is not scored.
* ``ungraded`` -- ``status = "no-claim"`` (read, not judgeable by the bank), needs review
  (``status = "needs-review"``, or a drafted ``no-claim`` still ``review = "suggested"``: no claim
  scored above the drafting threshold and nobody confirmed it), or a verdict that could not be
  obtained (harness error, time-out): never scored, so it never raises or lowers a score.
* A staff ``override`` replaces the outcome (``partly`` keeps the computed credit when it is
  strictly between 0 and 1, else 1/2) and is marked as manual.

Within a part the scored statements share the part's points equally, so their weights sum to the
points; a declared part without a scored statement (unanswered, or nothing gradable) scores 0 of its
points and says so.  The total is over every part, so ``max_score`` is the assignment total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .answers import AnswerKey, Statement, load_key
from .coverage import Coverage, coverage_of
from .verdict import HOLDS, INCONCLUSIVE, NOT_APPLICABLE, Verdict

__all__ = ["GradedStatement", "GradeResult", "PartGrade", "Ungraded", "grade", "grade_key", "grade_statement",
           "run_claims", "could_not_decide", "OUTCOMES", "NOT_COVERED", "EXIT_HARNESS_ERROR"]

OUTCOMES = ("correct", "incorrect", "partly", "undecided", "ungraded")
NOT_COVERED = "not covered by the key"
EXIT_HARNESS_ERROR = 3
Evaluate = Callable[[list[str]], Mapping[str, Verdict]]


def could_not_decide(v: Verdict) -> bool:
    """A verdict the harness failed to obtain (crash, time-out): no evidence either way."""
    return bool(v.error) or v.reason.startswith("timeout")


def agreement(stance: str, v: Verdict) -> str:
    if could_not_decide(v):
        return "error"
    if v.outcome is NOT_APPLICABLE:
        return "not applicable"
    if v.outcome is INCONCLUSIVE:
        return "undecided"
    return "agrees" if (v.outcome is HOLDS) == (stance == "asserts") else "disagrees"


@dataclass(frozen=True)
class GradedStatement:
    statement: Statement
    verdicts: tuple[Verdict, ...]
    outcome: str                 # one of OUTCOMES
    credit: float | None         # in [0, 1]; None: not scored
    status: str                  # graded / manual / no-claim / needs review / harness error / undecided
    reason: str = ""             # why it is not scored, or the staff comment
    weight: float = 0.0          # points this statement carries in its part

    @property
    def graded(self) -> bool:
        return self.credit is not None

    @property
    def score(self) -> float:
        """Credit as a fraction (0 when not scored)."""
        return self.credit or 0.0

    @property
    def points(self) -> float:
        return round((self.credit or 0.0) * self.weight, 6)

    def agreement(self, v: Verdict) -> str:
        return agreement(self.statement.stance_of(v.claim), v)


@dataclass(frozen=True)
class Ungraded:
    """A statement or sentence that carries no score, and why."""

    part: str
    text: str
    why: str                     # no-claim / needs review / harness error / undecided / NOT_COVERED
    index: int | None = None     # the statement's index; None for a sentence the key does not cover


@dataclass(frozen=True)
class PartGrade:
    id: str
    points: float
    score: float
    graded: int
    statements: int
    ungraded: tuple[Ungraded, ...] = ()

    @property
    def note(self) -> str:
        if not self.statements:
            return "unanswered: no statement of the document is mapped to this part"
        if not self.graded:
            return "no statement could be graded: staff grade this part by hand"
        return ""


@dataclass(frozen=True)
class GradeResult:
    key: AnswerKey
    coverage: Coverage
    statements: tuple[GradedStatement, ...]
    parts: tuple[PartGrade, ...]
    student: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.parts), 6)

    @property
    def max_score(self) -> float:
        return round(sum(p.points for p in self.parts), 6)

    @property
    def part_scores(self) -> dict[str, tuple[float, float]]:
        return {p.id: (p.score, p.points) for p in self.parts}

    @property
    def graded(self) -> int:
        return sum(g.graded for g in self.statements)

    def ungraded_items(self) -> list[Ungraded]:
        return [u for p in self.parts for u in p.ungraded]

    @property
    def ungraded(self) -> int:
        return len(self.ungraded_items())

    @property
    def needs_review(self) -> int:
        return sum(g.status == "needs review" for g in self.statements)

    @property
    def unreviewed(self) -> int:
        """Graded statements whose claim mapping was drafted and nobody has confirmed (review = "suggested")."""
        return sum(g.graded and g.statement.review == "suggested" for g in self.statements)

    @property
    def harness_error(self) -> bool:
        return any(g.status == "harness error" for g in self.statements)

    @property
    def all_correct(self) -> bool:
        return all(g.outcome == "correct" for g in self.statements) and not self.ungraded

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for g in self.statements:
            out[g.outcome] += 1
        return out

    @property
    def exit_code(self) -> int:
        """0 all correct and nothing ungraded, 1 otherwise, 3 a verdict could not be obtained."""
        return EXIT_HARNESS_ERROR if self.harness_error else (0 if self.all_correct else 1)


def grade_statement(st: Statement, verdicts: Mapping[str, Verdict]) -> GradedStatement:
    """One statement against its claims' verdicts (weight is set by :func:`grade`)."""
    vs = tuple(verdicts[c] for c in st.claims)
    marks = [agreement(st.stance_of(v.claim), v) for v in vs]
    decided = [m for m in marks if m in ("agrees", "disagrees")]
    credit = decided.count("agrees") / len(decided) if decided else None
    if st.override:
        manual = {"correct": 1.0, "incorrect": 0.0}.get(st.override, credit if credit and 0 < credit < 1 else 0.5)
        return GradedStatement(st, vs, st.override, manual, "manual", st.comment)
    if st.status == "no-claim" and st.review != "suggested":
        return GradedStatement(st, vs, "ungraded", None, "no-claim", "read, but no claim of the bank judges it")
    if st.status in ("needs-review", "no-claim"):   # a drafted "no claim fits" nobody has confirmed
        return GradedStatement(st, vs, "ungraded", None, "needs review",
                               "no claim matched it closely enough; staff review the mapping")
    if "error" in marks:
        return GradedStatement(st, vs, "ungraded", None, "harness error", "could not be decided: harness error")
    if marks and all(m == "not applicable" for m in marks):
        return GradedStatement(st, vs, "ungraded", None, "not applicable",
                               "its claims speak about other torch versions than the one installed")
    if credit is None:
        return GradedStatement(st, vs, "undecided", None, "undecided", "the experiments were not decisive")
    outcome = "correct" if credit == 1 else "incorrect" if credit == 0 else "partly"
    return GradedStatement(st, vs, outcome, credit, "graded")


_grade_statement = grade_statement  # the pytest plugin's name for it


def grade(key: AnswerKey, verdicts: Mapping[str, Verdict], *, student: str = "") -> GradeResult:
    """Grade ``key`` with ``verdicts`` (claim id -> Verdict); a missing verdict is a harness error."""
    verdicts = dict(verdicts)
    for cid in key.claim_ids():
        if cid not in verdicts:
            verdicts[cid] = Verdict(cid, INCONCLUSIVE, INCONCLUSIVE, reason="harness error: no verdict",
                                    error="no verdict was returned for this claim")
    graded = [grade_statement(st, verdicts) for st in key.statements]
    coverage = coverage_of(key)
    declared = {p.id: p.points for p in key.parts}
    order = list(declared) + [g.statement.part for g in graded if g.statement.part not in declared]
    uncovered = [(p, s) for s, f, p in zip(coverage.sentences, coverage.covered_flags, coverage.part_of) if not f]
    order += [p for p, _ in uncovered if p not in order]
    parts, weighted = [], {}
    for pid in dict.fromkeys(order):
        mine = [g for g in graded if g.statement.part == pid]
        points = declared.get(pid, 1.0 if mine else 0.0)
        scored = [g for g in mine if g.graded]
        shares = [round(points / len(scored), 6) for _ in scored]
        if shares:  # the last takes the rounding remainder: the weights sum to the part's points
            shares[-1] = round(points - sum(shares[:-1]), 6)
        for g, w in zip(scored, shares):
            weighted[id(g)] = GradedStatement(**{**g.__dict__, "weight": w})
        score = round(sum(weighted[id(g)].points for g in scored), 6)
        ungraded = [Ungraded(pid, g.statement.quote, g.status, g.statement.index) for g in mine if not g.graded]
        ungraded += [Ungraded(pid, s.text, NOT_COVERED) for p, s in uncovered if p == pid]
        parts.append(PartGrade(pid, points, score, len(scored), len(mine), tuple(ungraded)))
    final = tuple(weighted.get(id(g), g) for g in graded)
    return GradeResult(key, coverage, final, tuple(parts), key.student or student, key.warnings)


def _default_evaluate(master_seed: int, use_cache: bool, progress: Callable | None, jobs: int | None = None) -> Evaluate:
    """The verdicts through :func:`verify.session.run`: one run for every claim a grade needs."""
    def evaluate(ids: list[str]) -> dict[str, Verdict]:
        from .bank import load_bank
        from .session import run

        bank = {c.id: c for c in load_bank()}

        def on_verdict(v, done, total):
            if progress:
                progress(done, total, v.claim, v)

        return dict(run([bank[c] for c in ids], master_seed=master_seed, cache=use_cache, jobs=jobs,
                        on_verdict=on_verdict).verdicts)
    return evaluate


def run_claims(ids: Iterable[str], *, master_seed: int = 0, use_cache: bool = True, jobs: int | None = None,
               evaluate: Evaluate | None = None, progress: Callable | None = None) -> dict[str, Verdict]:
    """Each distinct claim id run once; ``evaluate`` is the seam tests fill with fake verdicts."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    return dict((evaluate or _default_evaluate(master_seed, use_cache, progress, jobs))(ids))


def grade_key(path: str | Path | AnswerKey, *, master_seed: int = 0, use_cache: bool = True,
              jobs: int | None = None, evaluate: Evaluate | None = None, progress: Callable | None = None,
              student: str = "") -> GradeResult:
    """Load and validate the key (AnswerKeyError on bad input), run its claims, grade."""
    key = path if isinstance(path, AnswerKey) else load_key(path)
    verdicts = run_claims(key.claim_ids(), master_seed=master_seed, use_cache=use_cache, jobs=jobs,
                          evaluate=evaluate, progress=progress)
    return grade(key, verdicts, student=student)
