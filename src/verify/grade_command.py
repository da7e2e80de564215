"""The ``verify grade`` and ``verify coverage`` commands (cli.py wires them in).  Imports nothing
heavy at start-up: torch loads only when claims run.

``verify grade TARGET`` grades an answer key, a raw answer document (drafted on the fly; statements
the draft could not match are "needs review", listed and not scored), or a folder of submissions
(every claim they need runs once; ``--output DIR`` gets ``grades.csv`` and one report per student).

Exit codes: 0 every statement correct and nothing ungraded; 1 some statement incorrect, partly
correct, undecided or not graded; 2 bad input (a broken key or document; in a batch the others are
still graded); 3 a verdict could not be obtained (harness error or time-out) -- never the student's 0.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

__all__ = ["add_grade_arguments", "run_grade", "add_coverage_arguments", "run_coverage", "progress_bar"]

FORMATS = ("text", "markdown", "json", "gradescope")


EXIT_CODES = ("exit codes: 0 every statement correct and nothing ungraded; 1 some statement incorrect, partly "
              "correct, undecided or not graded; 2 bad input; 3 a verdict could not be obtained (harness error "
              "or time-out: those statements are ungraded, never scored 0)")


def add_grade_arguments(parser) -> None:
    parser.epilog = EXIT_CODES
    parser.add_argument("target", metavar="KEY.toml|ANSWERS|DIR",
                        help="an answer key, a raw answer document (drafted on the fly), or a folder of submissions")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--json", action="store_const", const="json", dest="format", help="same as --format json")
    # dest differs from "output": a folder is a valid --output here (the batch's gradebook)
    parser.add_argument("--output", metavar="PATH|DIR", dest="grade_output",
                        help="write the report to PATH; for a folder of submissions, DIR gets grades.csv "
                             "and one report per student")
    parser.add_argument("--student", action="store_true",
                        help="student view: plain words, no claim ids, statistics or commands")
    parser.add_argument("--embed-figures", action="store_true",
                        help="Markdown: figures as data URIs (a CI job summary, kept under 1 MiB)")
    parser.add_argument("--visibility", metavar="SPEC", default=None,
                        help="Gradescope test visibility, e.g. statements=visible,evidence=after_due_date")
    parser.add_argument("--master-seed", type=int, default=0)
    parser.add_argument("--no-cache", action="store_true", help="recompute, ignoring the verdict cache")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def add_coverage_arguments(parser) -> None:
    parser.add_argument("key", metavar="KEY.toml")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def progress_bar(stream=None, width: int = 24):
    """One progress bar on stderr over the whole run: a rewriting line in a terminal, and a line
    per finished claim in a CI log."""
    stream = stream or sys.stderr
    tty = stream.isatty()

    def show(i: int, n: int, claim_id: str, verdict=None) -> None:
        if verdict is None:
            return
        filled = width * i // max(n, 1)
        bar = "[" + "#" * filled + "." * (width - filled) + f"] {i}/{n}"
        if tty:
            stream.write(f"\r\033[K{bar} {verdict.outcome.value:<12} {claim_id}" + ("\n" if i == n else ""))
        else:
            stream.write(f"{bar} {verdict.outcome.value:<12} {claim_id}"
                         f"{' (cached)' if verdict.cached else f' ({verdict.seconds:.1f}s)'}\n")
        stream.flush()
    return show


def _write(path: Path, text: str, protected=()) -> None:
    from .output import write_text

    write_text(path, text, protected=protected)


def _render(result, args, output: Path | None, seconds: float = 0.0) -> str:
    from .report import render

    visibility = None
    if args.format == "gradescope":
        from .gradescope import parse_visibility

        visibility = parse_visibility(args.visibility)
    return render(result, args.format, instructor=not args.student, output=output,
                  embed=args.embed_figures, visibility=visibility, seconds=seconds)


def _error(message: str) -> int:
    print(f"verify: error: {message}", file=sys.stderr)
    return 2


def _inputs_of(target: Path) -> list[Path]:
    """The files a grade reads: the key and the document it names (never to be overwritten)."""
    inputs = [target]
    try:
        import tomllib

        doc = tomllib.loads(target.read_text(encoding="utf-8")).get("document", {})
        if isinstance(doc, dict) and isinstance(doc.get("path"), str):
            inputs.append(target.parent / doc["path"])
    except (OSError, ValueError, RecursionError):
        pass   # not a readable key: loading it reports the problem
    return inputs


def run_grade(args) -> int:
    from .errors import AnswerKeyError, VerifyError

    start = time.perf_counter()
    target = Path(args.target)
    out = Path(args.grade_output) if args.grade_output else None
    try:
        if args.format == "gradescope":
            from .gradescope import parse_visibility

            parse_visibility(args.visibility)
        if target.is_dir():
            return _grade_batch(target, out, args)
        from .gradebook import discover, load_submission
        from .grade import grade_key
        from .output import check_output

        sub = discover(target)[0]
        key = load_submission(sub)                   # a bad key is reported before the output is touched
        protected = _inputs_of(target)
        if out is not None:
            check_output(out, protected=protected)   # before any claim runs
        real = sys.stdout
        with contextlib.redirect_stdout(sys.stderr):   # a claim that prints cannot corrupt the report
            result = grade_key(key, master_seed=args.master_seed, use_cache=not args.no_cache,
                               jobs=getattr(args, "jobs", None), progress=None if args.quiet else progress_bar(),
                               student=sub.student)
        text = _render(result, args, out, time.perf_counter() - start)
        if out is None:
            print(text, file=real)
        else:
            _write(out, text, protected)
            print(f"wrote {out} ({result.score:g}/{result.max_score:g})", file=sys.stderr)
        return result.exit_code
    except (AnswerKeyError, VerifyError, ValueError) as exc:
        return _error(str(exc))
    except FileNotFoundError as exc:
        return _error(str(exc))


def _grade_batch(folder: Path, out: Path | None, args) -> int:
    from .gradebook import csv_text, file_stem, grade_folder
    from .report import SUFFIX

    if out is not None:
        if out.exists() and not out.is_dir():
            return _error(f"--output {str(out)!r} is a file; for a folder of submissions give a folder")
        if not out.exists() and not out.parent.is_dir():
            return _error(f"--output {str(out)!r}: folder {str(out.parent)!r} does not exist; create it first")
    real = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):   # a claim that prints cannot corrupt the summary
        book = grade_folder(folder, master_seed=args.master_seed, use_cache=not args.no_cache,
                            jobs=getattr(args, "jobs", None), progress=None if args.quiet else progress_bar(),
                            skip=out.resolve() if out is not None else None)
    for sub in book.broken:
        print(f"verify: skipped {sub.path}: {sub.error}", file=sys.stderr)
    if not book.submissions:
        return _error(f"no answer key or answer document found in {str(folder)!r}")
    if out is not None:
        out.mkdir(exist_ok=True)   # only once there is something to write into it
    if out is None:
        for sub in book.graded:
            r = sub.result
            print(f"{r.student or sub.path.stem:<24} {r.score:7.2f} / {r.max_score:<6g} graded {r.graded:>3}, "
                  f"not graded {r.ungraded:>3} ({r.needs_review} need review){'  HARNESS ERROR' if r.harness_error else ''}",
                  file=real)
        return book.exit_code
    taken: set[str] = {"grades"}
    for sub in book.graded:
        path = out / (file_stem(sub.result.student, taken) + SUFFIX[args.format])
        if args.format == "gradescope":
            path = path.with_suffix(".results.json")
        _write(path, _render(sub.result, args, path))
    _write(out / "grades.csv", csv_text(book))
    print(f"wrote {out / 'grades.csv'}: {len(book.graded)} graded, {len(book.broken)} skipped", file=sys.stderr)
    return book.exit_code


def run_coverage(args) -> int:
    import json

    from .coverage import coverage_report
    from .errors import AnswerKeyError

    try:
        report = coverage_report(args.key)
    except (AnswerKeyError, FileNotFoundError) as exc:
        return _error(str(exc))
    print(json.dumps(report.to_json(), indent=2) if args.json else report.text())
    return 0 if report.complete else 1
