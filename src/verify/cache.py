"""The verdict cache: a claim's verdict is computed once per (code, protocol, seeds, torch version,
threads) and looked up afterwards, so grading N documents costs one run of the bank.

Key: the claim module's source, the whole verify library's source, the claim id, falsifier flag,
master seed, torch version and thread count.  Any edit to a claim (protocol, rule, code) or to the
library, or another torch, gives a new key, so a stale verdict is never reused.  Entries are
written atomically (temp file + os.replace), so parallel pytest-xdist workers may write at once;
an unreadable or corrupt entry is recomputed, never trusted.  Shards of a CI matrix merge their
caches by copying the entry files into one folder (names are content keys; no conflicts).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from .claim import Claim
from .verdict import Verdict

__all__ = ["cache_dir", "cache_key", "cached_evaluate", "lookup", "store"]

_FORMAT = 1


def cache_dir() -> Path:
    return Path(os.environ.get("VERIFY_CACHE_DIR", Path.cwd() / ".verify-cache"))


@functools.lru_cache(maxsize=None)
def _library_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def _module_digest(module: str) -> str:
    mod = sys.modules.get(module)
    path = getattr(mod, "__file__", None)
    data = Path(path).read_bytes() if path and Path(path).is_file() else module.encode()
    return hashlib.sha256(data).hexdigest()


def cache_key(claim: Claim, *, falsified: bool, master_seed: int) -> str:
    import torch

    from .seeding import thread_count

    parts = [str(_FORMAT), _library_digest(), _module_digest(claim.module), claim.source_key,
             str(falsified), str(master_seed), torch.__version__, str(thread_count())]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _path(key: str, claim: Claim) -> Path:
    return cache_dir() / f"{claim.id}.{key[:24]}.json"


def lookup(claim: Claim, *, falsified: bool = False, master_seed: int = 0) -> Verdict | None:
    key = cache_key(claim, falsified=falsified, master_seed=master_seed)
    path = _path(key, claim)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("key") != key:
            return None
        v = Verdict.from_json(data["verdict"])
        if v.claim != claim.id:
            return None
        return Verdict(**{**v.__dict__, "cached": True})
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or corrupt: recompute


def store(claim: Claim, verdict: Verdict) -> None:
    """Write atomically; a verdict that hit a harness error or a timeout is not cached."""
    if verdict.error or verdict.reason.startswith("timeout"):
        return
    key = cache_key(claim, falsified=verdict.falsified, master_seed=verdict.master_seed)
    path = _path(key, claim)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"key": key, "verdict": verdict.to_json()}, f)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only or full disk costs speed, never correctness


def cached_evaluate(claim: Claim, *, falsified: bool = False, master_seed: int = 0,
                    use_cache: bool = True) -> Verdict:
    """One claim in this process, through the cache (:func:`verify.session.evaluate_one`)."""
    from .session import evaluate_one

    return evaluate_one(claim, falsified=falsified, master_seed=master_seed, cache=use_cache)
