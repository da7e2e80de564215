"""The Markdown report: a CI job summary for staff, readable feedback for a student.

Student text is escaped (no raw HTML or Markdown from a submission reaches the page).  Figures are
files beside ``output`` (linked), or data URIs (``embed``, and always in the student view, whose
links must not carry claim ids); embedded figures stop before GitHub's 1 MiB job-summary limit, and
a report still larger is cut with a note.
"""

from __future__ import annotations

import re

from ..grade import GradeResult
from ._common import (WHY, explanations, short, statements_of_bank, student_lines, student_outcome,
                      totals_line)

SUMMARY_LIMIT = 1024 * 1024   # GitHub refuses a job summary above 1 MiB
FIGURE_BUDGET = 700 * 1024    # room for figures, leaving the rest for text
CUT_NOTE = "\n\n_Report cut here: it would exceed GitHub's 1 MiB job-summary limit; the full report is in the artifact._\n"
ICON = {"correct": "✅", "incorrect": "❌", "partly": "◐", "undecided": "❔", "ungraded": "⏸"}
_SPECIAL = re.compile(r"([\\`*_\[\]#!|~$])")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s)")


def escape(s: str) -> str:
    """Student text as inert Markdown: HTML entities for & < >, a backslash before Markdown punctuation."""
    s = " ".join(s.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _LIST_START.sub(lambda m: m.group(1) + "\\" + m.group(2), _SPECIAL.sub(r"\\\1", s))


def _figures(result: GradeResult, *, instructor: bool, output, embed: bool) -> tuple[dict[str, str], str]:
    from ..figures import embedded_figures, report_figures

    verdicts = [v for g in result.statements for v in g.verdicts]
    titles = statements_of_bank(result)
    if embed or not instructor:
        return embedded_figures(verdicts, titles, budget=FIGURE_BUDGET)
    return report_figures(verdicts, output, titles=titles)


def _header(result: GradeResult, instructor: bool) -> list[str]:
    key = result.key
    out = [f"# Grade: {escape(key.title or key.document_path.name)}", ""]
    if result.student:
        out += [f"Student: **{escape(result.student)}**", ""]
    out += [f"**Score {result.score:.2f} / {result.max_score:g}**. {totals_line(result)}.", ""]
    if result.warnings and instructor:   # about the key, for staff; they name claim ids
        out += ["> [!WARNING]", "> The answer key has problems to check:"]
        out += [f"> - {escape(w)}" for w in result.warnings] + [""]
    out += ["| part | score | max | graded | not graded | note |", "|---|---:|---:|---:|---:|---|"]
    out += [f"| {escape(p.id)} | {p.score:.2f} | {p.points:g} | {p.graded} | {len(p.ungraded)} | {escape(p.note)} |"
            for p in result.parts]
    return out + [""]


def _ungraded(result: GradeResult, instructor: bool) -> list[str]:
    items = result.ungraded_items()
    if not items:
        return []
    out = ["## Not graded", "", "These never raise or lower the score.", ""]
    out += [f"- **{escape(u.part)}** ({escape(u.why if instructor else WHY.get(u.why, u.why))}): "
            f"{escape(short(u.text, 200))}" for u in items]
    return out + [""]


def _student(result: GradeResult, links: dict[str, str], note: str) -> list[str]:
    explain = explanations(result)
    out = ["## Your statements", "", "| part | you wrote | result |", "|---|---|---|"]
    for g in result.statements:
        out.append(f"| {escape(g.statement.part)} | {escape(short(g.statement.quote, 120))} | "
                   f"{ICON[g.outcome]} {escape(student_outcome(g))} |")
    out += ["", "## Feedback", ""] + ([f"_{note}_", ""] if note else [])
    for g in result.statements:
        out += [f"### {escape(g.statement.part)}: {ICON[g.outcome]} {escape(student_outcome(g))}", "",
                f"> {escape(g.statement.quote)}", ""]
        out += [f"- {escape(line)}" for line in student_lines(g, explain)]
        shown = [links[v.claim] for v in g.verdicts if v.claim in links]
        out += [""] + [f"![what the experiment measured]({link})" for link in dict.fromkeys(shown)]
        out.append("")
    return out


def _staff(result: GradeResult, links: dict[str, str], note: str) -> list[str]:
    out = ["## Statements", "", "| # | part | outcome | points | stance | quote | verdicts |",
           "|---:|---|---|---:|---|---|---|"]
    for g in result.statements:
        st = g.statement
        vs = "<br>".join(f"`{v.claim}` {v.outcome.value} ({g.agreement(v)})" for v in g.verdicts) or "-"
        stance = "<br>".join(f"{s} `{c}`" for c, s in st.stances) or escape(g.status)
        pts = f"{g.points:.2f} / {g.weight:.2f}" if g.graded else "not scored"
        manual = f" **manual**: {escape(g.reason)}" if g.status == "manual" else ""
        out.append(f"| {st.index} | {escape(st.part)} | {ICON[g.outcome]} {g.outcome}{manual} | {pts} | {stance} | "
                   f"{escape(short(st.quote, 120))} | {vs} |")
    out += ["", "## Evidence", ""] + ([f"_{note}_", ""] if note else [])
    seen = set()
    for g in result.statements:
        for v in g.verdicts:
            if v.claim in seen:
                continue
            seen.add(v.claim)
            out.append(f"<details><summary><code>{v.claim}</code>: {v.outcome.value}</summary>\n")
            out.append(f"- {v.summary() or 'no statistic'}\n- rule: {escape(v.rule)}")
            if v.reason:
                out.append(f"- reason: {escape(v.reason)}")
            if v.error:
                out.append(f"- **harness error** (a bug, not the student's answer): {escape(v.error.splitlines()[0])}")
            out.append(f"- reproduce: `{v.reproduce_command()}`\n- seeds: {len(v.seeds)}, "
                       f"torch {v.environment.get('torch', '?')}, {v.seconds:.2f}s\n")
            if v.claim in links:
                out.append(f"![evidence of {v.claim}]({links[v.claim]})\n")
            out.append("</details>\n")
    return out


def markdown(result: GradeResult, *, instructor: bool = True, output=None, embed: bool = False) -> str:
    links, note = _figures(result, instructor=instructor, output=output, embed=embed)
    body = _staff(result, links, note) if instructor else _student(result, links, note)
    text = "\n".join(_header(result, instructor) + body + [""] + _ungraded(result, instructor)) + "\n"
    if len(text.encode("utf-8")) > SUMMARY_LIMIT:
        room = SUMMARY_LIMIT - len(CUT_NOTE.encode("utf-8")) - 4
        text = text.encode("utf-8")[:room].decode("utf-8", "ignore").rsplit("\n", 1)[0] + CUT_NOTE
    return text
