"""Drafting: a raw answer document in, parts and statements with suggested claims out."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from ._match import Matcher, claim_texts
from ._parts import assign_parts, attach, part_label
from ._read import DraftError, read_document
from ._segment import clauses, headings
from ._toml import render_key

__all__ = ["Suggestion", "DraftPart", "DraftStatement", "Draft", "draft_text", "draft_document",
           "bank_matcher", "THRESHOLD", "PART_PREFERENCE"]

# Chosen by benchmarks/draft.py, which fits them leave-one-document-out to report each document's
# figures; the shipped values are its fit on every document (the keyed fixtures and its control of
# off-topic sentences, which scored at most 0.24 while every fixture statement scored above 0.31).
THRESHOLD = 0.3          # best score below this: the statement is "no-claim"
PART_PREFERENCE = 0.7    # a claim of another part scores this fraction of its similarity
CONTEXT = 0.5            # share of a clause's score that comes from its whole sentence
MAX_STATEMENTS = 20_000  # ~100x a homework; bounds the (statements x claims) score arrays to ~60 MB
STANCE_MARGIN = 0.05     # "denies" needs its best denying text this much above the best asserting one


@dataclass(frozen=True)
class Suggestion:
    claim: str
    stance: str          # "asserts" | "denies"
    score: float         # in [0, 1]

    def to_json(self) -> dict:
        return {"claim": self.claim, "stance": self.stance, "score": self.score}


@dataclass(frozen=True)
class DraftPart:
    id: str
    start: int
    end: int

    def to_json(self) -> dict:
        return {"id": self.id, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class DraftStatement:
    part: str
    quote: str           # verbatim: document[start:end]
    start: int
    end: int
    status: str          # "suggested" (the top suggestion fills the entry) or "no-claim"
    suggestions: tuple[Suggestion, ...]

    def to_json(self) -> dict:
        return {"part": self.part, "quote": self.quote, "start": self.start, "end": self.end,
                "status": self.status, "suggestions": [s.to_json() for s in self.suggestions]}


@dataclass(frozen=True)
class Draft:
    document: Path
    title: str
    student: str
    parts: tuple[DraftPart, ...]
    statements: tuple[DraftStatement, ...]

    def to_json(self) -> dict:
        return {"document": str(self.document), "parts": [p.to_json() for p in self.parts],
                "statements": [s.to_json() for s in self.statements]}

    def to_toml(self, key_path: Path | None = None) -> str:
        """The answer key (SPEC "Answer-key format"); ``[document] path`` is relative to ``key_path``'s
        folder (default: the key beside the document, ``answers.txt`` -> ``answers.key.toml``)."""
        key_path = key_path or default_key_path(self.document)
        rel = os.path.relpath(Path(self.document).resolve(), Path(key_path).resolve().parent)
        if rel.startswith(os.pardir):
            raise DraftError(f"the key {str(key_path)!r} would sit outside the document's folder tree; "
                             "write it beside the document or in a folder above it", path=str(self.document))
        return render_key(self, Path(rel).as_posix())


def default_key_path(document: Path) -> Path:
    return Path(document).with_name(Path(document).stem + ".key.toml")


@functools.lru_cache(maxsize=2)
def bank_matcher(claims_dir: str | None = None) -> Matcher:
    """The matcher over the whole bank, built once per process (drafting a class reuses it)."""
    from ..bank import load_bank

    return Matcher(claim_texts(load_bank(claims_dir)))


def _title(text: str, path: Path) -> str:
    """The document's opening line when it reads as a title ("Dry Assignment"), else the file's stem."""
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not 0 < len(first) <= 80 or first[-1:] in ".!?,;:" or headings(first + "\n"):
        return path.stem
    return first


def draft_text(text: str, matcher: Matcher, *, top: int = 3, threshold: float = THRESHOLD,
               preference: float = PART_PREFERENCE, context: float = CONTEXT,
               margin: float = STANCE_MARGIN) -> tuple[list[DraftPart], list[DraftStatement]]:
    """Parts and statements of ``text``; the library's core, with every model choice a parameter."""
    import numpy as np

    if top < 1:
        raise ValueError(f"top must be at least 1, got {top!r}")
    units = clauses(text)
    if not units:
        return [], []
    if len(units) > MAX_STATEMENTS:
        raise DraftError(f"has {len(units)} statements; drafting stops at {MAX_STATEMENTS} (a whole homework has a "
                         "few hundred): is this an answer document?")
    quotes = [text[c.start:c.end] for c in units]
    span: dict[int, list[int]] = {}
    for c in units if context > 0 else ():
        span.setdefault(c.sentence, [c.start, c.end])[1] = c.end
    sentences = sorted(span)
    whole = [text[span[i][0]:span[i][1]] for i in sentences]
    scores, denial = matcher.claim_scores(quotes + whole)      # one pass over the model for both
    if context > 0:     # a clause such as "and improve the accuracy" means what its sentence is about
        row = {i: len(quotes) + r for r, i in enumerate(sentences)}
        scores = (1 - context) * scores[:len(quotes)] + context * scores[[row[c.sentence] for c in units]]
    scores, denial = scores[:len(quotes)], denial[:len(quotes)]
    labels = part_label(dict.fromkeys(matcher.questions[c] for c in matcher.claims))
    column = {p.id: i for i, p in enumerate(labels)}
    owner = np.array([column[matcher.questions[c]] for c in matcher.claims])
    by_part = np.zeros((len(units), len(labels)))
    for j, p in enumerate(labels):
        by_part[:, j] = scores[:, owner == j].max(axis=1)
    heads = attach(headings(text), units)
    path = assign_parts(by_part, labels, units, heads)

    statements = []
    for u, clause in enumerate(units):
        weight = np.where(owner == path[u], 1.0, preference)
        ranked = scores[u] * weight
        order = np.argsort(-ranked, kind="stable")[:top]
        suggestions = tuple(Suggestion(matcher.claims[j], "denies" if denial[u, j] > margin else "asserts",
                                       round(float(ranked[j]), 3)) for j in order)
        status = "suggested" if suggestions and suggestions[0].score >= threshold else "no-claim"
        statements.append(DraftStatement(labels[path[u]].id, quotes[u], clause.start, clause.end, status,
                                         suggestions))
    return _spans(text, units, heads, path, labels), statements


