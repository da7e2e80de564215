"""verify.session: one run loop over worker processes with hard limits, the cache, and progress."""

import os
import textwrap

import pytest

from verify import HOLDS, INCONCLUSIVE, REFUTED, Verdict, cache, session
from verify.bank import load_bank
from verify.errors import ConfigurationError
from verify.worker import memory_limit_mb

from tests.helpers import make_claim, toy

HEADER = '''
"""A bank whose claims misbehave, for the harness's own tests."""
from verify import ANALYTIC, HOLDS, Falsifier, claim, exact

def declare(name, fn, timeout=30.0):
    claim(id=f"q97.hard.{name}", question="q97", statement=name, kind=ANALYTIC, expected=HOLDS,
          rationale="test", protocol=dict(value=1), rule="HOLDS iff value == 1", timeout=timeout,
          falsifier=Falsifier("two", "use two", value=2))(fn)

def fine(p, ctx):
    return exact(p.value == 1, difference=float(p.value - 1), tolerance=0.0)
'''

MODULES = {
    # os._exit ends the worker in the middle of a module; the module's next claim must still run.
    "q97_exit.py": '''
def ends_process(p, ctx):
    import os
    os._exit(3)

declare("exit", ends_process)
declare("after_exit", fine)
''',
    # A CPU-bound loop that swallows every Exception: only ending the process stops it.
    "q97_busy.py": '''
def busy(p, ctx):
    while True:
        try:
            sum(range(10_000))
        except Exception:
            pass

declare("busy", busy, timeout=1.0)
declare("after_busy", fine)
''',
    # A C call holding the GIL (no Python thread can run) and a claim that blocks without using CPU.
    "q97_stuck.py": '''
def c_loop(p, ctx):
    return exact(sum(range(10 ** 13)) > 0)

def sleeps(p, ctx):
    import time
    time.sleep(1000)

declare("c_loop", c_loop, timeout=1.0)
declare("sleeps", sleeps, timeout=0.5)
declare("after_stuck", fine)
''',
    "q97_misc.py": '''
def system_exit(p, ctx):
    raise SystemExit(0)

def noisy(p, ctx):
    print("a claim printing to stdout")
    return fine(p, ctx)

def memory_hog(p, ctx):
    return exact(len(bytearray(HOG_MB << 20)) > 0)

def rlimit(p, ctx):
    import resource
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return exact(soft == LIMIT_MB << 20, difference=float(soft), tolerance=0.0)

declare("system_exit", system_exit)
declare("noisy", noisy)
declare("memory_hog", memory_hog)
declare("rlimit", rlimit)
''',
}


def _mapped_mb_with_torch() -> int:
    """Address space (VmSize) of a fresh Python that has imported torch, in MB."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import torch\nprint(open('/proc/self/status').read())"],
                         capture_output=True, text=True, check=True).stdout
    return next(int(line.split()[1]) // 1024 for line in out.splitlines() if line.startswith("VmSize:"))


LIMIT_MB = _mapped_mb_with_torch() + 2000 if os.path.exists("/proc/self/status") else 2000
HOG_MB = 4500   # more than the 2 GB of headroom: the hog must hit the limit


@pytest.fixture(scope="module")
def hard_run(tmp_path_factory):
    """One run of the misbehaving bank on two workers with an address-space limit 2 GB above what
    a worker with torch imported maps (a CUDA build of torch maps several GB at import)."""
    d = tmp_path_factory.mktemp("hard") / "claims"
    d.mkdir()
    for name, body in MODULES.items():
        (d / name).write_text(textwrap.dedent(HEADER) + f"LIMIT_MB, HOG_MB = {LIMIT_MB}, {HOG_MB}\n"
                              + textwrap.dedent(body))
    calls = []
    claims = load_bank(d)
    old = os.environ.get("VERIFY_MEMORY_LIMIT_MB")
    os.environ["VERIFY_MEMORY_LIMIT_MB"] = str(LIMIT_MB)
    try:
        run = session.run(claims, cache=False, jobs=2, on_verdict=lambda v, i, n: calls.append((v.claim, i, n)))
    finally:
        if old is None:
            del os.environ["VERIFY_MEMORY_LIMIT_MB"]
        else:
            os.environ["VERIFY_MEMORY_LIMIT_MB"] = old
    return run, calls, [c.id for c in claims]


def test_os_exit_becomes_a_crash_verdict_and_the_module_goes_on(hard_run):
    """A claim calling os._exit is a 'crashed' harness error; the next claim of its module still runs."""
    run, _, _ = hard_run
    assert run["q97.hard.exit"].error.startswith("harness error: crashed")
    assert run["q97.hard.exit"].outcome is INCONCLUSIVE
    assert run["q97.hard.after_exit"].outcome is HOLDS and not run["q97.hard.after_exit"].error


def test_busy_loop_is_stopped_at_its_cpu_limit(hard_run):
    """A loop swallowing Exception is stopped at its CPU-time limit and becomes a timeout harness error."""
    run, _, _ = hard_run
    v = run["q97.hard.busy"]
    assert v.error.startswith("harness error: timeout") and "CPU time" in v.error
    assert 1.0 <= v.seconds < 30
    assert run["q97.hard.after_busy"].outcome is HOLDS


def test_c_call_holding_the_gil_and_a_blocked_claim_are_stopped(hard_run):
    """A long C call and a sleeping claim are stopped as timeouts; the module's next claim still runs."""
    run, _, _ = hard_run
    # Which stop ends the C call first (the kernel's CPU limit or, on a loaded machine, the wall
    # clock) depends on the load; the kernel's is checked on its own below.
    assert run["q97.hard.c_loop"].error.startswith("harness error: timeout")
    assert run["q97.hard.sleeps"].error.startswith("harness error: timeout") and "wall time" in run["q97.hard.sleeps"].error
    assert run["q97.hard.after_stuck"].outcome is HOLDS


