"""Reports: honest scores in every format, the student view's plain words, escaping, warnings."""

import json
import re

import pytest

from verify.answers import load_key
from verify.grade import grade
from verify.report import render
from verify.verdict import HOLDS, REFUTED, Verdict

DOC = ("Rows sum to one. Columns sum to one <b>bold</b>. The sky is blue today.\n\n"
       "An uncovered sentence sits here alone.\n")
KNOWN = {"q08d.rows", "q08d.cols"}


@pytest.fixture
def result(tmp_path):
    (tmp_path / "a.txt").write_text(DOC)
    (tmp_path / "k.toml").write_text(
        '[document]\npath = "a.txt"\nstudent = "s-7"\n'
        '[[part]]\nid = "q08d"\nstart = 0\nend = 110\npoints = 2\n'
        '[[statement]]\npart = "q08d"\nquote = "Rows sum to one."\nclaims = ["q08d.rows"]\nstance = "asserts"\n'
        '[[statement]]\npart = "q08d"\nquote = "Columns sum to one <b>bold</b>."\n'
        'claims = { "q08d.cols" = "asserts", "q08d.rows" = "denies" }\n'
        '[[statement]]\npart = "q08d"\nquote = "The sky is blue today."\nstatus = "no-claim"\n'
        '[[statement]]\npart = "q08d"\nquote = "Rows sum to one"\nclaims = ["q08d.rows"]\nstance = "denies"\n'
        'override = "partly"\ncomment = "half right"\n')
    key = load_key(tmp_path / "k.toml", known_claims=KNOWN)
    verdicts = {"q08d.rows": Verdict("q08d.rows", HOLDS, HOLDS, pvalue=0.001, statistic=5.0, rule="t-test"),
                "q08d.cols": Verdict("q08d.cols", REFUTED, REFUTED, pvalue=0.002, rule="t-test")}
    return grade(key, verdicts)


def _plain(s: str) -> str:
    """Rendered text with Markdown escapes removed, so checks see what a reader sees."""
    return s.replace("\\", "")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "gradescope"])
@pytest.mark.parametrize("instructor", [True, False])
def test_every_format_lists_ungraded_statements_and_the_student(result, fmt, instructor):
    """Each format names the student, counts graded/ungraded and lists the no-claim and the uncovered sentence."""
    out = _plain(render(result, fmt, instructor=instructor))
    assert "s-7" in out and "The sky is blue today." in out and "An uncovered sentence sits here alone." in out
    if fmt == "json":
        data = json.loads(out)
        assert (data["graded"], data["ungraded"], data["student"]) == (3, 2, "s-7")
        assert {"quote", "claims", "verdicts", "outcome", "credit", "status"} <= set(data["statements"][0])
        assert {u["why"] for u in data["ungraded_items"]} == {"no-claim", "not covered by the key"}
    elif fmt != "gradescope":
        assert "3 graded, 2 not graded" in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "gradescope"])
def test_key_warnings_appear_in_every_format(result, fmt):
    """A key warning (here: one claim asserted and denied) is printed by every format."""
    assert result.warnings and "asserted" in result.warnings[0]
    assert "is asserted (statement 1" in _plain(render(result, fmt))


def test_override_is_shown_as_manual(result):
    """A staff override shows its outcome and comment, marked manual, in text and JSON."""
    assert "MANUAL (staff override): partly; half right" in render(result, "text")
    st = json.loads(render(result, "json"))["statements"][3]
    assert st["override"] == {"outcome": "partly", "comment": "half right", "manual": True}
    assert (st["outcome"], st["credit"]) == ("partly", 0.5)


def test_student_markdown_has_no_claim_ids_statistics_or_commands(result, monkeypatch):
    """The student view names no claim id, p-value, statistic or command, and explains every statement."""
    from verify.report import _common

    monkeypatch.setattr(_common, "explanations", lambda r: {"q08d.rows": "We summed each softmax row."})
    for module in ("verify.report.markdown",):
        monkeypatch.setattr(module + ".explanations", _common.explanations)
    md = _plain(render(result, "markdown", instructor=False))
    for banned in ("q08d.rows", "q08d.cols", "p-value", "p=", "pvalue", "t-test", "verify check", "reproduce"):
        assert banned not in md, banned
    feedback = md.split("## Feedback")[1].split("## Not graded")[0]
    assert feedback.count("### ") == 4 and feedback.count("So the evidence") == 4
    assert feedback.count("We summed each softmax row. So the evidence") == 3
    assert "Not graded: read, but not something an experiment here can judge" in feedback


def test_markdown_escapes_student_text(result):
    """Student HTML and Markdown are escaped, never passed through raw."""
    md = render(result, "markdown", instructor=True) + render(result, "markdown", instructor=False)
    assert "<b>" not in md and "&lt;b&gt;bold&lt;/b&gt;" in md


def test_staff_markdown_table_has_a_stance_column(result):
    """The staff statements table has a stance column naming each claim with its own stance."""
    md = render(result, "markdown")
    assert "| # | part | outcome | points | stance | quote | verdicts |" in md
    assert re.search(r"asserts `q08d.cols`<br>denies `q08d.rows`", md)


def test_student_markdown_of_the_seed_key_through_the_command(tmp_path, monkeypatch):
    """`verify grade KEY --student --format markdown` names no claim id, p-value or command; every statement is explained."""
    import argparse
    from pathlib import Path

    from verify import grade as grade_module
    from verify.bank import load_bank
    from verify.grade_command import add_grade_arguments, run_grade
    from verify.report._common import NO_EXPLANATION

    def default(master_seed, use_cache, progress, jobs=None):
        return lambda ids: {c: Verdict(c, HOLDS if i % 2 else REFUTED, HOLDS, pvalue=1e-4, statistic=3.2,
                                       rule="one-sided Welch t-test at alpha", reason="")
                            for i, c in enumerate(ids)}
    monkeypatch.setattr(grade_module, "_default_evaluate", default)
    p = argparse.ArgumentParser()
    add_grade_arguments(p)
    out = tmp_path / "student.md"
    key = Path(__file__).resolve().parents[1] / "fixtures" / "seed" / "key.toml"
    assert run_grade(p.parse_args([str(key), "--student", "--format", "markdown", "--output", str(out), "-q"])) == 1
    md = _plain(out.read_text())
    bank = load_bank()
    assert not [c.id for c in bank if c.id in md]
    for banned in ("p-value", "p=", "pvalue", "Welch", "verify check", "reproduce", "--master-seed"):
        assert banned not in md, banned
    feedback = md.split("## Feedback")[1].split("## Not graded")[0].split("### ")[1:]
    assert len(feedback) == 205
    explained = {c.explain for c in bank if c.explain}
    for block in feedback:
        lines = [ln[2:] for ln in block.splitlines() if ln.startswith("- ")]
        assert lines or "Not graded" in block
        assert all(any(e in ln for e in explained) or NO_EXPLANATION in ln for ln in lines)


def test_oversized_markdown_is_cut_with_a_note(result, monkeypatch):
    """A Markdown report beyond the job-summary limit is cut and says so."""
    from verify.report import markdown as md_module

    monkeypatch.setattr(md_module, "SUMMARY_LIMIT", 600)
    md = render(result, "markdown")
    assert len(md.encode()) <= 600 and "Report cut here" in md
