"""What every report format shares: plain-language phrases for students, the claims' explanations,
and the honest-score summary (graded and ungraded per part)."""

from __future__ import annotations

from typing import Mapping

from ..grade import NOT_COVERED, GradedStatement, GradeResult

# Why a statement carries no score, in words a student reads.
WHY = {
    "no-claim": "read, but not something an experiment here can judge; staff read it",
    "needs review": "not yet matched to an experiment; staff will review it",
    "harness error": "could not be decided: harness error (the grading tool failed, not your answer)",
    "undecided": "the experiments could not decide it either way",
    NOT_COVERED: "not covered by the answer key; staff read it",
}

VERDICT_FOR_STUDENT = {
    "agrees": "the evidence supports what you wrote",
    "disagrees": "the evidence does not support what you wrote",
    "undecided": "the evidence was not decisive",
    "error": "this experiment could not be run",
}

OUTCOME_FOR_STUDENT = {
    "correct": "Supported by the evidence",
    "incorrect": "Not supported by the evidence",
    "partly": "Partly supported by the evidence",
    "undecided": "Not decided by the evidence (not scored)",
    "ungraded": "Not graded",
}

NO_EXPLANATION = "An experiment checked this statement; its plain-language description is not written yet."


def short(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 3] + "..."


def explanations(result: GradeResult) -> dict[str, str]:
    """Claim id -> its ``explain`` sentence (empty when the bank cannot be loaded, e.g. fake claims)."""
    try:
        from ..bank import load_bank

        return {c.id: c.explain for c in load_bank() if c.explain}
    except Exception:  # a report never fails for want of an explanation: it says so instead
        return {}


def statements_of_bank(result: GradeResult) -> dict[str, str]:
    try:
        from ..bank import load_bank

        return {c.id: c.statement for c in load_bank()}
    except Exception:
        return {}


def student_lines(g: GradedStatement, explain: Mapping[str, str]) -> list[str]:
    """Per claim of a statement: what the experiment did and whether it supports the student."""
    lines = []
    for v in g.verdicts:
        lines.append(f"{explain.get(v.claim) or NO_EXPLANATION} So {VERDICT_FOR_STUDENT[g.agreement(v)]}.")
    return lines


def student_outcome(g: GradedStatement) -> str:
    if g.status == "manual":
        return f"{OUTCOME_FOR_STUDENT.get(g.outcome, g.outcome)} (staff decision: {g.reason})"
    if not g.graded and g.outcome != "undecided":
        return f"Not graded: {WHY.get(g.status, g.status)}"
    return OUTCOME_FOR_STUDENT[g.outcome]


def stance_text(g: GradedStatement) -> str:
    return ", ".join(f"{s} {c}" for c, s in g.statement.stances) or "-"


def part_lines(result: GradeResult) -> list[str]:
    """One line per part: score, graded and ungraded counts, and the part's note."""
    out = []
    for p in result.parts:
        line = (f"{p.id}: {p.score:.2f} / {p.points:g}; {p.graded} graded, {len(p.ungraded)} not graded")
        out.append(line + (f" ({p.note})" if p.note else ""))
    return out


def totals_line(result: GradeResult) -> str:
    c = result.counts()
    return (f"Total: {result.score:.2f} / {result.max_score:g}; {result.graded} graded, {result.ungraded} not graded "
            f"({c['correct']} correct, {c['partly']} partly, {c['incorrect']} incorrect; "
            f"{result.needs_review} need review)"
            + (f"; {result.unreviewed} of the graded statements rest on drafted claim mappings nobody has "
               "reviewed yet" if result.unreviewed else ""))
