"""Generative models: the Gaussian (variational) autoencoder and the tiny DDPM.

(Moved here from their experiment modules by the engineer who converts q09/q10.)
"""

from __future__ import annotations

__all__: list[str] = []
