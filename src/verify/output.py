"""Writing reports and keys where the user asked, and nowhere else.

``--output`` is checked before any claim runs (:func:`check_output`): it must be a new path or an
existing regular file — never the key or document being graded, a symlink, a device, a FIFO or a
folder — in an existing folder this process can create files in, with a name the file system
accepts.  :func:`write_text` writes through a ``mkstemp`` file in the target folder and renames it
over the target, so no predictable temporary name is used, no symlink is followed and a reader
never sees half a report.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import VerifyError

__all__ = ["OutputError", "check_output", "write_text"]


class OutputError(VerifyError, ValueError):
    """An ``--output`` path that must not or cannot be written; the message says why."""


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_output(path: str | os.PathLike, *, protected: Iterable[str | os.PathLike] = (),
                 what: str = "--output") -> Path:
    """``path`` as a Path if a report may be written there; else :class:`OutputError`."""
    out = Path(path)
    shown = repr(str(out))[:200]
    for p in protected:
        if _same(out, Path(p)):
            raise OutputError(f"{what} {shown} is an input of this command ({Path(p).name}); "
                              "give another path, e.g. report.md")
    try:
        st = os.lstat(out)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{what} {shown}: {exc.strerror or exc}; give a shorter or valid path") from None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise OutputError(f"{what} {shown} is a symbolic link; give the real path or a new file")
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{what} {shown} is a directory; give a file path, "
                              f"e.g. {str(out / 'report.txt')!r}")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{what} {shown} is not a regular file (a device or a pipe?); give a new file path")
    folder = out.parent
    if not folder.is_dir():
        raise OutputError(f"{what} {shown}: folder {str(folder)!r} does not exist; create it first")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".verify-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{what} {shown}: cannot create files in {str(folder)!r} "
                          f"({exc.strerror or exc})") from None
    limit = _name_max(folder)
    if len(os.fsencode(out.name)) > limit:
        raise OutputError(f"{what} {shown}: the file name is longer than the file system allows "
                          f"({limit} bytes); give a shorter name")
    return out


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def write_text(path: str | os.PathLike, text: str, *, protected: Iterable[str | os.PathLike] = ()) -> Path:
    """Write ``text`` to ``path`` atomically (checked again first: the folder may have changed)."""
    out = check_output(path, protected=protected)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name[:40]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return out
