"""Grading a class: find the submissions in a folder, run every claim they need once, grade each,
and write the gradebook (``grades.csv``) with one report per student.

A submission is an answer key (a ``.toml`` with a ``[document]`` table) or an answer document (a
``.txt`` no key points to), which is drafted into a key on the fly (:mod:`verify.draft`).  The
student id comes from the key's ``[document] student``, else the submission's folder (a folder per
student), else the file's stem.  One broken submission is reported and skipped; it never stops the
batch.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .answers import AnswerKey, load_key, parse_key
from .errors import AnswerKeyError, VerifyError
from .grade import EXIT_HARNESS_ERROR, Evaluate, GradeResult, grade, run_claims

__all__ = ["Submission", "Gradebook", "discover", "load_submission", "grade_folder", "csv_text", "file_stem"]

MAX_FILES = 10_000   # a class, not a file system


@dataclass
class Submission:
    path: Path
    kind: str                  # "key" or "document"
    student: str
    error: str | None = None
    key: AnswerKey | None = None
    result: GradeResult | None = None


@dataclass
class Gradebook:
    submissions: list[Submission] = field(default_factory=list)

    @property
    def graded(self) -> list[Submission]:
        return [s for s in self.submissions if s.result is not None]

    @property
    def broken(self) -> list[Submission]:
        return [s for s in self.submissions if s.error is not None]

    @property
    def exit_code(self) -> int:
        """3 a verdict could not be obtained, 2 a submission could not be read, 1 anything short of all correct."""
        codes = [s.result.exit_code for s in self.graded]
        if EXIT_HARNESS_ERROR in codes:
            return EXIT_HARNESS_ERROR
        if self.broken or not self.submissions:
            return 2
        return max(codes, default=0)


def _document_of(key: Path) -> Path | None:
    """The document a key names, or None when the file is not an answer key at all."""
    try:
        raw = key.read_text(encoding="utf-8")
        data = tomllib.loads(raw)
    except (OSError, UnicodeDecodeError):
        return key.with_suffix(".invalid")  # still a submission: loading it reports the problem
    except RecursionError:
        return key.with_suffix(".invalid")
    except tomllib.TOMLDecodeError:  # broken, but its document is still not a raw one to draft
        m = re.search(r'^\s*path\s*=\s*"([^"\n]+)"', raw, re.M)
        return (key.parent / m.group(1)).resolve() if m else key.with_suffix(".invalid")
    doc = data.get("document")
    if not isinstance(doc, dict):
        return None
    path = doc.get("path")
    return (key.parent / path).resolve() if isinstance(path, str) and path.strip() else key.with_suffix(".invalid")


def discover(folder: str | Path, *, skip: Path | None = None) -> list[Submission]:
    """The submissions under ``folder`` (or ``folder`` itself, a key or a document), sorted by path."""
    root = Path(folder)
    if root.is_file():
        return [Submission(root, "key" if root.suffix == ".toml" else "document", _student_of(root, root.parent))]
    if not root.is_dir():
        raise AnswerKeyError(f"{str(root)!r} does not exist; give a key, an answer document or a folder of them")
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (skip is None or (here / d) != skip))
        files += [here / f for f in sorted(filenames) if not f.startswith(".")]
        if len(files) > MAX_FILES:
            raise AnswerKeyError(f"{str(root)!r} holds more than {MAX_FILES} files; give the folder of submissions")
    keyed, subs = set(), []
    for f in files:
        if f.suffix == ".toml":
            doc = _document_of(f)
            if doc is not None:
                keyed.add(doc)
                subs.append(Submission(f, "key", _student_of(f, root)))
    subs += [Submission(f, "document", _student_of(f, root)) for f in files
             if f.suffix == ".txt" and f.resolve() not in keyed]
    return sorted(subs, key=lambda s: str(s.path))


_GENERIC = {"key", "answers", "answer", "submission", "answers.key", "answers.draft"}


def _student_of(path: Path, root: Path) -> str:
    """The folder below ``root`` that holds the submission (a folder per student), else the file stem;
    a generic stem ("key", "answers") names its folder instead."""
    rel = path.parent.resolve().relative_to(root.resolve()) if path.parent.resolve() != root.resolve() else None
    if rel and rel.parts:
        return rel.parts[0]
    return path.parent.resolve().name if path.stem.lower() in _GENERIC else path.stem


def load_submission(sub: Submission, *, known_claims: set[str] | None = None) -> AnswerKey:
    """The answer key of a submission: loaded, or drafted from the raw document."""
    if sub.kind == "key":
        return load_key(sub.path, known_claims=known_claims)
    try:
        from .draft import draft_document
    except ImportError:
        raise AnswerKeyError("no answer key for this document and drafting is not available; write a key "
                             "(see the README, 'Answer keys') or run `verify draft`", path=str(sub.path)) from None
    # the drafted key lies (virtually, never written) beside the document: its relative path resolves
    key_path = sub.path.with_name(sub.path.stem + ".draft.toml")
    return parse_key(draft_document(sub.path).to_toml(key_path), key_path, known_claims=known_claims)


def grade_folder(folder: str | Path, *, evaluate: Evaluate | None = None, master_seed: int = 0,
                 use_cache: bool = True, jobs: int | None = None, progress: Callable | None = None,
                 skip: Path | None = None,
                 known_claims: set[str] | None = None) -> Gradebook:
    """Grade every submission under ``folder``: load all, run each needed claim once, grade each."""
    book = Gradebook(discover(folder, skip=skip))
    if known_claims is None:
        from .bank import load_bank

        known_claims = {c.id for c in load_bank()}
    for sub in book.submissions:
        try:
            sub.key = load_submission(sub, known_claims=known_claims)
            sub.student = sub.key.student or sub.student
        except (VerifyError, OSError, ValueError) as exc:  # reported and skipped, never stops the batch
            sub.error = str(exc)
    ids = [c for s in book.submissions if s.key is not None for c in s.key.claim_ids()]
    verdicts = run_claims(ids, master_seed=master_seed, use_cache=use_cache, jobs=jobs, evaluate=evaluate,
                          progress=progress)
    for sub in book.submissions:
        if sub.key is not None:
            sub.result = grade(sub.key, verdicts, student=sub.student)
    return book


def file_stem(student: str, taken: set[str]) -> str:
    """A file name for a student's report: safe characters only, unique within the batch."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", student).strip("._")[:80] or "student"
    name, n = stem, 2
    while name.lower() in taken:
        name, n = f"{stem}-{n}", n + 1
    taken.add(name.lower())
    return name


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (student text is untrusted)."""
    s = str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def _num(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def csv_text(book: Gradebook) -> str:
    """grades.csv: one row per submission; per part score and max; totals and counts; errors."""
    parts = list(dict.fromkeys(p.id for s in book.graded for p in s.result.parts))
    head = ["student", "document", "status"] + [f"{p} {w}" for p in parts for w in ("score", "max")]
    head += ["total", "max", "graded", "ungraded", "needs_review", "unreviewed", "error"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for s in book.submissions:
        r = s.result
        if r is None:
            w.writerow([_cell(s.student), str(s.path), "error"] + [""] * (2 * len(parts) + 6) + [_cell(s.error)])
            continue
        mine = {p.id: p for p in r.parts}
        cells = [x for p in parts for x in ((_num(mine[p].score), _num(mine[p].points)) if p in mine else ("", ""))]
        status = "harness error" if r.harness_error else "graded"
        w.writerow([_cell(r.student), str(r.key.document_path), status] + cells
                   + [_num(r.score), _num(r.max_score), r.graded, r.ungraded, r.needs_review, r.unreviewed, ""])
    return buf.getvalue()
