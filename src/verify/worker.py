"""What runs inside a worker process: one claim at a time under hard limits.

A session run (:func:`verify.session.run`) hands claims to pytest-xdist workers.  In a worker each
claim runs under a watchdog (:func:`watchdog`) that ends the whole process when the claim has used
more CPU time than its declared limit (or, for a claim that blocks without using CPU, many times
that in wall time), and under an address-space limit (``VERIFY_MEMORY_LIMIT_MB``).  Ending the
process is the only stop that works for every hang: a long C call, a claim that swallows
``Exception`` in a loop, a deadlock.  xdist then reports the crash and starts a fresh
worker, which runs the rest of the module.  The run folder the controller shares with its workers
records which claim was running, so the crashed claim becomes a harness-error verdict instead of
being run again.

CPU time rather than wall time: a claim's CPU time is the same whether the machine is idle or
loaded, so a limit on it never turns a verdict into a timeout because of other people's work.
"""

from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .claim import Claim
from .verdict import INCONCLUSIVE, Verdict

__all__ = ["evaluate_contained", "evaluate_in_worker", "harness_error", "limit_memory", "memory_limit_mb",
           "WALL_FACTOR"]

# A claim that blocks (sleep, a lock, I/O) uses no CPU time; it is stopped after this many times its
# limit in wall time.  No honest claim waits that long: on the 2-core machines, even 8 engineers'
# work stretched a claim's wall time by at most ~4x its CPU time.
WALL_FACTOR = 6.0
_POLL_S = 0.2          # watchdog period: the overshoot past a limit is at most this much
_TIMEOUT_EXIT = 70     # the exit status of a worker its watchdog ended (EX_SOFTWARE)
_KERNEL_GRACE_S = 2.0  # the kernel's CPU limit comes this long after the watchdog thread's
DEFAULT_MEMORY_LIMIT_MB = 8192   # address space per worker; on the whole bank workers peaked at 2.8 GB (2.0 GB resident)


def harness_error(claim: Claim, *, falsified: bool, master_seed: int, message: str,
                  seconds: float = 0.0, reason: str = "") -> Verdict:
    """A verdict for a claim that produced none: its own outcome in reports, never a refutation."""
    return Verdict(claim=claim.id, outcome=INCONCLUSIVE, expected=claim.expected,
                   rule=claim.rule, reason=reason or message, master_seed=master_seed,
                   falsified=falsified, falsifier=claim.falsifier.name if falsified else "",
                   error=message, seconds=round(seconds, 4))


def evaluate_contained(claim: Claim, *, falsified: bool, master_seed: int,
                       timeout: float | None = None) -> Verdict:
    """``runner.evaluate`` that also contains SystemExit and other BaseExceptions raised by a claim
    (the runner contains ``Exception``); Ctrl-C still stops the run."""
    from .runner import evaluate

    start = time.perf_counter()
    try:
        return evaluate(claim, falsified=falsified, master_seed=master_seed, timeout=timeout)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit, GeneratorExit from claim code
        name = type(exc).__name__
        return harness_error(claim, falsified=falsified, master_seed=master_seed,
                             message=f"harness error: crashed: the claim raised {name}({exc})",
                             seconds=time.perf_counter() - start)


