"""Tests for verify.experiments.optim: averaging schemes, step lags, online Adam, momentum trainer."""

import math

import pytest
import torch

from verify.experiments import optim


def test_ema_weights_match_closed_form():
    """Bias-corrected EMA weights measured by autograd equal (1-beta) beta^(t-i) / (1-beta^t)."""
    t, beta = 12, 0.8
    w = optim.average_weights(t, "ema", beta)
    i = torch.arange(1, t + 1, dtype=torch.float64)
    want = (1 - beta) * beta ** (t - i) / (1 - beta**t)
    torch.testing.assert_close(w, want, rtol=1e-13, atol=1e-15)


def test_uniform_weights_are_one_over_t():
    """Every gradient carries weight 1/t in the uniform average."""
    torch.testing.assert_close(optim.average_weights(7, "uniform"), torch.full((7,), 1 / 7, dtype=torch.float64))


def test_uniform_running_average_is_prefix_mean():
    """The uniform recursion gives the arithmetic mean of each prefix of the stream."""
    g = torch.randn(20, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    want = g.cumsum(0) / torch.arange(1, 21, dtype=torch.float64)[:, None]
    torch.testing.assert_close(optim.running_average(g, "uniform"), want, rtol=1e-13, atol=1e-13)


def test_step_lags_match_closed_forms():
    """After a -1 -> +1 step at t0 the uniform average crosses 0 after t0 steps and the
    bias-corrected EMA after ln(1/(2 - beta^t0)) / ln(beta) steps."""
    beta = 0.9
    for t0 in (5, 40, 300):
        assert optim.step_lag(t0, "uniform", beta) == pytest.approx(t0, abs=1e-9)
        ema = math.log(1 / (2 - beta**t0)) / math.log(beta)
        assert optim.step_lag(t0, "ema", beta) == pytest.approx(ema, abs=0.05)  # linear interpolation


def test_unknown_scheme_is_a_value_error():
    """A misspelt scheme name raises ValueError naming the allowed ones."""
    with pytest.raises(ValueError, match="uniform"):
        optim.average_weights(3, "linear")


def test_reddi_problem_ema_wrong_uniform_right():
    """On Reddi et al.'s problem (C=3, beta1=0, beta2=0.1) EMA-Adam ends at +1, uniform-v at -1."""
    g = optim.reddi_stream(3000)
    ema = optim.online_adam(g, second="ema", alpha=0.5, beta2=0.1)
    uni = optim.online_adam(g, second="uniform", alpha=0.5, beta2=0.1)
    assert ema[-1] > 0.95 and uni[-1] < -0.95


def test_reddi_ends_reports_both_end_points_and_the_optimum():
    """reddi_ends averages the last 10 % of iterates: EMA-v near +1, uniform-v near the optimum -1;
    after a switch to gradient -1 the optimum is +1."""
    r = optim.reddi_ends(3000, 3.0, 3, alpha=0.5, beta1=0.0, beta2=0.1)
    assert r.optimum == -1.0 and r.ema > 0.95 and r.uniform < -0.95
    g = optim.reddi_stream(3000, 3.0, 3)
    tail = optim.online_adam(g, second="ema", alpha=0.5, beta2=0.1)[-300:]
    assert r.ema == sum(tail) / 300
    switched = optim.reddi_ends(3000, 3.0, 3, alpha=0.5, beta1=0.0, beta2=0.1, switch_at=1500, scale_before=100.0)
    assert switched.optimum == 1.0 and switched.ema > switched.uniform


def test_effective_lr_never_rises_for_uniform_second_moment():
    """With alpha/sqrt(t) and the uniform v the effective lr alpha/sqrt(sum g^2) never increases;
    with the EMA v it rises after each large gradient."""
    g = optim.reddi_stream(300)
    assert optim.effective_lr_increases(g, second="uniform", alpha=0.5) == 0
    assert optim.effective_lr_increases(g, second="ema", alpha=0.5, beta2=0.1) > 50


def test_uniform_v_adam_equals_torch_adagrad():
    """Adam with uniform v and alpha/sqrt(t) follows torch.optim.Adagrad's trajectory exactly."""
    gen = torch.Generator().manual_seed(1)
    Q = torch.randn(3, 3, dtype=torch.float64, generator=gen)
    A, b = Q @ Q.T + torch.eye(3, dtype=torch.float64), torch.randn(3, dtype=torch.float64, generator=gen)
    x0 = torch.randn(3, dtype=torch.float64, generator=gen)
    a = optim.uniform_v_adam_trajectory(A, b, x0, alpha=0.1, steps=20, decay=True)
    torch.testing.assert_close(a, optim.adagrad_trajectory(A, b, x0, alpha=0.1, steps=20), rtol=1e-12, atol=1e-12)


def test_momentum_digits_schemes_agree_after_one_step():
    """After one update both schemes have moved by the same first gradient, so the losses agree."""
    optim.momentum_digits.cache_clear()
    r = optim.momentum_digits(0, 2, 2, 8, (0.1,), 0.9, 4, 100, 1)
    assert set(r) == {(e, s, 0.1) for e in ("stationary", "switch") for s in ("ema", "uniform")}
    torch.testing.assert_close(torch.tensor(r[("stationary", "ema", 0.1)]),
                               torch.tensor(r[("stationary", "uniform", 0.1)]))
