"""Autoencoders vs variational autoencoders on the 8x8 digits (q10): can a decoder generate?

Three things are trained once per process (memoised with :func:`verify.runner.shared`):

* a **judge** — a small ensemble of MLP digit classifiers trained on real training digits; an
  image is *recognisable* when the ensemble's mean softmax puts more than ``threshold`` on one
  class.  It is checked on real test digits (reference) and on pure-noise images (negative control);
* a plain **autoencoder** (deterministic encoder, one code per image, reconstruction loss only);
* a **VAE** (encoder outputs mean and log-variance, z = mu + sigma * eps, loss = reconstruction +
  beta * KL(q(z|x) || N(0, I)); ``beta=0`` is the same network without the KL term).

Both autoencoders share one architecture family (MLP 64-hidden-k / k-hidden-64, Bernoulli decoder
with a summed binary cross-entropy, as Kingma & Welling 2014 use for MNIST) and train as seed
ensembles through :func:`verify.train.train_ensemble`.  The VAE's noise cannot be drawn inside the
vmapped forward (vmap refuses randomness by default), so each training image is replicated
``eps_table`` times with its own fixed, seeded eps appended as extra input columns: the model reads
eps from its input, every minibatch row carries a fresh (image, eps) pair, and training is a pure
function of the seeds.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..runner import shared

__all__ = ["GaussianAutoencoder", "vae_loss", "reparameterize", "gaussian_kl_to_prior",
           "judge", "autoencoders", "generation", "sample_gradients"]

D = 64  # 8x8 pixels


class GaussianAutoencoder(nn.Module):
    """MLP autoencoder; ``variational`` makes the encoder output (mu, logvar) and sample z from it.

    ``forward`` takes rows [image (64) | eps (k)] and returns [decoder logits (64) | mu (k) | logvar (k)].
    A plain autoencoder ignores eps and reports logvar = 0 (it has no variance: z = mu).
    """

    def __init__(self, hidden: int, k: int, variational: bool):
        super().__init__()
        self.k, self.variational = k, variational
        self.encoder = nn.Sequential(nn.Linear(D, hidden), nn.ReLU(), nn.Linear(hidden, 2 * k if variational else k))
        self.decoder = nn.Sequential(nn.Linear(k, hidden), nn.ReLU(), nn.Linear(hidden, D))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(x)
        if self.variational:
            return h[..., :self.k], h[..., self.k:]
        return h, torch.zeros_like(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decoder mean image in [0, 1] (the Bernoulli means)."""
        return torch.sigmoid(self.decoder(z))

    def forward(self, xe: torch.Tensor) -> torch.Tensor:
        x, eps = xe[..., :D], xe[..., D:]
        mu, logvar = self.encode(x)
        z = reparameterize(mu, logvar, eps) if self.variational else mu
        return torch.cat([self.decoder(z), mu, logvar], dim=-1)


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """z = mu + sigma * eps with sigma = exp(logvar / 2): differentiable in mu and logvar for fixed eps."""
    return mu + torch.exp(0.5 * logvar) * eps


def gaussian_kl_to_prior(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag exp(logvar)) || N(0, I)) per row, summed over the last dimension (closed form)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)


def vae_loss(k: int, beta: float):
    """Per-member loss for ``train_ensemble``: summed BCE per image + beta * KL, averaged over the batch."""

    def loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        logits, mu, logvar = out[..., :D], out[..., D:D + k], out[..., D + k:]
        rec = nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none").sum(-1)
        if beta == 0.0:
            return rec.mean()
        return (rec + beta * gaussian_kl_to_prior(mu, logvar)).mean()

    return loss


def _flat_split(split_seed: int):
    from ..data import digits_split

    xtr, ytr, xte, yte = digits_split(split_seed)
    return xtr.reshape(len(xtr), -1), ytr, xte.reshape(len(xte), -1), yte


# --------------------------------------------------------------------------- the judge

@shared
def judge(seed: int, members: int, hidden: int, steps: int, split_seed: int = 0):
    """A deep ensemble of MLP classifiers on real training digits; returns (ensemble, test accuracy)."""
    from ..models import MLP
    from ..train import train_ensemble

    xtr, ytr, xte, yte = _flat_split(split_seed)
    seeds = [seed + i for i in range(members)]
    ens = train_ensemble(lambda i: MLP((D, hidden, 10)), seeds, xtr, ytr, steps=steps, batch_size=64,
                         lr=3e-3)
    probs = judge_probs(ens, xte)
    return ens, float((probs.argmax(-1) == yte).float().mean())


