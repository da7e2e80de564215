"""The verdict cache: a claim's verdict is computed once per (code, protocol, seeds, torch version,
threads) and looked up afterwards, so grading N documents costs one run of the bank.

Key: the claim module's source, the whole verify library's source, the claim id, falsifier flag,
master seed, the versions of torch, numpy, scipy and hypothesis, the data files the experiments
read (``fixtures/digits/digits.npz``) and the thread count.  Any edit to a claim (protocol, rule,
code) or to the library, another torch or other data gives a new key, so a stale verdict is never
reused.  Entries are written atomically (a ``mkstemp`` file in the cache folder, then
``os.replace``), so parallel pytest-xdist workers may write at once.  An entry is read only if it
is a regular file (never a symlink, FIFO or device: opened with O_NOFOLLOW | O_NONBLOCK), at most
:data:`MAX_ENTRY_BYTES`, and of the expected shape; anything else is recomputed, never trusted and
never a traceback.  In CI the cache comes only from the trusted branch (examples/grade-answers.yml).  Shards of a CI matrix merge their
caches by copying the entry files into one folder (names are content keys; no conflicts).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path

from .claim import Claim
from .verdict import Verdict

__all__ = ["cache_dir", "cache_key", "cached_evaluate", "lookup", "store"]

_FORMAT = 2
MAX_ENTRY_BYTES = 4 * 1024 * 1024   # the largest verdict of the bank is ~20 KB; evidence is never megabytes


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


@functools.lru_cache(maxsize=None)
def _environment_digest() -> str:
    """Versions of the numeric stack and a digest of the data files the experiments read."""
    from importlib import metadata

    import torch

    parts = [torch.__version__]
    for dist in ("numpy", "scipy", "hypothesis"):
        try:
            parts.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}=none")
    try:
        from .lab.data import fixtures_dir

        digits = fixtures_dir() / "digits" / "digits.npz"
        parts.append(hashlib.sha256(digits.read_bytes()).hexdigest())
    except (FileNotFoundError, OSError):
        parts.append("no-digits")
    return "\x1f".join(parts)


def cache_key(claim: Claim, *, falsified: bool, master_seed: int) -> str:
    from .seeding import thread_count

    parts = [str(_FORMAT), _library_digest(), _module_digest(claim.module), claim.source_key,
             str(falsified), str(master_seed), _environment_digest(), str(thread_count())]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _path(key: str, claim: Claim) -> Path:
    return cache_dir() / f"{claim.id}.{key[:24]}.json"


def lookup(claim: Claim, *, falsified: bool = False, master_seed: int = 0) -> Verdict | None:
    key = cache_key(claim, falsified=falsified, master_seed=master_seed)
    data = _read_entry(_path(key, claim))
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("verdict"), dict):
        return None
    try:
        v = Verdict.from_json(data["verdict"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # corrupt: recompute
    if (v.claim != claim.id or v.falsified is not falsified or v.master_seed != master_seed
            or not _well_formed(v)):
        return None
    return Verdict(**{**v.__dict__, "cached": True})


def _read_entry(path: Path):
    """The parsed JSON of a cache entry, or None unless it is a small regular file of JSON."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None  # missing, a symlink (ELOOP), unreadable
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
            return None  # a FIFO, a device, a folder, or too large to be a verdict
        with os.fdopen(fd, "rb", closefd=False) as f:
            raw = f.read(MAX_ENTRY_BYTES + 1)
        return json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        os.close(fd)


def _well_formed(v: Verdict) -> bool:
    """The fields reports format are of their types (a forged entry must not crash a report)."""
    numbers = (v.statistic, v.pvalue, v.alpha, v.effect, v.difference, v.tolerance)
    if not all(x is None or (isinstance(x, (int, float)) and not isinstance(x, bool)) for x in numbers):
        return False
    if v.ci is not None and not (len(v.ci) == 2 and all(isinstance(x, (int, float)) for x in v.ci)):
        return False
    texts = (v.statistic_name, v.effect_name, v.rule, v.reason, v.falsifier, v.error)
    return (all(isinstance(t, str) for t in texts) and isinstance(v.evidence, dict)
            and isinstance(v.environment, dict) and all(isinstance(s, int) for s in v.seeds)
            and isinstance(v.seconds, (int, float)))


def store(claim: Claim, verdict: Verdict) -> None:
    """Write atomically; a verdict that hit a harness error or a timeout is not cached."""
    if verdict.error or verdict.reason.startswith("timeout"):
        return
    key = cache_key(claim, falsified=verdict.falsified, master_seed=verdict.master_seed)
    path = _path(key, claim)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"key": key, "verdict": verdict.to_json()}, f, allow_nan=False)
            os.replace(tmp, path)
        except (OSError, TypeError, ValueError):
            os.unlink(tmp)
            raise OSError("entry not written")
    except OSError:
        pass  # a read-only or full disk costs speed, never correctness


def cached_evaluate(claim: Claim, *, falsified: bool = False, master_seed: int = 0,
                    use_cache: bool = True) -> Verdict:
    """One claim in this process, through the cache (:func:`verify.session.evaluate_one`)."""
    from .session import evaluate_one

    return evaluate_one(claim, falsified=falsified, master_seed=master_seed, cache=use_cache)
