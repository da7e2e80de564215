"""Reading a student's answer document: untrusted bytes, checked before anything looks at them."""

from __future__ import annotations

import stat
from pathlib import Path

from ..answers import MAX_BYTES
from ..errors import AnswerKeyError

__all__ = ["DraftError", "read_document", "documents_in"]

SUFFIXES = (".txt", ".md")


class DraftError(AnswerKeyError):
    """A document cannot be drafted (missing, not a regular file, binary, too large, not UTF-8)."""


def read_document(path: Path) -> str:
    where = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DraftError("no such file; give the path of an answer document (.txt or .md)", path=where) from None
    except (OSError, ValueError) as exc:       # a NUL in the name, a name too long, a symlink loop
        raise DraftError(f"cannot open it ({getattr(exc, 'strerror', None) or exc}); give a readable text file",
                         path=where) from None
    if stat.S_ISDIR(info.st_mode):
        raise DraftError("is a directory; `verify draft DIR` drafts every document in a folder", path=where)
    if not stat.S_ISREG(info.st_mode):         # a FIFO or a device would block or never end
        raise DraftError("is not a regular file (a pipe or a device?); give an answer document", path=where)
    if info.st_size > MAX_BYTES:
        raise DraftError(f"is {info.st_size} bytes; an answer document is at most {MAX_BYTES} bytes", path=where)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DraftError(f"cannot read it ({exc.strerror or exc})", path=where) from None
    if len(data) > MAX_BYTES:                  # it grew between stat and read
        raise DraftError(f"is over {MAX_BYTES} bytes; an answer document is at most that", path=where)
    nul = data.find(b"\0")
    if nul >= 0:
        raise DraftError(f"contains a NUL byte (offset {nul}): a binary file, not an answer "
                         "document; save the answers as UTF-8 text", path=where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DraftError(f"is not UTF-8 text (byte {exc.start}); save it as UTF-8", path=where) from None
    text = text.removeprefix("\ufeff")         # a byte-order mark is not part of the answers
    if not text.strip():
        raise DraftError("is empty; there is nothing to draft", path=where)
    return text


def documents_in(folder: Path) -> list[Path]:
    """Every answer document under ``folder`` (recursively): *.txt and *.md, not keys, sorted."""
    out = []
    for p in sorted(folder.rglob("*")):
        name = p.name.lower()
        if name.endswith(SUFFIXES) and not name.startswith(".") and p.is_file() and not p.is_symlink():
            out.append(p)
    return out
