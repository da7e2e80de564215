"""A raw answer document cut into headings, sentences and clauses, with character offsets.

Sentences are :func:`verify.coverage.split_sentences` (so drafting and ``verify coverage`` agree on
what a sentence is).  A sentence splits further into clauses where each side carries its own
proposition: at "; ", ": ", ", but", ", which", ", and", ", so", ", while", ", whereas", "rather than",
"instead of", ", since", ", because"...  A piece with fewer than four words stays with its
neighbour, so "rather than learning it" does not become a statement of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..coverage import split_sentences

__all__ = ["Heading", "Clause", "headings", "clauses"]


@dataclass(frozen=True)
class Heading:
    """A heading line ("Q2 a)", "2.1", "## Question 3 (b)") or a leading marker ("1) Standard ...")."""

    start: int
    end: int
    question: int | None     # the question number it names, if any
    sub: str | None          # the sub-part it names: a letter "a".."h" or a digit string "1".."9"
    inline: bool = False     # the marker opens a line of text rather than standing alone


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    sentence: int            # index of its sentence
    paragraph_start: bool    # first clause of a paragraph (a natural place for a new part)


_DECOR = r"[ \t]*(?:[-*\u2022][ \t]+)?(?:#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*"
_BULLET = re.compile(r"[ \t]*[-*\u2022][ \t]+")
_NAMED = re.compile(
    _DECOR + r"(?:question|problem|exercise|task|q)[ \t]*\.?[ \t]*(?P<q>\d{1,2})"
    r"(?:[ \t]*[.(]?[ \t]*(?:part[ \t]*)?\(?(?P<sub>[a-hA-H]|\d)\b\)?)?[ \t]*[).:\-]?", re.I)
_DOTTED = re.compile(_DECOR + r"(?P<q>\d{1,2})\.(?P<sub>\d)(?:[).:]|(?=[*_ \t])|$)")
_NUMLETTER = re.compile(_DECOR + r"(?P<q>\d{1,2})[ \t]*\(?(?P<sub>[a-hA-H])\)[ \t]*[.:]?")
_PART = re.compile(_DECOR + r"part[ \t]+\(?(?P<sub>[a-hA-H]|\d)\)?[ \t]*[).:]?", re.I)
_LETTER = re.compile(_DECOR + r"\(?(?P<sub>[a-hA-H])[).][ \t]*")
_NUMBER = re.compile(_DECOR + r"\(?(?P<sub>\d{1,2})[).][ \t]*")
_TAIL = re.compile(r"[ \t]*(?:\*\*|__)?[ \t]*:?[ \t]*$")


def _parse_line(line: str) -> tuple[int | None, str | None, int] | None:
    """(question, sub, end of the marker) if ``line`` opens with a heading marker."""
    for pattern in (_NAMED, _DOTTED, _NUMLETTER, _PART, _LETTER, _NUMBER):
        m = pattern.match(line)
        if not m:
            continue
        groups = m.groupdict()
        q = int(groups["q"]) if groups.get("q") else None
        sub = groups.get("sub")
        sub = sub.lower() if sub else None
        if pattern is _NUMBER:          # "3)" alone: question 3, or sub-part 3 of the current question
            return None, sub, m.end()
        return q, sub, m.end()
    return None


def headings(document: str) -> list[Heading]:
    """Heading lines and leading markers, in order; adjacent ones merge ("Question 2" then "a)")."""
    out: list[Heading] = []
    pos = 0
    previous_blank = True
    for line in document.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        parsed = _parse_line(body[:80]) if body.strip() else None
        if parsed is not None:
            q, sub, end = parsed
            rest = body[end:]
            alone = bool(_TAIL.fullmatch(rest))
            # A marker inside running text ("a) ... b) ...") counts only at a paragraph's start or alone.
            follows_heading = bool(out) and not out[-1].inline and out[-1].end >= pos - 2
            if alone or previous_blank or _BULLET.match(body) or follows_heading:
                heading = Heading(pos, pos + (len(body) if alone else end), q, sub, inline=not alone)
                if out and not out[-1].inline and document[out[-1].end:pos].strip() == "":
                    last = out.pop()
                    heading = Heading(last.start, heading.end, last.question if last.question is not None
                                      else q, sub if sub is not None else last.sub, heading.inline)
                out.append(heading)
        elif body.lstrip().startswith("#") and body.strip():   # a Markdown heading without a number
            out.append(Heading(pos, pos + len(body), None, None))
        previous_blank = not body.strip()
        pos += len(line)
    return out


_CUT = re.compile(
    r";\s+|:\s+(?=[A-Za-z])|,\s+(?=(?:but|which|and|so|while|whereas|since|because|although|though|"
    r"however|therefore|thus|hence|then|yet|nor|meaning|whereby|as(?!\s+(?:well|long|much|many|a\s+result)))\b)|"
    r"\s+(?=(?:but|whereas|because|rather than|instead of)\b)|\s+[-\u2013\u2014]{1,2}\s+", re.I)
_MIN_WORDS = 4


def _pieces(text: str) -> list[tuple[int, int]]:
    spans, cut = [], 0
    for m in _CUT.finditer(text):
        spans.append((cut, m.start()))
        cut = m.end()
    spans.append((cut, len(text)))
    merged: list[list[int]] = []
    for a, b in spans:
        short = len(text[a:b].split()) < _MIN_WORDS
        if merged and (short or len(text[merged[-1][0]:merged[-1][1]].split()) < _MIN_WORDS):
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def clauses(document: str) -> list[Clause]:
    """Every clause of every sentence, with offsets into ``document``."""
    out: list[Clause] = []
    previous_end = 0
    for index, sentence in enumerate(split_sentences(document)):
        first = index == 0 or "\n\n" in document[previous_end:sentence.start].replace("\r", "") or \
            bool(re.search(r"\n[ \t]*$", document[previous_end:sentence.start]))
        text = document[sentence.start:sentence.end]
        for k, (a, b) in enumerate(_pieces(text)):
            raw = text[a:b]
            lead = len(raw) - len(raw.lstrip())
            trail = len(raw.rstrip(" \t\r\n,;:"))
            if trail > lead:
                out.append(Clause(sentence.start + a + lead, sentence.start + a + trail, index, first and k == 0))
        previous_end = sentence.end
    return out
