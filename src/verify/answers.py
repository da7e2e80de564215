"""Answer keys: which verbatim span of an answer document asserts or denies which claims.

An answer key is TOML data, never code (student material is untrusted)::

    [document]
    path = "answers.txt"            # relative to the key's folder, and inside it
    title = "Seed answers"          # optional
    student = "s-042"               # optional: the student id shown in every report

    [[part]]                        # optional: question parts, their character spans and points
    id = "q01"
    start = 20
    end = 1059
    points = 2.0                    # optional, default 1

    [[statement]]
    part = "q01"
    quote = "the classification accuracy would first increase up to a certain value of h"
    claims = ["q01.latent.inverted_u_full_labels"]
    stance = "asserts"              # or "denies"; with a list of claims, one stance for all
    # or one entry, several claims with their own stances:
    # claims = { "q01.a" = "asserts", "q01.b" = "denies" }
    # status = "no-claim"           # read, not judgeable by the bank (no claims); "needs-review": not yet mapped
    # review = "reviewed"           # or "suggested" (a drafted mapping nobody confirmed yet)
    # override = "partly"           # a staff decision: correct / incorrect / partly ...
    # comment = "right idea, wrong reason"   # ... and why (required with override)
    note = "optional"

Quotes match after Unicode NFKC, curly/straight quote, dash and whitespace normalisation.  Every
problem raises :class:`~verify.errors.AnswerKeyError` naming the file, the entry (with its line) and
what to do; the CLI turns it into one message and exit code 2.  Problems that leave the key usable
but doubtful (a claim both asserted and denied, a quote found twice, a quote outside its part's
span) are collected in :attr:`AnswerKey.warnings`, which every report prints.
"""

from __future__ import annotations

import difflib
import math
import re
import reprlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AnswerKeyError
from .quotes import _fold_quote, closest_passage, find_quote, find_quotes, fold

__all__ = ["AnswerKey", "Statement", "Part", "load_key", "parse_key", "STANCES", "STATUSES", "OVERRIDES",
           "find_quote", "find_quotes", "fold"]

STANCES = ("asserts", "denies")
STATUSES = ("no-claim", "needs-review")
REVIEWS = ("suggested", "reviewed")
OVERRIDES = ("correct", "incorrect", "partly")
MAX_POINTS = 1e6   # a part worth more is a typo; totals of such numbers lose every digit that matters
MAX_BYTES = 4 * 1024 * 1024  # a key or document larger than this is not an answer document
_STATEMENT_KEYS = {"part", "quote", "claims", "stance", "note", "status", "review", "override", "comment"}
_DOCUMENT_KEYS = {"path", "title", "student"}
_PART_KEYS = {"id", "start", "end", "points", "title"}

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
    line: int           # line of its [[statement]] header in the key file (0: unknown)
    part: str
    quote: str
    stances: tuple[tuple[str, str], ...]   # (claim id, "asserts" | "denies"), in key order
    note: str = ""
    start: int = 0      # character span of the quote in the document
    end: int = 0
    status: str = ""    # "" (judged by its claims), "no-claim" or "needs-review"
    review: str = ""
    override: str = ""
    comment: str = ""

    @property
    def claims(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.stances)

    @property
    def stance(self) -> str:
        """The stance shared by every claim; "mixed" when they differ, "" without claims."""
        kinds = {s for _, s in self.stances}
        return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "")

    def stance_of(self, claim_id: str) -> str:
        return dict(self.stances)[claim_id]

    @property
    def label(self) -> str:
        return f"statement {self.index}" + (f" (line {self.line})" if self.line else "")


@dataclass(frozen=True)
class AnswerKey:
    path: Path
    document_path: Path
    document: str
    title: str
    parts: tuple[Part, ...]
    statements: tuple[Statement, ...] = field(default_factory=tuple)
    student: str = ""
    warnings: tuple[str, ...] = ()

    def claim_ids(self) -> list[str]:
        return list(dict.fromkeys(c for s in self.statements for c in s.claims))


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




def _unknown_claim(c: str, part: str, known: set[str], kp: str, where: str) -> AnswerKeyError:
    """The message for an unknown id: suggestions from the same question part first."""
    question = part.split(".")[0]
    near = [k for k in difflib.get_close_matches(c, sorted(known), n=8, cutoff=0.5)]
    near = sorted(near, key=lambda k: (not k.startswith(part), not k.startswith(question)))[:3]
    return AnswerKeyError(f"unknown claim id {_show(c)}" + (f"; did you mean {', '.join(near)}?" if near
                          else "; `verify list` shows the bank"), path=kp, entry=where)


