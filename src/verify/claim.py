"""The claim declaration: one falsifiable proposition with its protocol, rule and falsifier.

A claim module declares claims with :func:`claim` used as a decorator on the evaluation function::

    @claim(
        id="q05.backward.nonscalar_needs_gradient",
        question="q05",
        statement="backward() on a tensor with more than one element needs a gradient argument.",
        quote="PyTorch requires the loss tensor to be a scalar",
        kind=ANALYTIC,
        expected=HOLDS,
        rationale="torch.autograd only creates implicit grad_outputs for one-element outputs.",
        protocol=dict(max_side=5, examples=100),
        rule="HOLDS iff every fuzzed shape with >1 element raises and every 1-element one does not",
        falsifier=Falsifier("reduce_first", "call .sum() before backward()", reduce=True),
    )
    def nonscalar_needs_gradient(p, ctx):
        ...
        return exact(ok)

The function receives the protocol (with the falsifier's overrides applied when falsifying) and a
:class:`~verify.runner.Context`, and returns a :class:`~verify.verdict.Finding`.  It must not
import torch at module level: ``verify list`` reads the bank without importing torch.
"""

from __future__ import annotations

import enum
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .errors import ClaimDefinitionError
from .verdict import HOLDS, INCONCLUSIVE, REFUTED, Outcome

__all__ = ["Claim", "Falsifier", "Kind", "Protocol", "claim", "EMPIRICAL", "ANALYTIC", "PROXY",
           "HOLDS", "REFUTED", "INCONCLUSIVE", "registry"]


class Kind(str, enum.Enum):
    EMPIRICAL = "empirical"   # trains tiny models; decided by a statistical test
    ANALYTIC = "analytic"     # computes an exact fact (identity, count, autograd behaviour)
    PROXY = "proxy"           # a definitional or vague statement, decided through a stated operationalisation

    def __str__(self) -> str:
        return self.value


EMPIRICAL, ANALYTIC, PROXY = Kind.EMPIRICAL, Kind.ANALYTIC, Kind.PROXY

_ID = re.compile(r"^q\d\d(\.\d|[a-d])?(\.[a-z0-9_]+)+$")
_QUESTION = re.compile(r"^q\d\d(\.\d|[a-d])?$")


class Protocol(Mapping[str, Any]):
    """A read-only mapping of protocol parameters with attribute access (``p.seeds``)."""

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"protocol has no parameter {name!r}; it has {sorted(self._values)}") from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, **overrides: Any) -> "Protocol":
        unknown = set(overrides) - set(self._values)
        if unknown:
            raise ClaimDefinitionError(
                f"falsifier overrides unknown protocol parameters {sorted(unknown)}; "
                f"the protocol has {sorted(self._values)}")
        return Protocol({**self._values, **overrides})

    def __repr__(self) -> str:
        return f"Protocol({self._values!r})"


@dataclass(frozen=True)
class Falsifier:
    """A named perturbation of the protocol under which the decision rule must flip."""

    name: str
    description: str
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, name: str, description: str, **overrides: Any):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "overrides", dict(overrides))


@dataclass(frozen=True)
class Claim:
    id: str
    question: str
    statement: str
    kind: Kind
    expected: Outcome
    rationale: str
    protocol: Protocol
    rule: str
    falsifier: Falsifier
    evaluate: Callable[[Protocol, Any], Any]
    quote: str | None = None
    statistical: bool = False
    timeout: float = 120.0
    tags: tuple[str, ...] = ()
    module: str = ""
    explain: str = ""                                   # plain words for a student: what was done and found
    phrasings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # {"asserts": (...), "denies": (...)}

    @property
    def source_key(self) -> str:
        """Text that changes whenever the claim's code or declaration changes (for the cache)."""
        try:
            src = inspect.getsource(self.evaluate)
        except (OSError, TypeError):
            src = getattr(self.evaluate, "__qualname__", "")
        return "\n".join([self.id, src, repr(sorted(self.protocol.items(), key=lambda kv: kv[0])),
                          repr(sorted(self.falsifier.overrides.items())), self.expected.value])

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "question": self.question, "statement": self.statement,
            "quote": self.quote, "kind": self.kind.value, "expected": self.expected.value,
            "statistical": self.statistical, "rationale": self.rationale, "rule": self.rule,
            "protocol": {k: _jsonable(v) for k, v in self.protocol.items()},
            "falsifier": {"name": self.falsifier.name, "description": self.falsifier.description,
                          "overrides": {k: _jsonable(v) for k, v in self.falsifier.overrides.items()}},
            "tags": list(self.tags), "module": self.module, "explain": self.explain,
            "phrasings": {k: list(v) for k, v in self.phrasings.items()},
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return repr(v)


