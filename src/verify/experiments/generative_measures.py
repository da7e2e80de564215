"""The q10 measurements: what each autoencoder/VAE claim computes, as ``measure(p, ctx)``.

The trained claims read one shared run (:func:`verify.experiments.generative.generation`, under the
shared stream ``q10-generation``) and return per-seed samples (:class:`~verify.stats.Pair`) or an
exact check over the seeds (:class:`~verify.stats.Check`); the reparameterisation and KL claims
are exact computations.
"""

from __future__ import annotations

import math
from dataclasses import asdict

import torch

from ..stats import Check, Pair
from .generative import (Generation, ModelRates, autoencoders, gaussian_kl_to_prior, generation, reparameterize,
                         sample_gradients)

__all__ = ["decoded_vs_real", "remedy_gain", "vae_vs_ae", "prior_vs_reconstruction", "copy_rate",
           "codes_prior_kl", "reconstruction_labels", "encoder_draws", "sampler_gradients", "kl_closed_form"]

SHARED = "q10-generation"   # the shared stream every generation claim reads: one run per process


def _generation(p, ctx) -> Generation:
    return generation(ctx.shared_stream(SHARED), p.n_seeds, p.beta, p.k, p.hidden, p.steps, p.eps_table,
                      p.batch_size, p.lr, p.n_samples, p.threshold, p.judge_members, p.judge_steps)


def _mean(xs) -> float:
    return round(sum(xs) / len(xs), 4)


def _table(r: Generation) -> dict:
    """Compact evidence: seed means of every measured quantity, AE vs VAE, and the judge's references."""
    return {"judge_reference": {k: round(v, 4) for k, v in asdict(r.ref).items()},
            "seed_means": {key: {"ae": _mean(getattr(r.ae, key)), "vae": _mean(getattr(r.vae, key))}
                           for key in ModelRates.RATES}}


def _samples(rates: ModelRates, key: str, what: str, n_seeds: int) -> dict:
    """Evidence for a figure (verify.figures ``"samples_8x8"``): 16 decodes of seed 0, with the rate
    the judge recognises across all seeds."""
    from ..evidence import image_samples

    images = rates.prior_samples if key == "prior" else rates.recon_samples
    rate = _mean(getattr(rates, key))
    return {"samples_8x8": image_samples(images, title=f"{what}, seed 0; judge recognises {rate:.0%} "
                                                       f"(mean of {n_seeds} seeds)")}


# --------------------------------------------------------------------------- per-seed rates

def decoded_vs_real(p, ctx) -> Pair:
    """The plain AE's decodes of ``p.latent`` ("prior": z ~ N(0, I); "encoded_test": its codes of test
    digits) against real test digits: per seed, the judge's ``p.rate`` ("recognised" or "unrecognised")."""
    r = _generation(p, ctx)
    key = "prior" if p.latent == "prior" else "recon"
    decoded, real = getattr(r.ae, key), r.ref.real_test
    if p.rate == "unrecognised":
        a, b = [1 - v for v in decoded], [1 - real] * len(decoded)
    else:
        a, b = list(decoded), [real] * p.n_seeds
    what = "z ~ N(0, I)" if key == "prior" else "codes of test digits"
    return Pair(a, b, label=f"{p.rate}(AE decodes of {p.latent}) - {p.rate}(real test digits)",
                evidence={**_table(r), **_samples(r.ae, key, f"plain AE decoder, {what}", p.n_seeds)})


def remedy_gain(p, ctx) -> Pair:
    """Per AE seed, the recognised rate of decodes of ``p.remedy`` samples vs of N(0, I) samples (paired)."""
    r = _generation(p, ctx)
    return Pair(list(getattr(r.ae, p.remedy)), list(r.ae.prior),
                label=f"recognised(AE, {p.remedy}) - recognised(AE, N(0,I))", evidence=_table(r))


_QUANTITY = {"prior": "recognised(N(0, I) decodes)", "recon_bce": "NLL(test reconstructions)"}


def vae_vs_ae(p, ctx) -> Pair:
    """VAE seeds vs AE seeds on ``p.quantity`` (a :class:`ModelRates` field), on a log scale when
    ``p.scale == "log"``."""
    r = _generation(p, ctx)
    f = math.log if p.scale == "log" else float
    name = ("log " if p.scale == "log" else "") + _QUANTITY.get(p.quantity, p.quantity)
    return Pair([f(v) for v in getattr(r.vae, p.quantity)], [f(v) for v in getattr(r.ae, p.quantity)],
                label=f"{name}: VAE beta={p.beta:g} - AE", evidence=_table(r))