def _stances(entry: dict, where: str, kp: str) -> list[tuple[str, str]]:
    """The (claim, stance) pairs of a statement: a list with one ``stance``, or a table."""
    claims = entry.get("claims", [])
    if isinstance(claims, dict):
        if "stance" in entry:
            raise AnswerKeyError("give either claims = [...] with stance, or a claims table with a stance per "
                                 "claim, not both", path=kp, entry=where)
        pairs = list(claims.items())
    elif isinstance(claims, list):
        for c in claims:
            if not isinstance(c, str):
                raise AnswerKeyError(f"claim ids must be strings, got {_show(c)}", path=kp, entry=where)
        if len(set(claims)) != len(claims):
            dup = next(c for c in claims if claims.count(c) > 1)
            raise AnswerKeyError(f"claims lists {_show(dup)} twice; list each id once", path=kp, entry=where)
        stance = _typed(entry, "stance", str, where, kp, required=bool(claims))
        pairs = [(c, stance) for c in claims]
    else:
        raise AnswerKeyError(f"field 'claims' must be a list of ids or a table {{id = \"asserts\"|\"denies\"}}, "
                             f"got {type(claims).__name__} {_show(claims)}", path=kp, entry=where)
    for c, stance in pairs:
        if stance not in STANCES:
            hint = difflib.get_close_matches(str(stance).lower(), STANCES, n=1)
            raise AnswerKeyError(f"stance {_show(stance)} is not one of {', '.join(STANCES)}"
                                 + (f" (did you mean {hint[0]!r}?)" if hint else "") + f"; claim {_show(c)}",
                                 path=kp, entry=where)
    return pairs


def _choice(entry: dict, name: str, allowed: tuple[str, ...], where: str, kp: str) -> str:
    value = _typed(entry, name, str, where, kp, required=False) or ""
    if value and value not in allowed:
        hint = difflib.get_close_matches(value.lower(), allowed, n=1)
        raise AnswerKeyError(f"{name} {_show(value)} is not one of {', '.join(allowed)}"
                             + (f" (did you mean {hint[0]!r}?)" if hint else ""), path=kp, entry=where)
    return value


def load_key(path: str | Path, *, known_claims: set[str] | None = None) -> AnswerKey:
    """Parse and validate an answer key.  ``known_claims`` (default: the loaded bank) checks ids."""
    return parse_key(_read_text(Path(path), "answer key", str(path)), path, known_claims=known_claims)


def parse_key(raw: str, path: str | Path, *, known_claims: set[str] | None = None) -> AnswerKey:
    """Validate key text ``raw`` as if read from ``path`` (its folder holds the document)."""
    key_path, kp = Path(path), str(path)
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise AnswerKeyError(f"invalid TOML: {exc}", path=kp) from None
    except RecursionError:
        raise AnswerKeyError("invalid TOML: arrays or tables nested too deeply to be an answer key",
                             path=kp) from None
    doc_path, document, title, student = _document(data, key_path, kp)
    unknown_top = sorted(set(data) - {"document", "part", "statement"})
    if unknown_top:
        raise AnswerKeyError(f"unknown table {unknown_top[0]!r}; a key has [document], [[part]] and [[statement]]",
                             path=kp)
    parts = _parts(data.get("part", []), document, kp)
    raw_statements = data.get("statement")
    if not isinstance(raw_statements, list) or not raw_statements:
        raise AnswerKeyError("no [[statement]] entries: a key maps quotes of the document to claims", path=kp)
    if known_claims is None:
        from .bank import load_bank

        known_claims = {c.id for c in load_bank()}
    lines = _statement_lines(raw)
    if len(lines) != len(raw_statements):   # e.g. an inline array of tables: no line is better than a wrong one
        lines = [0] * len(raw_statements)
    spans = {p.id: p for p in parts}
    statements, seen, warnings = [], {}, []
    for i, (entry, line) in enumerate(zip(raw_statements, lines), 1):
        st = _statement(i, line, entry, document, spans, known_claims, kp, warnings)
        sig = (_fold_quote(st.quote), tuple(sorted(st.stances)), st.status)
        if sig in seen:
            raise AnswerKeyError(f"duplicate of statement {seen[sig]} (same quote, claims and stance); remove one",
                                 path=kp, entry=st.label)
        seen[sig] = i
        statements.append(st)
    warnings += _contradictions(statements)
    return AnswerKey(key_path, doc_path, document, title, tuple(parts), tuple(statements), student,
                     tuple(warnings))


def _document(data: dict, key_path: Path, kp: str) -> tuple[Path, str, str, str]:
    """The [document] table: (document path, its text, title, student id)."""
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
    title = _typed(doc, "title", str, "[document]", kp, required=False) or ""
    student = (_typed(doc, "student", str, "[document]", kp, required=False) or "").strip()
    return doc_path, document, title, student


