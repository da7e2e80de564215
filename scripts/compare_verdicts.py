"""Compare two ``verify check --json`` (or ``verify falsify --json``) outputs claim by claim.

    python scripts/compare_verdicts.py BEFORE.json AFTER.json [--ids PREFIX ...]

Prints every claim whose outcome or statistics differ, and exits 1 if any outcome differs (a
statistic that moved with the same outcome is listed, exit 0: a refactor that changes seeds or
summation order must say why).  Used to show that a redesign leaves verdicts unchanged.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

FIELDS = ("statistic", "pvalue", "effect", "difference", "ci", "tolerance")


def _records(path: str) -> dict[str, dict]:
    with open(path) as f:
        data = json.load(f)
    rows = data["verdicts"] if isinstance(data, dict) and "verdicts" in data else data
    out = {}
    for r in rows:
        v = r.get("falsified_verdict") or r.get("verdict") or r
        out[r.get("claim") or v.get("claim")] = v
    return out


def _same(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--ids", nargs="*", default=None, help="only claims whose id starts with one of these")
    args = ap.parse_args(argv)
    before, after = _records(args.before), _records(args.after)
    ids = [i for i in before if not args.ids or any(i.startswith(p) for p in args.ids)]
    outcome_changes, stat_changes, missing = [], [], []
    for cid in ids:
        if cid not in after:
            missing.append(cid)
            continue
        b, a = before[cid], after[cid]
        if b["outcome"] != a["outcome"]:
            outcome_changes.append(f"{cid}: {b['outcome']} -> {a['outcome']}")
        moved = [f"{k} {b.get(k)!r} -> {a.get(k)!r}" for k in FIELDS if not _same(b.get(k), a.get(k))]
        if moved:
            stat_changes.append(f"{cid}: " + "; ".join(moved))
    for title, rows in (("outcome changed", outcome_changes), ("statistics moved", stat_changes),
                        ("missing after", missing)):
        print(f"{title}: {len(rows)}")
        for r in rows:
            print("  " + r)
    print(f"compared {len(ids) - len(missing)} claims")
    return 1 if outcome_changes or missing else 0


if __name__ == "__main__":
    sys.exit(main())
