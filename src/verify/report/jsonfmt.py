"""The machine-readable report (SPEC: ``statements`` with quote, claims and stances, verdicts,
outcome, credit, status; ``score``, ``max_score``, ``graded``, ``ungraded``, the student id)."""

from __future__ import annotations

import json

from ..grade import GradeResult
from ._common import VERDICT_FOR_STUDENT, explanations, student_outcome


def _statement(g, instructor: bool, explain) -> dict:
    st = g.statement
    out = {"index": st.index, "part": st.part, "quote": st.quote, "outcome": g.outcome, "credit": g.credit,
           "status": g.status, "reason": g.reason, "weight": round(g.weight, 6), "points": g.points}
    if st.override:
        out["override"] = {"outcome": st.override, "comment": st.comment, "manual": True}
    if instructor:
        out.update(line=st.line, stance=st.stance, claims=[{"id": c, "stance": s} for c, s in st.stances],
                   review=st.review, note=st.note, verdicts=[
                       {"claim": v.claim, "outcome": v.outcome.value, "agreement": g.agreement(v),
                        "summary": v.summary(), "pvalue": v.pvalue, "statistic": v.statistic, "rule": v.rule,
                        "reason": v.reason, "error": v.error, "reproduce": v.reproduce_command()}
                       for v in g.verdicts])
    else:  # the student view: what was tested and whether it supports them, no ids or statistics
        out.update(feedback=student_outcome(g), claims=[
            {"stance": st.stance_of(v.claim), "explain": explain.get(v.claim, ""),
             "evidence": VERDICT_FOR_STUDENT[g.agreement(v)]} for v in g.verdicts])
        out["verdicts"] = [VERDICT_FOR_STUDENT[g.agreement(v)] for v in g.verdicts]
    return out


def report_data(result: GradeResult, *, instructor: bool = True) -> dict:
    explain = {} if instructor else explanations(result)
    cov = result.coverage
    return {
        "student": result.student, "document": str(result.key.document_path), "key": str(result.key.path),
        "title": result.key.title,
        "score": result.score, "max_score": result.max_score, "graded": result.graded,
        "ungraded": result.ungraded, "needs_review": result.needs_review,
        "unreviewed": result.unreviewed, "counts": result.counts(),
        "harness_error": result.harness_error, "warnings": list(result.warnings) if instructor else [],
        "parts": {p.id: {"score": p.score, "max_score": p.points, "graded": p.graded, "statements": p.statements,
                         "ungraded": len(p.ungraded), "note": p.note,
                         "ungraded_items": [{"text": u.text, "why": u.why, "statement": u.index}
                                            for u in p.ungraded]} for p in result.parts},
        "statements": [_statement(g, instructor, explain) for g in result.statements],
        "ungraded_items": [{"part": u.part, "text": u.text, "why": u.why, "statement": u.index}
                           for u in result.ungraded_items()],
        "coverage": {"sentences": len(cov.sentences), "covered": sum(cov.covered_flags),
                     "uncovered": [s.text for s in cov.uncovered()]},
    }


def json_report(result: GradeResult, *, instructor: bool = True) -> str:
    return json.dumps(report_data(result, instructor=instructor), indent=2)
