"""verify.parallel: the same verdicts from worker processes as from one process, and the CLI's --jobs."""

import json

import pytest

from verify import parallel
from verify.bank import claims_dir, select
from verify.cli import main

# two trained (statistical) claims from different modules, plus exact ones: ~3 s of work
IDS = ["q04.momentum.uniform_slower_stationary", "q08c.trained.spread_when_two_words_needed", "q05", "q07.1"]


def _strip(v) -> dict:
    d = v.to_json()
    for k in ("seconds", "cached"):
        d.pop(k, None)
    return d


def test_workers_give_bitwise_the_verdicts_of_one_process(monkeypatch):
    """Modules spread over a worker process and this one give exactly the sequential verdicts,
    in the claims' order, with progress reported once per claim; timings are kept for ordering."""
    claims = select(IDS)
    one = parallel.evaluate_all(claims, claims_dir(), jobs=1, use_cache=False)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_SECONDS", 0.0)
    seen = []
    two = parallel.evaluate_all(claims, claims_dir(), jobs=2, use_cache=False,
                                progress=lambda c, v: seen.append((c.id, v is not None)))
    assert [v.claim for v in two] == [c.id for c in claims]
    assert [_strip(v) for v in two] == [_strip(v) for v in one]
    assert sorted(cid for cid, finished in seen if finished) == sorted(c.id for c in claims)
    timings = json.loads(parallel._timings_path().read_text())
    assert set(timings) >= {c.id for c in claims}


def test_cached_verdicts_are_not_recomputed(monkeypatch):
    """A warm cache answers in this process: nothing is handed to workers."""
    claims = select(["q07.1"])
    parallel.evaluate_all(claims, claims_dir(), jobs=1)
    monkeypatch.setattr(parallel, "_in_workers", lambda *a, **k: pytest.fail("workers started"))
    monkeypatch.setattr(parallel, "MIN_PARALLEL_SECONDS", 0.0)
    assert all(v.cached for v in parallel.evaluate_all(claims, claims_dir(), jobs=2))


def test_small_runs_stay_in_one_process(monkeypatch):
    """Below MIN_PARALLEL_SECONDS of estimated work no worker is started."""
    monkeypatch.setattr(parallel, "_in_workers", lambda *a, **k: pytest.fail("workers started"))
    vs = parallel.evaluate_all(select(["q05.alt", "q07.1.alt"]), claims_dir(), jobs=4, use_cache=False)
    assert all(v.as_expected for v in vs)


@pytest.mark.parametrize("bad", ["0", "-1", "two", "1.5"])
def test_jobs_option_rejects_bad_values(bad, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "q07.1", "--jobs", bad])
    assert exc.value.code == 2
    assert "positive integer or 'auto'" in capsys.readouterr().err


def test_check_with_jobs_runs_and_reports(capsys, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_SECONDS", 0.0)
    assert main(["check", "q05", "q07.1", "--jobs", "2", "--no-cache"]) == 0
    captured = capsys.readouterr()
    assert "as expected" in captured.out
    n = len(select(["q05", "q07.1"]))
    assert captured.err.count(f"/{n}] ") >= n   # one finished line per claim
