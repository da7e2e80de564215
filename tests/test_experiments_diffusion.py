"""Tests for verify.experiments.diffusion and diffusion_measures: closed forms against independent
routes and autograd, the fuzzed properties, and the DDPM's L_T."""

import math

import torch

from verify.claim import Protocol
from verify.experiments import diffusion as D
from verify.experiments import diffusion_measures as DM
from verify.lab.models import DDPM


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
    assert r.closed_form_error < 1e-10 and abs(r.gap - r.kl_exact) < 1e-10


def test_nonlinear_mean_breaks_gaussian_closed_form():
    """With a tanh term in the reverse mean the Gaussian closed-form KL misses the grid KL by > 1e-3."""
    assert D.nonlinear_gap(0.8, n=361).closed_form_error > 1e-3


def test_lt_value_matches_gauss_kl():
    """lt_value agrees with the plain Gaussian KL formula where both are well conditioned."""
    betas = torch.linspace(0.1, 0.4, 5, dtype=D.DT)
    x0 = torch.tensor([[0.5, -1.0]], dtype=D.DT)
    ab = D.alpha_bar(betas)[-1]
    ref = D.gauss_kl(torch.sqrt(ab) * x0, 1 - ab, torch.zeros(1, dtype=D.DT), torch.ones(1, dtype=D.DT)).sum(-1)
    torch.testing.assert_close(D.lt_value(x0, betas), ref, rtol=1e-12, atol=1e-14)


def test_ddpm_lt_gradient_is_exactly_absent_with_fixed_prior():
    """With a fixed schedule and prior, gradients with and without L_T are bitwise equal."""
    with_lt, without = DM.ddpm_grads(3, 2, 4, 0)
    assert all(torch.equal(with_lt[k], without[k]) for k in with_lt)


def test_ddpm_lt_gradient_reaches_a_learnable_prior():
    """With a learnable prior, L_T is the only term whose gradient reaches the prior's parameters."""
    with_lt, without = DM.ddpm_grads(3, 2, 4, 0, learn_prior=True)
    assert with_lt["prior_mean"].abs().max() > 0 and not without["prior_mean"].any()
    assert all(torch.equal(with_lt[k], without[k]) for k in with_lt if k.startswith("net."))


def test_ddpm_prior_kl_is_the_lt_term_of_neg_elbo():
    """DDPM.prior_kl is the difference of the negative ELBO with and without L_T."""
    torch.manual_seed(0)
    model = DDPM(3, 2, learn_prior=True)
    g = torch.Generator().manual_seed(1)
    x0 = torch.randn(5, 2, generator=g, dtype=D.DT)
    eps = torch.randn(3, 5, 2, generator=g, dtype=D.DT)
    diff = model.neg_elbo(x0, eps) - model.neg_elbo(x0, eps, with_LT=False)
    torch.testing.assert_close(diff, model.prior_kl(x0).mean(), rtol=1e-12, atol=1e-12)


def _props(**extra):
    return Protocol({"model": "random", "batch": 4, "kl_target": "posterior", "quantity": "kl",
                     "estimator": "closed_form", "normaliser": "marginal", "drop_LT": False, **extra})


def test_fuzz_properties_hold_or_fail_where_the_algebra_says():
    """On one random model the true identities hold and the false ones (tight ELBO, gap = KL to
    p(x_1:T), decomposition without L_T) fail; the exact reversal makes the ELBO tight."""
    p = _props()
    example = DM._build(p, (3, 2, 5))
    for name in ("logp_is_kl_plus_elbo", "kl_nonnegative", "elbo_below_logp", "posterior_by_bayes",
                 "decomposition_is_direct"):
        assert DM.CHECKS[name].holds(p, *example), name
    for name in ("elbo_equals_logp", "gap_is_kl_to_prior"):
        assert not DM.CHECKS[name].holds(p, *example), name
    assert not DM.CHECKS["decomposition_is_direct"].holds(_props(drop_LT=True), *DM._build(p, (3, 2, 5)))
    reversal = _props(model="exact_reversal")
    assert DM.CHECKS["elbo_equals_logp"].holds(reversal, *DM._build(reversal, (3, 2, 5)))
