"""The verify command: exit codes, JSON shapes, and clear errors (run in-process)."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from verify.cli import main

CLAIM = "q05.backward.nonscalar_needs_gradient"


def test_list_json_has_expected_verdicts(capsys):
    """`verify list --json` gives each claim's id, question, kind and expected verdict."""
    assert main(["list", "--json", CLAIM]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == CLAIM and rows[0]["expected"] == "HOLDS" and rows[0]["falsifier"]["name"]


def test_check_and_falsify_json(capsys):
    """check gives the expected verdict; falsify runs the claim and its falsifier, which flips it; both exit 0."""
    assert main(["check", CLAIM, "--json", "--no-cache"]) == 0
    v = json.loads(capsys.readouterr().out)["verdicts"][0]
    assert v["outcome"] == "HOLDS" and v["environment"]["torch"]
    assert main(["falsify", CLAIM, "--json", "--no-cache", "--jobs", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdicts"][0]["outcome"] == "REFUTED" and out["main"][0]["outcome"] == "HOLDS"
    rec = out["records"][0]
    assert rec["main_ok"] and rec["flipped"] and rec["passed"] and not rec["vacuous"]


def test_unknown_id_exits_2_with_suggestion(capsys):
    """An unknown claim id is bad input: exit 2 and a suggestion."""
    assert main(["check", "q05.backward.nonscalar_needs_gradien"]) == 2
    assert "did you mean q05.backward.nonscalar_needs_gradient" in capsys.readouterr().err


def test_grade_with_missing_key_exits_2(capsys, tmp_path):
    """A missing key file: exit 2, one line, no traceback."""
    assert main(["grade", str(tmp_path / "nope.toml")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


def test_help_does_not_import_torch():
    """`verify --help` and `verify list` never import torch (lean start-up)."""
    code = ("import sys; from verify.cli import main\n"
            "try:\n    main(['list'])\nexcept SystemExit: pass\n"
            "assert 'torch' not in sys.modules, 'torch imported'")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


TOY = """
\"\"\"A toy bank for the command's tests.\"\"\"
from verify import ANALYTIC, HOLDS, Falsifier, claim, exact

def declare(name, fn, falsifier=None, timeout=30.0):
    claim(id=f"{prefix}.{name}", question=prefix.split(".")[0], statement=name, kind=ANALYTIC, expected=HOLDS,
          rationale="test", protocol=dict(value=1, unused=0), rule="HOLDS iff value == 1", timeout=timeout,
          falsifier=falsifier or Falsifier("two", "use two", value=2))(fn)

def fine(p, ctx):
    return exact(p.value == 1, difference=float(p.value - 1), tolerance=0.0)
"""


def _bank(tmp_path: Path, prefix: str, body: str) -> Path:
    d = tmp_path / "bank"
    d.mkdir()
    module = f"{prefix.split('.')[0]}_{prefix.split('.')[1]}.py"
    (d / module).write_text(f"prefix = {prefix!r}\n" + textwrap.dedent(TOY) + textwrap.dedent(body))
    return d


def test_falsifier_that_leaves_the_outcome_unchanged_fails(tmp_path, capsys):
    """A falsifier that does not flip its claim fails falsify (exit 1) and is recorded as vacuous, not flipped."""
    d = _bank(tmp_path, "q95.flip", """
        declare("good", fine)
        declare("vacuous", fine, Falsifier("noop", "changes nothing the claim reads", unused=1))
    """)
    assert main(["falsify", "--claims", str(d), "--json", "--no-cache"]) == 1
    records = {r["claim"]: r for r in json.loads(capsys.readouterr().out)["records"]}
    assert records["q95.flip.good"]["passed"]
    bad = records["q95.flip.vacuous"]
    assert bad["main_ok"] and not bad["flipped"] and bad["vacuous"] and not bad["passed"]
    assert main(["falsify", "--claims", str(d), "q95.flip.vacuous"]) == 1
    assert "VACUOUS: the falsifier left the outcome unchanged" in capsys.readouterr().out


MISBEHAVING = """
    import os

    def ends_process(p, ctx):
        os._exit(3)

    def system_exit(p, ctx):
        raise SystemExit(0)

    def hangs(p, ctx):
        while True:  # C calls that hold the GIL, in a loop that swallows every Exception
            try:
                sum(range(10 ** 13))
            except Exception:
                pass

    def prints(p, ctx):
        print("{not json")
        os.write(1, b"[not json either\\n")
        return fine(p, ctx)

    def infinite(p, ctx):
        return exact(False, difference=float("inf"), tolerance=0.0)

    def infinite_holds(p, ctx):
        return exact(True, difference=float("inf"), tolerance=0.0)

    declare("exit", ends_process)
    declare("system_exit", system_exit)
    declare("hangs", hangs, timeout=1.0)
    declare("prints", prints)
    declare("infinite", infinite)
    declare("infinite_holds", infinite_holds)
"""


def test_misbehaving_claims_are_harness_errors_and_json_stays_clean(tmp_path):
    """os._exit, SystemExit, a hang in C, stdout noise and inf: exit 3, one clean JSON document, no traceback."""
    d = _bank(tmp_path, "q94.bad", MISBEHAVING)

    def no_constants(name):
        raise AssertionError(f"JSON output contains {name}")

    r = subprocess.run([sys.executable, "-m", "verify", "check", "--claims", str(d), "--json", "--no-cache"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 3, r.stderr
    out = json.loads(r.stdout, parse_constant=no_constants)
    v = {x["claim"]: x for x in out["verdicts"]}
    assert v["q94.bad.exit"]["error"].startswith("harness error: crashed")
    assert "SystemExit" in v["q94.bad.system_exit"]["error"]
    assert v["q94.bad.hangs"]["error"].startswith("harness error: timeout")
    assert v["q94.bad.prints"]["outcome"] == "HOLDS"
    assert v["q94.bad.infinite"]["outcome"] == "REFUTED" and v["q94.bad.infinite"]["difference"] is None
    assert v["q94.bad.infinite_holds"]["outcome"] != "HOLDS"
    assert sorted(out["harness_errors"]) == ["q94.bad.exit", "q94.bad.hangs", "q94.bad.system_exit"]
    assert "Traceback" not in r.stderr


def test_text_report_names_harness_errors(tmp_path, capsys):
    """In the text report a crashed claim reads HARNESS-ERROR with the reason, never REFUTED; exit 3."""
    d = _bank(tmp_path, "q93.crash", """
        def ends_process(p, ctx):
            import os
            os._exit(3)

        declare("exit", ends_process)
        declare("after", fine)
    """)
    assert main(["check", "--claims", str(d), "--no-cache", "-q"]) == 3
    out = capsys.readouterr().out
    assert "ERR  HARNESS-ERROR  q93.crash.exit" in out and "HARNESS ERROR (a bug, not a refutation)" in out
    assert "ok   HOLDS          q93.crash.after" in out and "REFUTED" not in out


def test_question_number_selects_all_its_parts(capsys):
    """`verify list q08` lists every part of question 8 (q08a-d); `q07` lists q07.1 and q07.2."""
    assert main(["list", "q08", "--json"]) == 0
    assert {c["question"] for c in json.loads(capsys.readouterr().out)} == {"q08a", "q08b", "q08c", "q08d"}
    assert main(["list", "q07", "--json"]) == 0
    assert {c["question"] for c in json.loads(capsys.readouterr().out)} == {"q07.1", "q07.2"}


def test_missing_claims_folder_is_bad_input(tmp_path, capsys):
    """--claims naming a missing or empty folder: exit 2 with a message naming it (no fallback to ./claims)."""
    assert main(["check", "--claims", str(tmp_path / "nope")]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["list", "--claims", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "holds no claim modules" in err and "Traceback" not in err


def test_jobs_must_be_positive(capsys):
    """--jobs 0 is a usage error (exit 2)."""
    with pytest.raises(SystemExit) as exc:
        main(["check", "--jobs", "0", CLAIM])
    assert exc.value.code == 2 and "--jobs" in capsys.readouterr().err


def test_falsifier_record_cases():
    """The falsify record: passed only with main_ok and a decisive flip; a not-applicable claim is skipped."""
    from verify import HOLDS, INCONCLUSIVE, NOT_APPLICABLE, REFUTED, Verdict
    from verify.cli import falsifier_record
    from tests.helpers import make_claim, toy

    c = make_claim(toy)

    def rec(main, flip, error=""):
        return falsifier_record(Verdict(c.id, main, HOLDS), Verdict(c.id, flip, HOLDS, falsified=True, error=error), c)

    assert rec(HOLDS, REFUTED)["passed"]
    unchanged = rec(HOLDS, HOLDS)
    assert unchanged["vacuous"] and not unchanged["flipped"] and not unchanged["passed"]
    wrong_main = rec(REFUTED, HOLDS)
    assert not wrong_main["main_ok"] and wrong_main["flipped"] and not wrong_main["passed"]
    assert not rec(HOLDS, INCONCLUSIVE)["flipped"] and not rec(HOLDS, INCONCLUSIVE)["vacuous"]
    crashed = rec(HOLDS, INCONCLUSIVE, error="harness error: crashed")
    assert crashed["harness_error"] and not crashed["passed"]
    skipped = rec(NOT_APPLICABLE, NOT_APPLICABLE)
    assert skipped["passed"] and not skipped["applicable"] and not skipped["vacuous"]
