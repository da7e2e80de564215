"""The run loop: every command that needs verdicts (check, falsify, grade, stability, the pytest
plugin) gets them from :func:`run`.

``run`` reads the verdict cache first and evaluates only the misses.  The misses run in
pytest-xdist workers (execnet; no scheduler of verify's own): ``pytest.main`` in this process with
``-n N --dist loadfile`` over the claim modules that hold them, so each module stays on one worker
and an experiment its claims share trains once; the plugin orders modules heaviest first.  Each
worker evaluates its claims under hard limits (:mod:`verify.worker`) and sends every verdict back
in its test report, where this process picks it up for progress and the result.  Without
pytest-xdist installed, claims run here, one after another, under the runner's own time limit.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TextIO

from .claim import Claim
from .errors import HarnessBug
from .verdict import Verdict

__all__ = ["Run", "run", "evaluate_one", "verdict_line", "progress_printer", "default_jobs", "finite",
           "REQUEST_FILE", "VERDICT_PROPERTY"]

OnVerdict = Callable[[Verdict, int, int], None]

REQUEST_FILE = "request.json"      # in the run folder: the claim ids the workers are to run
VERDICT_PROPERTY = "verify_verdict"  # the test report's user property carrying a verdict as JSON


@dataclass(frozen=True)
class Run:
    """The verdicts of one run, in the order the claims were asked for."""

    verdicts: dict[str, Verdict]
    seconds: float
    falsified: bool = False
    master_seed: int = 0
    jobs: int = 1
    evaluated: tuple[str, ...] = field(default=())   # the ids that were not cache hits

    def __getitem__(self, claim_id: str) -> Verdict:
        return self.verdicts[claim_id]

    def __iter__(self):
        return iter(self.verdicts.values())

    def __len__(self) -> int:
        return len(self.verdicts)

    @property
    def harness_errors(self) -> list[Verdict]:
        """Verdicts of claims that crashed, timed out or raised: a bug, not a refutation."""
        return [v for v in self.verdicts.values() if v.error]

    @property
    def all_as_expected(self) -> bool:
        return all(v.as_expected for v in self.verdicts.values())

    @property
    def exit_code(self) -> int:
        """SPEC: 3 when any verdict is a harness error, else 0 all as expected, 1 otherwise."""
        return 3 if self.harness_errors else (0 if self.all_as_expected else 1)

    def to_json(self) -> dict[str, Any]:
        return finite({"falsified": self.falsified, "master_seed": self.master_seed, "jobs": self.jobs,
                       "wall_seconds": round(self.seconds, 3), "all_as_expected": self.all_as_expected,
                       "harness_errors": [v.claim for v in self.harness_errors],
                       "verdicts": [v.to_json() for v in self.verdicts.values()]})


def finite(value: Any) -> Any:
    """``value`` with every infinite or NaN float replaced by None: JSON has no Infinity."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def verdict_line(v: Verdict) -> str:
    """One verdict on one line: mark, outcome, claim, time, numbers (every report uses this)."""
    mark = "ok  " if v.as_expected else ("ERR " if v.error else "FAIL")
    outcome = "HARNESS-ERROR" if v.error else v.outcome.value
    cached = " cached" if v.cached else ""
    return f"{mark} {outcome:<14} {v.claim:<58} {v.seconds:7.2f}s{cached}  {v.summary()}".rstrip()


def progress_printer(stream: TextIO | None = None) -> OnVerdict:
    """An ``on_verdict`` callback writing ``[done/total] <verdict line>`` per finished claim."""

    def on_verdict(v: Verdict, done: int, total: int) -> None:
        out = stream or sys.stderr
        out.write(f"[{done}/{total}] {verdict_line(v)}\n")
        out.flush()

    return on_verdict


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def evaluate_one(claim: Claim, *, falsified: bool = False, master_seed: int = 0, cache: bool = True) -> Verdict:
    """One claim in this process: cache look-up, evaluation (SystemExit contained), cache store."""
    from . import cache as verdict_cache
    from .worker import evaluate_contained

    if cache:
        hit = verdict_cache.lookup(claim, falsified=falsified, master_seed=master_seed)
        if hit is not None:
            return hit
    verdict = evaluate_contained(claim, falsified=falsified, master_seed=master_seed)
    if cache:
        verdict_cache.store(claim, verdict)
    return verdict


def run(claims: Iterable[Claim], *, master_seed: int = 0, falsified: bool = False, cache: bool = True,
        jobs: int | None = None, on_verdict: OnVerdict | None = None) -> Run:
    """Verdicts for ``claims``: cached ones looked up, the rest evaluated on ``jobs`` worker
    processes (default: every core).  ``on_verdict(verdict, done, total)`` is called once per claim
    as its verdict arrives (cache hits first).  Never raises because a claim failed, hung or crashed:
    that claim's verdict carries the error."""
    start = time.perf_counter()
    wanted = list({c.id: c for c in claims}.values())
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    got: dict[str, Verdict] = {}

    def arrived(v: Verdict) -> None:
        got[v.claim] = v
        if on_verdict is not None:
            on_verdict(v, len(got), len(wanted))

    misses = wanted
    if cache:
        from . import cache as verdict_cache

        misses = []
        for c in wanted:
            hit = verdict_cache.lookup(c, falsified=falsified, master_seed=master_seed)
            if hit is None:
                misses.append(c)
            else:
                arrived(hit)
    # Workers collect claim modules (qNN_*.py); a claim declared anywhere else (a library test's toy
    # claim), or any claim where pytest-xdist is not installed, runs here under the runner's limit.
    on_workers = [c for c in misses if _has_xdist() and _module_file(c) is not None]
    if on_workers:
        _run_on_workers(on_workers, jobs=jobs, falsified=falsified, master_seed=master_seed, cache=cache,
                        arrived=arrived)
    for c in misses:
        if c.id not in got:
            arrived(evaluate_one(c, falsified=falsified, master_seed=master_seed, cache=cache))
    return Run(verdicts={c.id: got[c.id] for c in wanted}, seconds=time.perf_counter() - start,
               falsified=falsified, master_seed=master_seed, jobs=jobs, evaluated=tuple(c.id for c in misses))


