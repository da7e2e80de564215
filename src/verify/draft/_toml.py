"""Writing a drafted answer key as TOML.

Student text goes only into TOML basic strings with every quote, backslash and control character
escaped, so a document full of triple quotes, ``]]`` or ``[document]`` still gives a valid key whose
strings read back exactly as written.  Comments hold only claim ids, stances and numbers.
"""

from __future__ import annotations

__all__ = ["toml_string", "render_key"]

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(value: str) -> str:
    """``value`` as a one-line TOML basic string."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:     # TOML forbids raw control characters
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render_key(draft, document_path: str) -> str:
    lines = [
        "# Answer key drafted by `verify draft`: every entry is a suggestion (review = \"suggested\").",
        "# Check each quote's claim and stance, then set review = \"reviewed\"; the comments beside an",
        "# entry are the next-best claims with their scores.",
        "[document]",
        f"path = {toml_string(document_path)}",
        f"title = {toml_string(draft.title)}",
        f"student = {toml_string(draft.student)}",
    ]
    for p in draft.parts:
        lines += ["", "[[part]]", f"id = {toml_string(p.id)}", f"start = {p.start}", f"end = {p.end}"]
    part = None
    for s in draft.statements:
        if s.part != part:
            part = s.part
            lines += ["", f"# {'-' * 60} {part}"]
        lines += ["", "[[statement]]", f"part = {toml_string(s.part)}", f"quote = {toml_string(s.quote)}"]
        if s.status == "no-claim":
            lines.append('status = "no-claim"')
            alternatives = s.suggestions
        else:
            first = s.suggestions[0]
            lines.append(f"claims = {{ {toml_string(first.claim)} = {toml_string(first.stance)} }}"
                         f"  # score {first.score:.3f}")
            alternatives = s.suggestions[1:]
        lines.append('review = "suggested"')
        for alt in alternatives:
            lines.append(f"# or: {alt.claim} = {alt.stance}  (score {alt.score:.3f})")
    return "\n".join(lines) + "\n"
