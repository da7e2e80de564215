"""Tiny models, readable in one sitting.  Every size has a why-comment where it is chosen (in the
claim or experiment that uses it); here only the architectures."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["MLP", "SmallCNN", "MaskedAutoencoder"]


class MLP(nn.Module):
    """Fully connected net: sizes=(in, hidden..., out), ReLU between layers (or ``act``)."""

    def __init__(self, sizes, act: type[nn.Module] = nn.ReLU, flatten: bool = True):
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()] if flatten else []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(act())
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class SmallCNN(nn.Module):
    """conv(3x3, c1)-ReLU-maxpool2 - conv(3x3, c2)-ReLU-maxpool2 - linear, for 1x8x8 digits."""

    def __init__(self, c1: int = 8, c2: int = 16, classes: int = 10, side: int = 8, pool: bool = True):
        super().__init__()
        self.pool = pool
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        out_side = side // 4 if pool else side
        self.head = nn.Linear(c2 * out_side * out_side, classes)

    def forward(self, x):
        if x.dim() == 3:
            x = x.unsqueeze(-3)
        x = torch.relu(self.conv1(x))
        if self.pool:
            x = nn.functional.max_pool2d(x, 2)
        x = torch.relu(self.conv2(x))
        if self.pool:
            x = nn.functional.max_pool2d(x, 2)
        return self.head(x.flatten(-3))


class MaskedAutoencoder(nn.Module):
    """MLP autoencoder whose code has ``h`` active units out of ``h_max``.

    The inactive units are multiplied by zero, so they carry nothing and their weights get zero
    gradient (Adam leaves them untouched): the model is exactly an autoencoder with latent size h,
    but every h shares one parameter shape, so all (h, seed) pairs train as one vmapped ensemble.
    """

    def __init__(self, d_in: int, hidden: int, h: int, h_max: int):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, h_max))
        self.decoder = nn.Sequential(nn.Linear(h_max, hidden), nn.ReLU(), nn.Linear(hidden, d_in))
        mask = torch.zeros(h_max)
        mask[:h] = 1.0
        self.register_buffer("mask", mask)

    def encode(self, x):
        return self.encoder(x) * self.mask

    def forward(self, x):
        return self.decoder(self.encode(x))