def _spans(text, units, heads, path, labels) -> list[DraftPart]:
    """One span per part: from its first clause (or the heading before it) to the next part's start."""
    runs: list[list[int]] = []             # [part index, start, end]
    for u, (clause, p) in enumerate(zip(units, path)):
        if runs and runs[-1][0] == p:
            continue
        start = heads[u].start if heads[u] is not None else clause.start
        if runs:
            runs[-1][2] = start
        runs.append([p, start, 0])
    runs[-1][2] = len(text.rstrip())
    longest: dict[int, list[int]] = {}
    for run in runs:                       # a part visited twice keeps its longer run
        if run[0] not in longest or run[2] - run[1] > longest[run[0]][2] - longest[run[0]][1]:
            longest[run[0]] = run
    return [DraftPart(labels[p].id, s, e) for p, s, e in sorted(longest.values(), key=lambda r: r[1])]


def draft_document(path: Path, *, top: int = 3, matcher: Matcher | None = None) -> Draft:
    """Draft an answer key for the document at ``path``.  Raises :class:`DraftError` on bad input."""
    path = Path(path)
    text = read_document(path)
    try:
        parts, statements = draft_text(text, matcher or bank_matcher(), top=top)
    except DraftError as exc:
        if exc.path is not None:
            raise
        raise DraftError(str(exc), path=str(path)) from None
    student = path.resolve().parent.name
    return Draft(path, _title(text, path), student, tuple(parts), tuple(statements))