def judge_probs(ens, x: torch.Tensor) -> torch.Tensor:
    """Mean softmax of the judge ensemble, (N, 10)."""
    return torch.softmax(ens.predict(x.reshape(len(x), -1)), dim=-1).mean(0)


# --------------------------------------------------------------------------- the autoencoders

@shared
def autoencoders(seed: int, n_seeds: int, variational: bool, beta: float, k: int, hidden: int,
                 steps: int, eps_table: int, split_seed: int = 0) -> list[GaussianAutoencoder]:
    """``n_seeds`` autoencoders (one vmapped ensemble); ``steps=0`` gives the untrained networks."""
    from ..train import train_ensemble

    xtr, _, _, _ = _flat_split(split_seed)
    seeds = [seed + i for i in range(n_seeds)]
    make = lambda i: GaussianAutoencoder(hidden, k, variational)  # noqa: E731
    if steps == 0:
        out = []
        for s in seeds:
            torch.manual_seed(s)
            out.append(make(0).eval())
        return out
    g = torch.Generator().manual_seed(seed)
    eps = torch.randn(eps_table * len(xtr), k, generator=g)
    x = torch.cat([xtr.repeat(eps_table, 1), eps], dim=1)
    y = xtr.repeat(eps_table, 1)
    ens = train_ensemble(make, seeds, x, y, loss=vae_loss(k, beta if variational else 0.0), steps=steps,
                         batch_size=64, lr=2e-3)
    return [ens.member(i).eval() for i in range(n_seeds)]


