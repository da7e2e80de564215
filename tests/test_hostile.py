"""Hostile input through the command line: every case exits with its documented code and one clear
message, and no case prints a traceback or writes where it must not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLAIM = "q05.alt.one_element_matrix_raises"   # an exact claim: milliseconds


def verify(*args, env=None, cwd=ROOT, timeout=120):
    full_env = {**os.environ, **(env or {})}
    res = subprocess.run([sys.executable, "-m", "verify", *args], cwd=cwd, env=full_env, capture_output=True,
                         text=True, timeout=timeout)
    assert "Traceback" not in res.stdout + res.stderr, res.stderr[-2000:]
    return res


@pytest.fixture
def seed_copy(tmp_path):
    """The seed key and document, copied (so a wrong write would hit the copy)."""
    for name in ("key.toml", "answers.txt"):
        shutil.copy(ROOT / "fixtures" / "seed" / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1e9"])
def test_bad_thread_count_is_exit_2(value):
    """VERIFY_THREADS that is not a whole number from 1 to 256 is bad input, named in one line."""
    res = verify("check", CLAIM, "--no-cache", env={"VERIFY_THREADS": value})
    assert res.returncode == 2 and "VERIFY_THREADS" in res.stderr and res.stderr.count("\n") == 1


@pytest.mark.parametrize("value", ["-1", "lots"])
def test_bad_memory_limit_is_exit_2(value):
    """VERIFY_MEMORY_LIMIT_MB that is not a whole number >= 0 is bad input, named in one line."""
    res = verify("check", CLAIM, "--no-cache", env={"VERIFY_MEMORY_LIMIT_MB": value})
    assert res.returncode == 2 and "VERIFY_MEMORY_LIMIT_MB" in res.stderr


@pytest.mark.parametrize("n", ["0", "-3", "many"])
def test_stability_needs_a_positive_number_of_master_seeds(n):
    """--master-seeds 0, negative or not a number is a usage error (exit 2) naming the option."""
    res = verify("stability", CLAIM, "--master-seeds", n)
    assert res.returncode == 2 and "--master-seeds" in res.stderr


def test_missing_claims_folder_never_falls_back(tmp_path):
    """--claims naming a folder that does not exist is bad input; ./claims is not imported instead."""
    res = verify("check", "--claims", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert res.returncode == 2 and "no such folder" in res.stderr


def test_broken_claim_module_is_named(tmp_path):
    """A claim module that fails to import is reported by name with exit 2."""
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "q99_broken.py").write_text("raise RuntimeError('boom')\n")
    res = verify("list", "--claims", str(tmp_path / "claims"))
    assert res.returncode == 2 and "q99_broken" in res.stderr


def test_deeply_nested_toml_is_bad_input(tmp_path):
    """A key nested 100,000 arrays deep is refused with one message, for grade and coverage."""
    key = tmp_path / "key.toml"
    key.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    for command in ("grade", "coverage"):
        res = verify(command, str(key))
        assert res.returncode == 2 and "nested too deeply" in res.stderr


def test_huge_points_are_bad_input(seed_copy):
    """points = 1e308 on a part is refused (no infinite totals)."""
    text = (seed_copy / "key.toml").read_text()
    text = text.replace("[[part]]\n", "[[part]]\npoints = 1e308\n", 1)
    (seed_copy / "key.toml").write_text(text)
    res = verify("grade", str(seed_copy / "key.toml"), "-q")
    assert res.returncode == 2 and "points" in res.stderr


@pytest.mark.parametrize("target", ["key.toml", "answers.txt", "/dev/null", "folder", "link.md",
                                    "missing/r.md", "n" * 300 + ".md"])
def test_output_that_cannot_be_written_safely_is_refused_before_grading(seed_copy, target):
    """--output onto the key, the document, a device, a folder, a symlink, into a missing folder or with a
    name too long for the file system: exit 2 naming --output, and both inputs untouched."""
    (seed_copy / "folder").mkdir()
    (seed_copy / "elsewhere.md").write_text("x")
    (seed_copy / "link.md").symlink_to(seed_copy / "elsewhere.md")
    before = {p: p.read_bytes() for p in (seed_copy / "key.toml", seed_copy / "answers.txt")}
    out = target if target.startswith("/") else str(seed_copy / target)
    res = verify("grade", str(seed_copy / "key.toml"), "--output", out, "-q", "--jobs", "1")
    assert res.returncode == 2 and "--output" in res.stderr and res.stderr.count("\n") == 1, res.stderr
    assert {p: p.read_bytes() for p in before} == before
    assert (seed_copy / "elsewhere.md").read_text() == "x"


def test_draft_never_overwrites_its_document(seed_copy):
    """verify draft --output pointing at the answer document is refused; the document is untouched."""
    doc = seed_copy / "answers.txt"
    before = doc.read_bytes()
    res = verify("draft", str(doc), "--output", str(doc))
    assert res.returncode == 2 and "input" in res.stderr
    assert doc.read_bytes() == before
