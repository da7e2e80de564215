"""Which question part each clause answers: headings where they are clear, content where they are not.

Students answer in the bank's order but label parts loosely ("a)" for several questions, "1)"
for question 1 and for sub-part 1, no label at all for some questions).  So parts are a best path
(Viterbi) through the bank's ordered parts: each clause scores its similarity to the part's
claims; moving on to a later part is cheap at a heading that fits it, dearer at a plain paragraph
break and dearest inside a paragraph; going back, or skipping parts for free, is allowed only to a
part a heading names by its question number ("Q2 a)" after question 5).

The constants are in units of "similarity x 10" and were set by reasoning before any benchmark,
not fitted: a fitting heading outweighs a 0.2 similarity lead; an unlabelled paragraph break
needs a 0.2 lead; a mid-paragraph switch 0.4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ._segment import Clause, Heading

__all__ = ["PartLabel", "part_label", "assign_parts"]

_SIMILARITY = 10.0      # weight of a clause's similarity to a part
_FIT = 2.0              # moving on at a heading that fits the part
_MISFIT = -4.0          # moving on at a heading that names another part
_PARAGRAPH = -2.0       # moving on at an unlabelled paragraph break
_MID = -4.0             # moving on inside a paragraph
_STAY_AT_HEADING = -3.0  # a labelled heading that does not start a new part
_SKIP = -1.5            # each part passed over (a student leaves a part out now and then)
_FORBIDDEN = -1e9


@dataclass(frozen=True)
class PartLabel:
    id: str
    question: int
    sub: str | None          # "a".., "1".., or None for a question without parts
    first: bool              # the question's first part


_PART_ID = re.compile(r"^q(\d\d)(?:\.(\d)|([a-h]))?$")


def part_label(part_ids: Sequence[str]) -> list[PartLabel]:
    """The bank's parts in homework order (q01, q02a, q02b, ..., q07.1, q07.2, ...)."""
    parsed = []
    for pid in set(part_ids):
        m = _PART_ID.match(pid)
        if m:
            sub = m.group(2) or m.group(3)
            parsed.append((int(m.group(1)), _ordinal(sub) if sub else 0, pid, sub))
    out, seen = [], set()
    for q, _, pid, sub in sorted(parsed):
        out.append(PartLabel(pid, q, sub, q not in seen))
        seen.add(q)
    return out


def _ordinal(sub: str) -> int:
    return int(sub) if sub.isdigit() else ord(sub) - ord("a") + 1


def _fit(h: Heading, p: PartLabel) -> float:
    """+1 the heading names this part, -1 it names another, 0 it names none (a plain title)."""
    if h.question is None and h.sub is None:
        return 0.0
    if h.question is not None:
        if h.question != p.question:
            return -1.0
        if h.sub is None:
            return 1.0 if p.first else -1.0
        return 1.0 if p.sub is not None and _ordinal(h.sub) == _ordinal(p.sub) else -1.0
    if h.sub.isdigit() and p.first and int(h.sub) == p.question:   # "3)" opening question 3
        return 1.0
    return 1.0 if p.sub is not None and _ordinal(h.sub) == _ordinal(p.sub) else -1.0


def attach(headings: Sequence[Heading], clauses: Sequence[Clause]) -> list[Heading | None]:
    """The heading right before each clause (None where there is none)."""
    out: list[Heading | None] = [None] * len(clauses)
    i = 0
    for h in headings:
        while i < len(clauses) and clauses[i].start < h.start:
            i += 1
        if i < len(clauses):
            out[i] = h
    return out


def assign_parts(similarity, parts: Sequence[PartLabel], clauses: Sequence[Clause],
                 heads: Sequence[Heading | None]) -> list[int]:
    """Index into ``parts`` for every clause.  ``similarity``: (clauses, parts) array in [0, 1]."""
    import numpy as np

    n, m = len(clauses), len(parts)
    if n == 0 or m == 0:
        return [0] * n
    idx = np.arange(m)
    jump = idx[None, :] - idx[:, None]                   # jump[a, b] = b - a
    start = _SKIP * idx                                 # parts before the first answer were skipped
    if heads[0] is not None:
        fit = np.array([_fit(heads[0], p) for p in parts])
        start = np.where(fit > 0, _FIT + (0.0 if heads[0].question is not None else start), start)
    score = _SIMILARITY * similarity[0] + start
    back = np.zeros((n, m), dtype=int)
    for u in range(1, n):
        h, c = heads[u], clauses[u]
        fit = np.array([_fit(h, p) for p in parts]) if h is not None else np.zeros(m)
        named = h is not None and h.question is not None
        if h is not None and (h.question is not None or h.sub is not None):
            move = np.where(fit > 0, _FIT, _MISFIT)
            stay = _STAY_AT_HEADING
        else:
            move = np.full(m, _PARAGRAPH if c.paragraph_start or h is not None else _MID)
            stay = 0.0
        trans = np.where(jump > 0, move[None, :] + _SKIP * (jump - 1), _FORBIDDEN)
        if named:        # a heading that names its question is followed anywhere, back or far ahead
            trans = np.where((jump != 0) & (fit[None, :] > 0), _FIT, trans)
        trans[idx, idx] = stay
        total = score[:, None] + trans
        back[u] = total.argmax(axis=0)
        score = total.max(axis=0) + _SIMILARITY * similarity[u]
    path = [int(score.argmax())]
    for u in range(n - 1, 0, -1):
        path.append(int(back[u, path[-1]]))
    return path[::-1]