class Registry:
    """Every declared claim, by id, in declaration order."""

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}

    def add(self, c: Claim) -> None:
        old = self._claims.get(c.id)
        if old is not None and (old.module, old.evaluate.__qualname__) != (c.module, c.evaluate.__qualname__):
            raise ClaimDefinitionError(f"claim id {c.id!r} is declared twice: in {old.module} and {c.module}")
        self._claims[c.id] = c

    def __getitem__(self, claim_id: str) -> Claim:
        return self._claims[claim_id]

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._claims

    def __iter__(self):
        return iter(self._claims.values())

    def __len__(self) -> int:
        return len(self._claims)

    def ids(self) -> list[str]:
        return list(self._claims)


registry = Registry()


def claim(*, id: str, question: str, statement: str, kind: Kind, expected: Outcome, rationale: str,
          protocol: Mapping[str, Any], rule: str, falsifier: Falsifier, quote: str | None = None,
          statistical: bool | None = None, timeout: float = 120.0,
          tags: tuple[str, ...] = (), explain: str = "",
          phrasings: Mapping[str, Any] | None = None) -> Callable[[Callable], Callable]:
    """Declare a claim; see the module docstring.  Returns the function unchanged.

    ``statistical`` (default: ``kind is EMPIRICAL``) marks claims decided by a test at the bank's
    per-claim alpha; their count is bounded by the declared family size (see :mod:`verify.stats`).
    """

    def problems() -> list[str]:
        out = []
        if not _ID.match(id):
            out.append(f"id {id!r} is not a dotted id like 'q05.backward.nonscalar_needs_gradient'")
        if not _QUESTION.match(question) or not id.startswith(question + "."):
            out.append(f"question {question!r} must be a part id (q01, q02a, q07.1) that prefixes the id {id!r}")
        if not isinstance(kind, Kind):
            out.append(f"kind must be EMPIRICAL, ANALYTIC or PROXY, got {kind!r}")
        if expected not in (HOLDS, REFUTED):
            out.append(f"expected must be HOLDS or REFUTED (a falsifier flips it), got {expected!r}")
        for name, value in (("statement", statement), ("rationale", rationale), ("rule", rule)):
            if not isinstance(value, str) or not value.strip():
                out.append(f"{name} must be a non-empty string")
        if not isinstance(falsifier, Falsifier):
            out.append(f"falsifier must be a Falsifier, got {type(falsifier).__name__}")
        return out

    def decorate(fn: Callable) -> Callable:
        bad = problems()
        if bad:
            raise ClaimDefinitionError(f"claim declared in {fn.__module__}.{fn.__qualname__}: " + "; ".join(bad))
        p = Protocol(protocol)
        p.replace(**falsifier.overrides)  # raises early on an unknown override
        registry.add(Claim(
            id=id, question=question, statement=" ".join(statement.split()), kind=kind,
            expected=expected, rationale=" ".join(rationale.split()), protocol=p,
            rule=" ".join(rule.split()), falsifier=falsifier, evaluate=fn, quote=quote,
            statistical=(kind is Kind.EMPIRICAL) if statistical is None else statistical,
            timeout=timeout, tags=tuple(tags), module=fn.__module__,
            explain=" ".join(explain.split()), phrasings=_phrasings(phrasings),
        ))
        fn.claim_id = id
        return fn

    return decorate


def _phrasings(value: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """``{"asserts": [...], "denies": [...]}``: how students write the claim and its negation."""
    if not value:
        return {}
    bad = set(value) - {"asserts", "denies"}
    if bad:
        raise ClaimDefinitionError(f"phrasings keys must be 'asserts' and 'denies', got {sorted(bad)}")
    return {k: tuple(" ".join(str(x).split()) for x in v) for k, v in value.items()}
