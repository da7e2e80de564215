"""Benchmark verify on the machine it runs on, and write a JSON and a table.

Measures (median of --repeat runs; the bank's cold runs --bank-repeat times):
  * start-up: `verify --help` and `verify list` against a bare `python -c "import torch"`;
  * the seed-ensemble trainer against a plain Python loop over the same 16 seeds, training the
    same models to the same numbers (checked), reported as a ratio -- for the MLP and for the
    SmallCNN the claim bank trains most;
  * the whole bank cold (an empty verdict cache): `pytest claims -n auto --dist loadfile` and
    `verify check` (every core by default, through the same xdist engine; it also gives each
    claim's own time), and their ratio (issue 14: verify check <= 1.1x pytest); the load average
    before each run is recorded, since these machines are shared;
  * grading the seed key with a warm cache, against importing torch.

Usage:  python benchmarks/run.py [--repeat 3] [--bank-repeat 1] [--skip-bank] [--skip-ensemble]
        [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = ROOT / "fixtures" / "seed" / "key.toml"


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})})
    return time.perf_counter() - start, r


def median_time(cmd: list[str], repeat: int, env: dict | None = None) -> float:
    return statistics.median(timed(cmd, env)[0] for _ in range(repeat))


def ensemble_vs_loop(model: str, seeds: int = 16, steps: int = 200) -> dict:
    """Median seconds of train_ensemble against train_loop (5 runs each, interleaved), same seeds,
    data, batches and Adam; the largest difference between their members' test outputs."""
    import torch

    from verify.lab.data import digits_split
    from verify.lab.models import MLP, SmallCNN
    from verify.seeding import pin_threads
    from verify.lab.train import train_ensemble, train_loop

    pin_threads()
    x, y, xt, yt = digits_split(0)
    make = {"mlp": lambda i: MLP((64, 32, 10)),      # the q01/q03-sized probe net
            "cnn": lambda i: SmallCNN(8, 16)}[model]  # the q06/q10 conv-pool-conv-pool net
    kw = dict(steps=steps, batch_size=64, lr=1e-2)
    train_ensemble(make, list(range(seeds)), x, y, **{**kw, "steps": 2})   # first-call warm-up
    runs = {"ensemble": [], "loop": []}
    for _ in range(5):
        t = time.perf_counter()
        ens = train_ensemble(make, list(range(seeds)), x, y, **kw)
        runs["ensemble"].append(time.perf_counter() - t)
        t = time.perf_counter()
        loop = train_loop(make, list(range(seeds)), x, y, **kw)
        runs["loop"].append(time.perf_counter() - t)
    with torch.no_grad():
        diff = max((ens.predict(xt)[i] - m(xt)).abs().max().item() for i, m in enumerate(loop))
    e, l = statistics.median(runs["ensemble"]), statistics.median(runs["loop"])
    return {"model": model, "seeds": seeds, "steps": steps, "ensemble_s": e, "loop_s": l, "speedup": l / e,
            "max_abs_output_difference": diff}


BANK_COMMANDS = {
    "verify": [sys.executable, "-m", "verify", "check", "--json", "--quiet"],
    "xdist": [sys.executable, "-m", "pytest", "claims", "-q", "-p", "no:cacheprovider", "-n", "auto",
              "--dist", "loadfile"],
}


