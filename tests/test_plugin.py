"""The pytest plugin end to end with pytester: pass -> fail -> falsify, and grading mode.

Runs in subprocesses: an in-process pytester run would import parts of torch a second time.
"""

TOY = '''
from verify import ANALYTIC, HOLDS, REFUTED, Falsifier, claim, exact

@claim(id="q99.toy.{name}", question="q99", statement="one equals one", kind=ANALYTIC,
       expected={expected}, rationale="arithmetic", protocol=dict(value=1), rule="HOLDS iff value == 1",
       falsifier=Falsifier("two", "use two", value=2))
def holds(p, ctx):
    return exact(p.value == 1, difference=float(p.value - 1), tolerance=0.0)
'''


def _bank(pytester, expected="HOLDS", name="q99_toy"):
    pytester.mkdir("claims")
    pytester.path.joinpath("claims", f"{name}.py").write_text(TOY.format(expected=expected, name=name))


def test_claim_passes_when_verdict_matches(pytester):
    """A claim whose verdict equals its expected verdict passes, and the summary lists it."""
    _bank(pytester)
    r = pytester.runpytest_subprocess("claims", "--no-verify-cache")
    r.assert_outcomes(passed=1)
    r.stdout.fnmatch_lines(["*verify: verdicts*", "*ok   HOLDS*q99.toy.q99_toy*"])


def test_claim_fails_with_numbers_and_reproduce_command(pytester):
    """A wrong expectation fails with the rule, the numbers and a reproduce command."""
    _bank(pytester, expected="REFUTED", name="q99_toy_wrong")
    r = pytester.runpytest_subprocess("claims", "--no-verify-cache")
    r.assert_outcomes(failed=1)
    r.stdout.fnmatch_lines(["*expected REFUTED, got HOLDS*", "*rule: HOLDS iff value == 1*",
                            "*reproduce: verify check q99.toy.q99_toy_wrong*"])


def test_falsify_option_flips_the_verdict(pytester):
    """With --falsify the item passes iff the falsifier flips the verdict."""
    _bank(pytester, name="q99_toy_falsify")
    r = pytester.runpytest_subprocess("claims", "--falsify", "--no-verify-cache")
    r.assert_outcomes(passed=1)
    r.stdout.fnmatch_lines(["*verdicts under falsifiers*", "*REFUTED*"])


def test_answers_option_grades_one_test_per_statement(pytester):
    """--answers KEY.toml runs one test per statement; a wrong stance fails."""
    _bank(pytester, name="q99_toy_grade")
    pytester.path.joinpath("a.txt").write_text("One equals one. One does not equal one.\n")
    pytester.path.joinpath("k.toml").write_text(
        '[document]\npath = "a.txt"\n'
        '[[statement]]\npart = "q99"\nquote = "One equals one."\nclaims = ["q99.toy.q99_toy_grade"]\nstance = "asserts"\n'
        '[[statement]]\npart = "q99"\nquote = "One does not equal one."\nclaims = ["q99.toy.q99_toy_grade"]\nstance = "denies"\n')
    r = pytester.runpytest_subprocess("--answers", "k.toml", "--no-verify-cache", "-p", "no:cacheprovider")
    r.assert_outcomes(passed=1, failed=1)
    r.stdout.fnmatch_lines(["*incorrect: the student denies*"])


def test_bad_answer_key_is_a_usage_error(pytester):
    """A malformed key stops the run with the key's message, not a traceback."""
    _bank(pytester, name="q99_toy_bad")
    pytester.path.joinpath("k.toml").write_text("[document\n")
    r = pytester.runpytest_subprocess("--answers", "k.toml")
    assert r.ret == 4
    r.stderr.fnmatch_lines(["*k.toml: invalid TOML*"])


