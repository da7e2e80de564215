"""Evaluate a claim: seed, pin threads, time, contain failures, wrap the finding in a Verdict.

Failure containment: a claim over its time limit, a NaN, or divergent training becomes
INCONCLUSIVE with the reason; an exception inside a claim becomes a verdict whose ``error`` says it
is a harness error (a bug, not a refutation).  The rest of a run always goes on.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
import traceback
from typing import Any, Iterator

from .claim import Claim, Protocol
from .errors import ClaimDefinitionError, ClaimTimeout, Diverged
from .seeding import SeedStream, derive_seed, generator, pin_threads, seed_everything
from .verdict import HOLDS, INCONCLUSIVE, NOT_APPLICABLE, Finding, Verdict, environment

__all__ = ["Context", "evaluate"]


class Context:
    """What an evaluation function gets besides its protocol: seeds, alpha, generators."""

    def __init__(self, claim: Claim, *, master_seed: int = 0, falsified: bool = False):
        from . import stats

        self.claim = claim
        self.master_seed = master_seed
        self.falsified = falsified
        self.alpha = stats.claim_alpha() if claim.statistical else None
        self._seeds: list[int] = []

    def seed(self, name: str = "") -> int:
        """One derived seed; recorded in the verdict."""
        s = derive_seed(self.master_seed, self.claim.id, name) % 2**31
        self._seeds.append(s)
        return s

    def seeds(self, n: int, name: str = "") -> list[int]:
        """``n`` derived seeds (one per ensemble member)."""
        return [self.seed(f"{name}#{i}") for i in range(n)]

    def generator(self, name: str = ""):
        return generator(self.seed(name))

    def shared_seed(self, experiment: str) -> int:
        """A seed shared by every claim that reads the same experiment (so it runs once)."""
        return self.shared_stream(experiment).base

    def stream(self, name: str) -> SeedStream:
        """This claim's seed stream ``name`` (recorded in the verdict by its base seed)."""
        s = SeedStream(self.master_seed, self.claim.id, name)
        self._seeds.append(s.base)
        return s

    def shared_stream(self, experiment: str) -> SeedStream:
        """The stream of an experiment several claims read: the same for all of them, and the
        memo key under which it runs once."""
        s = SeedStream(self.master_seed, "shared", experiment)
        self._seeds.append(s.base)
        return s

    @property
    def recorded_seeds(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(self._seeds))


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    usable = (seconds and seconds > 0 and threading.current_thread() is threading.main_thread()
              and hasattr(signal, "setitimer"))
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise ClaimTimeout(f"ran past its time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _not_finite(finding: Finding) -> str:
    """Why the finding's numbers cannot carry its outcome: a NaN anywhere, or an infinity behind a
    HOLDS (an infinite effect or statistic proves nothing); '' when they can."""
    vals = [finding.statistic, finding.pvalue, finding.effect, finding.difference]
    if any(isinstance(v, float) and math.isnan(v) for v in vals):
        return "a statistic is NaN"
    if finding.outcome is HOLDS and any(isinstance(v, float) and math.isinf(v) for v in vals):
        return "a statistic is infinite"
    return ""


def evaluate(claim: Claim, *, falsified: bool = False, master_seed: int = 0,
             timeout: float | None = None) -> Verdict:
    """Run one claim (under its falsifier if ``falsified``) and return its Verdict. Never raises
    for a false claim, a timeout, a NaN or an exception inside the claim."""
    import torch

    if not claim.applies_to(torch.__version__):
        return Verdict(claim=claim.id, outcome=NOT_APPLICABLE, expected=claim.expected, rule=claim.rule,
                       reason=f"speaks about torch {claim.torch}; this is torch {torch.__version__}",
                       master_seed=master_seed, falsified=falsified,
                       falsifier=claim.falsifier.name if falsified else "", environment=environment())
    protocol: Protocol = claim.protocol.replace(**claim.falsifier.overrides) if falsified else claim.protocol
    ctx = Context(claim, master_seed=master_seed, falsified=falsified)
    threads = pin_threads()
    seed_everything(derive_seed(master_seed, claim.id, "global") % 2**31)
    start = time.perf_counter()
    error = ""
    try:
        with _time_limit(claim.timeout if timeout is None else timeout):
            finding = claim.evaluate(protocol, ctx)
        if not isinstance(finding, Finding):
            raise ClaimDefinitionError(
                f"claim {claim.id} returned {type(finding).__name__}, not a Finding; "
                "return verify.exact(...), a stats decision, or verify.inconclusive(...)")
        why = _not_finite(finding)
        if why and finding.outcome is not INCONCLUSIVE:
            finding = Finding(**{**finding.__dict__, "outcome": INCONCLUSIVE, "reason": f"{why}; " + finding.reason})
    except ClaimTimeout as exc:
        finding = Finding(INCONCLUSIVE, reason=f"timeout: {exc}")
    except Diverged as exc:
        finding = Finding(INCONCLUSIVE, reason=f"diverged: {exc}")
    except Exception as exc:  # containment: one broken claim never stops a run
        tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-3)
        error = f"{type(exc).__name__}: {exc}\n" + "".join(tb[-3:])
        finding = Finding(INCONCLUSIVE, reason=f"harness error: {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - start
    env = environment()
    env["threads"] = threads
    return Verdict(
        claim=claim.id, outcome=finding.outcome, expected=claim.expected,
        statistic=_f(finding.statistic), pvalue=_f(finding.pvalue),
        statistic_name=finding.statistic_name, alpha=ctx.alpha, effect=_f(finding.effect),
        effect_name=finding.effect_name,
        ci=None if finding.ci is None else (float(finding.ci[0]), float(finding.ci[1])),
        difference=_f(finding.difference), tolerance=_f(finding.tolerance),
        rule=finding.rule or claim.rule, reason=finding.reason, seeds=ctx.recorded_seeds,
        master_seed=master_seed, falsified=falsified,
        falsifier=claim.falsifier.name if falsified else "", error=error,
        evidence=finding.evidence, environment=env, seconds=round(seconds, 4),
    )


def _f(v: Any) -> float | None:
    return None if v is None else float(v)
