"""Claims declared for the library's own tests (a toy bank, never part of claims/)."""

from verify import ANALYTIC, EMPIRICAL, HOLDS, Falsifier, exact
from verify.claim import Claim, Kind, Protocol


def make_claim(fn, *, id="q99.test.toy", expected=HOLDS, kind=ANALYTIC, protocol=None, falsifier=None, timeout=30.0):
    protocol = Protocol(protocol or {"flip": False})
    return Claim(id=id, question="q99", statement="toy", kind=kind, expected=expected, rationale="test",
                 protocol=protocol, rule="toy rule", falsifier=falsifier or Falsifier("flip", "flip it", flip=True),
                 measure=fn, statistical=kind is EMPIRICAL, timeout=timeout, module=__name__)


def toy(p, ctx):
    return exact(not p.flip, difference=1.0 if p.flip else 0.0, tolerance=0.5)
