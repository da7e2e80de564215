"""Find and load the claim bank: the ``claims/`` folder's modules, imported by path.

``claims/`` sits at the repository root (SPEC.md layout).  It is found, in order, from
``--claims``/``VERIFY_CLAIMS``, ``./claims`` under the working directory, or beside the installed
source tree (an editable install).  Loading a bank never imports torch.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import sys
from pathlib import Path

from .claim import Claim, registry
from .errors import ClaimDefinitionError, UnknownClaimError

__all__ = ["claims_dir", "load_bank", "select", "load_module"]

_loaded: dict[Path, object] = {}


def claims_dir(explicit: str | os.PathLike | None = None) -> Path:
    candidates = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get("VERIFY_CLAIMS"):
        candidates.append(Path(os.environ["VERIFY_CLAIMS"]))
    candidates.append(Path.cwd() / "claims")
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
    spec.loader.exec_module(module)
    _loaded[path] = module
    return module


def load_bank(directory: str | os.PathLike | None = None) -> list[Claim]:
    """Import every claim module and return all claims in module order."""
    d = claims_dir(directory)
    for path in sorted(d.glob("q*.py")):
        if is_claim_module(path):
            load_module(path)
    return list(registry)


def select(ids: list[str] | None, directory: str | os.PathLike | None = None) -> list[Claim]:
    """The claims named by ``ids`` (exact ids, question parts like ``q05``, or id prefixes)."""
    claims = load_bank(directory)
    if not ids:
        return claims
    chosen: dict[str, Claim] = {}
    for wanted in ids:
        hits = [c for c in claims if c.id == wanted or c.question == wanted or c.id.startswith(wanted + ".")]
        if not hits:
            near = difflib.get_close_matches(wanted, [c.id for c in claims], n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(near)}?" if near else "; `verify list` shows the bank"
            raise UnknownClaimError(f"unknown claim id {wanted!r}{hint}")
        for c in hits:
            chosen[c.id] = c
    return list(chosen.values())
