"""The three-way decision, written once.

Every rule of the bank tests two one-sided hypotheses: one whose rejection shows the claim
(``p_holds``) and one whose rejection shows it false (``p_refutes``).  HOLDS needs the first at
alpha (and, for "at least X" rules, an effect that clears X); REFUTED needs the second; neither is
INCONCLUSIVE, reported with the p-value of the claim's own test or the smaller of the two.
"""

from __future__ import annotations

from typing import Literal

from ..verdict import HOLDS, INCONCLUSIVE, REFUTED, Outcome

Branch = Literal["holds", "refutes"]


def three_way(alpha: float, p_holds: float, p_refutes: float, *, effect_ok: bool = True,
              report: Literal["holds", "smaller"] = "holds") -> tuple[Outcome, float, Branch]:
    """(outcome, reported p-value, which test it belongs to)."""
    if p_holds < alpha and effect_ok:
        return HOLDS, float(p_holds), "holds"
    if p_refutes < alpha:
        return REFUTED, float(p_refutes), "refutes"
    if report == "smaller" and p_refutes < p_holds:
        return INCONCLUSIVE, float(p_refutes), "refutes"
    return INCONCLUSIVE, float(p_holds), "holds"
