"""Grading: outcomes and partial credit, the report formats, and the second document's golden grade."""

import json
from pathlib import Path

import pytest

from verify.answers import load_key
from verify.grade import grade, render
from verify.verdict import HOLDS, INCONCLUSIVE, REFUTED, Verdict

ROOT = Path(__file__).resolve().parents[1]


def _v(claim, outcome):
    return Verdict(claim=claim, outcome=outcome, expected=outcome)


@pytest.fixture
def key(tmp_path):
    (tmp_path / "a.txt").write_text("Rows sum to one. Columns sum to one. Nothing is certain here.\n")
    (tmp_path / "k.toml").write_text(
        '[document]\npath = "a.txt"\n'
        '[[part]]\nid = "q08d"\nstart = 0\nend = 61\npoints = 2\n'
        '[[statement]]\npart = "q08d"\nquote = "Rows sum to one."\nclaims = ["r"]\nstance = "asserts"\n'
        '[[statement]]\npart = "q08d"\nquote = "Columns sum to one."\nclaims = ["c", "r"]\nstance = "asserts"\n'
        '[[statement]]\npart = "q08d"\nquote = "Nothing is certain here."\nclaims = ["u"]\nstance = "denies"\n')
    return load_key(tmp_path / "k.toml", known_claims={"r", "c", "u"})


def test_outcomes_and_partial_credit(key):
    """Agreeing stance is correct, a decisive disagreement incorrect, INCONCLUSIVE undecided; scores are fractions."""
    res = grade(key, {"r": _v("r", HOLDS), "c": _v("c", REFUTED), "u": _v("u", INCONCLUSIVE)})
    assert [g.outcome for g in res.statements] == ["correct", "incorrect", "undecided"]
    assert [g.score for g in res.statements] == [1.0, 0.5, 0.0]
    assert res.part_scores["q08d"] == (pytest.approx(1.0), 2.0)
    assert not res.all_correct


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "gradescope"])
def test_every_format_renders(key, fmt):
    """Each report format renders; JSON and Gradescope have the contract's fields."""
    res = grade(key, {"r": _v("r", HOLDS), "c": _v("c", REFUTED), "u": _v("u", INCONCLUSIVE)})
    out = render(res, fmt)
    if fmt == "json":
        data = json.loads(out)
        assert {"statements", "score", "max_score"} <= set(data)
        assert {"quote", "claims", "stance", "verdicts", "outcome"} <= set(data["statements"][0])
    if fmt == "gradescope":
        test = json.loads(out)["tests"][0]
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)


def test_student_view_has_no_statistics(key):
    """The student view says what the experiment showed, without rules or reproduce commands."""
    res = grade(key, {"r": _v("r", HOLDS), "c": _v("c", REFUTED), "u": _v("u", INCONCLUSIVE)})
    assert "reproduce" not in render(res, "text", instructor=False)
    assert "reproduce" in render(res, "text", instructor=True)


@pytest.mark.bank_cache
def test_second_document_matches_its_golden_grade():
    """Grading fixtures/second with the real bank reproduces the committed golden grade exactly."""
    from verify.grade import grade_key

    golden = json.loads((ROOT / "fixtures" / "second" / "golden_grade.json").read_text())
    res = grade_key(ROOT / "fixtures" / "second" / "key.toml")
    got = [{"index": g.statement.index, "outcome": g.outcome,
            "verdicts": {v.claim: v.outcome.value for v in g.verdicts}} for g in res.statements]
    want = [{k: s[k] for k in ("index", "outcome", "verdicts")} for s in golden["statements"]]
    assert got == want
    assert res.score == pytest.approx(golden["score"]) and res.max_score == golden["max_score"]
    assert sum(res.coverage.covered_flags) == len(res.coverage.sentences)
