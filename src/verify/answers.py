"""Answer keys: which verbatim span of an answer document asserts or denies which claims.

An answer key is TOML data, never code (student material is untrusted)::

    [document]
    path = "answers.txt"            # relative to the key's folder, and inside it
    title = "Seed answers"          # optional

    [[part]]                        # optional: question parts and their character spans
    id = "q01"
    start = 20
    end = 1059
    points = 1.0                    # optional, default 1

    [[statement]]
    part = "q01"
    quote = "the classification accuracy would first increase up to a certain value of h"
    claims = ["q01.latent.inverted_u_full_labels"]
    stance = "asserts"              # or "denies"
    note = "optional"

Every problem raises :class:`~verify.errors.AnswerKeyError` naming the file, the entry (with its
line) and what to do; the CLI turns it into one message and exit code 2.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import reprlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AnswerKeyError

__all__ = ["AnswerKey", "Statement", "Part", "load_key", "STANCES", "find_quote"]

STANCES = ("asserts", "denies")
MAX_BYTES = 4 * 1024 * 1024  # a key or document larger than this is not an answer document
_STATEMENT_KEYS = {"part", "quote", "claims", "stance", "note"}
_DOCUMENT_KEYS = {"path", "title", "student"}
_PART_KEYS = {"id", "start", "end", "points", "title"}
_HINT_QUOTE_CHARS = 200      # the closest-passage hint compares this much of a quote (difflib is O(n*m))
_HINT_DOCUMENT_CHARS = 200_000  # ... and only in documents up to this long, so a bad key fails fast


_REPR = reprlib.Repr()
_REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict, _REPR.maxlevel = 80, 80, 6, 6, 3


def _show(value, limit: int = 100) -> str:
    """``repr(value)``, shortened: messages quote bad values, not megabytes of them."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


@dataclass(frozen=True)
class Part:
    id: str
    start: int
    end: int
    points: float = 1.0
    title: str = ""


@dataclass(frozen=True)
class Statement:
    index: int          # 1-based position among the key's statements
    line: int           # line of its [[statement]] header in the key file
    part: str
    quote: str
    claims: tuple[str, ...]
    stance: str
    note: str = ""
    start: int = 0      # character span of the quote in the document
    end: int = 0

    @property
    def label(self) -> str:
        return f"statement {self.index} (line {self.line})"


@dataclass(frozen=True)
class AnswerKey:
    path: Path
    document_path: Path
    document: str
    title: str
    parts: tuple[Part, ...]
    statements: tuple[Statement, ...] = field(default_factory=tuple)

    def claim_ids(self) -> list[str]:
        return list(dict.fromkeys(c for s in self.statements for c in s.claims))


@functools.lru_cache(maxsize=4)  # one document, normalised once however many quotes look into it
def _normalise(text: str) -> tuple[str, list[int]]:
    """Collapse whitespace runs to one space; return the text and a map to original offsets."""
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _SPACE_RUN.finditer(text):
        out.append(text[pos:m.start()])
        index.extend(range(pos, m.start()))
        out.append(" ")
        index.append(m.start())
        pos = m.end()
    out.append(text[pos:])
    index.extend(range(pos, len(text)))
    index.append(len(text))
    return "".join(out), index


_SPACE_RUN = re.compile(r"\s+")


def find_quote(document: str, quote: str) -> tuple[int, int] | None:
    """The span of ``quote`` in ``document``, verbatim up to runs of whitespace, or None."""
    pos = document.find(quote)
    if pos >= 0:
        return pos, pos + len(quote)
    q_n = " ".join(quote.split())
    if not q_n or len(q_n) > len(document):
        return None
    doc_n, index = _normalise(document)
    pos = doc_n.find(q_n)
    if pos < 0:
        return None
    return index[pos], index[pos + len(q_n) - 1] + 1


def _closest_passage(document: str, quote: str) -> str:
    if len(document) > _HINT_DOCUMENT_CHARS:
        return ""
    doc_n, _ = _normalise(document)
    q_n = " ".join(quote.split())[:_HINT_QUOTE_CHARS]
    if not q_n:
        return ""
    sm = difflib.SequenceMatcher(None, doc_n, q_n, autojunk=False)
    m = sm.find_longest_match(0, len(doc_n), 0, len(q_n))
    if m.size < 8:
        return ""
    start = max(0, m.a - m.b)
    passage = doc_n[start:start + len(q_n) + 20]
    return passage if len(passage) < 240 else passage[:237] + "..."


_HEADER = re.compile(r"\s*\[\[\s*statement\s*\]\]")


