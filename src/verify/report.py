"""Reports of a graded document: terminal text, Markdown (CI job summary), JSON, Gradescope.

Student-facing text says what the experiment showed, without tracebacks or statistics; the
instructor view adds the statistics, the rule and the command that reproduces each verdict.
"""

from __future__ import annotations

import json

from .grade import GradedStatement, GradeResult

__all__ = ["text", "markdown", "json_report", "gradescope"]


def _short(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 3] + "..."


def _explain(g: GradedStatement, instructor: bool) -> list[str]:
    lines = []
    for v in g.verdicts:
        mark = g.agreement(v)
        lines.append(f"{v.claim}: the experiment says {v.outcome.value} ({mark} with the stance "
                     f"'{g.statement.stance}')")
        if instructor:
            if v.summary():
                lines.append(f"    {v.summary()}")
            lines.append(f"    rule: {v.rule}")
            if v.reason:
                lines.append(f"    reason: {v.reason}")
            lines.append(f"    reproduce: {v.reproduce_command()}")
        elif v.reason and mark == "undecided":
            lines.append(f"    the experiment was not decisive: {v.reason.split(':')[0]}")
    return lines


def text(result: GradeResult, *, instructor: bool = True) -> str:
    out = [f"Grade of {result.key.document_path.name} ({result.key.title or result.key.path.name})", ""]
    for g in result.statements:
        out.append(f"[{g.outcome:<9}] {g.statement.part:<6} \"{_short(g.statement.quote)}\"")
        out.extend("            " + line for line in _explain(g, instructor))
    out.append("")
    out.append("Scores per part:")
    for part, (s, m) in result.part_scores.items():
        out.append(f"  {part:<8} {s:.2f} / {m:g}")
    c = result.counts()
    out.append(f"Total: {result.score:.2f} / {result.max_score:g}  "
               f"({c['correct']} correct, {c['incorrect']} incorrect, {c['undecided']} undecided)")
    unc = result.coverage.uncovered()
    out.append(f"Coverage: {sum(result.coverage.covered_flags)}/{len(result.coverage.sentences)} sentences"
               + ("" if not unc else "; not covered by the key:"))
    out.extend(f"  - {_short(s.text, 120)}" for s in unc)
    return "\n".join(out)


def markdown(result: GradeResult, *, instructor: bool = True, output=None) -> str:
    """The report as Markdown; with ``output`` (the path it will be written to) the instructor view
    also writes the evidence figures beside it (verify.figures) and links them."""
    c = result.counts()
    out = [f"# Grade: {result.key.title or result.key.document_path.name}", "",
           f"**Score {result.score:.2f} / {result.max_score:g}** — {c['correct']} correct, "
           f"{c['incorrect']} incorrect, {c['undecided']} undecided; "
           f"{sum(result.coverage.covered_flags)}/{len(result.coverage.sentences)} sentences covered.", "",
           "| part | score | max |", "|---|---:|---:|"]
    out += [f"| {p} | {s:.2f} | {m:g} |" for p, (s, m) in result.part_scores.items()]
    out += ["", "## Statements", "", "| # | part | outcome | quote | verdicts |", "|---:|---|---|---|---|"]
    for g in result.statements:
        vs = "<br>".join(f"`{v.claim}` {v.outcome.value}" for v in g.verdicts)
        icon = {"correct": "✅", "incorrect": "❌", "undecided": "❔"}[g.outcome]
        quote = _short(g.statement.quote, 120).replace("|", "\\|")
        out.append(f"| {g.statement.index} | {g.statement.part} | {icon} {g.outcome} | {quote} | {vs} |")
    if instructor:
        from .figures import report_figures

        out += ["", "## Evidence", ""]
        links, note = report_figures((v for g in result.statements for v in g.verdicts), output)
        if note:
            out += [f"_{note}_", ""]
        seen = set()
        for g in result.statements:
            for v in g.verdicts:
                if v.claim in seen:
                    continue
                seen.add(v.claim)
                out.append(f"<details><summary><code>{v.claim}</code>: {v.outcome.value}</summary>\n")
                out.append(f"- {v.summary() or 'no statistic'}\n- rule: {v.rule}")
                if v.reason:
                    out.append(f"- reason: {v.reason}")
                out.append(f"- reproduce: `{v.reproduce_command()}`\n- seeds: {len(v.seeds)}, "
                           f"torch {v.environment.get('torch', '?')}, {v.seconds:.2f}s\n")
                if v.claim in links:
                    out.append(f"![evidence of {v.claim}]({links[v.claim]})\n")
                out.append("</details>\n")
    unc = result.coverage.uncovered()
    if unc:
        out += ["", "## Sentences the key does not cover", ""] + [f"- {_short(s.text, 160)}" for s in unc]
    return "\n".join(out) + "\n"


def json_report(result: GradeResult, *, instructor: bool = True) -> str:
    statements = []
    for g in result.statements:
        st = g.statement
        statements.append({
            "index": st.index, "part": st.part, "quote": st.quote, "claims": list(st.claims),
            "stance": st.stance, "outcome": g.outcome, "score": g.score,
            "verdicts": [{"claim": v.claim, "outcome": v.outcome.value, "agreement": g.agreement(v),
                          **({"summary": v.summary(), "pvalue": v.pvalue, "statistic": v.statistic,
                              "rule": v.rule, "reason": v.reason, "reproduce": v.reproduce_command()}
                             if instructor else {})}
                         for v in g.verdicts],
        })
    cov = result.coverage
    data = {
        "document": str(result.key.document_path), "key": str(result.key.path),
        "score": result.score, "max_score": result.max_score, "counts": result.counts(),
        "parts": {p: {"score": s, "max_score": m} for p, (s, m) in result.part_scores.items()},
        "statements": statements,
        "coverage": {"sentences": len(cov.sentences), "covered": sum(cov.covered_flags),
                     "uncovered": [s.text for s in cov.uncovered()]},
    }
    return json.dumps(data, indent=2)


def gradescope(result: GradeResult, *, instructor: bool = False) -> str:
    """Gradescope's results.json: one test per statement; students see what the experiment showed."""
    tests = []
    for g in result.statements:
        st = g.statement
        tests.append({
            "name": f"{st.part} #{st.index}: {_short(st.quote, 70)}",
            "score": round(g.score, 4), "max_score": 1.0,
            "status": "passed" if g.outcome == "correct" else "failed",
            "output": "\n".join(_explain(g, instructor)),
            "visibility": "visible",
        })
    data = {"score": result.score, "tests": tests,
            "output": f"{result.counts()['correct']}/{len(result.statements)} statements agree with the experiments",
            "visibility": "visible"}
    return json.dumps(data, indent=2)
