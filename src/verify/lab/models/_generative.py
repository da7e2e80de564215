"""Generative models: the Gaussian (variational) autoencoder of q10 and the tiny DDPM of q09, with
the two Gaussian identities they are built from."""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["GaussianAutoencoder", "DDPM", "reparameterize", "gaussian_kl_to_prior", "gauss_kl"]

PIXELS = 64  # 8x8 digits, flattened
LOG2PI = math.log(2 * math.pi)


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """z = mu + sigma * eps with sigma = exp(logvar / 2): differentiable in mu and logvar for fixed eps."""
    return mu + torch.exp(0.5 * logvar) * eps


def gaussian_kl_to_prior(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag exp(logvar)) || N(0, I)) per row, summed over the last dimension (closed form)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)


def gauss_kl(m1, v1, m2, v2):
    """KL(N(m1, v1) || N(m2, v2)) elementwise (variances, not standard deviations)."""
    return 0.5 * (torch.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1)


class GaussianAutoencoder(nn.Module):
    """MLP autoencoder; with ``variational`` the encoder's (mu, logvar) define q(z|x) and z is sampled.

    ``forward`` takes rows [image (64) | eps (k)] and returns
    [decoder logits (64) | mu (k) | logvar (k) | beta (1)].  A plain autoencoder (``variational=False``)
    ignores eps and the logvar head: z = mu, one point per image, reported logvar 0.  ``variational``
    and ``beta`` are buffers, so plain and variational members train in one vmapped ensemble and the
    loss reads each member's own KL weight from its output.
    """

    def __init__(self, hidden: int, k: int, variational: bool, beta: float = 1.0):
        super().__init__()
        self.k = k
        self.encoder = nn.Sequential(nn.Linear(PIXELS, hidden), nn.ReLU(), nn.Linear(hidden, 2 * k))
        self.decoder = nn.Sequential(nn.Linear(k, hidden), nn.ReLU(), nn.Linear(hidden, PIXELS))
        self.register_buffer("noise", torch.tensor(1.0 if variational else 0.0))
        self.register_buffer("beta", torch.tensor(float(beta) if variational else 0.0))

    @property
    def variational(self) -> bool:
        return bool(self.noise.item())

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(x)
        return h[..., :self.k], h[..., self.k:] * self.noise

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decoder mean image in [0, 1] (the Bernoulli means)."""
        return torch.sigmoid(self.decoder(z))

    def forward(self, xe: torch.Tensor) -> torch.Tensor:
        x, eps = xe[..., :PIXELS], xe[..., PIXELS:]
        mu, logvar = self.encode(x)
        z = reparameterize(mu, logvar, eps * self.noise)
        beta = self.beta.expand(*mu.shape[:-1], 1)
        return torch.cat([self.decoder(z), mu, logvar, beta], dim=-1)

    def forward_stacked(self, params, buffers, xe: torch.Tensor) -> torch.Tensor:
        """S members at once (:mod:`verify.lab.stacked`): ``forward`` with batched matmuls, (S, B, .) -> (S, B, .)."""
        from ..stacked import linear

        def mlp(h, name):
            h = torch.relu(linear(h, params[f"{name}.0.weight"], params[f"{name}.0.bias"]))
            return linear(h, params[f"{name}.2.weight"], params[f"{name}.2.bias"])

        noise, beta = buffers["noise"].view(-1, 1, 1), buffers["beta"].view(-1, 1, 1)
        x, eps = xe[..., :PIXELS], xe[..., PIXELS:]
        h = mlp(x, "encoder")
        mu, logvar = h[..., :self.k], h[..., self.k:] * noise
        z = reparameterize(mu, logvar, eps * noise)
        return torch.cat([mlp(z, "decoder"), mu, logvar, beta.expand(*mu.shape[:-1], 1)], dim=-1)


class DDPM(nn.Module):
    """Reverse mean mu_theta(x_t, t) = a tiny MLP; variances fixed to beta_t; p(x_T) = N(m, e^lv); float64.

    ``learn_schedule``: the betas are sigmoid(parameters); ``learn_prior``: m and lv are parameters.
    """

    def __init__(self, T: int, d: int, *, hidden: int = 8, learn_schedule=False, learn_prior=False,
                 beta_lo=1e-2, beta_hi=0.3):
        super().__init__()
        dt = torch.float64
        self.T, self.d = T, d
        self.net = nn.Sequential(nn.Linear(d + 1, hidden), nn.Tanh(), nn.Linear(hidden, d))
        raw = torch.logit(torch.linspace(beta_lo, beta_hi, T, dtype=dt))
        self.raw_beta = nn.Parameter(raw) if learn_schedule else nn.Buffer(raw)
        z = torch.zeros(d, dtype=dt)
        self.prior_mean = nn.Parameter(z.clone()) if learn_prior else nn.Buffer(z.clone())
        self.prior_logvar = nn.Parameter(z.clone()) if learn_prior else nn.Buffer(z.clone())
        self.to(dt)

    def prior_kl(self, x0: torch.Tensor) -> torch.Tensor:
        """L_T = KL(q(x_T|x_0) || p(x_T)) per example."""
        ab = torch.cumprod(1 - torch.sigmoid(self.raw_beta), 0)
        return gauss_kl(torch.sqrt(ab[-1]) * x0, 1 - ab[-1], self.prior_mean, torch.exp(self.prior_logvar)).sum(-1)

    def neg_elbo(self, x0: torch.Tensor, eps: torch.Tensor, *, with_LT: bool = True) -> torch.Tensor:
        """Batch-mean negative ELBO: -L0 + sum_t L_{t-1} + L_T, x_t drawn by reparameterisation with
        the fixed noise ``eps`` (T, n, d); every per-x_t KL in closed form."""
        dt = x0.dtype
        betas = torch.sigmoid(self.raw_beta)
        ab = torch.cumprod(1 - betas, 0)
        loss = 0
        for t in range(1, self.T + 1):
            xt = torch.sqrt(ab[t - 1]) * x0 + torch.sqrt(1 - ab[t - 1]) * eps[t - 1]
            tt = torch.full((x0.shape[0], 1), t / self.T, dtype=dt)
            mu = self.net(torch.cat([xt, tt], 1))
            if t == 1:
                loss = loss + (0.5 * (LOG2PI + torch.log(betas[0]) + (x0 - mu) ** 2 / betas[0])).sum(-1)
            else:
                abp = ab[t - 2]
                mpost = (torch.sqrt(abp) * betas[t - 1] * x0
                         + torch.sqrt(1 - betas[t - 1]) * (1 - abp) * xt) / (1 - ab[t - 1])
                vpost = (1 - abp) * betas[t - 1] / (1 - ab[t - 1])
                loss = loss + gauss_kl(mpost, vpost, mu, betas[t - 1]).sum(-1)
        if with_LT:
            loss = loss + gauss_kl(torch.sqrt(ab[-1]) * x0, 1 - ab[-1], self.prior_mean,
                                   torch.exp(self.prior_logvar)).sum(-1)
        return loss.mean()
