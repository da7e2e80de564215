"""Evaluate many claims, in worker processes when there are cores to spare.

The unit of work handed to a worker is a claim *module*: claims of one module share experiments
through the in-process memo (:func:`verify.runner.shared`), so splitting a module across workers
would train its models twice.  Modules go out longest first (from the seconds each claim took last
time, kept beside the verdict cache; a module never timed counts its statistical claims), and a
worker takes the next module when it finishes one.  Each worker runs one pinned thread, so a
verdict is bitwise the one a single process computes; workers write the verdict cache with
atomic renames, so they cannot corrupt it.

This process takes modules from the queue too.  The other workers start with the ``spawn``
method: they import torch themselves (~2-4 s, while this process already works) rather than
inherit a forked copy of a process whose thread pools may already be running.
"""

from __future__ import annotations

import json
import os
import queue as queue_mod
from collections import defaultdict
from pathlib import Path
from typing import Callable, Sequence

from .claim import Claim

__all__ = ["auto_jobs", "evaluate_all"]

Progress = Callable[[Claim, object], None]   # (claim, None) when it starts, (claim, verdict) when done


def auto_jobs() -> int:
    """Worker processes that fit the machine: usable cores / threads per worker."""
    from .seeding import thread_count

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:                       # not Linux
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, thread_count()))


# Below this much estimated work a second process costs more than it saves: a worker needs
# ~2-4 s to import torch and set up before it takes its first module (measured on 2 cores).
MIN_PARALLEL_SECONDS = 10.0


def _cost(claim: Claim, timings: dict[str, float]) -> float:
    """Seconds the claim took last time; never timed: 1 s if it is statistical (it trains), else 0.05 s."""
    return timings.get(claim.id, 1.0 if claim.statistical else 0.05)


def _timings_path() -> Path:
    from .cache import cache_dir

    return cache_dir() / "timings.json"


def _load_timings() -> dict[str, float]:
    try:
        data = json.loads(_timings_path().read_text())
        return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError, TypeError):
        return {}


def _save_timings(verdicts) -> None:
    """Remember each computed claim's seconds (for ordering the next run; best effort)."""
    timings = _load_timings()
    timings.update({v.claim: round(v.seconds, 3) for v in verdicts if not v.cached})
    path = _timings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(timings, sort_keys=True))
        os.replace(tmp, path)
    except OSError:
        pass


def _sequential(claims, *, falsified, master_seed, use_cache, progress):
    from .cache import cached_evaluate

    out = []
    for c in claims:
        if progress:
            progress(c, None)
        v = cached_evaluate(c, falsified=falsified, master_seed=master_seed, use_cache=use_cache)
        out.append(v)
        if progress:
            progress(c, v)
    return out


def _evaluate_module(task, results) -> None:
    """Evaluate one module's claims, posting ("start" | "done", claim id, verdict json) per claim."""
    from .bank import select
    from .cache import cached_evaluate

    claims_dir, ids, falsified, master_seed, use_cache = task
    for c in select(ids, claims_dir):
        results.put(("start", c.id, None))
        v = cached_evaluate(c, falsified=falsified, master_seed=master_seed, use_cache=use_cache)
        results.put(("done", c.id, v.to_json()))


def _worker(tasks, results) -> None:
    """A worker process: take module tasks until the sentinel (None)."""
    while (task := tasks.get()) is not None:
        _evaluate_module(task, results)


