"""Determinism: the same claims in two fresh processes give bitwise-identical statistics."""

import json
import os
import subprocess
import sys

import pytest

# Representative: Hypothesis fuzzing, exact autograd, float64 closed forms, and three trained
# seed ensembles (MLP on digits, a 1-D regression net, a tiny attention model).
CLAIMS = [
    "q05.backward.nonscalar_needs_gradient",
    "q08d.softmax.rows_sum_to_one",
    "q09.3.lt.gradients_identical",
    "q04.momentum.uniform_slower_stationary",
    "q02a.friend.uat_gives_test_error",
    "q08c.trained.spread_when_two_words_needed",
]
FIELDS = ("outcome", "statistic", "pvalue", "effect", "ci", "difference", "seeds", "evidence", "environment")


def _run(tmp_path, name):
    env = {**os.environ, "VERIFY_CACHE_DIR": str(tmp_path / name)}
    r = subprocess.run([sys.executable, "-m", "verify", "check", *CLAIMS, "--json", "--no-cache"],
                       capture_output=True, text=True, env=env)
    assert r.returncode in (0, 1), r.stderr
    return {v["claim"]: {k: v[k] for k in FIELDS} for v in json.loads(r.stdout)["verdicts"]}


@pytest.mark.slow
def test_two_fresh_processes_give_identical_numbers(tmp_path):
    """Every statistic, p-value, seed and evidence table is bitwise equal across two processes."""
    first, second = _run(tmp_path, "a"), _run(tmp_path, "b")
    assert set(first) == set(CLAIMS)
    for claim in CLAIMS:
        assert first[claim] == second[claim], claim
    assert all(v["environment"]["threads"] == 1 and v["environment"]["deterministic"] for v in first.values())
