"""Tiny models, readable in one sitting.  Every size has a why-comment where it is chosen (in the
claim or experiment that uses it); here only the architectures."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from . import stacked

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

    def forward_stacked(self, params, buffers, x):
        """S members at once (see :mod:`verify.stacked`): x (S, B, ...) -> (S, B, out)."""
        h = x
        for name, layer in self.net.named_children():
            if isinstance(layer, nn.Linear):
                h = stacked.linear(h, params[f"net.{name}.weight"], params.get(f"net.{name}.bias"))
            elif isinstance(layer, nn.Flatten):
                h = h.flatten(layer.start_dim + 1, layer.end_dim if layer.end_dim < 0 else layer.end_dim + 1)
            elif isinstance(layer, _ELEMENTWISE):
                h = layer(h)
            else:                               # an activation that is not elementwise: per member
                h = torch.func.vmap(layer)(h)
        return h


# activations that act on each element alone, so one call covers all members
_ELEMENTWISE = (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Identity, nn.GELU, nn.SiLU, nn.LeakyReLU, nn.ELU, nn.Softplus)


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

    def forward_stacked(self, params, buffers, x):
        """S members at once (see :mod:`verify.stacked`): x (S, B, [1,] side, side) -> (S, B, classes).

        Max-pooling runs before the ReLU here: max and ReLU commute (ReLU is monotone), and the
        gradient reaches the same input element either way, so the values and gradients are those
        of ``forward`` -- with the ReLU on a quarter of the elements."""
        h = stacked.to_grouped(x)
        for conv in ("conv1", "conv2"):
            h = stacked.conv2d(h, params[f"{conv}.weight"], params[f"{conv}.bias"], padding=1)
            if self.pool:
                h = F.max_pool2d(h, 2)
            h = torch.relu(h)
        return stacked.flat_linear(h, params["head.weight"], params["head.bias"])


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

    @staticmethod
    def encode_stacked(params, buffers, x):
        """Codes of S members at once: x (S, B, ...) -> (S, B, h_max), masked units exactly zero."""
        h = torch.relu(stacked.linear(x.flatten(2), params["encoder.1.weight"], params["encoder.1.bias"]))
        return stacked.linear(h, params["encoder.3.weight"], params["encoder.3.bias"]) * buffers["mask"].unsqueeze(1)

    def forward_stacked(self, params, buffers, x):
        """S members at once (see :mod:`verify.stacked`): x (S, B, ...) -> (S, B, d_in)."""
        z = self.encode_stacked(params, buffers, x)
        h = torch.relu(stacked.linear(z, params["decoder.0.weight"], params["decoder.0.bias"]))
        return stacked.linear(h, params["decoder.2.weight"], params["decoder.2.bias"])
