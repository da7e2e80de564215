"""One seeding call for every random source, and seeds derived by name.

Every number a claim draws comes from ``(master seed, claim id, name)`` through a hash, so a claim's
seeds never depend on which other claims ran first, and ``verify stability`` can rerun a claim
under another master seed by changing one integer.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
from dataclasses import dataclass

__all__ = ["SeedStream", "env_int", "derive_seed", "seed_everything", "generator", "pin_threads", "thread_count", "DEFAULT_THREADS"]

# One thread: on the shared 2-core machines two threads were 2-25x slower under load for tiny
# models, and cross-entropy results differed between 1 and 2 threads (SPEC.md, Environments).
DEFAULT_THREADS = 1


def derive_seed(*parts: object) -> int:
    """A 63-bit seed from any parts, stable across processes and Python versions."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


MAX_THREADS = 256


def env_int(name: str, default: int, low: int, high: int, hint: str) -> int:
    """The whole number in environment variable ``name`` within [low, high], ``default`` if unset;
    anything else is a :class:`~verify.errors.ConfigurationError` naming the variable and ``hint``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        n = int(raw)
    except ValueError:
        n = low - 1
    if not low <= n <= high:
        from .errors import ConfigurationError

        raise ConfigurationError(f"{name} must be a whole number from {low} to {high}, got {raw[:40]!r}; {hint}")
    return n


def thread_count() -> int:
    """The intra-op thread count the harness pins (``VERIFY_THREADS`` overrides the default)."""
    return env_int("VERIFY_THREADS", DEFAULT_THREADS, 1, MAX_THREADS, f"unset it to use {DEFAULT_THREADS} thread")


def pin_threads(threads: int | None = None) -> int:
    """Pin torch's intra-op threads, turn on deterministic algorithms and keep freed heap memory
    (see :func:`keep_freed_memory`); cheap after the first call in a process."""
    import torch

    n = threads or thread_count()
    keep_freed_memory()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    if not torch.are_deterministic_algorithms_enabled():
        if "torch._inductor.config" in sys.modules or not hasattr(torch._C, "_set_deterministic_algorithms"):
            torch.use_deterministic_algorithms(True, warn_only=True)
        else:
            # The public call imports torch._inductor.config (~2 s per process) only to set the
            # compiler's own flag; verify never compiles, so it sets the eager flag alone.
            torch._C._set_deterministic_algorithms(True, warn_only=True)
        # Deterministic mode also fills every new tensor from torch.empty with NaN, so that reading
        # uninitialised memory shows.  No verify computation reads memory it has not written (the
        # bitwise-reproducibility tests would catch it), and the fills cost 15-25 % of a training
        # step (measured): off.
        deterministic = getattr(torch.utils, "deterministic", None)
        if deterministic is not None:
            deterministic.fill_uninitialized_memory = False
    return n


_HEAP_KEPT = False


def keep_freed_memory() -> bool:
    """Ask glibc to serve large blocks from its heap and keep freed memory (Linux only; once).

    A training step of a seed ensemble allocates and frees tensors of a few MB each.  By default
    glibc hands every block above its mmap threshold back to the kernel on free, so the next step
    page-faults the same memory in again: measured on this project's 2-core VM, 250k page faults
    and 25-30 % of the wall time of a 48-member CNN ensemble, all of it system time.  Raising the
    mmap and trim thresholds removes that; it changes no computed value.  Returns whether it applied.
    """
    global _HEAP_KEPT
    if _HEAP_KEPT or not sys.platform.startswith("linux"):
        return _HEAP_KEPT
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        if not libc.mallopt(m_mmap_threshold, 256 << 20):
            libc.mallopt(m_mmap_threshold, 32 << 20)   # glibc's documented maximum on 64-bit
        libc.mallopt(m_trim_threshold, 1 << 30)
        _HEAP_KEPT = True
    except (OSError, AttributeError):                  # not glibc (musl, ...): leave the defaults
        pass
    return _HEAP_KEPT


def seed_everything(seed: int) -> None:
    """Seed torch, numpy and random with one integer."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def generator(seed: int):
    """An explicit torch.Generator seeded with ``seed`` (CPU)."""
    import torch

    g = torch.Generator()
    g.manual_seed(seed % 2**63)
    return g


@dataclass(frozen=True)
class SeedStream:
    """A named, hashable source of seeds: every number comes from (master seed, scope, name, ...).

    ``scope`` is a claim id, or ``"shared"`` for an experiment several claims read; the stream is
    then also the memo key of that experiment (equal streams, equal runs).  ``int(name, i)`` and
    ``generator(name, i)`` give the i-th member's seed for one random source (init, split, labels);
    nothing else derives seeds by arithmetic.
    """

    master_seed: int
    scope: str
    name: str

    @property
    def base(self) -> int:
        """The stream's own seed (what ``Context.shared_seed(name)`` returned for a shared stream)."""
        return derive_seed(self.master_seed, self.scope, self.name) % 2**31

    def int(self, name: str = "", i: int = 0) -> int:
        """The seed of source ``name`` for member ``i``."""
        return derive_seed(self.master_seed, self.scope, self.name, name, i) % 2**31

    def ints(self, name: str, n: int) -> list:
        """``[int(name, i) for i in range(n)]``: one seed per member."""
        return [self.int(name, i) for i in range(n)]

    def generator(self, name: str = "", i: int = 0):
        """A torch.Generator seeded with ``int(name, i)``."""
        return generator(self.int(name, i))

    def child(self, name: str) -> "SeedStream":
        """A sub-stream (for an experiment that another experiment runs)."""
        return SeedStream(self.master_seed, self.scope, f"{self.name}/{name}")