def _marker(run_dir: Path, claim: Claim, suffix: str) -> Path:
    return run_dir / f"{claim.id}.{suffix}"


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def dead_verdict(run_dir: Path, claim: Claim, *, falsified: bool, master_seed: int) -> Verdict:
    """The verdict of a claim whose worker died: the watchdog's timeout record, else a crash (or,
    for a claim no worker started, that it never ran)."""
    try:
        return Verdict.from_json(json.loads(_marker(run_dir, claim, "timeout").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for record, what in (("xcpu", f"used more than its limit of {claim.timeout:g} s of CPU time inside a "
                                  "call that never let the watchdog run (a long C call)"),
                         ("wall", f"ran {WALL_FACTOR:g}x its CPU limit of {claim.timeout:g} s in wall time "
                                  "without finishing (blocked, or starved of CPU by a loaded machine)")):
        if _nonempty(_marker(run_dir, claim, record)):
            return harness_error(claim, falsified=falsified, master_seed=master_seed,
                                 message=f"harness error: timeout: the claim {what}; its worker was stopped",
                                 reason=f"timeout: {what}")
    if not _marker(run_dir, claim, "started").exists():
        return harness_error(claim, falsified=falsified, master_seed=master_seed,
                             message="harness error: not run: the worker run ended before this claim "
                                     "started (see the errors of the claims before it)")
    return harness_error(claim, falsified=falsified, master_seed=master_seed,
                             message="harness error: crashed: the worker process running this claim died "
                                     "(os._exit, a signal, or out of memory); the rest of its module went on")


def evaluate_in_worker(claim: Claim, *, falsified: bool, master_seed: int, cache: bool,
                       run_dir: Path) -> Verdict:
    """Cache look-up, then the claim under the watchdog; a claim that already killed a worker of
    this run is not run again (xdist hands the crashed module to a fresh worker)."""
    from . import cache as verdict_cache
    from .seeding import pin_threads

    if cache:
        hit = verdict_cache.lookup(claim, falsified=falsified, master_seed=master_seed)
        if hit is not None:
            return hit
    started = _marker(run_dir, claim, "started")
    if started.exists():
        return dead_verdict(run_dir, claim, falsified=falsified, master_seed=master_seed)
    started.touch()
    pin_threads()  # imports torch: the harness's start-up, not the claim's CPU time
    with watchdog(claim, falsified=falsified, master_seed=master_seed, run_dir=run_dir):
        # The watchdog is the limit; the runner's wall-clock alarm (timeout=0: off) would make
        # verdicts depend on the machine's load.
        verdict = evaluate_contained(claim, falsified=falsified, master_seed=master_seed, timeout=0)
    if cache:
        verdict_cache.store(claim, verdict)
    return verdict


@contextmanager
def watchdog(claim: Claim, *, falsified: bool, master_seed: int, run_dir: Path) -> Iterator[None]:
    """End this process if the claim inside uses more than ``claim.timeout`` s of CPU time (or
    ``WALL_FACTOR`` times that in wall time).

    Three stops, because a Python thread cannot run while a long C call holds the GIL: a watchdog
    thread (exact CPU seconds, writes the timeout verdict); the kernel's CPU limit ``RLIMIT_CPU``
    a little later, whose SIGXCPU faulthandler records and lets end the process; faulthandler's
    wall-clock timer, which runs in C and ends a claim that blocks.  ``dead_verdict`` reads the
    records they leave in ``run_dir``."""
    limit = float(claim.timeout)
    done = threading.Event()
    cpu0, wall0 = time.process_time(), time.perf_counter()

    def watch() -> None:
        while not done.wait(_POLL_S):
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            if cpu <= limit:
                continue
            what = f"used {cpu:.1f} s of CPU time, over its limit of {limit:g} s"
            v = harness_error(claim, falsified=falsified, master_seed=master_seed, seconds=wall,
                              message=f"harness error: timeout: the claim {what}; its worker was stopped",
                              reason=f"timeout: {what}")
            tmp = _marker(run_dir, claim, "timeout.tmp")
            tmp.write_text(json.dumps(v.to_json()), encoding="utf-8")
            os.replace(tmp, _marker(run_dir, claim, "timeout"))
            os._exit(_TIMEOUT_EXIT)

    thread = threading.Thread(target=watch, name=f"verify-watchdog-{claim.id}", daemon=True)
    with _kernel_stops(claim, limit, run_dir):
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()


@contextmanager
def _kernel_stops(claim: Claim, limit: float, run_dir: Path) -> Iterator[None]:
    import faulthandler
    import math
    import signal

    try:
        import resource
    except ImportError:  # Windows: the watchdog thread alone
        resource = None
    with open(_marker(run_dir, claim, "wall"), "w") as wall, open(_marker(run_dir, claim, "xcpu"), "w") as xcpu:
        faulthandler.dump_traceback_later(WALL_FACTOR * limit, exit=True, file=wall)
        cpu_limit = None
        if resource is not None and hasattr(signal, "SIGXCPU"):
            cpu_limit = resource.getrlimit(resource.RLIMIT_CPU)
            # SIGXCPU: faulthandler writes where the claim was, then chains to the default action,
            # which ends the process.  Only the soft limit moves; it is put back afterwards.
            faulthandler.register(signal.SIGXCPU, file=xcpu, all_threads=True, chain=True)
            soft = math.ceil(time.process_time() + limit + _KERNEL_GRACE_S)
            if cpu_limit[1] == resource.RLIM_INFINITY or soft < cpu_limit[1]:
                resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_limit[1]))
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()
            if cpu_limit is not None:
                resource.setrlimit(resource.RLIMIT_CPU, cpu_limit)
                faulthandler.unregister(signal.SIGXCPU)


def memory_limit_mb() -> int:
    """``VERIFY_MEMORY_LIMIT_MB`` (0 turns the limit off), else the default."""
    from .seeding import env_int

    return env_int("VERIFY_MEMORY_LIMIT_MB", DEFAULT_MEMORY_LIMIT_MB, 0, 2**31, "megabytes, e.g. 8192, or 0 for no limit")


_LIMITED: list[int] = []


def limit_memory() -> int:
    """Cap this process's address space, once (Linux/macOS); a claim over it gets MemoryError or a
    failed allocation, which the runner turns into a harness-error verdict.  Returns the limit in MB."""
    if _LIMITED:
        return _LIMITED[0]
    mb = memory_limit_mb()
    _LIMITED.append(mb)
    try:
        import resource
    except ImportError:  # Windows: no rlimits
        return 0
    try:
        # A worker ended by SIGXCPU (see watchdog) would otherwise leave a core file behind.
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
        if mb:
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            want = mb << 20 if hard == resource.RLIM_INFINITY else min(mb << 20, hard)
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ValueError, OSError):  # macOS refuses RLIMIT_AS: the time limits still hold
        return 0
    return mb
