"""Benchmark verify on the machine it runs on, and write a JSON and a table.

Measures (median of --repeat runs where it is cheap enough):
  * start-up: `verify --help` and `verify list` against a bare `python -c "import torch"`;
  * the seed-ensemble trainer against a plain Python loop over the same 16 seeds, training the
    same models to the same numbers (checked), reported as a ratio;
  * the whole bank cold (`verify check --no-cache`), with each claim's own time;
  * grading the seed key with a warm cache, against importing torch.

Usage:  python benchmarks/run.py [--repeat 3] [--skip-bank] [--out benchmarks/results]
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


def ensemble_vs_loop(seeds: int = 16, steps: int = 200) -> dict:
    import torch

    from verify.data import digits_split
    from verify.models import MLP
    from verify.seeding import pin_threads
    from verify.train import train_ensemble, train_loop

    pin_threads()
    x, y, xt, yt = digits_split(0)
    make = lambda i: MLP((64, 32, 10))  # noqa: E731 - the q01/q03-sized probe net
    kw = dict(steps=steps, batch_size=64, lr=1e-2)
    runs = {"ensemble": [], "loop": []}
    for _ in range(3):
        t = time.perf_counter()
        ens = train_ensemble(make, list(range(seeds)), x, y, **kw)
        runs["ensemble"].append(time.perf_counter() - t)
        t = time.perf_counter()
        loop = train_loop(make, list(range(seeds)), x, y, **kw)
        runs["loop"].append(time.perf_counter() - t)
    diff = max((ens.predict(xt)[i] - m(xt).detach()).abs().max().item() for i, m in enumerate(loop))
    e, l = statistics.median(runs["ensemble"]), statistics.median(runs["loop"])
    return {"seeds": seeds, "steps": steps, "ensemble_s": e, "loop_s": l, "speedup": l / e,
            "max_abs_output_difference": diff}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-bank", action="store_true", help="skip the cold run of the whole bank")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--cache", help="verdict cache folder to fill and keep (default: a temporary one); "
                                    "must be empty for a cold measurement")
    args = ap.parse_args()
    py = sys.executable
    verify = [py, "-m", "verify"]
    res: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "repeat": args.repeat}

    res["import_torch_s"] = median_time([py, "-c", "import torch"], args.repeat)
    res["verify_help_s"] = median_time(verify + ["--help"], args.repeat)
    res["verify_list_s"] = median_time(verify + ["list"], args.repeat)
    print(f"start-up: import torch {res['import_torch_s']:.2f}s, verify --help {res['verify_help_s']:.2f}s, "
          f"verify list {res['verify_list_s']:.2f}s", flush=True)

    res["ensemble"] = ensemble_vs_loop()
    e = res["ensemble"]
    print(f"ensemble of {e['seeds']}: {e['ensemble_s']:.2f}s vs loop {e['loop_s']:.2f}s = {e['speedup']:.1f}x "
          f"(max output difference {e['max_abs_output_difference']:.2g})", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or tmp
        env = {"VERIFY_CACHE_DIR": cache}
        if not args.skip_bank:
            wall, r = timed(verify + ["check", "--json", "--quiet"], env)
            data = json.loads(r.stdout)
            per = sorted(((v["claim"], v["seconds"]) for v in data["verdicts"]), key=lambda t: -t[1])
            res["bank_cold_s"] = wall
            res["bank_claims"] = len(per)
            res["bank_all_as_expected"] = data["all_as_expected"]
            res["claim_seconds"] = dict(per)
            print(f"bank cold: {wall:.1f}s for {len(per)} claims; slowest: "
                  + ", ".join(f"{c} {s:.1f}s" for c, s in per[:3]), flush=True)
        if KEY.exists():
            timed(verify + ["grade", str(KEY), "--quiet"], env)  # fills what the cold run did not
            res["grade_warm_s"] = median_time(verify + ["grade", str(KEY), "--quiet"], args.repeat, env)
            res["grade_warm_beyond_torch_s"] = res["grade_warm_s"] - res["import_torch_s"]
            print(f"grade (warm cache): {res['grade_warm_s']:.2f}s, "
                  f"{res['grade_warm_beyond_torch_s']:.2f}s beyond importing torch", flush=True)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(res, indent=2))
    rows = [("import torch", res["import_torch_s"], "-"), ("verify --help", res["verify_help_s"], "no torch"),
            ("verify list", res["verify_list_s"], "no torch"),
            ("ensemble / loop speedup", e["speedup"], ">= 5x at 16 seeds")]
    if "bank_cold_s" in res:
        rows.append(("bank cold (s)", res["bank_cold_s"], "<= 60 s"))
    if "grade_warm_beyond_torch_s" in res:
        rows.append(("grade warm beyond torch (s)", res["grade_warm_beyond_torch_s"], "<= 1 s"))
    print("\n| measure | value | target |\n|---|---:|---|")
    for name, val, target in rows:
        print(f"| {name} | {val:.2f} | {target} |")
    print(f"\nwrote {out / 'latest.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
