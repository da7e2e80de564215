"""The verify command: exit codes, JSON shapes, and clear errors (run in-process)."""

import json
import subprocess
import sys

import pytest

from verify.cli import main

CLAIM = "q05.backward.nonscalar_needs_gradient"


def test_list_json_has_expected_verdicts(capsys):
    """`verify list --json` gives each claim's id, question, kind and expected verdict."""
    assert main(["list", "--json", CLAIM]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == CLAIM and rows[0]["expected"] == "HOLDS" and rows[0]["falsifier"]["name"]


def test_check_and_falsify_json(capsys):
    """check gives the expected verdict; falsify flips it; both exit 0."""
    assert main(["check", CLAIM, "--json", "--no-cache"]) == 0
    v = json.loads(capsys.readouterr().out)["verdicts"][0]
    assert v["outcome"] == "HOLDS" and v["environment"]["torch"]
    assert main(["falsify", CLAIM, "--json", "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out)["verdicts"][0]["outcome"] == "REFUTED"


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
