"""``verify draft ANSWERS|DIR [--output KEY.toml] [--json] [--top K]``: the CLI shell over drafting.

``cli.py`` registers the subcommand with :func:`add_arguments` and calls :func:`run`; nothing here
imports the matching model until a document is drafted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["add_arguments", "run"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--top must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"--top must be at least 1, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("answers", metavar="ANSWERS|DIR",
                        help="an answer document (.txt/.md), or a folder: every document in it, recursively")
    parser.add_argument("--output", "-o", metavar="KEY.toml",
                        help="where to write the key (one document only; default: beside the document, "
                             "answers.txt -> answers.key.toml)")
    parser.add_argument("--json", action="store_true",
                        help="print the draft as JSON (document, parts, statements with suggestions) "
                             "instead of writing keys")
    parser.add_argument("--top", type=_positive, default=3, metavar="K",
                        help="suggestions per statement (default 3): the best fills the entry, the rest are comments")


def _write(path: Path, text: str, document: Path | None = None) -> None:
    from ..output import write_text
    from ._read import DraftError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text, protected=[document] if document is not None else [])
    except OSError as exc:
        raise DraftError(f"cannot write the key: {exc.strerror or exc}", path=str(path)) from None


def run(args: argparse.Namespace) -> int:
    """Draft one document or a folder; raises ``DraftError`` (an ``AnswerKeyError``: exit 2) on bad input."""
    from ._draft import default_key_path, draft_document
    from ._read import DraftError, documents_in

    target = Path(args.answers)
    top = getattr(args, "top", 3) or 3
    output = Path(args.output) if getattr(args, "output", None) else None
    as_json = getattr(args, "json", False)
    if target.is_dir():
        if output is not None:
            raise DraftError("--output names one key; a folder gets one key beside each document",
                             path=str(target))
        documents = documents_in(target)
        if not documents:
            raise DraftError("holds no answer documents (*.txt, *.md)", path=str(target))
        records, failed = [], []
        for i, doc in enumerate(documents, 1):
            try:
                draft = draft_document(doc, top=top)
                if not as_json:
                    _write(default_key_path(doc), draft.to_toml(), doc)
            except DraftError as exc:     # one bad submission must not stop the class's drafts
                failed.append(str(exc))
                print(f"[{i}/{len(documents)}] skipped: {exc}", file=sys.stderr)
                continue
            if as_json:
                records.append(draft.to_json())
            print(f"[{i}/{len(documents)}] {doc}: {len(draft.statements)} statements, "
                  f"{sum(s.status == 'no-claim' for s in draft.statements)} no-claim", file=sys.stderr)
        if as_json:
            print(json.dumps(records, indent=2, ensure_ascii=False))
        if failed:
            raise DraftError(f"{len(failed)} of {len(documents)} documents could not be drafted (the others were); "
                             f"first: {failed[0]}", path=str(target))
        return 0
    draft = draft_document(target, top=top)
    if as_json:
        print(json.dumps(draft.to_json(), indent=2, ensure_ascii=False))
        if output is None:
            return 0
    key = output or default_key_path(target)
    _write(key, draft.to_toml(key), target)
    if not as_json:
        print(f"wrote {key}: {len(draft.parts)} parts, {len(draft.statements)} statements "
              f"({sum(s.status == 'no-claim' for s in draft.statements)} no-claim); review every entry",
              file=sys.stderr)
    return 0
