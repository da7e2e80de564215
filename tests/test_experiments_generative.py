"""Tests for verify.experiments.generative: the AE/VAE model, its loss, the reparameterisation and the
latent-distribution measurements, checked against closed forms and torch.distributions."""

import math

import pytest
import torch

from verify.experiments import generative as G
from verify.lab.models import GaussianAutoencoder
from verify.seeding import SeedStream


def test_reparameterize_gradcheck():
    """z = mu + exp(logvar / 2) * eps passes torch.autograd.gradcheck in float64 for fixed eps."""
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(3, 4, dtype=torch.float64, generator=g, requires_grad=True)
    logvar = torch.randn(3, 4, dtype=torch.float64, generator=g, requires_grad=True)
    eps = torch.randn(3, 4, dtype=torch.float64, generator=g)
    assert torch.autograd.gradcheck(lambda m, lv: G.reparameterize(m, lv, eps), (mu, logvar))


def test_reparameterize_closed_form_gradient():
    """The gradient of sum(z) is 1 for mu and eps * sigma / 2 for logvar."""
    mu = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    logvar = torch.tensor([0.2, -0.4], dtype=torch.float64, requires_grad=True)
    eps = torch.tensor([1.5, -0.3], dtype=torch.float64)
    G.reparameterize(mu, logvar, eps).sum().backward()
    torch.testing.assert_close(mu.grad, torch.ones(2, dtype=torch.float64))
    torch.testing.assert_close(logvar.grad, eps * torch.exp(0.5 * logvar.detach()) / 2)


