"""The shared-experiment memo: an experiment several claims read runs once per process.

Its key is the experiment's arguments, among them the :class:`~verify.seeding.SeedStream` (or seed)
it runs under, so equal streams mean one run.
"""

from __future__ import annotations

import functools
from typing import Callable

__all__ = ["shared"]


def shared(fn: Callable) -> Callable:
    """Memoise an experiment shared between claims: it runs once per process per argument set.

    Arguments must be hashable (ints, floats, strings, tuples); pass the seed explicitly.  The memo
    keeps the 32 most recent argument sets per experiment: every claim of one run (and its
    falsifier) fits, while a long ``verify stability`` run does not grow without bound.
    """
    cached = functools.lru_cache(maxsize=32)(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return cached(*args, **kwargs)

    wrapper.cache_clear = cached.cache_clear
    return wrapper