def _has_xdist() -> bool:
    import importlib.util

    return importlib.util.find_spec("xdist") is not None


def _module_file(claim: Claim) -> Path | None:
    """The claim module declaring ``claim``, or None for a claim declared outside one."""
    from .bank import is_claim_module

    path = getattr(sys.modules.get(claim.module), "__file__", None)
    return Path(path).resolve() if path and is_claim_module(Path(path)) else None


class _Collector:
    """Controller-side plugin: picks each verdict out of the workers' test reports."""

    def __init__(self, claims: Sequence[Claim], arrived: Callable[[Verdict], None]):
        self.ids = {c.id for c in claims}
        self.arrived = arrived
        self.seen: set[str] = set()

    def pytest_runtest_logreport(self, report) -> None:
        for name, value in getattr(report, "user_properties", ()):
            if name == VERDICT_PROPERTY:
                v = Verdict.from_json(json.loads(value))
                if v.claim in self.ids and v.claim not in self.seen:
                    self.seen.add(v.claim)
                    self.arrived(v)


def _plugin_args() -> list[str]:
    """``-p verify.plugin`` unless pytest already loads it through its entry point (twice would clash)."""
    from importlib.metadata import entry_points

    if any(ep.value == "verify.plugin" for ep in entry_points(group="pytest11")):
        return []
    return ["-p", "verify.plugin"]


@contextlib.contextmanager
def _without_env(name: str):
    saved = os.environ.pop(name, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[name] = saved


def _started(run_dir: Path, claim: Claim) -> bool:
    from .worker import _marker

    return _marker(run_dir, claim, "started").exists()


def _pytest_pass(claims: list[Claim], run_dir: Path, *, jobs: int, falsified: bool, master_seed: int, cache: bool,
                 collector) -> tuple[int, str]:
    """One ``pytest -n N --dist loadfile`` over the modules of ``claims``, asking for those ids only."""
    import pytest

    files = list(dict.fromkeys(_module_file(c) for c in claims))
    workers = min(jobs, len(files))
    (run_dir / REQUEST_FILE).write_text(json.dumps([c.id for c in claims]), encoding="utf-8")
    args = [*map(str, files), "-n", str(workers), "--dist", "loadfile",
            # Each claim can end its worker at most once (a crashed claim is not rerun).
            "--max-worker-restart", str(len(claims) + workers),
            "--verify-run-dir", str(run_dir), "--master-seed", str(master_seed),
            "--rootdir", str(files[0].parent), "-c", os.devnull, "--noconftest",
            "-p", "no:cacheprovider", "-q", *_plugin_args()]
    if falsified:
        args.append("--falsify")
    if not cache:
        args.append("--no-verify-cache")
    log = io.StringIO()
    # pytest's own report would interleave with (or corrupt) the command's output: it is kept
    # aside and shown only if pytest itself failed.  The user's PYTEST_ADDOPTS (-x, --lf, ...)
    # is for their test runs, not for this one: -x would leave claims unrun.
    with contextlib.redirect_stdout(log), _without_env("PYTEST_ADDOPTS"):
        code = pytest.main(args, plugins=[collector])
    if int(code) == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    return int(code), log.getvalue()


def _run_on_workers(claims: list[Claim], *, jobs: int, falsified: bool, master_seed: int, cache: bool,
                    arrived: Callable[[Verdict], None]) -> None:
    from .worker import dead_verdict, memory_limit_mb

    memory_limit_mb()  # a bad VERIFY_MEMORY_LIMIT_MB is bad input here, not a crash in every worker
    collector = _Collector(claims, arrived)
    with tempfile.TemporaryDirectory(prefix="verify-run-") as tmp:
        run_dir = Path(tmp)
        pending = list(claims)
        # Two passes at most: after a worker crash, xdist 3.x sometimes ends the run without handing
        # the rest of the crashed module to a fresh worker (seen under load).  Claims no worker
        # started get one more run in fresh workers; a claim that started and died is never rerun.
        for _ in range(2):
            code, log = _pytest_pass(pending, run_dir, jobs=jobs, falsified=falsified, master_seed=master_seed,
                                     cache=cache, collector=collector)
            missing = [c for c in pending if c.id not in collector.seen]
            if int(code) not in (0, 1) and len(missing) == len(claims):
                raise HarnessBug(f"the worker run failed (pytest exit {int(code)}) before any claim ran; "
                                 f"pytest said:\n{log[-3000:]}")
            pending = [c for c in missing if not _started(run_dir, c)]
            if not pending:
                break
        for c in [c for c in claims if c.id not in collector.seen]:  # a worker died on it, or it never ran
            arrived(dead_verdict(run_dir, c, falsified=falsified, master_seed=master_seed))