def prior_vs_reconstruction(p, ctx) -> Pair:
    """Per VAE seed, the recognised rate of prior samples vs ``p.fraction`` times that of its
    reconstructions of test digits (paired)."""
    r = _generation(p, ctx)
    return Pair(list(r.vae.prior), [p.fraction * v for v in r.vae.recon],
                label=f"recognised(VAE prior samples) - {p.fraction:g} * recognised(VAE reconstructions)",
                evidence={**_table(r), **_samples(r.vae, "prior", f"VAE decoder (KL weight {p.beta:g}), z ~ N(0, I)",
                                                  p.n_seeds)})


def copy_rate(p, ctx) -> Pair:
    """``p.ceiling`` vs the data-copying rate per VAE seed of ``p.samples`` ("prior": its prior samples;
    "train_copies": the training digits themselves)."""
    r = _generation(p, ctx)
    rates = list(r.vae.copy_prior) if p.samples == "prior" else [r.ref.copy_train_images] * p.n_seeds
    return Pair([p.ceiling] * p.n_seeds, rates, label=f"{p.ceiling:g} - copy rate({p.samples})", evidence=_table(r))


# --------------------------------------------------------------------------- exact checks over the seeds

def codes_prior_kl(p, ctx) -> Check:
    """Whether every seed's moment-matched KL(N(m, C) || N(0, I)) / k of ``p.model``'s codes is <= ``p.tolerance``."""
    r = _generation(p, ctx)
    kls = r.model(p.model).agg_kl
    return Check(ok=max(kls) <= p.tolerance, difference=max(kls), tolerance=p.tolerance,
                 statistic_name=f"max over seeds of KL(fit({p.model} codes) || N(0,I)) / k",
                 evidence={"agg_kl_per_seed": {m: [round(v, 4) for v in r.model(m).agg_kl] for m in ("ae", "vae")},
                           **_table(r)})


def reconstruction_labels(p, ctx) -> Check:
    """Whether every VAE seed's reconstructions keep the true label at least ``p.min_label_rate`` of the time."""
    r = _generation(p, ctx)
    rates = r.vae.recon_label
    return Check(ok=min(rates) >= p.min_label_rate, difference=min(rates), tolerance=p.min_label_rate,
                 statistic_name="min over seeds of label-preserving reconstruction rate",
                 evidence={"recon_label_per_seed": [round(v, 4) for v in rates], **_table(r)})


def encoder_draws(p, ctx) -> Check:
    """Encode ``p.images`` test digits: the AE twice (one fixed point?), the VAE ``p.draws`` times with
    ``p.vae_sampler``; the draws' mean and variance against mu and sigma^2, in standard errors."""
    from ..lab.data import digits_split

    aes, vaes = autoencoders(ctx.shared_stream(SHARED), p.n_seeds, p.beta, p.k, p.hidden, p.steps,
                             p.eps_table, p.batch_size, p.lr, 0)
    x = digits_split(0)[2][:p.images].reshape(p.images, -1)
    ae, vae = aes[0], vaes[0]
    g = ctx.generator("draws")
    with torch.no_grad():
        c1, v1 = ae.encode(x)
        c2, _ = ae.encode(x)
        ae_point = bool(torch.equal(c1, c2) and torch.count_nonzero(v1) == 0)
        mu, logvar = vae.encode(x)
        sigma = torch.exp(0.5 * logvar)
        eps = torch.randn(p.draws, *mu.shape, generator=g)
        z = reparameterize(mu, logvar, eps) if p.vae_sampler == "reparam" else mu.expand(p.draws, *mu.shape)
        m, v = z.mean(0), z.var(0)
        mean_err = ((m - mu).abs() / (sigma / p.draws ** 0.5)).max().item()
        var_err = ((v / sigma.pow(2) - 1).abs() / (2 / (p.draws - 1)) ** 0.5).max().item()
        differ = not torch.equal(z[0], z[1])
    ok = ae_point and differ and mean_err <= p.z_tol and var_err <= p.z_tol
    return Check(ok=ok, difference=max(mean_err, var_err), tolerance=p.z_tol,
                 statistic_name="max standardised error of the VAE draws' mean / variance",
                 evidence={"ae_same_code_twice_and_no_variance": ae_point, "vae_draws_differ": differ,
                           "mean_err_se": round(mean_err, 3), "var_err_se": round(var_err, 3),
                           "vae_sigma_range": [round(sigma.min().item(), 4), round(sigma.max().item(), 4)],
                           "vae_sampler": p.vae_sampler})


