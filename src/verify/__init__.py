"""verify: student answers about deep learning, turned into falsifiable, seeded experiments.

Importing ``verify`` is cheap (no torch): the claim declaration API is here; the heavy modules
(``verify.stats``, ``verify.lab.train``, ``verify.lab.models``) are imported where they are used.
"""

from .claim import ANALYTIC, EMPIRICAL, PROXY, Claim, Falsifier, Kind, Protocol, claim, registry
from .errors import (AnswerKeyError, ClaimDefinitionError, ClaimTimeout, Diverged, HarnessBug, UnknownClaimError,
                     VerifyError)
from .verdict import HOLDS, INCONCLUSIVE, NOT_APPLICABLE, REFUTED, Finding, Outcome, Verdict, exact, inconclusive

__version__ = "0.1.0"

__all__ = [
    "ANALYTIC", "EMPIRICAL", "PROXY", "HOLDS", "REFUTED", "INCONCLUSIVE", "NOT_APPLICABLE",
    "Claim", "Falsifier", "Kind", "Protocol", "claim", "registry",
    "Finding", "Outcome", "Verdict", "exact", "inconclusive",
    "AnswerKeyError", "ClaimDefinitionError", "ClaimTimeout", "Diverged", "HarnessBug", "UnknownClaimError",
    "VerifyError",
    "__version__",
]
