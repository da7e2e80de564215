"""Hypothesis inside a claim: search for a counterexample to a property, seeded and bounded."""

from __future__ import annotations

import random
from typing import Any, Callable

__all__ = ["counterexample"]


def counterexample(strategy, prop: Callable[[Any], bool], *, examples: int, seed: int) -> Any | None:
    """The smallest example (after shrinking) for which ``prop`` is False, or None if none found.

    Runs ``examples`` Hypothesis examples from a Random seeded with ``seed`` and no example
    database, so the search is a pure function of the claim's seed.  Before each call of ``prop``
    torch's global generator is seeded from (seed, example): a property that draws random tensors
    without an explicit generator still gives the same answer every time Hypothesis replays an
    example (otherwise shrinking reports a FlakyFailure).
    """
    import torch

    from ..seeding import derive_seed

    def fails(v) -> bool:
        torch.manual_seed(derive_seed(seed, repr(v)) % 2**63)
        return not prop(v)

    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    cfg = settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                   phases=[Phase.generate, Phase.shrink],
                   suppress_health_check=list(HealthCheck))
    try:
        return find(strategy, fails, settings=cfg, random=random.Random(seed))
    except NoSuchExample:
        return None
