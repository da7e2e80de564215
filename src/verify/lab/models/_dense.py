"""Fully connected models: MLPs, the one-hidden-layer ReLU net, the masked autoencoder."""

from __future__ import annotations

import torch
from torch import nn

from .. import stacked

__all__ = ["MLP", "ShallowReLU", "MaskedAutoencoder"]


# elementwise activations an MLP may take (the stacked forward applies them to any shape)
_ELEMENTWISE = (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Identity, nn.GELU, nn.SiLU, nn.LeakyReLU, nn.ELU, nn.Softplus)


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
        """S members at once (see :mod:`verify.lab.stacked`): x (S, B, ...) -> (S, B, out)."""
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


class ShallowReLU(nn.Module):
    """x -> out(relu(hidden(x))): one hidden layer of ``width`` ReLU units, ``d_in`` inputs, one output."""

    def __init__(self, width: int, d_in: int = 1, act: str = "relu"):
        super().__init__()
        self.hidden = nn.Linear(d_in, width)
        self.out = nn.Linear(width, 1)
        self.act = act

    def forward(self, x):
        h = self.hidden(x)
        h = torch.relu(h) if self.act == "relu" else h ** 2
        return self.out(h)


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
        """S members at once (see :mod:`verify.lab.stacked`): x (S, B, ...) -> (S, B, d_in)."""
        z = self.encode_stacked(params, buffers, x)
        h = torch.relu(stacked.linear(z, params["decoder.0.weight"], params["decoder.0.bias"]))
        return stacked.linear(h, params["decoder.2.weight"], params["decoder.2.bias"])