def test_gaussian_kl_matches_torch_distributions():
    """The closed-form KL to N(0, I) equals torch.distributions.kl_divergence summed over the last dim."""
    g = torch.Generator().manual_seed(1)
    mu = torch.randn(5, 3, dtype=torch.float64, generator=g)
    logvar = torch.randn(5, 3, dtype=torch.float64, generator=g)
    ref = torch.distributions.kl_divergence(torch.distributions.Normal(mu, torch.exp(0.5 * logvar)),
                                            torch.distributions.Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(G.gaussian_kl_to_prior(mu, logvar), ref)


def test_plain_autoencoder_ignores_eps_and_has_no_variance():
    """A plain autoencoder's output does not depend on eps and reports logvar 0 and beta 0."""
    torch.manual_seed(0)
    net = GaussianAutoencoder(hidden=16, k=3, variational=False, beta=1.0)
    x = torch.rand(4, 64)
    out1 = net(torch.cat([x, torch.zeros(4, 3)], 1))
    out2 = net(torch.cat([x, torch.randn(4, 3)], 1))
    assert out1.shape == (4, 64 + 2 * 3 + 1)
    assert torch.equal(out1, out2)
    assert torch.count_nonzero(out1[:, 64 + 3:]) == 0


def test_vae_forward_uses_eps():
    """A VAE's decoder logits change with eps, and with eps = 0 they equal decoder(mu)."""
    torch.manual_seed(0)
    net = GaussianAutoencoder(hidden=16, k=3, variational=True, beta=1.0)
    x = torch.rand(4, 64)
    out0 = net(torch.cat([x, torch.zeros(4, 3)], 1))
    out1 = net(torch.cat([x, torch.ones(4, 3)], 1))
    mu, _ = net.encode(x)
    torch.testing.assert_close(out0[:, :64], net.decoder(mu))
    assert not torch.allclose(out0[:, :64], out1[:, :64])


def test_vae_loss_is_bce_plus_beta_kl():
    """The loss is summed BCE per image plus beta times the KL, averaged over the batch."""
    torch.manual_seed(0)
    k = 2
    for beta in (0.0, 1.0, 2.5):
        net = GaussianAutoencoder(hidden=8, k=k, variational=True, beta=beta)
        x = torch.rand(6, 64)
        out = net(torch.cat([x, torch.randn(6, k)], 1))
        mu, logvar = net.encode(x)
        bce = torch.nn.functional.binary_cross_entropy_with_logits(out[:, :64], x, reduction="none").sum(-1)
        expected = (bce + beta * G.gaussian_kl_to_prior(mu, logvar)).mean()
        torch.testing.assert_close(G.vae_loss(k)(out, x), expected)


def test_fitted_kl_per_dim_closed_form():
    """Codes drawn from N(0, I) give a fitted KL near 0; codes from N(1, I) give about 0.5 nats per dim."""
    g = torch.Generator().manual_seed(2)
    z = torch.randn(20000, 4, generator=g)
    assert G.fitted_kl_per_dim(z) == pytest.approx(0.0, abs=5e-3)
    assert G.fitted_kl_per_dim(z + 1.0) == pytest.approx(0.5, abs=2e-2)


@pytest.mark.parametrize("sampler,flows", [("reparam", True), ("rsample", True), ("sample", False)])
def test_sample_gradients_pathwise_or_none(sampler, flows):
    """Reparameterised samplers give grad_mu = w and grad_sigma = w * eps; Normal.sample gives no gradient."""
    g = torch.Generator().manual_seed(3)
    mu = torch.randn(5, dtype=torch.float64, generator=g)
    sigma = torch.rand(5, dtype=torch.float64, generator=g) + 0.1
    eps = torch.randn(5, dtype=torch.float64, generator=g)
    req, gmu, gsig, w, z = G.sample_gradients(mu, sigma, eps, sampler)
    assert req is flows
    if flows:
        e = (z - mu) / sigma
        torch.testing.assert_close(gmu, w)
        torch.testing.assert_close(gsig, w * e)
    else:
        assert gmu is None and gsig is None


def test_torch_normal_gradient_is_zero():
    """torch.normal(mu, sigma) is in the graph but passes a zero gradient to mu and sigma."""
    mu, sigma = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
    req, gmu, gsig, _, _ = G.sample_gradients(mu, sigma, torch.zeros(4, dtype=torch.float64), "torch_normal")
    assert req and not gmu.any() and not gsig.any()


def test_autoencoders_split_and_deterministic():
    """autoencoders returns n plain and n variational members, identical when retrained with the same stream."""
    args = (SeedStream(0, "test", "ae"), 2, 1.0, 3, 8, 5, 2, 32, 1e-3, 0)
    aes, vaes = G.autoencoders(*args)
    assert [a.variational for a in aes] == [False, False] and [v.variational for v in vaes] == [True, True]
    G.autoencoders.cache_clear()
    aes2, vaes2 = G.autoencoders(*args)
    for a, b in zip(aes + vaes, aes2 + vaes2):
        for (n1, p1), (_, p2) in zip(a.state_dict().items(), b.state_dict().items()):
            assert torch.equal(p1, p2), n1
    assert math.isfinite(float(aes[0].encoder[0].weight.detach().sum()))


def test_autoencoders_members_differ_and_follow_the_stream():
    """Every member gets its own init from the stream, and another stream gives other networks."""
    aes, vaes = G.autoencoders(SeedStream(0, "test", "ae"), 2, 1.0, 3, 8, 0, 2, 32, 1e-3, 0)
    weights = [net.encoder[0].weight for net in aes + vaes]
    assert all(not torch.equal(weights[0], w) for w in weights[1:])
    other, _ = G.autoencoders(SeedStream(0, "test", "other"), 2, 1.0, 3, 8, 0, 2, 32, 1e-3, 0)
    assert not torch.equal(other[0].encoder[0].weight, weights[0])


def test_generation_result_selects_models_by_name():
    """Generation.model returns the AE or VAE rates and rejects any other name."""
    rates = {key: (0.5,) for key in G.ModelRates.RATES}
    ae = G.ModelRates(**rates, prior_samples=torch.zeros(1, 64), recon_samples=torch.zeros(1, 64))
    vae = G.ModelRates(**rates, prior_samples=torch.ones(1, 64), recon_samples=torch.ones(1, 64))
    r = G.Generation(ref=G.JudgeReference(0.9, 0.8, 0.0, 0.1, 1.0), ae=ae, vae=vae)
    assert r.model("ae") is ae and r.model("vae") is vae
    with pytest.raises(ValueError, match="'ae' or 'vae'"):
        r.model("vea")