def test_kernel_cpu_limit_ends_a_c_call_that_starves_the_watchdog(tmp_path):
    """A C call holding the GIL past its CPU limit is ended by SIGXCPU, which leaves a record the
    next worker reads as a timeout in a C call."""
    import signal
    import subprocess
    import sys

    from verify.worker import dead_verdict

    code = ("import sys; from pathlib import Path; from tests.helpers import make_claim, toy\n"
            "from verify.worker import watchdog\n"
            "c = make_claim(toy, id='q99.test.c_call', timeout=2.0)\n"
            "with watchdog(c, falsified=False, master_seed=0, run_dir=Path(sys.argv[1])):\n"
            "    sum(range(10 ** 13))\n")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120,
                       cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert r.returncode == -signal.SIGXCPU, (r.returncode, r.stderr[-500:])
    v = dead_verdict(tmp_path, make_claim(toy, id="q99.test.c_call", timeout=2.0), falsified=False, master_seed=0)
    assert v.error.startswith("harness error: timeout") and "C call" in v.error


def test_system_exit_is_contained(hard_run):
    """SystemExit raised by a claim is a harness error naming it, not the end of the run."""
    run, _, _ = hard_run
    assert "SystemExit" in run["q97.hard.system_exit"].error
    assert run["q97.hard.noisy"].outcome is HOLDS


def test_worker_memory_limit(hard_run):
    """Workers run under VERIFY_MEMORY_LIMIT_MB; a claim allocating past it is a harness error."""
    run, _, _ = hard_run
    assert run["q97.hard.rlimit"].outcome is HOLDS, run["q97.hard.rlimit"].difference
    assert run["q97.hard.memory_hog"].error and run["q97.hard.memory_hog"].outcome is not HOLDS


def test_run_reports_every_claim_once_in_request_order(hard_run):
    """Verdicts come back in request order; progress is called once per claim with a rising count."""
    run, calls, requested = hard_run
    assert list(run.verdicts) == requested and len(requested) == 11
    assert sorted(c for c, _, _ in calls) == sorted(run.verdicts)
    assert [i for _, i, _ in calls] == list(range(1, len(run) + 1)) and {n for _, _, n in calls} == {len(run)}
    assert run.exit_code == 3 and {v.claim for v in run.harness_errors} == {
        "q97.hard.exit", "q97.hard.busy", "q97.hard.system_exit", "q97.hard.memory_hog", "q97.hard.c_loop",
        "q97.hard.sleeps"}


def test_cache_hits_start_no_worker():
    """A claim whose verdict is cached is looked up, not evaluated (no worker is started for it)."""
    c = make_claim(toy, id="q99.test.cached")
    cache.store(c, cache.cached_evaluate(c, use_cache=False))
    run = session.run([c])
    assert run.evaluated == () and run["q99.test.cached"].cached and run.exit_code == 0


def test_claims_outside_claim_modules_run_in_this_process():
    """A claim declared outside a claims/ module (a library test's toy) is evaluated here, then cached."""
    c = make_claim(toy, id="q99.test.here")
    run = session.run([c], jobs=2)
    assert run.evaluated == ("q99.test.here",) and run["q99.test.here"].outcome is HOLDS
    assert session.run([c]).evaluated == ()


def test_exit_codes_and_verdict_line():
    """0 all as expected, 1 otherwise, 3 any harness error; the line names a harness error as such."""
    ok = Verdict("q99.a", HOLDS, HOLDS)
    wrong = Verdict("q99.b", REFUTED, HOLDS)
    broken = Verdict("q99.c", INCONCLUSIVE, HOLDS, error="harness error: timeout: used 9 s")
    assert session.Run({"q99.a": ok}, 0.0).exit_code == 0
    assert session.Run({"q99.a": ok, "q99.b": wrong}, 0.0).exit_code == 1
    assert session.Run({"q99.b": wrong, "q99.c": broken}, 0.0).exit_code == 3
    line = session.verdict_line(broken)
    assert line.startswith("ERR  HARNESS-ERROR") and "REFUTED" not in line
    assert session.verdict_line(ok).startswith("ok   HOLDS")


def test_json_has_no_infinity():
    """Run.to_json replaces infinite and NaN numbers by null."""
    v = Verdict("q99.a", REFUTED, HOLDS, difference=float("inf"), statistic=float("nan"))
    data = session.Run({"q99.a": v}, 0.0).to_json()
    assert data["verdicts"][0]["difference"] is None and data["verdicts"][0]["statistic"] is None


def test_bad_memory_limit_is_bad_input(monkeypatch):
    """A VERIFY_MEMORY_LIMIT_MB that is not a whole number >= 0 is a ConfigurationError naming the value."""
    monkeypatch.setenv("VERIFY_MEMORY_LIMIT_MB", "lots")
    with pytest.raises(ConfigurationError, match="'lots'"):
        memory_limit_mb()
    monkeypatch.setenv("VERIFY_MEMORY_LIMIT_MB", "0")
    assert memory_limit_mb() == 0
