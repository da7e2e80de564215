"""Gradescope results.json: scores that add up for every fixture document, and run_autograder end to end."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.answers import load_key
from verify.grade import grade
from verify.gradescope import parse_visibility, results_data
from verify.verdict import HOLDS, INCONCLUSIVE, REFUTED, Verdict

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {"name", "number", "score", "max_score", "status", "output", "output_format", "tags", "visibility"}


def _fake(ids):
    """Deterministic fake verdicts cycling through every outcome, a harness error included."""
    kinds = [HOLDS, REFUTED, HOLDS, INCONCLUSIVE, REFUTED]
    out = {c: Verdict(c, kinds[i % 5], kinds[i % 5]) for i, c in enumerate(ids)}
    first = ids[0]
    out[first] = Verdict(first, INCONCLUSIVE, HOLDS, error="RuntimeError: fake crash")
    return out


@pytest.mark.parametrize("fixture", ["seed", "second"])
def test_test_scores_sum_to_the_top_level_score(fixture):
    """For every fixture document the tests' scores sum to the score and their maxima to the assignment total."""
    key = load_key(ROOT / "fixtures" / fixture / "key.toml")
    result = grade(key, _fake(key.claim_ids()))
    data = results_data(result)
    tests = data["tests"]
    assert all(FIELDS <= set(t) for t in tests)
    assert sum(t["score"] for t in tests) == pytest.approx(data["score"], abs=1e-9)
    assert data["score"] == pytest.approx(result.score, abs=1e-6)
    assert sum(t["max_score"] for t in tests) == pytest.approx(result.max_score, abs=1e-6)
    assert data["max_score"] == result.max_score
    assert {t["visibility"] for t in tests if "evidence" in t["tags"]} == {"after_due_date"}
    assert any(t["max_score"] == 0 and "(not graded)" in t["name"] for t in tests)


def test_visibility_is_configurable():
    """The visibility spec sets statements and evidence levels; a bad entry is a ValueError naming it."""
    assert parse_visibility("statements=after_published,evidence=hidden") == {
        "statements": "after_published", "evidence": "hidden"}
    with pytest.raises(ValueError, match="'evidence=later'"):
        parse_visibility("evidence=later")


TOY = '''
from verify import ANALYTIC, HOLDS, Falsifier, claim, exact

for name, value in (("one", 1), ("two", 2)):
    @claim(id=f"q99.toy.{name}", question="q99", statement=f"{name} equals one", kind=ANALYTIC,
           expected=HOLDS if value == 1 else __import__("verify").REFUTED, rationale="arithmetic",
           protocol=dict(value=value), rule="HOLDS iff value == 1", falsifier=Falsifier("flip", "flip", value=3),
           explain="We compared the number with one.")
    def check(p, ctx):
        return exact(p.value == 1, difference=float(p.value - 1), tolerance=0.0)
'''


def test_run_autograder_in_a_simulated_layout(tmp_path):
    """run_autograder reads <root>/submission and writes a valid results.json, using a toy bank (no training)."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source" / "claims").mkdir(parents=True)
    (root / "source" / "claims" / "q99_toy.py").write_text(TOY)
    (root / "submission" / "answers.txt").write_text("One equals one. Two equals one. I like cats a lot.\n")
    (root / "submission" / "key.toml").write_text(
        '[document]\npath = "answers.txt"\nstudent = "s-99"\n'
        '[[part]]\nid = "q99"\nstart = 0\nend = 51\npoints = 4\n'
        '[[statement]]\npart = "q99"\nquote = "One equals one."\nclaims = ["q99.toy.one"]\nstance = "asserts"\n'
        '[[statement]]\npart = "q99"\nquote = "Two equals one."\nclaims = ["q99.toy.two"]\nstance = "asserts"\n')
    script = ROOT / "examples" / "gradescope" / "run_autograder"
    env = {**os.environ, "VERIFY_AUTOGRADER_ROOT": str(root), "VERIFY_PYTHON": sys.executable,
           "VERIFY_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    scored = [t for t in data["tests"] if t["max_score"] > 0]
    assert [(t["score"], t["max_score"], t["status"]) for t in scored] == [(2.0, 2.0, "passed"), (0.0, 2.0, "failed")]
    assert (data["score"], data["max_score"]) == (2.0, 4.0)
    assert "I like cats a lot." in data["output"] and "s-99" in data["output"]
    assert all(FIELDS <= set(t) for t in data["tests"]) and all(t["output_format"] == "md" for t in data["tests"])
    assert "We compared the number with one." in scored[0]["output"] and "q99.toy" not in scored[0]["output"]


def test_unreadable_submission_gets_a_results_file_that_says_so(tmp_path):
    """A submission with no document still gets a results.json explaining that nothing was scored."""
    from verify.gradescope import autograde

    (tmp_path / "submission").mkdir()
    assert autograde(tmp_path) == 2
    data = json.loads((tmp_path / "results" / "results.json").read_text())
    assert data["tests"] == [] and "could not be graded automatically" in data["output"]
