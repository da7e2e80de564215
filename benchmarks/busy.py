"""Verdicts do not depend on machine load: run claims cold on a quiet machine, then again with CPU
hogs beside them, and compare every verdict and statistic.

    python benchmarks/busy.py [ID ...] [--hogs N] [--timeout-scale X]

Each run uses a fresh, empty verdict cache.  ``--hogs`` processes spin on the CPU for the whole
second run (default: two per core).  The claims' time limits count their own CPU time, so a busy
machine makes a run slower, never different.  Exit 1 if any outcome differs.  Writes
benchmarks/results/busy.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_IDS = ["q05", "q07", "q08b", "q02b"]   # analytic and empirical claims, about a minute cold


def _spin(stop) -> None:
    x = 0
    while not stop.is_set():
        for i in range(100_000):
            x = (x * 31 + i) % 1_000_003


def _check(ids: list[str], out: Path) -> float:
    env = {**os.environ, "VERIFY_CACHE_DIR": tempfile.mkdtemp(prefix="verify-busy-")}
    start = time.perf_counter()
    with open(out, "w") as f:
        subprocess.run([sys.executable, "-m", "verify", "check", *ids, "--json", "--quiet"], cwd=ROOT, env=env,
                       stdout=f, check=False)
    return time.perf_counter() - start


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ids", nargs="*", default=DEFAULT_IDS)
    ap.add_argument("--hogs", type=int, default=2 * (os.cpu_count() or 1))
    args = ap.parse_args(argv)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    quiet, busy = results / "busy-quiet.json", results / "busy-loaded.json"
    t_quiet = _check(args.ids, quiet)
    stop = mp.Event()
    hogs = [mp.Process(target=_spin, args=(stop,), daemon=True) for _ in range(args.hogs)]
    for h in hogs:
        h.start()
    try:
        t_busy = _check(args.ids, busy)
    finally:
        stop.set()
        for h in hogs:
            h.join(timeout=5)
    cmp = subprocess.run([sys.executable, str(ROOT / "scripts" / "compare_verdicts.py"), str(quiet), str(busy)],
                         capture_output=True, text=True)
    print(cmp.stdout)
    summary = {"ids": args.ids, "hogs": args.hogs, "quiet_seconds": round(t_quiet, 1),
               "busy_seconds": round(t_busy, 1), "identical": cmp.returncode == 0, "comparison": cmp.stdout}
    (results / "busy.json").write_text(json.dumps(summary, indent=2))
    print(f"quiet {t_quiet:.1f} s, with {args.hogs} CPU hogs {t_busy:.1f} s: "
          f"{'the same verdicts' if cmp.returncode == 0 else 'VERDICTS DIFFER'}")
    return cmp.returncode


if __name__ == "__main__":
    sys.exit(main())
