"""The runner: verdict wrapping, falsifiers, seeds, and failure containment."""

import math
import time

from verify import HOLDS, INCONCLUSIVE, REFUTED, Finding
from verify.errors import Diverged
from verify.runner import evaluate

from tests.helpers import make_claim, toy


def test_verdict_carries_environment_time_and_expected():
    """A verdict records the torch version, thread count and seconds taken."""
    v = evaluate(make_claim(toy))
    assert v.outcome is HOLDS and v.as_expected
    assert v.environment["torch"] and v.environment["threads"] >= 1 and v.seconds >= 0


def test_falsifier_applies_overrides_and_flips():
    """Under the falsifier the protocol is overridden and the expected outcome is the flipped one."""
    v = evaluate(make_claim(toy), falsified=True)
    assert v.outcome is REFUTED and v.falsified and v.as_expected


def test_seeds_depend_on_master_seed_and_claim_only():
    """Derived seeds are a function of (master seed, claim id, name)."""
    seen = []

    def fn(p, ctx):
        seen.append(ctx.seeds(3, "x"))
        return Finding(HOLDS)

    c = make_claim(fn)
    evaluate(c), evaluate(c), evaluate(c, master_seed=1)
    assert seen[0] == seen[1] != seen[2]


def test_exception_in_claim_is_a_harness_error_not_a_refutation():
    """An exception becomes INCONCLUSIVE with error text, and as_expected is False."""
    def boom(p, ctx):
        raise ZeroDivisionError("oops")

    v = evaluate(make_claim(boom))
    assert v.outcome is INCONCLUSIVE and "ZeroDivisionError" in v.error and not v.as_expected


def test_timeout_becomes_inconclusive_with_reason():
    """A claim over its time limit is stopped and reported INCONCLUSIVE."""
    def slow(p, ctx):
        time.sleep(5)

    v = evaluate(make_claim(slow, timeout=0.2))
    assert v.outcome is INCONCLUSIVE and v.reason.startswith("timeout") and v.seconds < 2


def test_divergence_and_nan_become_inconclusive():
    """Diverged training and NaN statistics are INCONCLUSIVE with the reason."""
    def diverge(p, ctx):
        raise Diverged("loss is nan at step 3")

    def nan(p, ctx):
        return Finding(HOLDS, statistic=math.nan)

    assert evaluate(make_claim(diverge)).reason.startswith("diverged")
    assert evaluate(make_claim(nan)).outcome is INCONCLUSIVE


def test_returning_the_wrong_type_is_reported_as_a_bug():
    """A claim that returns something other than a Finding is a harness error."""
    v = evaluate(make_claim(lambda p, c: True))
    assert "not a Finding" in v.error


def test_verdict_json_round_trip_and_repr():
    """to_json/from_json round-trip; repr is one line naming the claim and outcome."""
    from verify.verdict import Verdict

    v = evaluate(make_claim(toy))
    assert Verdict.from_json(v.to_json()).outcome is v.outcome
    assert repr(v).startswith("Verdict(claim='q99.test.toy', outcome=HOLDS") and "\n" not in repr(v)


def test_assert_expected_message_has_numbers_and_reproduce_command():
    """A wrong verdict raises AssertionError with the statistic and a reproduce command."""
    import pytest

    v = evaluate(make_claim(toy, expected=REFUTED))
    with pytest.raises(AssertionError, match="reproduce: verify check q99.test.toy"):
        v.assert_expected()


def test_counterexample_search_is_stable_for_properties_using_global_rng():
    """A property that draws from torch's global RNG is replayed identically (no FlakyFailure)."""
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def prop(n):
        return torch.randn(1).item() < 1.5  # fails for some draws: must fail the same way on replay

    first = counterexample(st.integers(0, 1000), prop, examples=200, seed=3)
    assert first == counterexample(st.integers(0, 1000), prop, examples=200, seed=3)


def test_an_infinite_statistic_never_holds():
    """A measurement that reports an infinite difference behind HOLDS becomes INCONCLUSIVE, and its
    JSON has no Infinity."""
    import json



    def infinite(p, ctx):
        return Finding(HOLDS, statistic=float("inf"), statistic_name="t")

    v = evaluate(make_claim(infinite))
    assert v.outcome is INCONCLUSIVE and "infinite" in v.reason
    assert "Infinity" not in json.dumps(v.to_json(), allow_nan=False)


def test_a_claim_about_other_torch_versions_is_not_applicable():
    """A claim scoped to torch versions other than the installed one is not run: its verdict is
    NOT_APPLICABLE with the reason, and counts as expected."""
    import dataclasses

    import torch

    from verify import NOT_APPLICABLE

    calls = []

    def measured(p, ctx):
        calls.append(1)
        return toy(p, ctx)

    claim = dataclasses.replace(make_claim(measured), torch="<1.0")
    v = evaluate(claim)
    assert v.outcome is NOT_APPLICABLE and v.as_expected and not calls
    assert torch.__version__ in v.reason and "<1.0" in v.reason
    in_scope = dataclasses.replace(make_claim(measured), torch=">=1.0")
    assert evaluate(in_scope).outcome is HOLDS and calls
