"""The terminal report: one block per statement, scores per part, what was not graded, warnings."""

from __future__ import annotations

from ..grade import GradeResult
from ._common import (WHY, explanations, part_lines, short, stance_text, student_lines, student_outcome,
                      totals_line)


def _staff_lines(g) -> list[str]:
    lines = [f"stance: {stance_text(g)}"]
    if g.status == "manual":
        lines.append(f"MANUAL (staff override): {g.outcome}; {g.reason}")
    elif not g.graded:
        lines.append(f"not scored: {g.reason}")
    for v in g.verdicts:
        lines.append(f"{v.claim}: {v.outcome.value} ({g.agreement(v)} with '{g.statement.stance_of(v.claim)}')")
        if v.summary():
            lines.append(f"    {v.summary()}")
        if v.rule:
            lines.append(f"    rule: {v.rule}")
        if v.reason:
            lines.append(f"    reason: {v.reason}")
        if v.error:
            lines.append("    HARNESS ERROR (a bug, not the student's answer): " + v.error.splitlines()[0])
        lines.append(f"    reproduce: {v.reproduce_command()}")
    return lines


def text(result: GradeResult, *, instructor: bool = True) -> str:
    key = result.key
    explain = {} if instructor else explanations(result)
    out = [f"Grade of {key.document_path.name} ({key.title or key.path.name})"
           + (f", student {result.student}" if result.student else ""), ""]
    warnings = result.warnings if instructor else ()   # about the key, for staff; they name claim ids
    out += [f"WARNING: {w}" for w in warnings] + ([""] if warnings else [])
    for g in result.statements:
        st = g.statement
        points = f" {g.points:.2f}/{g.weight:.2f}" if g.graded else " not scored"
        if instructor:
            out.append(f"[{g.outcome:<9}]{points} {st.part:<6} #{st.index} \"{short(st.quote)}\"")
            out.extend("            " + line for line in _staff_lines(g))
        else:
            out.append(f"{st.part} - you wrote: \"{short(st.quote, 200)}\"")
            out.append(f"    {student_outcome(g)}.")
            out.extend("    " + line for line in student_lines(g, explain))
    out += ["", "Scores per part:"] + ["  " + line for line in part_lines(result)]
    out.append(totals_line(result))
    items = result.ungraded_items()
    if items:
        out += ["", "Not graded (never raises or lowers the score):"]
        out += [f"  - {u.part}: \"{short(u.text, 110)}\" ({u.why if instructor else WHY.get(u.why, u.why)})"
                for u in items]
    return "\n".join(out)