# --------------------------------------------------------------------------- exact computations

def _shapes(p):
    from hypothesis import strategies as st

    return st.lists(st.integers(1, p.max_side), min_size=1, max_size=p.max_dims).map(tuple)


def sampler_gradients(p, ctx) -> Check:
    """Whether every sampler in ``p.samplers`` passes the pathwise gradients (w for mu, w * eps for
    sigma) on fuzzed shapes, and whether (mu, sigma) -> mu + sigma * eps passes gradcheck."""
    from ..lab.fuzz import counterexample

    seen = {}
    g0 = ctx.generator("summary")
    mu0, eps0 = torch.randn(4, dtype=torch.float64, generator=g0), torch.randn(4, dtype=torch.float64, generator=g0)
    sig0 = torch.rand(4, dtype=torch.float64, generator=g0) + 0.1
    for s in p.samplers:  # what each sampler does, recorded for the evidence whatever the fuzzing finds
        req, gmu, gsig, w, _ = sample_gradients(mu0, sig0, eps0, s)
        seen[s] = {"z_requires_grad": req,
                   "grad_mu": "None" if gmu is None else "zeros" if not gmu.any() else
                   "pathwise (= w)" if torch.allclose(gmu, w) else "other",
                   "grad_sigma": "None" if gsig is None else "zeros" if not gsig.any() else "nonzero"}

    def pathwise(shape) -> bool:
        g = ctx.generator(str(shape))
        mu = torch.randn(shape, dtype=torch.float64, generator=g)
        sigma = torch.rand(shape, dtype=torch.float64, generator=g) + 0.1
        eps = torch.randn(shape, dtype=torch.float64, generator=g)
        for s in p.samplers:
            torch.manual_seed(ctx.seed("draw" + str(shape)))
            req, gmu, gsig, w, z = sample_gradients(mu, sigma, eps, s)
            e = eps if s == "reparam" else (z - mu) / sigma  # the noise the sampler used
            ok = (req and gmu is not None and gsig is not None and torch.allclose(gmu, w, rtol=0, atol=1e-12)
                  and torch.allclose(gsig, w * e, rtol=1e-9, atol=1e-12))
            if not ok:
                return False
        return True

    bad = counterexample(_shapes(p), pathwise, examples=p.examples, seed=ctx.seed("fuzz"))
    g = ctx.generator("gradcheck")
    mu = torch.randn(3, 4, dtype=torch.float64, generator=g, requires_grad=True)
    sigma = (torch.rand(3, 4, dtype=torch.float64, generator=g) + 0.1).requires_grad_(True)
    eps = torch.randn(3, 4, dtype=torch.float64, generator=g)
    gc = torch.autograd.gradcheck(lambda m, s: m + s * eps, (mu, sigma))
    return Check(ok=bad is None and gc, statistic_name="counterexample shape",
                 reason="" if bad is None else f"shape {bad}: gradients are not the pathwise ones",
                 evidence={"counterexample": bad, "gradcheck": gc, "per_sampler": seen, "examples": p.examples})


def kl_closed_form(p, ctx) -> Check:
    """Whether 0.5 sum(mu^2 + sigma^2 - 1 - log sigma^2) equals torch.distributions.kl_divergence to
    N(0, ``p.prior_std``^2) on fuzzed shapes (float64, rtol 1e-10)."""
    from ..lab.fuzz import counterexample

    def agrees(shape) -> bool:
        g = ctx.generator(str(shape))
        mu = torch.randn(shape, dtype=torch.float64, generator=g)
        logvar = torch.randn(shape, dtype=torch.float64, generator=g)
        ref = torch.distributions.kl_divergence(
            torch.distributions.Normal(mu, torch.exp(0.5 * logvar)),
            torch.distributions.Normal(torch.zeros_like(mu), torch.full_like(mu, p.prior_std))).sum(-1)
        return torch.allclose(gaussian_kl_to_prior(mu, logvar), ref, rtol=1e-10, atol=1e-12)

    bad = counterexample(_shapes(p), agrees, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="counterexample shape",
                 reason="" if bad is None else f"shape {bad}: closed form != kl_divergence",
                 evidence={"counterexample": bad, "prior_std": p.prior_std, "examples": p.examples})
