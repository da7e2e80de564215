"""Grading: outcomes, credit and weights, ungraded statements, declared parts, and the golden grade."""

import json
from pathlib import Path

import pytest

from verify.answers import load_key
from verify.grade import grade, grade_key
from verify.verdict import HOLDS, INCONCLUSIVE, REFUTED, Verdict

ROOT = Path(__file__).resolve().parents[1]
DOC = "Rows sum to one. Columns sum to one. Nothing is certain here. The sky is blue today.\n"
KNOWN = {"r", "c", "u"}


def _v(claim, outcome, **kw):
    return Verdict(claim=claim, outcome=outcome, expected=outcome, **kw)


def _key(tmp_path, statements, parts='[[part]]\nid = "q08d"\nstart = 0\nend = 85\npoints = 2\n', doc=DOC):
    (tmp_path / "a.txt").write_text(doc)
    (tmp_path / "k.toml").write_text('[document]\npath = "a.txt"\nstudent = "s-1"\n' + parts + statements)
    return load_key(tmp_path / "k.toml", known_claims=KNOWN)


def _st(quote, claims, stance=None, part="q08d", extra=""):
    body = f'[[statement]]\npart = "{part}"\nquote = "{quote}"\nclaims = {claims}\n'
    return body + (f'stance = "{stance}"\n' if stance else "") + extra


THREE = (_st("Rows sum to one.", '["r"]', "asserts") + _st("Columns sum to one.", '["c", "r"]', "asserts")
         + _st("Nothing is certain here.", '["u"]', "denies") + _st("The sky is blue today.", "[]", extra='status = "no-claim"\n'))
VERDICTS = {"r": _v("r", HOLDS), "c": _v("c", REFUTED), "u": _v("u", INCONCLUSIVE)}


def test_outcomes_credit_and_weights(tmp_path):
    """Agreement is correct, a split statement partly, INCONCLUSIVE undecided; scored statements share the points."""
    res = grade(_key(tmp_path, THREE), VERDICTS)
    assert [g.outcome for g in res.statements] == ["correct", "partly", "undecided", "ungraded"]
    assert [g.credit for g in res.statements] == [1.0, 0.5, None, None]
    assert [g.weight for g in res.statements[:2]] == [1.0, 1.0]
    assert res.score == pytest.approx(1.5) and res.max_score == 2.0
    assert (res.graded, res.ungraded) == (2, 2) and res.exit_code == 1


def test_asserting_one_claim_and_denying_another_grades_both(tmp_path):
    """A claims table with one asserted and one denied claim grades each against its own stance."""
    key = _key(tmp_path, _st("Rows sum to one.", '{ r = "asserts", c = "denies" }'))
    assert grade(key, {"r": _v("r", HOLDS), "c": _v("c", REFUTED)}).statements[0].outcome == "correct"
    g = grade(key, {"r": _v("r", HOLDS), "c": _v("c", HOLDS)}).statements[0]
    assert (g.outcome, g.credit) == ("partly", 0.5)
    assert [g.agreement(v) for v in g.verdicts] == ["agrees", "disagrees"]


def test_ungraded_statement_never_changes_the_score(tmp_path):
    """Adding a no-claim statement to a part leaves its score and maximum unchanged."""
    base = _st("Rows sum to one.", '["r"]', "asserts") + _st("Columns sum to one.", '["c"]', "asserts")
    without = grade(_key(tmp_path, base), VERDICTS)
    with_ = grade(_key(tmp_path, base + _st("The sky is blue today.", "[]", extra='status = "no-claim"\n')), VERDICTS)
    assert (with_.score, with_.max_score) == (without.score, without.max_score) == (1.0, 2.0)
    assert with_.parts[0].ungraded[0].why == "no-claim"


def test_unanswered_declared_part_lowers_the_total(tmp_path):
    """A declared part with no statement counts in the maximum with score 0 and says it is unanswered."""
    parts = ('[[part]]\nid = "q08d"\nstart = 0\nend = 40\npoints = 2\n'
             '[[part]]\nid = "q09"\nstart = 40\nend = 85\npoints = 3\n')
    res = grade(_key(tmp_path, _st("Rows sum to one.", '["r"]', "asserts"), parts=parts), VERDICTS)
    q09 = res.parts[1]
    assert (q09.id, q09.score, q09.points, q09.statements) == ("q09", 0.0, 3.0, 0)
    assert "unanswered" in q09.note
    assert (res.score, res.max_score) == (2.0, 5.0)


