"""The ``verify`` command: a thin shell over the library.  ``verify --help`` and ``verify list``
never import torch.

Exit codes: 0 everything as expected (or full coverage, or all correct); 1 otherwise; 2 bad input;
3 a harness error (a claim crashed, timed out or raised: a bug to fix, not a verdict).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import Sequence

from .errors import HarnessBug, VerifyError

__all__ = ["main", "build_parser"]

EXIT_HARNESS_ERROR = 3


def _emit_json(data, stream) -> None:
    from .session import finite

    stream.write(json.dumps(finite(data), indent=2, allow_nan=False) + "\n")


@contextlib.contextmanager
def _claims_quiet_on_stdout():
    """While claims run, anything written to sys.stdout goes to stderr, so a claim that prints
    cannot corrupt the report (``--json`` above all); yields the real stdout for the report."""
    real = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        yield real


def _session_run(claims, args, *, falsified: bool):
    from . import session

    quiet = args.quiet or args.json
    return session.run(claims, master_seed=args.master_seed, falsified=falsified, cache=not args.no_cache,
                       jobs=args.jobs, on_verdict=None if quiet else session.progress_printer())


def _details(v) -> list[str]:
    if v.as_expected:
        return []
    rows = []
    if v.error:
        rows.append("       HARNESS ERROR (a bug, not a refutation): " + v.error.splitlines()[0])
    else:
        target = v.expected.flipped() if v.falsified else v.expected
        rows.append(f"       expected {target.value}{' under the falsifier' if v.falsified else ''}"
                    + (f"; reason: {v.reason}" if v.reason else ""))
    rows.append(f"       reproduce: {v.reproduce_command()}")
    return rows


def _table(run) -> str:
    from .session import verdict_line

    rows = []
    for v in run:
        rows.append(verdict_line(v))
        rows += _details(v)
    good = sum(v.as_expected for v in run)
    errors = len(run.harness_errors)
    rows.append(f"{good}/{len(run)} as expected{' (flipped by their falsifiers)' if run.falsified else ''}"
                + (f"; {errors} HARNESS ERROR{'S' if errors > 1 else ''}" if errors else "")
                + f"; claim time {sum(v.seconds for v in run):.1f}s; wall time {run.seconds:.1f}s "
                  f"on {run.jobs} job{'s' if run.jobs > 1 else ''}")
    return "\n".join(rows)


def cmd_list(args) -> int:
    from .bank import select

    claims = select(args.ids, args.claims)
    if args.json:
        _emit_json([c.to_json() for c in claims], sys.stdout)
        return 0
    for c in claims:
        print(f"{c.id:<60} {c.kind.value:<9} {c.expected.value:<8} {c.statement}")
    print(f"{len(claims)} claims in {len({c.question for c in claims})} question parts")
    return 0


def cmd_check(args) -> int:
    from .bank import select

    claims = select(args.ids, args.claims)
    with _claims_quiet_on_stdout() as out:
        run = _session_run(claims, args, falsified=False)
    if args.json:
        _emit_json(run.to_json(), out)
    else:
        print(_table(run), file=out)
    return run.exit_code


def falsifier_record(main, falsified, claim) -> dict:
    """Whether a claim's falsifier does its job: the main run gives the expected verdict
    (``main_ok``) AND the falsified run gives a different, decisive one (``flipped``)."""
    decisive = ("HOLDS", "REFUTED")
    # A claim not applicable to the installed torch ran neither way: nothing to check, nothing failed.
    applicable = main.outcome.value != "NOT_APPLICABLE"
    main_ok = main.as_expected
    flipped = (not falsified.error and falsified.outcome.value in decisive and falsified.outcome != main.outcome)
    return {"claim": claim.id, "falsifier": claim.falsifier.name,
            "falsifier_kind": getattr(claim.falsifier, "kind", None),
            "expected": claim.expected.value, "main": main.outcome.value, "falsified": falsified.outcome.value,
            "applicable": applicable, "main_ok": main_ok, "flipped": flipped,
            "passed": main_ok and (flipped or not applicable),
            # The falsifier left the outcome where it was: the claim's test cannot fail (SPEC: a defect).
            "vacuous": applicable and not main.error and not falsified.error and falsified.outcome == main.outcome,
            "harness_error": bool(main.error or falsified.error)}


def _falsify_line(rec: dict, main, falsified) -> str:
    mark = ("ok  " if rec["applicable"] else "skip") if rec["passed"] else ("ERR " if rec["harness_error"] else "FAIL")
    why = ("" if rec["applicable"] else "  not applicable to this torch") if rec["passed"] else (
        "  main run not as expected" if not rec["main_ok"] else
                                    "  VACUOUS: the falsifier left the outcome unchanged" if rec["vacuous"] else
                                    "  the falsified run is not decisive")
    return (f"{mark} {rec['main']:<14} -> {rec['falsified']:<14} {rec['claim']:<58} "
            f"{main.seconds + falsified.seconds:7.2f}s  [{rec['falsifier']}]{why}")


def cmd_falsify(args) -> int:
    from .bank import select

    claims = select(args.ids, args.claims)
    with _claims_quiet_on_stdout() as out:
        main = _session_run(claims, args, falsified=False)
        flip = _session_run(claims, args, falsified=True)
    records = [falsifier_record(main[c.id], flip[c.id], c) for c in claims]
    errors = bool(main.harness_errors or flip.harness_errors)
    passed = all(r["passed"] for r in records)
    if args.json:
        _emit_json({"master_seed": args.master_seed, "wall_seconds": round(main.seconds + flip.seconds, 3),
                    "all_flipped": passed, "records": records,
                    "main": main.to_json()["verdicts"], "verdicts": flip.to_json()["verdicts"]}, out)
    else:
        lines = []
        for rec, c in zip(records, claims):
            lines.append(_falsify_line(rec, main[c.id], flip[c.id]))
            if not rec["passed"]:
                lines += _details(main[c.id]) + _details(flip[c.id])
        applicable = [r for r in records if r["applicable"]]
        skipped = len(records) - len(applicable)
        lines.append(f"{sum(r['passed'] for r in applicable)}/{len(applicable)} falsifiers flip their claim "
                     f"(main run as expected, falsified run decisive and different)"
                     + (f"; {skipped} not applicable to this torch" if skipped else ""))
        print("\n".join(lines), file=out)
    return EXIT_HARNESS_ERROR if errors else (0 if passed else 1)


def cmd_stability(args) -> int:
    from .stability import run_stability

    with _claims_quiet_on_stdout() as out:
        report = run_stability(args.ids, args.claims, master_seeds=args.master_seeds, jobs=args.jobs,
                               progress=not (args.quiet or args.json))
    if args.json:
        _emit_json(report.to_json(), out)
    else:
        print(report.text(), file=out)
    return report.exit_code


def _positive(text: str) -> int:
    """argparse type: a whole number >= 1 (argparse names the option in its message)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return n


