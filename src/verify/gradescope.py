"""Gradescope: the ``results.json`` of a graded document, and the autograder entry point.

One test per statement.  A scored statement's test carries its weight as ``max_score`` and
credit x weight as ``score``; a part with nothing scored (unanswered, or nothing gradable) is one
test worth the part's points with score 0; a statement that is not scored is a test worth 0 that
says why.  So the tests' scores sum to the top-level ``score`` and their ``max_score``s to the
assignment total.  Each test's output is the student view (plain words, no claim ids or
statistics); with ``evidence`` visibility set, a 0-point test per statement carries the staff
evidence (statistics, rules, reproduce commands), shown e.g. only ``after_due_date``.

``python -m verify.gradescope`` (what ``examples/gradescope/run_autograder`` calls) grades
``$VERIFY_AUTOGRADER_ROOT/submission`` (default ``/autograder``) into
``$VERIFY_AUTOGRADER_ROOT/results/results.json``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

__all__ = ["results_json", "results_data", "parse_visibility", "autograde", "main", "VISIBILITY"]

VISIBILITY = {"statements": "visible", "evidence": "after_due_date"}
_LEVELS = ("hidden", "after_due_date", "after_published", "visible")


def parse_visibility(spec: str | None) -> dict[str, str]:
    """``"statements=visible,evidence=after_due_date"`` -> a dict (ValueError naming the bad entry)."""
    out = dict(VISIBILITY)
    for item in filter(None, (s.strip() for s in (spec or "").split(","))):
        name, _, level = item.partition("=")
        if name not in VISIBILITY or level not in _LEVELS + ("none",):
            raise ValueError(f"visibility entry {item!r}: write statements=LEVEL or evidence=LEVEL with LEVEL one of "
                             f"{', '.join(_LEVELS)} (evidence may be 'none')")
        out[name] = level
    return out


def _short(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 3] + "..."


def _evidence(g) -> str:
    lines = [f"stance: {', '.join(f'{s} {c}' for c, s in g.statement.stances) or g.status}"]
    for v in g.verdicts:
        lines.append(f"- `{v.claim}`: {v.outcome.value} ({g.agreement(v)}); {v.summary() or 'no statistic'}")
        lines.append(f"  rule: {v.rule}" + (f"; reason: {v.reason}" if v.reason else ""))
        lines.append(f"  reproduce: `{v.reproduce_command()}`")
    return "\n".join(lines)


def results_data(result, *, visibility: dict | None = None, seconds: float = 0.0) -> dict:
    from .report._common import explanations, part_lines, student_lines, student_outcome
    from .report.markdown import escape

    vis = {**VISIBILITY, **(visibility or {})}
    explain = explanations(result)
    tests = []
    for number, part in enumerate(result.parts, 1):
        mine = [g for g in result.statements if g.statement.part == part.id]
        if not part.graded and part.points:
            tests.append({"name": f"{part.id}: {part.note.split(':')[0]}", "number": f"{number}.0",
                          "score": 0.0, "max_score": part.points, "status": "failed",
                          "output": part.note + ".", "output_format": "md", "tags": [part.id],
                          "visibility": vis["statements"]})
        for k, g in enumerate(mine, 1):
            st = g.statement
            feedback = [f"> {escape(st.quote)}", "", f"**{escape(student_outcome(g))}**", ""]
            feedback += [f"- {escape(line)}" for line in student_lines(g, explain)]
            scored = g.graded and part.graded
            tests.append({
                "name": f"{st.part}: {_short(st.quote, 60)}" + ("" if scored else " (not graded)"),
                "number": f"{number}.{k}",
                "score": g.points if scored else 0.0, "max_score": round(g.weight, 6) if scored else 0.0,
                "status": "passed" if g.outcome == "correct" or not scored else "failed",
                "output": "\n".join(feedback), "output_format": "md",
                "tags": [st.part, *st.claims, g.outcome] + (["manual"] if g.status == "manual" else []),
                "visibility": vis["statements"],
            })
            if vis["evidence"] != "none" and g.verdicts:
                tests.append({"name": f"{st.part}: evidence for \"{_short(st.quote, 40)}\"",
                              "number": f"{number}.{k}.e", "score": 0.0, "max_score": 0.0, "status": "passed",
                              "output": _evidence(g), "output_format": "md",
                              "tags": [st.part, *st.claims, "evidence"], "visibility": vis["evidence"]})
    if result.warnings:   # about the key, for staff only: they name claim ids
        tests.append({"name": "Answer key warnings (staff)", "number": "0.w", "score": 0.0, "max_score": 0.0,
                      "status": "passed", "output": "\n".join(f"- {w}" for w in result.warnings),
                      "output_format": "md", "tags": ["warnings"], "visibility": "hidden"})
    score = round(sum(t["score"] for t in tests), 6)
    items = result.ungraded_items()
    summary = [f"Student: {result.student}" if result.student else "",
               f"{result.graded} statements graded, {len(items)} not graded (these never change the score)."]
    summary += [f"- {line}" for line in part_lines(result)]
    summary += [f"- {u.part}: \"{_short(u.text, 90)}\" ({u.why})" for u in items]
    return {"score": score, "max_score": result.max_score, "execution_time": round(seconds, 3),
            "output": "\n".join(s for s in summary if s), "output_format": "md",
            "visibility": vis["statements"], "stdout_visibility": "hidden", "tests": tests}


def results_json(result, *, visibility: dict | None = None, seconds: float = 0.0) -> str:
    return json.dumps(results_data(result, visibility=visibility, seconds=seconds), indent=2)


def autograde(root: str | Path, *, evaluate=None, visibility: dict | None = None) -> int:
    """Grade ``root/submission`` into ``root/results/results.json``; the exit code of ``verify grade``.

    A submission that cannot be graded still gets a results.json that says so (no score is made up)."""
    from .errors import VerifyError
    from .gradebook import discover, load_submission
    from .grade import grade_key

    start = time.perf_counter()
    root = Path(root)
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        subs = [s for s in discover(root / "submission") if s.error is None]
        if not subs:
            raise VerifyError("no answer document or key found in the submission; upload answers.txt")
        result = grade_key(load_submission(subs[0]), evaluate=evaluate, student=subs[0].student)
        data = results_data(result, visibility=visibility, seconds=time.perf_counter() - start)
        code = result.exit_code
    except (VerifyError, OSError, ValueError) as exc:
        data = {"score": 0.0, "execution_time": round(time.perf_counter() - start, 3), "tests": [],
                "output": f"Your submission could not be graded automatically: {exc}\n"
                          "Nothing was scored; course staff will grade it by hand.", "visibility": "visible"}
        code = 2
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, out)
    return code


def main(argv: list[str] | None = None) -> int:
    root = os.environ.get("VERIFY_AUTOGRADER_ROOT", "/autograder")
    try:
        vis = parse_visibility(os.environ.get("VERIFY_GRADESCOPE_VISIBILITY"))
    except ValueError as exc:
        print(f"verify: error: VERIFY_GRADESCOPE_VISIBILITY: {exc}", file=sys.stderr)
        return 2
    code = autograde(root, visibility=vis)
    print(f"wrote {Path(root) / 'results' / 'results.json'} (exit {code})", file=sys.stderr)
    return 0 if code in (0, 1) else code


if __name__ == "__main__":
    sys.exit(main())
