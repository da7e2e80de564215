"""Tests for verify.experiments.diffusion: closed forms against independent routes and autograd."""

import math

import torch

from verify.experiments import diffusion as D


def _model(T=3, d=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return D.random_model(T, d, g), 2.0 * torch.randn(4, d, generator=g, dtype=D.DT), g


def test_identity_logp_equals_kl_plus_elbo():
    """log p(x_0) equals the Gaussian-conditioning KL plus the closed-form ELBO to float64 precision."""
    for T in (1, 2, 5):
        m, x0, _ = _model(T)
        torch.testing.assert_close(D.log_marginal(m, x0), D.posterior_kl(m, x0) + D.elbo(m, x0), rtol=1e-12, atol=1e-12)


def test_elbo_decomposition_matches_direct_expectation():
    """The DDPM KL decomposition of the ELBO equals the direct expectation from q's joint moments."""
    m, x0, _ = _model(4, 3)
    torch.testing.assert_close(D.elbo(m, x0), D.elbo_direct(m, x0), rtol=1e-12, atol=1e-12)


def test_log_marginal_matches_joint_covariance():
    """Moment propagation gives the same p(x_0) moments as the (T+1)-dim joint covariance."""
    m, x0, _ = _model(3, 1)
    mean, S = D._p_joint(m)
    ref = -0.5 * (math.log(2 * math.pi) + torch.log(S[0, 0, 0]) + (x0[:, 0] - mean[0, 0]) ** 2 / S[0, 0, 0])
    torch.testing.assert_close(D.log_marginal(m, x0), ref, rtol=1e-12, atol=1e-12)


def test_exact_reversal_makes_elbo_tight():
    """The time reversal of the stationary forward chain closes the ELBO gap for any x_0."""
    m = D.exact_reversal(torch.linspace(0.1, 0.5, 4, dtype=D.DT), 2)
    x0 = torch.tensor([[0.3, -2.0], [1.5, 0.0]], dtype=D.DT)
    torch.testing.assert_close(D.log_marginal(m, x0), D.elbo(m, x0), rtol=0, atol=1e-12)


def test_elbo_argmax_has_zero_gradient():
    """The regression solution is a stationary point of the batch-mean ELBO."""
    g = torch.Generator().manual_seed(1)
    x0 = 2 + 0.5 * torch.randn(32, 2, generator=g, dtype=D.DT)
    m = D.elbo_argmax(torch.linspace(0.1, 0.5, 4, dtype=D.DT), x0)
    ps = [t.clone().requires_grad_() for t in (m.a, m.b, m.log_s)]
    D.elbo(D.LinearGaussian(m.betas, *ps, m.prior_mean, m.prior_logvar), x0).mean().backward()
    assert max(float(p.grad.abs().max()) for p in ps) < 1e-10


def test_elbo_gradcheck():
    """Autograd gradients of the closed-form ELBO pass torch.autograd.gradcheck in float64."""
    m, x0, _ = _model(2, 1)
    f = lambda a, b, s: D.elbo(D.LinearGaussian(m.betas, a, b, s, m.prior_mean, m.prior_logvar), x0)  # noqa: E731
    assert torch.autograd.gradcheck(f, tuple(t.clone().requires_grad_() for t in (m.a, m.b, m.log_s)))


def test_nonlinear_grid_is_exact_for_linear_mean():
    """With c = 0 the grid KL equals the Gaussian closed form and log p - ELBO."""
    r = D.nonlinear_gap(0.0, n=361)
    assert r["closed_form_error"] < 1e-10 and abs(r["gap"] - r["kl_exact"]) < 1e-10


def test_lt_value_matches_gauss_kl():
    """lt_value agrees with the plain Gaussian KL formula where both are well conditioned."""
    betas = torch.linspace(0.1, 0.4, 5, dtype=D.DT)
    x0 = torch.tensor([[0.5, -1.0]], dtype=D.DT)
    ab = D.alpha_bar(betas)[-1]
    ref = D.gauss_kl(torch.sqrt(ab) * x0, 1 - ab, torch.zeros(1, dtype=D.DT), torch.ones(1, dtype=D.DT)).sum(-1)
    torch.testing.assert_close(D.lt_value(x0, betas), ref, rtol=1e-12, atol=1e-14)


def test_ddpm_lt_gradient_is_exactly_absent_with_fixed_prior():
    """With a fixed schedule and prior, gradients with and without L_T are bitwise equal."""
    g = D.ddpm_grads(3, 2, 4, 0)
    assert all(torch.equal(g["with"][k], g["without"][k]) for k in g["with"])
