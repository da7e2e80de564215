"""Hypothesis inside a claim: search for a counterexample to a property, seeded and bounded."""

from __future__ import annotations

import random
from typing import Any, Callable

__all__ = ["counterexample"]


def counterexample(strategy, prop: Callable[[Any], bool], *, examples: int, seed: int) -> Any | None:
    """The smallest example (after shrinking) for which ``prop`` is False, or None if none found.

    Runs ``examples`` Hypothesis examples from a Random seeded with ``seed`` and no example
    database, so the search is a pure function of the claim's seed.
    """
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    cfg = settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                   phases=[Phase.generate, Phase.shrink],
                   suppress_health_check=list(HealthCheck))
    try:
        return find(strategy, lambda v: not prop(v), settings=cfg, random=random.Random(seed))
    except NoSuchExample:
        return None
