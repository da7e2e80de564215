"""Claim declaration: validation of fields, ids, falsifier overrides and the registry."""

import pytest

from verify import ANALYTIC, HOLDS, INCONCLUSIVE, ClaimDefinitionError, Falsifier, claim, exact
from verify.claim import Protocol, Registry


def _declare(**over):
    kw = dict(id="q99.test.ok", question="q99", statement="s", kind=ANALYTIC, expected=HOLDS,
              rationale="r", protocol={"a": 1}, rule="rule", falsifier=Falsifier("f", "d", a=2))
    kw.update(over)
    return claim(**kw)(lambda p, ctx: exact(True))


@pytest.mark.parametrize("bad", [
    {"id": "not a dotted id"}, {"question": "q98"}, {"expected": INCONCLUSIVE}, {"statement": " "},
    {"falsifier": "flip"}, {"kind": "empirical"}, {"torch": "newer than 2"}, {"measure": "no colon"},
    {"rule": None}, {"decision": "greater"},
])
def test_bad_declarations_raise_value_errors_naming_the_problem(bad):
    """A malformed declaration raises ClaimDefinitionError, which is also a ValueError."""
    with pytest.raises(ValueError) as e:
        _declare(**bad)
    assert isinstance(e.value, ClaimDefinitionError)


def test_falsifier_with_unknown_override_is_rejected():
    """A falsifier may only override parameters that the protocol declares."""
    with pytest.raises(ClaimDefinitionError, match="unknown protocol parameters"):
        _declare(id="q99.test.bad_override", falsifier=Falsifier("f", "d", nope=1))


def test_protocol_is_read_only_mapping_with_attributes():
    """Protocol values read as attributes; replace() returns a new protocol."""
    p = Protocol({"a": 1})
    assert p.a == 1 and p.replace(a=2).a == 2 and p.a == 1
    with pytest.raises(AttributeError, match="has no parameter"):
        p.b


def test_registry_rejects_the_same_id_from_two_places():
    """Two different functions may not declare the same id."""
    from tests.helpers import make_claim, toy

    r = Registry()
    r.add(make_claim(toy))
    other = make_claim(lambda p, c: None)
    with pytest.raises(ClaimDefinitionError, match="declared twice"):
        r.add(other)


def test_declaration_with_measure_and_decision_registers_and_generates_its_rule():
    """A declaration naming a measure and a decision registers the claim, prints the decision's own
    rule, and decides (and negates) the measurement."""
    from verify.claim import registry
    from verify.runner import Context
    from verify.stats import Check, Exact

    c = claim(id="q99.test.declared", question="q99", statement="s", kind=ANALYTIC, expected=HOLDS,
              rationale="r", protocol={"ok": True}, falsifier=Falsifier("f", "d", ok=False),
              measure=lambda p, ctx: Check(ok=p.ok), decision=Exact("the check passes"), negate=True)
    assert registry["q99.test.declared"] is c
    assert c.rule.startswith("the negation of [exact: HOLDS iff the check passes]")
    ctx = Context(c)
    assert c.evaluate(c.protocol, ctx).outcome.value == "REFUTED"          # negated
    assert c.evaluate(c.protocol.replace(ok=False), ctx).outcome is HOLDS


def test_declaring_both_a_rule_and_a_decision_is_rejected():
    """The rule is generated from the decision, so declaring prose beside it is an error."""
    from verify.stats import Exact

    with pytest.raises(ClaimDefinitionError, match="generated"):
        _declare(id="q99.test.both", decision=Exact("x"))
