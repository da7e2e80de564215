"""The example CI workflow: valid, free of known GitHub Actions security findings, and safe with a
hostile submission (its paths and contents are data, never code)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML (the test extra) parses the workflow")

WORKFLOW = Path(__file__).resolve().parents[1] / "examples" / "grade-answers.yml"


def _steps():
    doc = yaml.safe_load(WORKFLOW.read_text())
    for job in doc["jobs"].values():
        yield from job["steps"]


def test_no_expression_inside_a_run_script():
    """No `${{ }}` expression is pasted into a shell script: values reach scripts through env."""
    bad = [s.get("name", s.get("run", "")[:40]) for s in _steps() if "${{" in s.get("run", "")]
    assert not bad, f"steps with ${{{{ }}}} inside run: {bad}"


def test_grading_never_checks_out_or_runs_the_submission():
    """The grading job checks out the trusted base commit, without credentials, and restores (never
    saves) the verdict cache."""
    doc = yaml.safe_load(WORKFLOW.read_text())
    triggers = doc.get("on", doc.get(True))   # YAML 1.1 reads the key `on` as true
    assert "pull_request_target" in triggers and "pull_request" not in triggers
    grade = doc["jobs"]["grade"]["steps"]
    checkout = [s for s in grade if s.get("uses", "").startswith("actions/checkout@")]
    assert len(checkout) == 1
    assert checkout[0]["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert checkout[0]["with"]["persist-credentials"] is False
    uses = [s.get("uses", "") for s in grade]
    assert any(u.startswith("actions/cache/restore@") for u in uses)
    assert not any(u.startswith(("actions/cache@", "actions/cache/save@")) for u in uses)
    assert all("head" not in str(s.get("with", {}).get("ref", "")) for s in grade)


def test_actions_are_pinned_to_commits():
    """Every action is pinned to a full commit hash, not a movable tag."""
    for s in _steps():
        if "uses" in s:
            ref = s["uses"].split("@", 1)[1]
            assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), s["uses"]


def test_workflow_matches_the_github_schema():
    """check-jsonschema validates the file against GitHub's workflow schema (vendored, offline)."""
    exe = shutil.which("check-jsonschema")
    if exe is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    res = subprocess.run([exe, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_zizmor_finds_no_security_problem():
    """zizmor (static analysis for GitHub Actions, offline) reports no finding."""
    exe = shutil.which("zizmor")
    if exe is None:
        pytest.skip("zizmor is not installed (pip install -e '.[test]')")
    res = subprocess.run([exe, "--offline", "--no-progress", str(WORKFLOW)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def _read_step() -> str:
    (step,) = [s for s in _steps() if s.get("name", "").startswith("Read the submitted answers")]
    return step["run"]


def test_hostile_submission_paths_are_ignored_and_never_run(tmp_path):
    """A path that smuggles shell syntax, a folder escape or another file is ignored; a plain
    submissions/<student>/answers.txt is copied as bytes, capped in size."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    canary = tmp_path / "pwned"
    hostile = [
        "submissions/$(touch${IFS}" + str(canary) + ")/answers.txt",
        "submissions/`touch " + str(canary) + "`/answers.txt",
        "submissions/../../etc/answers.txt",
        "submissions/..hidden/answers.txt",
        "submissions/alice/answers.txt;touch " + str(canary),
        "submissions/alice/conftest.py",
        "claims/q01_latent.py",
        "submissions/bob/answers.txt",
        "submissions/carol/answers.txt",
    ]
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(hostile) + "\n")
    fake = tmp_path / "bin" / "gh"
    fake.parent.mkdir()
    # a stand-in for the GitHub CLI: the file list for the pulls API, the bytes for the contents API
    fake.write_text('#!/bin/sh\ncase "$*" in\n  *pulls*) cat "$LISTING" ;;\n'
                    '  *carol*) head -c 5000000 /dev/zero ;;\n'
                    '  *contents*) printf \'$(touch %s) "quotes" \\\\n\' "$CANARY" ;;\n'
                    'esac\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    dest = tmp_path / "submissions"
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}", "LISTING": str(listing),
           "CANARY": str(canary), "GH_TOKEN": "x", "REPO": "course/repo", "PR": "1", "HEAD_SHA": "abc",
           "DEST": str(dest)}
    res = subprocess.run([bash, "-c", _read_step()], env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert not canary.exists()
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == ["bob/answers.txt"]
    assert (dest / "bob" / "answers.txt").read_bytes().startswith(b"$(touch")
    assert "carol is larger than 4 MiB: not graded" in res.stdout
