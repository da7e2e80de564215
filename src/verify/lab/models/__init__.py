"""Every tiny model of the bank, readable in one sitting.  Sizes carry their why-comments where
they are chosen (in the claim or experiment that uses them); here only the architectures."""

from ._conv import ConvNet, LocallyConnected2d, SmallCNN
from ._dense import MLP, MaskedAutoencoder, ShallowReLU
from ._generative import DDPM, GaussianAutoencoder
from ._sequence import BahdanauAligner, SlotTranslator

__all__ = ["MLP", "ShallowReLU", "MaskedAutoencoder", "SmallCNN", "ConvNet",
           "LocallyConnected2d", "BahdanauAligner", "SlotTranslator", "GaussianAutoencoder", "DDPM"]
