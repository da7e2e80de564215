"""Convolutional and locally connected models on 8x8 digits.

``SmallCNN`` and ``ConvNet`` stay two classes although both read conv-ReLU-pool-linear: SmallCNN is
the fixed two-conv net that q06 and q10 train (its ``forward_stacked`` pools before the ReLU on two
layers), ConvNet the one-conv net q03 varies (kernel, padding, activation, bias, pooling) to turn it
into an MLP exactly.  One class for both would rename SmallCNN's parameters (``conv1``/``conv2``) or
change its construction, hence the init draws behind q06's and q10's verdicts, for no reader's gain.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .. import stacked

__all__ = ["SmallCNN", "ConvNet", "LocallyConnected2d"]


def _as_images(x):
    """(B, side, side) digits get their one channel; (B, C, side, side) pass through."""
    return x.unsqueeze(-3) if x.dim() == 3 else x


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
        x = _as_images(x)
        x = torch.relu(self.conv1(x))
        if self.pool:
            x = nn.functional.max_pool2d(x, 2)
        x = torch.relu(self.conv2(x))
        if self.pool:
            x = nn.functional.max_pool2d(x, 2)
        return self.head(x.flatten(-3))

    def forward_stacked(self, params, buffers, x):
        """S members at once (see :mod:`verify.lab.stacked`): x (S, B, [1,] side, side) -> (S, B, classes).

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


class ConvNet(nn.Module):
    """conv(k, c)-ReLU [-maxpool2] - linear for 1 x side x side images; ``act`` may be Identity.

    With ``k == side`` and ``padding == 0`` the conv sees the whole image at one position: it is
    a fully connected layer with ``c`` units, so the net is exactly a one-hidden-layer MLP.
    """

    def __init__(self, c: int = 16, k: int = 3, padding: int = 1, side: int = 8, classes: int = 10,
                 pool: bool = True, act: type[nn.Module] = nn.ReLU, bias: bool = True):
        super().__init__()
        self.conv = nn.Conv2d(1, c, k, padding=padding, bias=bias)
        self.act = act()
        self.pool = pool
        out = side + 2 * padding - k + 1
        out = out // 2 if pool else out
        self.head = nn.Linear(c * out * out, classes, bias=bias)

    def forward(self, x):
        x = _as_images(x)
        x = self.act(self.conv(x))
        if self.pool:
            x = nn.functional.max_pool2d(x, 2)
        return self.head(x.flatten(-3))

    def forward_stacked(self, params, buffers, x):
        """S members at once (:mod:`verify.lab.stacked`): x (S, B, [1,] side, side) -> (S, B, classes)."""
        from .. import stacked

        h = stacked.conv2d(stacked.to_grouped(x), params["conv.weight"], params.get("conv.bias"),
                           padding=self.conv.padding[0])
        h = self.act(h)                      # elementwise (ReLU or Identity)
        if self.pool:
            h = nn.functional.max_pool2d(h, 2)
        return stacked.flat_linear(h, params["head.weight"], params.get("head.bias"))


class LocallyConnected2d(nn.Module):
    """A convolution without weight sharing: every output position has its own k x k filter.

    Same receptive fields as ``nn.Conv2d(c_in, c_out, k, padding=padding)`` (unfold = im2col), so
    it is the fair baseline for what weight sharing alone changes.
    """

    def __init__(self, c_in: int, c_out: int, k: int, side: int, padding: int = 0):
        super().__init__()
        self.k, self.padding = k, padding
        self.out_side = side + 2 * padding - k + 1
        positions = self.out_side ** 2
        self.weight = nn.Parameter(torch.randn(positions, c_out, c_in * k * k) / math.sqrt(c_in * k * k))
        self.bias = nn.Parameter(torch.zeros(positions, c_out))

    def forward(self, x):
        cols = nn.functional.unfold(x, self.k, padding=self.padding)        # (N, c_in*k*k, L)
        out = torch.einsum("nkl,lok->nol", cols, self.weight) + self.bias.T  # (N, c_out, L)
        return out.reshape(x.shape[0], -1, self.out_side, self.out_side)

    @classmethod
    def from_conv(cls, conv: nn.Conv2d, side: int) -> "LocallyConnected2d":
        """The locally connected layer whose every position holds the conv's one shared filter."""
        c_out, c_in, k, _ = conv.weight.shape
        lc = cls(c_in, c_out, k, side, padding=conv.padding[0])
        with torch.no_grad():
            lc.weight.copy_(conv.weight.reshape(c_out, -1).expand(lc.weight.shape))
            lc.bias.copy_(conv.bias.expand(lc.bias.shape))
        return lc
