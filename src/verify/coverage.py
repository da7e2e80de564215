"""Which sentences of an answer document an answer key covers.

Sentences: paragraphs (blank-line separated; a paragraph ending in a comma continues into the
next), split after ., ! or ? followed by a capital, a digit, ``$`` or a bracket, not after common
abbreviations.  Display formulas (``$$ ... $$``) count as sentences.  Headings and list markers
("a)", "1)", "- c)"), a short title line opening the document or starting with "Question",
"Part", "Homework" ..., and fragments of fewer than three words are not statements.  A sentence is
covered when a key quote overlaps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .answers import AnswerKey, load_key

__all__ = ["Sentence", "split_sentences", "coverage_report", "Coverage"]

_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|Fig|cf|al|approx|eq|Eq|resp)\.)$")
_MARKER = re.compile(r"^\s*(?:[-*•]\s*)?(?:\(?[a-zA-Z0-9]{1,3}[).]\s+)?")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9$\\(\[\"'])")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def _paragraphs(doc: str):
    pos = 0
    # a blank line, or a new line that starts a list item ("- c) ..."), starts a paragraph
    for block in re.split(r"(\n\s*\n|\n(?=[ \t]*[-*•][ \t]))", doc):
        if block.strip() and not re.fullmatch(r"\n\s*\n|\n", block):
            yield pos, block
        pos += len(block)


_HEADING = re.compile(r"^\s*(?:question|part|exercise|problem|homework|assignment|answer)\b[^.!?]*$", re.I)


def _is_heading(block: str, *, first: bool) -> bool:
    """A title line ("Dry Assignment", "Homework 1 (written part)", "Question 3") is not a statement."""
    text = " ".join(block.split())
    if "\n" in block.strip() or "$" in text or text[-1:] in ".!?:,;":
        return False
    return len(text.split()) <= 8 and (first or bool(_HEADING.match(text)))


def split_sentences(doc: str) -> list[Sentence]:
    spans: list[tuple[int, int]] = []
    carry: tuple[int, int] | None = None
    for number, (start, block) in enumerate(_paragraphs(doc)):
        if _is_heading(block, first=number == 0):
            continue
        lead = len(block) - len(block.lstrip())
        s, e = start + lead, start + len(block.rstrip())
        if carry is not None:
            s = carry[0]
            carry = None
        text = doc[s:e]
        if text.rstrip().endswith(","):
            carry = (s, e)
            continue
        if text.lstrip().startswith("$$"):
            spans.append((s, e))
            continue
        cut = s
        for m in _BOUNDARY.finditer(text):
            left = text[max(0, m.start() - 12): m.start()]
            if _ABBREV.search(left):  # only the last few characters: linear in the paragraph
                continue
            spans.append((cut, s + m.start()))
            cut = s + m.end()
        spans.append((cut, e))
    if carry is not None:
        spans.append(carry)
    out = []
    for a, b in spans:
        raw = doc[a:b]
        marker = _MARKER.match(raw)
        if marker and marker.end() < len(raw):
            a += marker.end()
        text = " ".join(doc[a:b].split())
        if len(re.findall(r"[A-Za-z]{2,}", text)) >= 3 or text.startswith("$$"):
            out.append(Sentence(a, b, text))
    return out


@dataclass(frozen=True)
class Coverage:
    key: AnswerKey
    sentences: tuple[Sentence, ...]
    covered_flags: tuple[bool, ...]
    part_of: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return all(self.covered_flags)

    def per_part(self) -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = {}
        for flag, part in zip(self.covered_flags, self.part_of):
            out.setdefault(part, [0, 0])
            out[part][0] += flag
            out[part][1] += 1
        return {k: (v[0], v[1]) for k, v in out.items()}

    def uncovered(self) -> list[Sentence]:
        return [s for s, f in zip(self.sentences, self.covered_flags) if not f]

    def to_json(self) -> dict:
        return {
            "key": str(self.key.path), "document": str(self.key.document_path),
            "sentences": len(self.sentences), "covered": sum(self.covered_flags),
            "complete": self.complete, "warnings": list(self.key.warnings),
            "parts": {p: {"covered": c, "sentences": n} for p, (c, n) in self.per_part().items()},
            "uncovered": [s.text for s in self.uncovered()],
            "uncovered_detail": [{"text": s.text, "start": s.start, "end": s.end, "part": p}
                                 for s, f, p in zip(self.sentences, self.covered_flags, self.part_of) if not f],
        }

    def text(self) -> str:
        lines = [f"{self.key.document_path.name}: {sum(self.covered_flags)}/{len(self.sentences)} sentences covered"]
        for part, (c, n) in self.per_part().items():
            lines.append(f"  {part:<8} {c:>3}/{n:<3} {'100%' if c == n else f'{100 * c / n:.0f}%'}")
        for s in self.uncovered():
            lines.append(f"  uncovered [{s.start}:{s.end}]: {s.text[:110]}")
        lines += [f"WARNING: {w}" for w in self.key.warnings]
        return "\n".join(lines)


def coverage_of(key: AnswerKey) -> Coverage:
    sentences = split_sentences(key.document)
    flags, parts = [], []
    for s in sentences:
        flags.append(any(st.start < s.end and s.start < st.end for st in key.statements))
        part = next((p.id for p in key.parts if p.start <= s.start < p.end), None)
        if part is None:
            hits = [st.part for st in key.statements if st.start < s.end and s.start < st.end]
            before = [st.part for st in key.statements if st.start <= s.start]
            part = hits[0] if hits else (before[-1] if before else "(none)")
        parts.append(part)
    return Coverage(key, tuple(sentences), tuple(flags), tuple(parts))


def coverage_report(path: str | Path) -> Coverage:
    return coverage_of(load_key(path))
