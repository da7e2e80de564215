"""Finding a student's quote in a document: Unicode NFKC, curly/straight quotes, dashes and runs
of whitespace are folded before comparing, and spans map back to the original text."""

from __future__ import annotations

import difflib
import functools
import unicodedata

__all__ = ["fold", "find_quotes", "find_quote", "closest_passage"]

_HINT_QUOTE_CHARS = 200      # the closest-passage hint compares this much of a quote (difflib is O(n*m))
_HINT_DOCUMENT_CHARS = 200_000  # ... and only in documents up to this long, so a bad key fails fast

_QUOTE_FOLD = str.maketrans({**dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
                             **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
                             **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")})


@functools.lru_cache(maxsize=8)  # one document, folded once however many quotes look into it
def fold(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` after NFKC, quote/dash folding and whitespace collapsing, with each folded
    character's offset in ``text`` (plus one entry for the end)."""
    out: list[str] = []
    index: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):  # a base character with its accents
            j += 1
        chunk = text[i:j]
        if chunk.isspace():
            if not out or out[-1] != " ":
                out.append(" ")
                index.append(i)
        else:
            folded = (chunk if chunk.isascii() else unicodedata.normalize("NFKC", chunk)).translate(_QUOTE_FOLD)
            for ch in folded:
                if ch.isspace():
                    ch = " "
                    if out and out[-1] == " ":
                        continue
                out.append(ch)
                index.append(i)
        i = j
    index.append(n)
    return "".join(out), tuple(index)


def _fold_quote(quote: str) -> str:
    return fold(quote)[0].strip()


def find_quotes(document: str, quote: str) -> list[tuple[int, int]]:
    """Every span of ``quote`` in ``document`` (non-overlapping, in order), compared after folding."""
    q = _fold_quote(quote)
    if not q or len(q) > len(document) * 4:
        return []
    doc, index = fold(document)
    spans, pos = [], doc.find(q)
    while pos >= 0:   # the next folded character's offset ends the span: accents and ligatures stay whole
        spans.append((index[pos], index[pos + len(q)] if pos + len(q) < len(doc) else len(document)))
        pos = doc.find(q, pos + len(q))
    return spans


def find_quote(document: str, quote: str) -> tuple[int, int] | None:
    """The first span of ``quote`` in ``document`` after folding, or None."""
    spans = find_quotes(document, quote)
    return spans[0] if spans else None


def closest_passage(document: str, quote: str) -> str:
    if len(document) > _HINT_DOCUMENT_CHARS:
        return ""
    doc_n = fold(document)[0]
    q_n = _fold_quote(quote)[:_HINT_QUOTE_CHARS]
    if not q_n:
        return ""
    sm = difflib.SequenceMatcher(None, doc_n, q_n, autojunk=False)
    m = sm.find_longest_match(0, len(doc_n), 0, len(q_n))
    if m.size < 8:
        return ""
    start = max(0, m.a - m.b)
    passage = doc_n[start:start + len(q_n) + 20]
    return passage if len(passage) < 240 else passage[:237] + "..."
