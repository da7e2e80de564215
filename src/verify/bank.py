"""Find and load the claim bank: the ``claims/`` folder's modules, imported by path.

``claims/`` sits at the repository root (SPEC.md layout).  It is found, in order, from
``--claims``/``VERIFY_CLAIMS``, ``./claims`` under the working directory, or beside the installed
source tree (an editable install).  Loading a bank never imports torch.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import sys
from pathlib import Path

from .claim import Claim, registry
from .errors import ClaimDefinitionError, UnknownClaimError

__all__ = ["claims_dir", "load_bank", "select", "matches", "load_module"]

_loaded: dict[Path, object] = {}


def claims_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The bank folder: ``explicit`` (``--claims``) or ``VERIFY_CLAIMS`` when given, and then only
    that one (a mistyped folder must not quietly grade against another bank); else the search."""
    named = [(str(explicit), "--claims")] if explicit else []
    if not named and os.environ.get("VERIFY_CLAIMS"):
        named = [(os.environ["VERIFY_CLAIMS"], "VERIFY_CLAIMS")]
    for value, source in named:
        d = Path(value)
        if not d.is_dir():
            raise FileNotFoundError(f"{source} {value!r}: no such folder; give the folder that holds "
                                    "the claim modules (q01_*.py, ...)")
        if not any(is_claim_module(p) for p in d.glob("q*.py")):
            raise FileNotFoundError(f"{source} {value!r}: the folder holds no claim modules (files named "
                                    "qNN_<topic>.py); give the claim bank's folder")
        return d.resolve()
    candidates = [Path.cwd() / "claims"]
    candidates.append(Path(__file__).resolve().parents[2] / "claims")
    for c in candidates:
        if c.is_dir() and any(c.glob("q*.py")):
            return c.resolve()
    raise FileNotFoundError(
        "no claim bank found: looked for a 'claims/' folder with q*.py modules in "
        + ", ".join(str(c) for c in candidates) + "; run from the repository root or pass --claims DIR")


def is_claim_module(path: Path) -> bool:
    return path.suffix == ".py" and path.name.startswith("q") and path.name[1:3].isdigit()


def load_module(path: Path):
    """Import one claim module by path (once per process); its @claim declarations register."""
    path = path.resolve()
    if path in _loaded:
        return _loaded[path]
    name = f"verify_claims.{path.stem}"
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
        _loaded[path] = sys.modules[name]
        return _loaded[path]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ClaimDefinitionError(f"cannot import claim module {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except ClaimDefinitionError:
        del sys.modules[name]
        raise
    except Exception as exc:  # a claim module that does not import is a bad claim definition
        del sys.modules[name]
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        raise ClaimDefinitionError(f"claim module {path}{where} does not import: {type(exc).__name__}: {exc}; "
                                   f"fix the module (`python {path}` shows the traceback)") from exc
    _loaded[path] = module
    return module


def load_bank(directory: str | os.PathLike | None = None) -> list[Claim]:
    """Import every claim module and return all claims in module order."""
    d = claims_dir(directory)
    # Only this folder's claims: a process may have loaded another bank before (tests, --claims).
    names = {load_module(path).__name__ for path in sorted(d.glob("q*.py")) if is_claim_module(path)}
    return [c for c in registry if c.module in names]


def matches(c: Claim, wanted: str) -> bool:
    """``wanted`` names claim ``c``: its id, its question part (``q06a``, ``q07.1``), its question
    number (``q06`` selects q06a, q06b, ...; ``q07`` selects q07.1, q07.2) or an id prefix."""
    if c.id == wanted or c.question == wanted or c.id.startswith(wanted + "."):
        return True
    return bool(_QUESTION_NUMBER.match(wanted)) and c.question[:3] == wanted


_QUESTION_NUMBER = re.compile(r"^q\d\d$")


def select(ids: list[str] | None, directory: str | os.PathLike | None = None) -> list[Claim]:
    """The claims named by ``ids`` (see :func:`matches`), in bank order within each id."""
    claims = load_bank(directory)
    if not ids:
        return claims
    chosen: dict[str, Claim] = {}
    for wanted in ids:
        hits = [c for c in claims if matches(c, wanted)]
        if not hits:
            near = difflib.get_close_matches(wanted, [c.id for c in claims], n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(near)}?" if near else "; `verify list` shows the bank"
            raise UnknownClaimError(f"unknown claim id {wanted!r}{hint}")
        for c in hits:
            chosen[c.id] = c
    return list(chosen.values())