def _add_grading_commands(sub, common_run) -> None:
    """``grade`` and ``coverage`` from verify.grade_command, ``draft`` from verify.draft.command:
    each module declares its own arguments and runs its command (neither imports torch at import)."""
    from . import grade_command
    from .draft import command as draft_command

    sp = sub.add_parser("grade", help="grade an answer document (a key, a raw document, or a folder)")
    grade_command.add_grade_arguments(sp)
    common_run(sp)
    sp.set_defaults(func=grade_command.run_grade)
    sp = sub.add_parser("coverage", help="which sentences of the answer document the key covers")
    grade_command.add_coverage_arguments(sp)
    sp.set_defaults(func=grade_command.run_coverage)
    sp = sub.add_parser("draft", help="draft an answer key from a raw answer document")
    draft_command.add_arguments(sp)
    sp.set_defaults(func=draft_command.run)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="verify",
        description="Judge written claims about deep learning by seeded experiments. "
                    "Exit codes: 0 all as expected, 1 otherwise, 2 bad input, 3 harness error.")
    p.add_argument("--version", action="version", version="verify 0.1.0")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(sp):
        sp.add_argument("ids", nargs="*", metavar="ID",
                        help="claim ids, question numbers (q06: q06a, q06b, ...), parts (q07.1) or id "
                             "prefixes; default: the whole bank")
        sp.add_argument("--claims", metavar="DIR", help="the claim bank folder (default: ./claims)")
        sp.add_argument("--json", action="store_true", help="machine-readable output on stdout")
        sp.add_argument("--quiet", "-q", action="store_true", help="no progress lines")

    def common_run(sp):
        have = {a.dest for a in sp._actions}  # a command module may declare some of these itself
        if "jobs" not in have:
            sp.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                            help="worker processes (default: every core; 1: one worker)")
        if "master_seed" not in have:
            sp.add_argument("--master-seed", type=int, default=0, help="master seed for all derived seeds (default 0)")
        if "no_cache" not in have:
            sp.add_argument("--no-cache", action="store_true", help="recompute, ignoring the verdict cache")

    sp = sub.add_parser("list", help="the claim bank: id, question, kind, expected verdict, statement")
    common(sp)
    sp.set_defaults(func=cmd_list)
    sp = sub.add_parser("check", help="run claims and print verdicts with evidence")
    common(sp)
    common_run(sp)
    sp.set_defaults(func=cmd_check)
    sp = sub.add_parser("falsify", help="run each claim and its falsifier; every falsifier must flip its claim")
    common(sp)
    common_run(sp)
    sp.set_defaults(func=cmd_falsify)
    sp = sub.add_parser("stability", help="rerun statistical claims under N master seeds; agreement rate")
    common(sp)
    sp.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                    help="worker processes (default: every core)")
    sp.add_argument("--master-seeds", type=_positive, default=20, metavar="N",
                    help="how many master seeds (default 20)")
    sp.set_defaults(func=cmd_stability)
    _add_grading_commands(sub, common_run)
    return p


def _check_environment() -> None:
    """The limits in the environment, read once here, so a bad value is bad input (exit 2) before
    any worker starts rather than a harness error in every claim."""
    from .seeding import thread_count
    from .worker import memory_limit_mb

    thread_count()
    memory_limit_mb()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in ("check", "falsify", "grade", "stability"):
            _check_environment()
        return args.func(args)
    except HarnessBug as exc:
        print(f"verify: harness error (a bug in verify, not in the claims or the input): {exc}", file=sys.stderr)
        return EXIT_HARNESS_ERROR
    except (VerifyError, FileNotFoundError) as exc:
        # Bad input: a key, a claim id, a folder, a limit in the environment.
        print(f"verify: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("verify: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