def _parts(raw_parts, document: str, kp: str) -> list[Part]:
    if not isinstance(raw_parts, list):
        raise AnswerKeyError("'part' must be an array of tables ([[part]])", path=kp)
    parts = []
    for i, entry in enumerate(raw_parts, 1):
        where = f"part {i}"
        if not isinstance(entry, dict):
            raise AnswerKeyError("must be a table", path=kp, entry=where)
        _unknown_fields(entry, _PART_KEYS, where, kp)
        pid = _typed(entry, "id", str, where, kp)
        start, end = _typed(entry, "start", int, where, kp), _typed(entry, "end", int, where, kp)
        points = _typed(entry, "points", float, where, kp, required=False)
        if not (0 <= start < end <= len(document)):
            raise AnswerKeyError(f"span {start}..{end} is not inside the document (0..{len(document)})",
                                 path=kp, entry=f"{where} ({_show(pid)})")
        if points is not None and not (math.isfinite(points) and 0 <= points <= MAX_POINTS):
            raise AnswerKeyError(f"points must be a number from 0 to {MAX_POINTS:g}, got {points:g}", path=kp,
                                 entry=f"{where} ({_show(pid)})")
        parts.append(Part(pid, start, end, 1.0 if points is None else float(points),
                          _typed(entry, "title", str, where, kp, required=False) or ""))
    if len({p.id for p in parts}) != len(parts):
        dup = next(p.id for p in parts if sum(q.id == p.id for q in parts) > 1)
        raise AnswerKeyError(f"part id {_show(dup)} is declared twice; give each [[part]] its own id", path=kp)
    return parts


def _statement(i: int, line: int, entry, document: str, spans: dict[str, Part], known_claims: set[str],
               kp: str, warnings: list[str]) -> Statement:
    """One [[statement]], validated; doubtful but usable mappings are appended to ``warnings``."""
    where = f"statement {i} (line {line})" if line else f"statement {i}"
    if not isinstance(entry, dict):
        raise AnswerKeyError("must be a table", path=kp, entry=where)
    _unknown_fields(entry, _STATEMENT_KEYS, where, kp)
    part = _typed(entry, "part", str, where, kp)
    quote = _typed(entry, "quote", str, where, kp)
    note = _typed(entry, "note", str, where, kp, required=False) or ""
    status = _choice(entry, "status", STATUSES, where, kp)
    review = _choice(entry, "review", REVIEWS, where, kp)
    override = _choice(entry, "override", OVERRIDES, where, kp)
    comment = (_typed(entry, "comment", str, where, kp, required=False) or "").strip()
    if override and not comment:
        raise AnswerKeyError(f"override = {override!r} needs a comment saying why (comment = \"...\"); "
                             "the student sees it", path=kp, entry=where)
    if spans and part not in spans:
        hint = difflib.get_close_matches(part, sorted(spans), n=1)
        raise AnswerKeyError(f"part {_show(part)} is not declared in [[part]]" + (f"; did you mean {hint[0]!r}?" if hint else ""),
                             path=kp, entry=where)
    if not quote.strip():
        raise AnswerKeyError("quote is empty; copy the sentence from the document", path=kp, entry=where)
    pairs = _stances(entry, where, kp)
    if status == "no-claim" and pairs:
        raise AnswerKeyError("status = \"no-claim\" means no claim judges it: remove claims (or the status)",
                             path=kp, entry=where)
    if not pairs and status not in STATUSES:
        raise AnswerKeyError("claims is empty; name at least one claim id (see `verify list`), or mark "
                             "the statement status = \"no-claim\"", path=kp, entry=where)
    for c, _ in pairs:
        if c not in known_claims:
            raise _unknown_claim(c, part, known_claims, kp, where)
    found = find_quotes(document, quote)
    if not found:
        near = closest_passage(document, quote)
        raise AnswerKeyError(f"quote {_show(quote)} is not in the document verbatim"
                             + (f"; closest passage: {near!r}" if near else ""), path=kp, entry=where)
    span = found[0]
    if part in spans:   # the occurrence inside its part, if the quote occurs more than once
        p = spans[part]
        span = next((s for s in found if p.start <= s[0] < p.end), span)
        if not (p.start <= span[0] and span[1] <= p.end):
            warnings.append(f"{where}: quote {_show(quote, 60)} lies outside part {part!r} "
                            f"(characters {p.start}..{p.end}); check the part")
    if len(found) > 1:
        warnings.append(f"{where}: quote {_show(quote, 60)} occurs {len(found)} times in the document; "
                        f"graded at character {span[0]}; quote more words to make it unique")
    return Statement(i, line, part, quote, tuple(pairs), note, span[0], span[1], status, review, override, comment)


def _contradictions(statements: list[Statement]) -> list[str]:
    """A claim the key both asserts and denies: the student contradicts themself, or the key is wrong."""
    by_claim: dict[str, dict[str, list[int]]] = {}
    for st in statements:
        for c, stance in st.stances:
            by_claim.setdefault(c, {}).setdefault(stance, []).append(st.index)
    return [f"claim {c!r} is asserted (statement {', '.join(map(str, s['asserts']))}) and denied "
            f"(statement {', '.join(map(str, s['denies']))}); check the key, or keep both if the student "
            "contradicts themself" for c, s in by_claim.items() if len(s) == 2]
