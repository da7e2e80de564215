"""The ``verify`` command: a thin shell over the library.  ``verify --help`` and ``verify list``
never import torch.

Exit codes: 0 everything as expected (or full coverage, or all correct); 1 otherwise; 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Sequence

from .errors import AnswerKeyError, ClaimDefinitionError, UnknownClaimError

__all__ = ["main"]


def _bar(i: int, n: int, width: int = 20) -> str:
    filled = width * i // max(n, 1)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _progress(i: int, n: int, claim_id: str, verdict=None) -> None:
    """Progress on stderr: a bar on one rewriting line in a terminal, plain lines in CI logs.

    ``i`` counts finished claims (the running one for a start); a finished claim gets its own line
    with outcome and time either way."""
    stream = sys.stderr
    tty = stream.isatty()
    if verdict is None:
        if tty:
            stream.write(f"\r\033[K{_bar(i - 1, n)} {i - 1}/{n} running {claim_id} ...")
            stream.flush()
        return
    line = f"[{i}/{n}] {verdict.outcome.value:<12} {claim_id} ({verdict.seconds:.2f}s{', cached' if verdict.cached else ''})"
    stream.write(("\r\033[K" if tty else "") + line + "\n")
    if tty and i < n:
        stream.write(f"{_bar(i, n)} {i}/{n}")
    stream.flush()


def _run(claims, *, falsified: bool, master_seed: int, use_cache: bool, quiet: bool):
    from .cache import cached_evaluate

    verdicts = []
    for i, c in enumerate(claims, 1):
        if not quiet:
            _progress(i, len(claims), c.id)
        v = cached_evaluate(c, falsified=falsified, master_seed=master_seed, use_cache=use_cache)
        verdicts.append(v)
        if not quiet:
            _progress(i, len(claims), c.id, v)
    return verdicts


def _table(verdicts, falsified: bool) -> str:
    rows = []
    for v in verdicts:
        target = v.expected.flipped() if falsified else v.expected
        mark = "ok  " if v.as_expected else ("ERR " if v.error else "FAIL")
        rows.append(f"{mark} {v.outcome.value:<12} (want {target.value:<7}) {v.claim:<58} {v.seconds:7.2f}s  {v.summary()}")
        if not v.as_expected:
            if v.reason:
                rows.append(f"       reason: {v.reason}")
            if v.error:
                rows.append("       HARNESS ERROR (a bug, not a refutation): " + v.error.splitlines()[0])
            rows.append(f"       reproduce: {v.reproduce_command()}")
    good = sum(v.as_expected for v in verdicts)
    total = sum(v.seconds for v in verdicts)
    rows.append(f"{good}/{len(verdicts)} as expected{' (flipped by their falsifiers)' if falsified else ''}; "
                f"claim time {total:.1f}s")
    return "\n".join(rows)


def cmd_list(args) -> int:
    from .bank import select

    claims = select(args.ids, args.claims)
    if args.json:
        print(json.dumps([c.to_json() for c in claims], indent=2))
        return 0
    for c in claims:
        print(f"{c.id:<60} {c.kind.value:<9} {c.expected.value:<8} {c.statement}")
    print(f"{len(claims)} claims in {len({c.question for c in claims})} question parts")
    return 0


def cmd_check(args, falsified: bool = False) -> int:
    from .bank import select

    claims = select(args.ids, args.claims)
    start = time.perf_counter()
    verdicts = _run(claims, falsified=falsified, master_seed=args.master_seed,
                    use_cache=not args.no_cache, quiet=args.quiet or args.json)
    wall = time.perf_counter() - start
    if args.json:
        print(json.dumps({"falsified": falsified, "master_seed": args.master_seed,
                          "wall_seconds": round(wall, 3),
                          "all_as_expected": all(v.as_expected for v in verdicts),
                          "verdicts": [v.to_json() for v in verdicts]}, indent=2))
    else:
        print(_table(verdicts, falsified))
        print(f"wall time {wall:.1f}s")
    return 0 if all(v.as_expected for v in verdicts) else 1


def cmd_coverage(args) -> int:
    from .coverage import coverage_report

    report = coverage_report(args.key)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(report.text())
    return 0 if report.complete else 1


def cmd_grade(args) -> int:
    from .grade import grade_key, render

    result = grade_key(args.key, master_seed=args.master_seed, use_cache=not args.no_cache,
                       progress=None if args.quiet else _progress)
    # Gradescope output is shown to students: it gets the student view.
    text = render(result, args.format, instructor=not args.student and args.format != "gradescope",
                  output=args.output)  # Markdown writes its figures beside --output
    if args.output:
        from pathlib import Path

        out = Path(args.output)
        if out.is_dir():
            raise AnswerKeyError(f"--output {args.output!r} is a directory; give a file path")
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
        print(f"wrote {out} ({result.score:g}/{result.max_score:g})", file=sys.stderr)
    else:
        print(text)
    return 0 if result.all_correct else 1


def cmd_stability(args) -> int:
    from .stability import run_stability

    report = run_stability(args.ids, args.claims, master_seeds=args.master_seeds,
                           progress=not (args.quiet or args.json))
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(report.text())
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="verify",
        description="Judge written claims about deep learning by seeded experiments. "
                    "Exit codes: 0 all as expected, 1 otherwise, 2 bad input.")
    p.add_argument("--version", action="version", version="verify 0.1.0")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(sp, ids: bool = True):
        if ids:
            sp.add_argument("ids", nargs="*", metavar="ID",
                            help="claim ids, question parts (q05) or id prefixes; default: the whole bank")
        sp.add_argument("--claims", metavar="DIR", help="the claim bank folder (default: ./claims)")
        sp.add_argument("--json", action="store_true", help="machine-readable output")
        sp.add_argument("--quiet", "-q", action="store_true", help="no progress lines")

    sp = sub.add_parser("list", help="the claim bank: id, question, kind, expected verdict, statement")
    common(sp)
    sp.set_defaults(func=cmd_list)
    for name, helptext in (("check", "run claims and print verdicts with evidence"),
                           ("falsify", "run each claim under its falsifier; every verdict must flip")):
        sp = sub.add_parser(name, help=helptext)
        common(sp)
        sp.add_argument("--master-seed", type=int, default=0, help="master seed for all derived seeds (default 0)")
        sp.add_argument("--no-cache", action="store_true", help="recompute, ignoring the verdict cache")
        sp.set_defaults(func=cmd_check if name == "check" else (lambda a: cmd_check(a, falsified=True)))

    sp = sub.add_parser("coverage", help="which sentences of the answer document the key covers")
    sp.add_argument("key", metavar="KEY.toml")
    sp.add_argument("--json", action="store_true", help="machine-readable output")
    sp.set_defaults(func=cmd_coverage, claims=None)

    sp = sub.add_parser("grade", help="grade the answer document of an answer key")
    sp.add_argument("key", metavar="KEY.toml")
    sp.add_argument("--format", choices=["text", "markdown", "json", "gradescope"], default="text")
    sp.add_argument("--json", action="store_const", const="json", dest="format", help="same as --format json")
    sp.add_argument("--output", metavar="PATH", help="write the report to PATH instead of stdout")
    sp.add_argument("--student", action="store_true", help="student view: no statistics or commands")
    sp.add_argument("--master-seed", type=int, default=0)
    sp.add_argument("--no-cache", action="store_true", help="recompute, ignoring the verdict cache")
    sp.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    sp.set_defaults(func=cmd_grade, claims=None)

    sp = sub.add_parser("stability", help="rerun statistical claims under N master seeds; agreement rate")
    common(sp)
    sp.add_argument("--master-seeds", type=int, default=20, metavar="N")
    sp.set_defaults(func=cmd_stability)
    return p


def _check_output(path: str) -> None:
    """Reject an --output that cannot be written before any claim runs (bad input: exit 2)."""
    from pathlib import Path

    out = Path(path)
    if out.is_dir():
        raise AnswerKeyError(f"--output {path!r} is a directory; give a file path, e.g. {str(out / 'report.txt')!r}")
    if not out.parent.is_dir():
        raise AnswerKeyError(f"--output {path!r}: folder {str(out.parent)!r} does not exist; create it first "
                             "or give a path in an existing folder")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "output", None):
            _check_output(args.output)
        return args.func(args)
    except AnswerKeyError as exc:
        print(f"verify: error: {exc}", file=sys.stderr)
        return 2
    except (UnknownClaimError, FileNotFoundError, ClaimDefinitionError) as exc:
        print(f"verify: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("verify: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