def test_claim_modules_are_collected_heaviest_first():
    """Claim modules come in order of their statistical (training) claims, each module contiguous,
    so `pytest -n auto --dist loadfile` starts the long modules first; xdist keeps that order."""
    import subprocess
    import sys
    from pathlib import Path

    from verify.bank import load_bank

    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, "-m", "pytest", "claims", "--collect-only", "-q", "-p", "no:cacheprovider"],
                       capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr
    files = [line.split("::")[0] for line in r.stdout.splitlines() if "::" in line]
    order = list(dict.fromkeys(files))
    assert len(files) == len(load_bank())
    assert [f for i, f in enumerate(files) if i == 0 or files[i - 1] != f] == order   # contiguous
    statistical = {}
    for c in load_bank():
        stem = c.module.rsplit(".", 1)[-1]
        statistical[stem] = statistical.get(stem, 0) + c.statistical
    weights = [statistical[Path(f).stem] for f in order]
    assert weights == sorted(weights, reverse=True) and weights[0] > 0


def _key(pytester, claim_id):
    pytester.path.joinpath("a.txt").write_text("One equals one. One does not equal one.\n")
    pytester.path.joinpath("k.toml").write_text(
        '[document]\npath = "a.txt"\n'
        f'[[statement]]\npart = "q99"\nquote = "One equals one."\nclaims = ["{claim_id}"]\nstance = "asserts"\n'
        f'[[statement]]\npart = "q99"\nquote = "One does not equal one."\nclaims = ["{claim_id}"]\nstance = "denies"\n')


def test_answers_collects_only_the_statements_with_junit_names(pytester):
    """--answers collects nothing but the key's statements, named '<part>: <quote>', with claim and verdict
    in the JUnit properties and class names without a leading dot."""
    import xml.etree.ElementTree as ET

    _bank(pytester, name="q99_toy_junit")
    _key(pytester, "q99.toy.q99_toy_junit")
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_other.py").write_text("def test_never():\n    assert False\n")
    r = pytester.runpytest_subprocess("--answers", "k.toml", "--no-verify-cache", "-p", "no:cacheprovider",
                                      "-v", "--junitxml", "out.xml", "tests", "claims")
    r.assert_outcomes(passed=1, failed=1)
    r.stdout.fnmatch_lines(["*q99: One equals one. PASSED*", "*q99: One does not equal one. FAILED*"])
    cases = ET.parse(pytester.path / "out.xml").getroot().iter("testcase")
    cases = list(cases)
    assert len(cases) == 2 and all(c.get("classname") and not c.get("classname").startswith(".") for c in cases)
    props = {p.get("name"): p.get("value") for p in cases[0].iter("property")}
    assert props["claim"] == "q99.toy.q99_toy_junit" and props["verdict"] == "HOLDS" and props["outcome"] == "correct"


def test_xdist_worker_crash_is_a_harness_error_and_the_module_goes_on(pytester):
    """Under `pytest claims -n 2` a claim calling os._exit fails as a harness error; the next claim runs."""
    pytester.mkdir("claims")
    pytester.path.joinpath("claims", "q99_crash.py").write_text(
        TOY.format(expected="HOLDS", name="q99_crash") + '''

@claim(id="q99.toy.q99_crash.exit", question="q99", statement="exits", kind=ANALYTIC, expected=HOLDS,
       rationale="test", protocol=dict(value=1), rule="HOLDS iff value == 1",
       falsifier=Falsifier("two", "use two", value=2))
def exits(p, ctx):
    import os
    os._exit(3)

@claim(id="q99.toy.q99_crash.later", question="q99", statement="later", kind=ANALYTIC, expected=HOLDS,
       rationale="test", protocol=dict(value=1), rule="HOLDS iff value == 1",
       falsifier=Falsifier("two", "use two", value=2))
def later(p, ctx):
    return exact(p.value == 1)
''')
    r = pytester.runpytest_subprocess("claims", "-n", "2", "--dist", "loadfile", "--no-verify-cache",
                                      "-p", "no:cacheprovider", timeout=300)
    r.stdout.fnmatch_lines(["*HARNESS-ERROR*q99.toy.q99_crash.exit*", "*ok   HOLDS*q99.toy.q99_crash.later*"])
    r.stdout.fnmatch_lines(["*harness error: crashed*"])