def _fit_gaussian(codes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    codes = codes.double()
    m = codes.mean(0)
    c = torch.cov(codes.T) + 1e-6 * torch.eye(codes.shape[1], dtype=torch.float64)
    return m, c


def fitted_kl_per_dim(codes: torch.Tensor) -> float:
    """KL(N(m, C) || N(0, I)) / k for the Gaussian fitted (mean, covariance) to ``codes``."""
    m, c = _fit_gaussian(codes)
    k = codes.shape[1]
    return float(0.5 * (torch.trace(c) + m @ m - k - torch.logdet(c)) / k)


def _sample_fitted(codes: torch.Tensor, n: int, g: torch.Generator) -> torch.Tensor:
    m, c = _fit_gaussian(codes)
    L = torch.linalg.cholesky(c)
    e = torch.randn(n, codes.shape[1], generator=g, dtype=torch.float64)
    return (m + e @ L.T).float()


@shared
def generation(seed: int, n_seeds: int, beta: float, k: int, hidden: int, steps: int, eps_table: int,
               n_samples: int, threshold: float, judge_members: int, judge_steps: int,
               copy_quantile: float, split_seed: int = 0) -> dict:
    """Everything the q10 generation claims read, per seed, for the AE and the VAE.

    Per model and seed: the recognised rate (judge max-prob > ``threshold``) of decodes of N(0, I)
    samples (``prior``), of samples from a Gaussian fitted to the model's own training codes
    (``fitted``; for the VAE the codes are posterior samples z), of samples from a Gaussian fitted to
    *another* seed's codes (``fitted_other``), of decoded midpoints between random pairs of test
    codes (``midpoint``), of reconstructions of test images (``recon``) and the fraction of those
    that keep their label (``recon_label``); the test reconstruction BCE (``recon_bce``, nats/image);
    the moment-matched KL of the codes to N(0, I) per dimension (``agg_kl``); the fraction of prior
    samples (``novel_prior``) and of training reconstructions (``novel_recon``) farther (L2) from
    every training image than the ``copy_quantile`` quantile of the training images' distances to
    their own reconstructions.  ``ref`` holds the judge's rates on real test digits and noise images.
    """
    xtr, ytr, xte, yte = _flat_split(split_seed)
    jens, jacc = judge(seed + 1000, judge_members, 128, judge_steps, split_seed)

    def recognised(images: torch.Tensor) -> torch.Tensor:
        return judge_probs(jens, images).max(-1).values > threshold

    g = torch.Generator().manual_seed(seed + 7)
    noise_uniform = torch.rand(n_samples, D, generator=g)
    # pixels drawn independently from their own marginals over the training set: right grey levels, no shape
    noise_marginal = xtr[torch.randint(len(xtr), (n_samples, D), generator=g), torch.arange(D)]
    ref = {"judge_test_accuracy": jacc,
           "real_test": float(recognised(xte).float().mean()),
           "noise_uniform": float(recognised(noise_uniform).float().mean()),
           "noise_pixel_marginals": float(recognised(noise_marginal).float().mean())}

    common = dict(k=k, hidden=hidden, steps=steps, eps_table=eps_table, split_seed=split_seed)
    models = {"ae": autoencoders(seed, n_seeds, False, 0.0, **common),
              "vae": autoencoders(seed + 500, n_seeds, True, beta, **common)}
    out: dict = {"ref": ref}
    with torch.no_grad():
        for name, nets in models.items():
            codes = []
            for net in nets:
                mu, logvar = net.encode(xtr)
                z = reparameterize(mu, logvar, torch.randn(mu.shape, generator=g)) if net.variational else mu
                codes.append(z)
            rows = {key: [] for key in ("prior", "fitted", "fitted_other", "midpoint", "recon", "recon_label",
                                        "recon_bce", "agg_kl", "novel_prior", "novel_recon")}
            for i, net in enumerate(nets):
                prior = net.decode(torch.randn(n_samples, k, generator=g))
                rows["prior"].append(recognised(prior).float().mean())
                rows["fitted"].append(recognised(net.decode(_sample_fitted(codes[i], n_samples, g))).float().mean())
                other = codes[(i + 1) % len(nets)]
                rows["fitted_other"].append(recognised(net.decode(_sample_fitted(other, n_samples, g))).float().mean())
                mu_te, _ = net.encode(xte)
                a, b = torch.randint(len(xte), (2, n_samples), generator=g)
                rows["midpoint"].append(recognised(net.decode(0.5 * (mu_te[a] + mu_te[b]))).float().mean())
                rec_te = net.decode(mu_te)
                rows["recon"].append(recognised(rec_te).float().mean())
                rows["recon_label"].append((judge_probs(jens, rec_te).argmax(-1) == yte).float().mean())
                logits = net.decoder(mu_te)
                rows["recon_bce"].append(nn.functional.binary_cross_entropy_with_logits(
                    logits, xte, reduction="none").sum(-1).mean())
                rows["agg_kl"].append(fitted_kl_per_dim(codes[i]))
                rec_tr = net.decode(net.encode(xtr)[0])
                own = (rec_tr - xtr).norm(dim=-1)
                cut = torch.quantile(own, copy_quantile)
                rows["novel_prior"].append((torch.cdist(prior, xtr).min(-1).values > cut).float().mean())
                rows["novel_recon"].append((torch.cdist(rec_tr, xtr).min(-1).values > cut).float().mean())
            out[name] = {key: [float(v) for v in vals] for key, vals in rows.items()}
    return out


# --------------------------------------------------------------------------- reparameterisation

def sample_gradients(mu: torch.Tensor, sigma: torch.Tensor, eps: torch.Tensor, sampler: str):
    """Draw z ~ N(mu, sigma^2) with ``sampler`` and backpropagate sum(z * w) for a fixed w.

    ``sampler``: ``"reparam"`` (z = mu + sigma * eps by hand), ``"rsample"``
    (torch.distributions.Normal.rsample), ``"sample"`` (Normal.sample), ``"torch_normal"``
    (torch.normal(mu, sigma)).  Returns (z.requires_grad, grad_mu, grad_sigma, w); grads are None
    when nothing flowed.  ``eps`` is used by ``"reparam"``; the others draw their own.
    """
    mu = mu.detach().clone().requires_grad_(True)
    sigma = sigma.detach().clone().requires_grad_(True)
    if sampler == "reparam":
        z = mu + sigma * eps
    elif sampler == "rsample":
        z = torch.distributions.Normal(mu, sigma).rsample()
    elif sampler == "sample":
        z = torch.distributions.Normal(mu, sigma).sample()
    elif sampler == "torch_normal":
        z = torch.normal(mu, sigma)
    else:
        raise ValueError(f"unknown sampler {sampler!r}; use reparam, rsample, sample or torch_normal")
    w = torch.linspace(-1.0, 1.0, z.numel(), dtype=z.dtype).reshape(z.shape)
    if z.requires_grad:
        (z * w).sum().backward()
    return z.requires_grad, mu.grad, sigma.grad, w, z.detach()