def _statement_lines(raw: str) -> list[int]:
    """Line numbers of the ``[[statement]]`` headers of (already parsed, valid) TOML ``raw``.

    A header-looking line inside a multi-line string is text, not a header: the scan tracks
    strings (basic, literal, multi-line, with escapes) and comments to tell them apart."""
    out: list[int] = []
    inside: str | None = None          # '"""' or "'''" while in a multi-line string
    for no, line in enumerate(raw.split("\n"), 1):
        if inside is None and _HEADER.match(line):
            out.append(no)
        i, n = 0, len(line)
        while i < n:
            if inside:
                if inside == '"""' and line[i] == "\\":
                    i += 2
                    continue
                if line.startswith(inside, i):
                    i += 3
                    while i < n and line[i] == inside[0]:   # up to two quotes may end the string
                        i += 1
                    inside = None
                    continue
                i += 1
                continue
            c = line[i]
            if c == "#":
                break
            if line.startswith('"""', i) or line.startswith("'''", i):
                inside, i = line[i:i + 3], i + 3
                continue
            if c in "\"'":                   # a one-line string: skip to its closing quote
                i += 1
                while i < n and line[i] != c:
                    i += 2 if (c == '"' and line[i] == "\\") else 1
            i += 1
    return out


def _read_text(path: Path, what: str, key_path: str) -> str:
    shown = _show(str(path))
    try:
        exists, is_dir, is_file = path.exists(), path.is_dir(), path.is_file()
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, a symlink loop
        raise AnswerKeyError(f"cannot open {what} {shown}: {getattr(exc, 'strerror', None) or exc}; "
                             "give the path of a readable file", path=key_path) from None
    if not exists:
        raise AnswerKeyError(f"{what} {shown} does not exist", path=key_path)
    if is_dir:
        raise AnswerKeyError(f"{what} {shown} is a directory, not a file", path=key_path)
    if not is_file:  # a FIFO or a device would block or never end
        raise AnswerKeyError(f"{what} {shown} is not a regular file; give the path of a text file", path=key_path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise AnswerKeyError(f"{what} is {size} bytes; the limit is {MAX_BYTES}", path=key_path)
        data = path.read_bytes()
    except OSError as exc:
        raise AnswerKeyError(f"cannot read {what} {shown}: {exc.strerror or exc}", path=key_path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnswerKeyError(f"{what} is not UTF-8 text (byte {exc.start}); save it as UTF-8",
                             path=key_path) from None


def _typed(entry: dict, name: str, kind: type, where: str, key_path: str, *, required: bool = True):
    if name not in entry:
        if required:
            raise AnswerKeyError(f"missing field {name!r}", path=key_path, entry=where)
        return None
    value = entry[name]
    ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise AnswerKeyError(f"field {name!r} must be {kind.__name__}, got {type(value).__name__} {_show(value)}",
                             path=key_path, entry=where)
    return value


def _unknown_fields(entry: dict, allowed: set[str], where: str, key_path: str) -> None:
    extra = sorted(set(entry) - allowed)
    if extra:
        hint = difflib.get_close_matches(extra[0], sorted(allowed), n=1)
        raise AnswerKeyError(f"unknown field {_show(extra[0])}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                             + f"; allowed: {', '.join(sorted(allowed))}", path=key_path, entry=where)


def load_key(path: str | Path, *, known_claims: set[str] | None = None) -> AnswerKey:
    """Parse and validate an answer key.  ``known_claims`` (default: the loaded bank) checks ids."""
    key_path = Path(path)
    kp = str(path)
    raw = _read_text(key_path, "answer key", kp)
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise AnswerKeyError(f"invalid TOML: {exc}", path=kp) from None

    doc = data.get("document")
    if not isinstance(doc, dict):
        raise AnswerKeyError("missing [document] table with path = \"<answers file>\"", path=kp)
    _unknown_fields(doc, _DOCUMENT_KEYS, "[document]", kp)
    rel = _typed(doc, "path", str, "[document]", kp)
    if not rel.strip():
        raise AnswerKeyError("document path is empty; give the answer file beside the key, e.g. path = \"answers.txt\"",
                             path=kp, entry="[document]")
    try:
        base = key_path.resolve().parent
        doc_path = (base / rel).resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # symlink loop, NUL byte, a name too long
        raise AnswerKeyError(f"document path {_show(rel)} cannot be resolved ({exc}); "
                             "give the answer file beside the key", path=kp, entry="[document]") from None
    if doc_path != base and base not in doc_path.parents:
        raise AnswerKeyError(f"document path {_show(rel)} points outside the key's folder {str(base)!r}; "
                             "keep the answer document beside its key", path=kp, entry="[document]")
    document = _read_text(doc_path, "answer document", kp)
    if not document.strip():
        raise AnswerKeyError(f"answer document {_show(rel)} is empty", path=kp, entry="[document]")
    title = doc.get("title", "") if isinstance(doc.get("title", ""), str) else ""

    unknown_top = sorted(set(data) - {"document", "part", "statement"})
    if unknown_top:
        raise AnswerKeyError(f"unknown table {unknown_top[0]!r}; a key has [document], [[part]] and [[statement]]",
                             path=kp)

    parts = []
    raw_parts = data.get("part", [])
    if not isinstance(raw_parts, list):
        raise AnswerKeyError("'part' must be an array of tables ([[part]])", path=kp)
    for i, entry in enumerate(raw_parts, 1):
        where = f"part {i}"
        if not isinstance(entry, dict):
            raise AnswerKeyError("must be a table", path=kp, entry=where)
        _unknown_fields(entry, _PART_KEYS, where, kp)
        pid = _typed(entry, "id", str, where, kp)
        start = _typed(entry, "start", int, where, kp)
        end = _typed(entry, "end", int, where, kp)
        points = _typed(entry, "points", float, where, kp, required=False)
        if not (0 <= start < end <= len(document)):
            raise AnswerKeyError(f"span {start}..{end} is not inside the document (0..{len(document)})",
                                 path=kp, entry=f"{where} ({_show(pid)})")
        if points is not None and not (math.isfinite(points) and points >= 0):
            raise AnswerKeyError(f"points must be a finite number >= 0, got {points}", path=kp,
                                 entry=f"{where} ({_show(pid)})")
        parts.append(Part(pid, start, end, 1.0 if points is None else float(points),
                          entry.get("title", "") if isinstance(entry.get("title", ""), str) else ""))
    if len({p.id for p in parts}) != len(parts):
        dup = next(p.id for p in parts if sum(q.id == p.id for q in parts) > 1)
        raise AnswerKeyError(f"part id {_show(dup)} is declared twice; give each [[part]] its own id", path=kp)

    raw_statements = data.get("statement")
    if not isinstance(raw_statements, list) or not raw_statements:
        raise AnswerKeyError("no [[statement]] entries: a key maps quotes of the document to claims", path=kp)
    if known_claims is None:
        from .bank import load_bank

        known_claims = {c.id for c in load_bank()}
    lines = _statement_lines(raw)
    if len(lines) != len(raw_statements):   # e.g. an inline array of tables: no line is better than a wrong one
        lines = []
    part_ids = {p.id for p in parts}
    statements, seen = [], {}
    for i, entry in enumerate(raw_statements, 1):
        line = lines[i - 1] if i - 1 < len(lines) else 0
        where = f"statement {i} (line {line})" if line else f"statement {i}"
        if not isinstance(entry, dict):
            raise AnswerKeyError("must be a table", path=kp, entry=where)
        _unknown_fields(entry, _STATEMENT_KEYS, where, kp)
        part = _typed(entry, "part", str, where, kp)
        quote = _typed(entry, "quote", str, where, kp)
        claims = _typed(entry, "claims", list, where, kp)
        stance = _typed(entry, "stance", str, where, kp)
        note = _typed(entry, "note", str, where, kp, required=False) or ""
        if part_ids and part not in part_ids:
            hint = difflib.get_close_matches(part, sorted(part_ids), n=1)
            raise AnswerKeyError(f"part {_show(part)} is not declared in [[part]]" + (f"; did you mean {hint[0]!r}?" if hint else ""),
                                 path=kp, entry=where)
        if not quote.strip():
            raise AnswerKeyError("quote is empty; copy the sentence from the document", path=kp, entry=where)
        if not claims:
            raise AnswerKeyError("claims is empty; name at least one claim id (see `verify list`)", path=kp, entry=where)
        for c in claims:
            if not isinstance(c, str):
                raise AnswerKeyError(f"claim ids must be strings, got {_show(c)}", path=kp, entry=where)
            if c not in known_claims:
                near = difflib.get_close_matches(c, sorted(known_claims), n=3, cutoff=0.6)
                raise AnswerKeyError(f"unknown claim id {_show(c)}" + (f"; did you mean {', '.join(near)}?" if near
                                     else "; `verify list` shows the bank"), path=kp, entry=where)
        if len(set(claims)) != len(claims):
            dup = next(c for c in claims if claims.count(c) > 1)
            raise AnswerKeyError(f"claims lists {_show(dup)} twice; list each id once", path=kp, entry=where)
        if stance not in STANCES:
            hint = difflib.get_close_matches(stance.lower(), STANCES, n=1)
            raise AnswerKeyError(f"stance {_show(stance)} is not one of {', '.join(STANCES)}"
                                 + (f" (did you mean {hint[0]!r}?)" if hint else ""), path=kp, entry=where)
        span = find_quote(document, quote)
        if span is None:
            near = _closest_passage(document, quote)
            raise AnswerKeyError(f"quote {_show(quote)} is not in the document verbatim"
                                 + (f"; closest passage: {near!r}" if near else ""), path=kp, entry=where)
        sig = (" ".join(quote.split()), tuple(claims), stance)
        if sig in seen:
            raise AnswerKeyError(f"duplicate of statement {seen[sig]} (same quote, claims and stance); remove one",
                                 path=kp, entry=where)
        seen[sig] = i
        statements.append(Statement(i, line, part, quote, tuple(claims), stance, note, span[0], span[1]))
    return AnswerKey(key_path, doc_path, document, title, tuple(parts), tuple(statements))