def evaluate_all(claims: Sequence[Claim], claims_dir: str | os.PathLike, *, falsified: bool = False,
                 master_seed: int = 0, use_cache: bool = True, jobs: int = 1,
                 progress: Progress | None = None) -> list:
    """Verdicts for ``claims`` (in their order), computed in up to ``jobs`` worker processes.

    Cached verdicts are read here; only modules with claims left to compute go to workers, and
    with one such module (or ``jobs`` <= 1) everything runs in this process.
    """
    from .cache import lookup
    from .verdict import Verdict

    claims = list(claims)
    done: dict[str, object] = {}
    if use_cache:
        for c in claims:
            v = lookup(c, falsified=falsified, master_seed=master_seed)
            if v is not None:
                done[c.id] = v
    todo = [c for c in claims if c.id not in done]
    groups: dict[str, list[Claim]] = defaultdict(list)
    for c in todo:
        groups[c.module].append(c)
    timings = _load_timings()
    if jobs <= 1 or len(groups) <= 1 or sum(_cost(c, timings) for c in todo) < MIN_PARALLEL_SECONDS:
        computed = _sequential(todo, falsified=falsified, master_seed=master_seed, use_cache=use_cache,
                               progress=progress)
        done.update((c.id, v) for c, v in zip(todo, computed))
    else:
        if progress:
            for c in claims:
                if c.id in done:
                    progress(c, done[c.id])
        done.update(_in_workers(groups, claims_dir, falsified=falsified, master_seed=master_seed,
                                use_cache=use_cache, jobs=jobs, progress=progress, timings=timings))
    verdicts = [done[c.id] for c in claims]
    _save_timings(verdicts)
    return verdicts


def _in_workers(groups: dict[str, list[Claim]], claims_dir, *, falsified, master_seed, use_cache, jobs,
                progress, timings: dict[str, float]) -> dict[str, object]:
    """This process plus ``jobs - 1`` workers take modules from one queue, longest first.

    This process evaluates too (in its main thread, where the per-claim time limit's SIGALRM
    works), so a small run never waits for a worker to start; a listener thread reports every
    verdict as it arrives, from whichever process decided it.
    """
    import multiprocessing as mp
    import threading

    from .verdict import Verdict

    order = sorted(groups, key=lambda m: sum(_cost(c, timings) for c in groups[m]), reverse=True)
    by_id = {c.id: c for cs in groups.values() for c in cs}
    ctx = mp.get_context("spawn")
    tasks, results = ctx.Queue(), ctx.Queue()
    for m in order:
        tasks.put((str(claims_dir), [c.id for c in groups[m]], falsified, master_seed, use_cache))
    n_workers = min(jobs, len(order)) - 1
    for _ in range(n_workers + 1):   # one sentinel per worker and one for this process
        tasks.put(None)
    workers = [ctx.Process(target=_worker, args=(tasks, results), daemon=True, name=f"verify-worker-{i}")
               for i in range(n_workers)]
    for w in workers:
        w.start()
    out: dict[str, object] = {}
    failure: list[str] = []
    local_done = threading.Event()

    def listen() -> None:
        while len(out) < len(by_id):
            try:
                kind, cid, payload = results.get(timeout=0.2)
            except queue_mod.Empty:
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead or (local_done.is_set() and not any(w.is_alive() for w in workers)
                            and results.empty()):
                    missing = sorted(set(by_id) - set(out))
                    failure.append(f"worker {dead[0].name} exited with code {dead[0].exitcode}" if dead
                                   else "all workers stopped", )
                    failure.append(f"claims without a verdict: {', '.join(missing[:5])}"
                                   + (" ..." if len(missing) > 5 else ""))
                    return
                continue
            if kind == "start":
                if progress:
                    progress(by_id[cid], None)
                continue
            v = Verdict.from_json(payload)
            out[cid] = v
            if progress:
                progress(by_id[cid], v)

    listener = threading.Thread(target=listen, name="verify-progress", daemon=True)
    listener.start()
    try:
        while (task := tasks.get()) is not None:
            _evaluate_module(task, results)
    finally:
        local_done.set()
    listener.join()
    for w in workers:   # finished ones exit on their sentinel; one still starting up is not needed
        w.join(timeout=0.5)
        if w.is_alive():
            w.terminate()
    if failure:
        raise RuntimeError("a verify worker process failed: " + "; ".join(failure))
    return out