def test_harness_error_is_ungraded_and_exits_3(tmp_path):
    """A verdict with a harness error or a time-out makes its statement ungraded, never a 0, and the exit code 3."""
    key = _key(tmp_path, _st("Rows sum to one.", '["r"]', "asserts") + _st("Columns sum to one.", '["c"]', "asserts"))
    for bad in (_v("c", INCONCLUSIVE, error="RuntimeError: boom"), _v("c", INCONCLUSIVE, reason="timeout: 60 s")):
        res = grade(key, {"r": _v("r", HOLDS), "c": bad})
        g = res.statements[1]
        assert (g.outcome, g.status, g.credit) == ("ungraded", "harness error", None)
        assert "could not be decided: harness error" in g.reason
        assert (res.score, res.max_score, res.exit_code) == (2.0, 2.0, 3)


def test_override_is_a_manual_decision(tmp_path):
    """A staff override replaces the outcome, keeps its comment and is marked manual."""
    key = _key(tmp_path, _st("Rows sum to one.", '["r"]', "asserts",
                             extra='override = "incorrect"\ncomment = "right claim, wrong reason"\n'))
    g = grade(key, VERDICTS).statements[0]
    assert (g.outcome, g.credit, g.status, g.reason) == ("incorrect", 0.0, "manual", "right claim, wrong reason")


def test_weights_sum_to_the_part_points(tmp_path):
    """Three scored statements in a 1-point part carry weights that sum to exactly 1."""
    parts = '[[part]]\nid = "q08d"\nstart = 0\nend = 85\npoints = 1\n'
    key = _key(tmp_path, THREE.replace('["u"]', '["r"]').replace('"denies"', '"asserts"'), parts=parts)
    res = grade(key, VERDICTS)
    assert sum(g.weight for g in res.statements if g.graded) == pytest.approx(1.0, abs=1e-12)


def test_grade_key_runs_each_claim_once_through_the_seam(tmp_path):
    """grade_key asks its evaluate callable once, for each distinct claim id."""
    key = _key(tmp_path, THREE)
    calls = []

    def evaluate(ids):
        calls.append(list(ids))
        return {c: VERDICTS[c] for c in ids}
    res = grade_key(key, evaluate=evaluate)
    assert len(calls) == 1 and sorted(calls[0]) == ["c", "r", "u"]
    assert res.student == "s-1"


@pytest.mark.bank_cache
def test_second_document_matches_its_golden_grade():
    """Grading fixtures/second with the real bank reproduces the committed golden grade exactly."""
    golden = json.loads((ROOT / "fixtures" / "second" / "golden_grade.json").read_text())
    res = grade_key(ROOT / "fixtures" / "second" / "key.toml")
    got = [{"index": g.statement.index, "outcome": g.outcome,
            "verdicts": {v.claim: v.outcome.value for v in g.verdicts}} for g in res.statements]
    want = [{k: s[k] for k in ("index", "outcome", "verdicts")} for s in golden["statements"]]
    assert got == want
    assert res.score == pytest.approx(golden["score"]) and res.max_score == golden["max_score"]
    assert sum(res.coverage.covered_flags) == len(res.coverage.sentences)


def test_unconfirmed_drafted_no_claim_needs_review(tmp_path):
    """A drafted no-claim entry still marked review = "suggested" is 'needs review'; once reviewed it is 'no-claim'."""
    body = _st("Rows sum to one.", '["r"]', "asserts") + _st("The sky is blue today.", "[]",
                                                              extra='status = "no-claim"\nreview = "suggested"\n')
    res = grade(_key(tmp_path, body), VERDICTS)
    assert (res.statements[1].status, res.needs_review) == ("needs review", 1)
    res = grade(_key(tmp_path, body.replace('"suggested"', '"reviewed"')), VERDICTS)
    assert (res.statements[1].status, res.needs_review) == ("no-claim", 0)


def test_claim_about_another_torch_version_is_ungraded_not_scored(tmp_path):
    """A statement whose only claim is NOT_APPLICABLE on the installed torch is ungraded (whatever the
    stance), and an entry with a decided claim beside it is graded on that claim alone."""
    from verify.verdict import NOT_APPLICABLE

    key = _key(tmp_path, _st("Rows sum to one.", '["r"]', "asserts") + _st("Columns sum to one.", '["c"]', "denies")
               + _st("Nothing is certain here.", '{ "c" = "denies", "u" = "asserts" }'))
    res = grade(key, {"r": _v("r", HOLDS), "c": _v("c", NOT_APPLICABLE), "u": _v("u", HOLDS)})
    g = res.statements[1]
    assert (g.outcome, g.status, g.credit) == ("ungraded", "not applicable", None)
    assert (res.statements[2].outcome, res.statements[2].credit) == ("correct", 1.0)
    assert res.exit_code != 3