def bank_cold(runners: list[str], base: Path, repeat: int) -> dict[str, dict]:
    """Median wall time of ``repeat`` cold runs of the whole bank per runner, each on its own empty
    cache folder under ``base``: 'verify' is `verify check` (every core; gives per-claim seconds),
    'xdist' is `pytest claims -n auto --dist loadfile` (one worker per core).  The runners take turns
    and swap who goes first each round, so a change in the machine's load hits both alike.
    ``cache`` is each runner's last folder, now warm."""
    runs: dict[str, list] = {r: [] for r in runners}
    for i in range(repeat):
        for runner in (runners if i % 2 == 0 else runners[::-1]):
            cmd = BANK_COMMANDS[runner]
            cache = base / f"cold-{runner}-{i}"
            load = round(os.getloadavg()[0], 2)
            wall, r = timed(cmd, {"VERIFY_CACHE_DIR": str(cache)})
            if r.returncode not in (0, 1, 3):
                raise SystemExit(f"{' '.join(cmd[2:])} failed (exit {r.returncode}):\n{(r.stderr or r.stdout)[-2000:]}")
            runs[runner].append((wall, r, load, cache))
            print(f"  bank cold ({runner}) run {i + 1}/{repeat}: {wall:.1f}s (load average before: {load})", flush=True)
    out = {}
    for runner, rs in runs.items():
        walls = [w for w, *_ in rs]
        _, r, _, _ = sorted(rs, key=lambda t: t[0])[len(rs) // 2]   # a run to read claim times from
        res = out[runner] = {"runner": " ".join(BANK_COMMANDS[runner][2:]), "wall_s": statistics.median(walls),
                             "walls_s": [round(w, 2) for w in walls], "load_before": [l for *_, l, _ in rs],
                             "all_as_expected": r.returncode == 0, "exit": r.returncode, "cache": str(rs[-1][3])}
        if runner == "verify":
            data = json.loads(r.stdout)
            per = sorted(((v["claim"], v["seconds"]) for v in data["verdicts"]), key=lambda t: -t[1])
            res.update(claims=len(per), claim_seconds=dict(per))
    return out


def _has_xdist() -> bool:
    import importlib.util

    return importlib.util.find_spec("xdist") is not None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bank-repeat", type=int, default=1, help="cold runs of the bank per runner (xdist, verify)")
    ap.add_argument("--skip-bank", action="store_true", help="skip the cold runs of the whole bank")
    ap.add_argument("--skip-ensemble", action="store_true", help="skip the ensemble-vs-loop trainer comparison")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--cache", help="folder for the runs' verdict caches, kept afterwards (default: a "
                                    "temporary one); each cold run uses a new empty subfolder")
    args = ap.parse_args()
    py = sys.executable
    verify = [py, "-m", "verify"]
    res: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "repeat": args.repeat}

    res["import_torch_s"] = median_time([py, "-c", "import torch"], args.repeat)
    res["verify_help_s"] = median_time(verify + ["--help"], args.repeat)
    res["verify_list_s"] = median_time(verify + ["list"], args.repeat)
    print(f"start-up: import torch {res['import_torch_s']:.2f}s, verify --help {res['verify_help_s']:.2f}s, "
          f"verify list {res['verify_list_s']:.2f}s", flush=True)

    res["ensemble"] = {}
    for model in () if args.skip_ensemble else ("mlp", "cnn"):
        e = res["ensemble"][model] = ensemble_vs_loop(model)
        print(f"ensemble of {e['seeds']} {model}s: {e['ensemble_s']:.2f}s vs loop {e['loop_s']:.2f}s = "
              f"{e['speedup']:.1f}x (max output difference {e['max_abs_output_difference']:.2g})", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.cache or tmp)
        env = {"VERIFY_CACHE_DIR": str(base / "grade")}
        if not args.skip_bank:
            runners = ["xdist", "verify"] if _has_xdist() else ["verify"]
            if not _has_xdist():
                print("pytest-xdist not installed (pip install -e '.[test]'): no parallel bank run")
            for runner, b in bank_cold(runners, base, args.bank_repeat).items():
                res[f"bank_cold_{runner}"] = b
                env = {"VERIFY_CACHE_DIR": b.pop("cache")}   # warm for grading
                slow = list(b.get("claim_seconds", {}).items())[:3]
                print(f"bank cold, {b['runner']}: {b['wall_s']:.1f}s (median of {len(b['walls_s'])}), "
                      f"all as expected: {b['all_as_expected']}"
                      + ("; slowest: " + ", ".join(f"{c} {t:.1f}s" for c, t in slow) if slow else ""), flush=True)
        if KEY.exists():
            timed(verify + ["grade", str(KEY), "--quiet"], env)  # fills what the cold runs did not cache
            res["grade_warm_s"] = median_time(verify + ["grade", str(KEY), "--quiet"], args.repeat, env)
            res["grade_warm_beyond_torch_s"] = res["grade_warm_s"] - res["import_torch_s"]
            print(f"grade (warm cache): {res['grade_warm_s']:.2f}s, "
                  f"{res['grade_warm_beyond_torch_s']:.2f}s beyond importing torch", flush=True)

    if "bank_cold_verify" in res and "bank_cold_xdist" in res:
        res["verify_over_pytest"] = res["bank_cold_verify"]["wall_s"] / res["bank_cold_xdist"]["wall_s"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(res, indent=2))
    rows = [("import torch (s)", res["import_torch_s"], "-"),
            ("verify --help (s)", res["verify_help_s"], "no torch import"),
            ("verify list (s)", res["verify_list_s"], "no torch import")]
    for model, e in res["ensemble"].items():
        rows.append((f"ensemble / loop, 16 {model}s (x)", e["speedup"], ">= 5x"))
    if "bank_cold_xdist" in res:
        rows.append((f"bank cold, pytest -n auto = {os.cpu_count()} workers (s)", res["bank_cold_xdist"]["wall_s"],
                     "<= 60 s on 2 cores"))
    if "bank_cold_verify" in res:
        rows.append((f"bank cold, verify check, {os.cpu_count()} jobs (s)", res["bank_cold_verify"]["wall_s"], "-"))
    if "verify_over_pytest" in res:
        rows.append(("bank cold, verify check / pytest -n auto (x)", res["verify_over_pytest"], "<= 1.1x"))
    if "grade_warm_beyond_torch_s" in res:
        rows.append(("grade warm, beyond torch (s)", res["grade_warm_beyond_torch_s"], "<= 1 s"))
    print("\n| measure | value | target |\n|---|---:|---|")
    for name, val, target in rows:
        print(f"| {name} | {val:.2f} | {target} |")
    if "bank_cold_verify" in res:
        print("\n| slowest claims (verify check, each claim's own time) | s |\n|---|---:|")
        for cid, sec in list(res["bank_cold_verify"]["claim_seconds"].items())[:10]:
            print(f"| {cid} | {sec:.2f} |")
    print(f"\nwrote {out / 'latest.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
