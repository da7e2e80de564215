"""One exception root for verify.

Misuse errors also subclass the builtin a caller expects (as Hypothesis does): a bad claim
definition is a ``ValueError``/``TypeError``; a bad answer key is a ``ValueError``.  A refuted
claim is never an exception here: asserting it raises ``AssertionError``.
"""

from __future__ import annotations


class VerifyError(Exception):
    """Root of every error verify raises on purpose."""


class ClaimDefinitionError(VerifyError, ValueError):
    """A claim is declared wrongly (missing field, bad id, duplicate id, bad falsifier)."""


class UnknownClaimError(VerifyError, KeyError):
    """A claim id that the bank does not hold."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class AnswerKeyError(VerifyError, ValueError):
    """An answer key (or the document it points to) is malformed; the message says where."""

    def __init__(self, message: str, *, path: str | None = None, entry: str | None = None):
        self.path, self.entry = path, entry
        where = ": ".join(p for p in (path, entry) if p)
        super().__init__(f"{where}: {message}" if where else message)


class ConfigurationError(VerifyError, ValueError):
    """An environment variable or option of verify's own has a value it cannot use."""


class HarnessBug(VerifyError, RuntimeError):
    """Something inside verify went wrong: a bug, not a verdict."""


class Diverged(VerifyError, ArithmeticError):
    """Training produced a NaN or infinite loss: the claim's verdict is INCONCLUSIVE, with why."""


class ClaimTimeout(VerifyError, TimeoutError):
    """A claim ran past its time limit: the verdict is a timeout, never a refutation."""
