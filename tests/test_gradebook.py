"""Grading a class: discovery, one run for all claims, grades.csv, reports per student, broken submissions."""

import argparse
import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from verify import grade as grade_module
from verify.grade_command import add_grade_arguments, run_grade
from verify.gradebook import csv_text, discover, grade_folder
from verify.verdict import HOLDS, REFUTED, Verdict

ROOT = Path(__file__).resolve().parents[1]


def _fake(ids):
    return {c: Verdict(c, HOLDS if i % 3 else REFUTED, HOLDS) for i, c in enumerate(ids)}


@pytest.fixture
def fake_runs(monkeypatch):
    """Replace the claim runner by fake verdicts and record every batch of ids asked for."""
    calls = []

    def default(master_seed, use_cache, progress, jobs=None):
        def evaluate(ids):
            calls.append(list(ids))
            return _fake(ids)
        return evaluate
    monkeypatch.setattr(grade_module, "_default_evaluate", default)
    return calls


def _args(*argv):
    p = argparse.ArgumentParser()
    add_grade_arguments(p)
    return p.parse_args(list(argv))


def test_fixtures_folder_is_graded_in_one_run(tmp_path, fake_runs):
    """`verify grade fixtures/ --output DIR` grades every keyed document with one claim run and writes grades.csv."""
    out = tmp_path / "out"
    code = run_grade(_args(str(ROOT / "fixtures"), "--output", str(out), "--format", "json", "--quiet"))
    assert code == 1 and len(fake_runs) == 1
    assert len(fake_runs[0]) == len(set(fake_runs[0]))
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    assert [r["student"] for r in rows] == ["second-001", "seed-000"]
    assert {p.name for p in out.iterdir()} == {"grades.csv", "second-001.json", "seed-000.json"}
    for row in rows:
        parts = [k[:-6] for k in row if k.endswith(" score")]
        total = sum(float(row[f"{p} score"]) for p in parts if row[f"{p} score"])
        maximum = sum(float(row[f"{p} max"]) for p in parts if row[f"{p} max"])
        assert float(row["total"]) == pytest.approx(total, abs=1e-5)
        assert float(row["max"]) == pytest.approx(maximum, abs=1e-5)
        assert row["status"] == "graded" and int(row["graded"]) > 0


def test_csv_columns(tmp_path):
    """grades.csv has the student, per-part score and max, totals and counts, in that order."""
    book = grade_folder(ROOT / "fixtures" / "second", evaluate=_fake)
    head = csv_text(book).splitlines()[0].split(",")
    assert head[:5] == ["student", "document", "status", "q01 score", "q01 max"]
    assert head[-7:] == ["total", "max", "graded", "ungraded", "needs_review", "unreviewed", "error"]


def test_broken_submission_is_reported_and_skipped(tmp_path, fake_runs, capsys):
    """One broken key is reported with its message and skipped; the other submission is graded; exit 2."""
    shutil.copytree(ROOT / "fixtures" / "seed", tmp_path / "class" / "alice")
    (tmp_path / "class" / "bob").mkdir()
    (tmp_path / "class" / "bob" / "answers.txt").write_text("Some words here.\n")
    (tmp_path / "class" / "bob" / "key.toml").write_text('[document]\npath = "answers.txt"\n[[statement]\n')
    out = tmp_path / "out"
    code = run_grade(_args(str(tmp_path / "class"), "--output", str(out), "--quiet"))
    assert code == 2
    assert "skipped" in capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    assert [(r["student"], r["status"]) for r in rows] == [("seed-000", "graded"), ("bob", "error")]
    assert "invalid TOML" in rows[1]["error"]
    assert (out / "seed-000.txt").exists()


def test_student_id_from_folder_or_stem(tmp_path):
    """Without [document] student the id is the submission's folder, else the file's stem."""
    (tmp_path / "carol").mkdir()
    (tmp_path / "carol" / "answers.txt").write_text("x")
    (tmp_path / "dave.txt").write_text("y")
    assert [(s.student, s.kind) for s in discover(tmp_path)] == [("carol", "document"), ("dave", "document")]


def test_csv_cells_cannot_be_formulas(tmp_path):
    """A student id that looks like a spreadsheet formula is written as text."""
    from verify.gradebook import Gradebook, Submission

    book = Gradebook([Submission(tmp_path / "x.toml", "key", "=HYPERLINK(1)", error="bad")])
    assert "'=HYPERLINK(1)" in csv_text(book)


def test_raw_document_is_drafted_and_unmatched_statements_need_review(tmp_path):
    """A document without a key is drafted on the fly; statements no claim fits are 'needs review', not scored."""
    from verify.grade import grade
    from verify.gradebook import load_submission

    text = (ROOT / "fixtures" / "seed" / "answers.txt").read_text(encoding="utf-8")
    # an off-topic paragraph that no claim of the bank speaks about
    text += "\n\nMy grandmother bakes bread every Sunday morning, and the whole street smells of it.\n"
    (tmp_path / "answers.txt").write_text(text, encoding="utf-8")
    sub = discover(tmp_path / "answers.txt")[0]
    key = load_submission(sub)
    res = grade(key, _fake(key.claim_ids()))
    review = [g for g in res.statements if g.status == "needs review"]
    assert review and all(g.credit is None and g.weight == 0 for g in review)
    assert res.needs_review == len(review) and not (tmp_path / "answers.draft.toml").exists()
    # every graded statement rests on a drafted mapping nobody confirmed: the grade says so
    assert res.unreviewed == res.graded > 0
    from verify.report import render

    assert f"{res.unreviewed} of the graded statements rest on drafted claim mappings" in render(res, "text")
    assert json.loads(render(res, "json"))["unreviewed"] == res.unreviewed
