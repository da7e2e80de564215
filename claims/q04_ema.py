"""q04 — What changes if an optimiser's EMA of gradients is replaced by a uniform (linear) average?

Reconstructed question: "Optimisers such as momentum, RMSProp and Adam keep an exponential moving
average (EMA) of the gradients (and of the squared gradients).  What would change if the EMA were
replaced by a linear (uniform, arithmetic) average of all past gradients?"

The answer has to be split by moment.  For the *first* moment (momentum) the uniform average reacts
ever more slowly (its weight on a new gradient is 1/t) and trains worse, most of all after the
target changes.  For the *second* moment (Adam's v) the uniform average is what AdaGrad/AMSGrad-like
methods use to repair Adam: on Reddi, Kale & Kumar's (2018) online problem the EMA second moment
drives Adam to the worst point x = +1 while the uniform average converges to the optimum x = -1.
Statements that hold for one moment and fail for the other are separate, conditional claims.
"""

from verify import ANALYTIC, EMPIRICAL, HOLDS, PROXY, REFUTED, Falsifier, claim, exact

# ---------------------------------------------------------------------------------------------
# Weights: how much each past gradient counts (exact, by reverse-mode AD through the recursion)
# ---------------------------------------------------------------------------------------------


@claim(
    id="q04.weights.ema_recent_more",
    question="q04",
    statement="In the (bias-corrected) EMA m_t of gradients g_1..g_t, the weight of g_i increases "
              "strictly with i (recent gradients count more), and decays geometrically with age: "
              "w_{i-1} / w_i = beta for every i.",
    quote="EMA is a type of moving average, which assigns greater weight to recent data points",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="m_t = (1-beta)/(1-beta^t) * sum_i beta^(t-i) g_i: the weights are beta^(t-i) up to "
              "one constant, so they grow with i and the ratio of consecutive weights is beta < 1.",
    protocol=dict(
        scheme="ema",
        beta=0.9,   # the usual momentum / Adam beta1
        t=50,       # 50 steps: several memory lengths (1/(1-beta) = 10), weights still far from 0
    ),
    rule="HOLDS iff w_i is strictly increasing in i and max_i |w_{i-1}/w_i - beta| <= 1e-9 "
         "(weights d m_t / d g_i measured by autograd in float64)",
    falsifier=Falsifier("uniform_average", "measure the uniform average instead: all weights are "
                        "1/t, so they do not increase with recency", scheme="uniform"),
)
def ema_recent_more(p, ctx):
    from verify.experiments.optim import average_weights

    w = average_weights(p.t, p.scheme, p.beta)
    increasing = bool((w[1:] > w[:-1]).all())
    ratio_err = float(((w[:-1] / w[1:]) - p.beta).abs().max())
    ok = increasing and ratio_err <= 1e-9
    return exact(ok, difference=ratio_err, tolerance=1e-9, statistic_name="max |w_{i-1}/w_i - beta|",
                 evidence={"scheme": p.scheme, "t": p.t, "weights_oldest_5": w[:5].tolist(),
                           "weights_newest_5": w[-5:].tolist(), "strictly_increasing": increasing})


@claim(
    id="q04.weights.uniform_equal",
    question="q04",
    statement="In the uniform (arithmetic) average of gradients g_1..g_t every gradient has the same "
              "weight 1/t, however old it is, so an old gradient moves the update exactly as much as "
              "a new one.",
    quote="linear averaging gives equal weight to all gradients regardless of when they were obtained",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="mean(g_1..g_t) = sum_i g_i / t: d m_t / d g_i = 1/t for every i (definition).",
    protocol=dict(
        scheme="uniform",
        beta=0.9,   # only used by the falsifier's EMA
        t=50,       # any t works; 50 matches the EMA claim
    ),
    rule="HOLDS iff max_i |d m_t / d g_i - 1/t| <= 1e-12 (autograd through the recursion, float64)",
    falsifier=Falsifier("ema", "measure the EMA instead: its weights are not equal", scheme="ema"),
)
def uniform_equal(p, ctx):
    from verify.experiments.optim import average_weights

    w = average_weights(p.t, p.scheme, p.beta)
    err = float((w - 1.0 / p.t).abs().max())
    return exact(err <= 1e-12, difference=err, tolerance=1e-12, statistic_name="max |w_i - 1/t|",
                 evidence={"scheme": p.scheme, "t": p.t, "w_oldest": float(w[0]), "w_newest": float(w[-1])})


# ---------------------------------------------------------------------------------------------
# Reaction to a change: step change of the gradient, exact lag of each average
# ---------------------------------------------------------------------------------------------


@claim(
    id="q04.react.ema_faster_after_change",
    question="q04",
    statement="After the gradient changes abruptly (from -1 to +1 after t0 = 1000 steps), the EMA "
              "(beta = 0.9) crosses half-way at least twice as fast as the uniform average.",
    quote="This allows the optimizer that uses EMA to react faster to changes in the loss landscape.",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="The EMA's half-way lag is ln 2 / -ln(beta) ~ 6.6 steps whatever t0 is (memory "
              "~1/(1-beta)); the uniform average needs k steps with k/(t0+k) = 1/2, i.e. k = t0.",
    protocol=dict(
        beta=0.9,   # the usual momentum beta
        t0=1000,    # a change late in training, after 100 EMA memory lengths
        factor=2.0,  # 'faster' means at most half the lag: a difference a trainer would notice
    ),
    rule="HOLDS iff lag_uniform / lag_ema >= 2 (lags measured on the running averages, float64, "
         "interpolated to the fractional step where the average crosses 0)",
    falsifier=Falsifier("early_change", "the change comes at t0 = 5, before the bias-corrected EMA's "
                        "memory has filled: both averages then weigh the few past gradients alike", t0=5),
)
def ema_faster_after_change(p, ctx):
    from verify.experiments.optim import step_lag

    lag_e = step_lag(p.t0, "ema", p.beta)
    lag_u = step_lag(p.t0, "uniform", p.beta)
    ratio = lag_u / lag_e
    return exact(ratio >= p.factor, difference=ratio, tolerance=p.factor,
                 statistic_name="lag_uniform / lag_ema",
                 evidence={"t0": p.t0, "lag_ema_steps": lag_e, "lag_uniform_steps": lag_u})


@claim(
    id="q04.react.uniform_lag_grows_with_t",
    question="q04",
    statement="The uniform average adapts ever more slowly: its lag after a step change grows in "
              "proportion to the time t0 at which the change happens (log-log slope 1), whereas the "
              "EMA's lag stays bounded.",
    quote="optimizers using linear averaging would adapt more slowly because new gradients are not "
          "given greater significance than older ones",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="The uniform average puts weight 1/t on the newest gradient; after a change at t0 it "
              "needs k = t0 steps to cross half-way, so lag ~ t0^1.  The EMA's lag tends to "
              "ln 2 / -ln(beta) (slope 0).",
    protocol=dict(
        scheme="uniform",
        beta=0.9,                          # for the EMA falsifier
        t0s=(10, 30, 100, 300, 1000),      # two decades of change times, log-spaced
        slope=1.0,                          # lag proportional to t0
        tolerance=0.1,                      # slope in [0.9, 1.1]
    ),
    rule="HOLDS iff the least-squares slope of log(lag) on log(t0) is within 0.1 of 1",
    falsifier=Falsifier("ema", "measure the EMA's lag instead: it saturates at ~6.6 steps (slope ~0)",
                        scheme="ema"),
)
def uniform_lag_grows_with_t(p, ctx):
    from verify.experiments.optim import step_lag
    from verify.stats import loglog_slope

    lags = [step_lag(t0, p.scheme, p.beta) for t0 in p.t0s]
    f = loglog_slope(p.t0s, lags, expected=p.slope, tolerance=p.tolerance, label="slope of log lag on log t0")
    return f.with_evidence(scheme=p.scheme, table={str(t0): round(lag, 3) for t0, lag in zip(p.t0s, lags)})


# ---------------------------------------------------------------------------------------------
# First moment in training: momentum SGD on the digits, EMA vs uniform momentum
# ---------------------------------------------------------------------------------------------

_DIGITS = dict(
    n_seeds=8,              # paired seeds; 8 give 90 % power for d = 3 at alpha 5e-4
                            # (verify.stats.seeds_for_power(3, 5e-4) = 8; pilot effects were d > 3)
    steps=240,              # ~6 epochs of 32-image batches over 1,200 images: EMA momentum is near 0.1 nats
    batch=32,               # minibatch noise, as in real training
    lrs=(0.1, 0.3, 1.0, 3.0),  # a fixed half-decade grid; each scheme is read at its own best lr
    beta=0.9,               # the usual momentum beta
    hidden=32,              # 64-32-10 MLP: trains in a second on one thread
    switch_at=120,          # the labels are permuted half-way in the 'switch' environment
    eval_last=40,           # loss averaged over the last 40 minibatches (1/6 of training)
)


def _digits_decision(p, ctx, env):
    import numpy as np

    from verify.experiments.optim import momentum_digits
    from verify.stats import greater

    res = momentum_digits(ctx.shared_seed("q04-momentum-digits"), p.n_seeds, p.steps, p.batch,
                          tuple(p.lrs), p.beta, p.hidden, p.switch_at, p.eval_last)
    best = {}
    for sch in ("ema", "uniform"):
        means = {lr: float(np.mean(res[(env, sch, lr)])) for lr in p.lrs}
        best[sch] = min(means, key=means.get)
    table = {f"{sch} lr={lr:g}": round(float(np.mean(res[(env, sch, lr)])), 4)
             for sch in ("ema", "uniform") for lr in p.lrs}
    f = greater(res[(env, "uniform", best["uniform"])], res[(env, "ema", best["ema"])],
                min_effect=p.min_effect, alpha=ctx.alpha, paired=True,
                label="loss(uniform momentum) - loss(EMA momentum)")
    return f.with_evidence(environment=env, beta=p.beta, best_lr=best, mean_loss_by_lr=table)


@claim(
    id="q04.momentum.uniform_slower_stationary",
    question="q04",
    statement="On a stationary task (64-32-10 MLP on the digits, 240 SGD steps), momentum that is the "
              "uniform average of all past gradients reaches a training loss at least 0.05 nats "
              "higher than bias-corrected EMA momentum (beta = 0.9), each at its best learning rate "
              "from the same grid.",
    quote="training may converge more slowly",
    kind=EMPIRICAL,
    expected=HOLDS,
    rationale="Uniform momentum keeps steering by the large, stale gradients of the first steps "
              "(weight 1/t each), a bias that shrinks only like 1/t; EMA momentum forgets them in "
              "~10 steps.  First-moment conditional: holds for momentum.",
    protocol=dict(**_DIGITS, min_effect=0.05),  # 0.05 nats: a loss gap visible in any training curve
    rule="paired one-sided t over seeds at the per-claim alpha: HOLDS if mean(uniform - EMA) > 0 with "
         "estimate >= 0.05 nats; REFUTED if the gap is shown < 0.05 nats",
    falsifier=Falsifier("long_memory_ema", "beta = 0.999: over 240 steps the bias-corrected EMA is "
                        "almost the uniform average, so the gap closes", beta=0.999),
)
def uniform_slower_stationary(p, ctx):
    return _digits_decision(p, ctx, "stationary")


@claim(
    id="q04.momentum.uniform_worse_after_switch",
    question="q04",
    statement="When the task changes mid-training (digits labels permuted after 120 of 240 steps), "
              "uniform-average momentum ends with a training loss on the new labels at least 0.2 nats "
              "higher than EMA momentum (beta = 0.9), each at its best learning rate.",
    quote="which allows them to adjust more efficiently to changes in the gradient direction",
    kind=EMPIRICAL,
    expected=HOLDS,
    rationale="After the switch the uniform momentum is still half made of gradients of the old "
              "task and keeps pushing towards it; the EMA's old-task share is 0.9^k after k steps.",
    protocol=dict(**_DIGITS, min_effect=0.2),  # 0.2 nats: a clearly different state of training
    rule="paired one-sided t over seeds at the per-claim alpha: HOLDS if mean(uniform - EMA) > 0 with "
         "estimate >= 0.2 nats; REFUTED if the gap is shown < 0.2 nats",
    falsifier=Falsifier("long_memory_ema", "beta = 0.999: the EMA too remembers the old task; the gap "
                        "closes", beta=0.999),
)
def uniform_worse_after_switch(p, ctx):
    return _digits_decision(p, ctx, "switch")


# ---------------------------------------------------------------------------------------------
# Second moment: Reddi, Kale & Kumar (2018), f_t(x) = C x every 3rd step, -x otherwise, x in [-1, 1]
# ---------------------------------------------------------------------------------------------

_REDDI = dict(
    C=3.0,            # Reddi et al.'s Theorem 1 needs C > 2: the mean gradient (C - 2)/3 > 0, optimum -1
    period=3,
    T=3000,           # 1,000 periods; pure-Python loop, milliseconds
    alpha=0.5,        # alpha_t = alpha / sqrt(t), Theorem 1's schedule
    beta1=0.0,        # Theorem 1: no momentum
    beta2=0.1,        # Theorem 1: beta2 = 1 / (1 + C^2) = 0.1
    switch_at=0,      # 0 = no environment change
    scale_before=1.0,
    after=-1.0,
)


def _reddi_runs(p):
    from verify.experiments.optim import online_adam, reddi_stream

    g = reddi_stream(p.T, p.C, p.period, switch_at=p.switch_at or None, scale_before=p.scale_before,
                     after=p.after)
    tail = slice(-max(1, p.T // 10), None)
    final_g = g[tail]
    optimum = -1.0 if sum(final_g) > 0 else 1.0  # linear loss: optimum at the end opposite the mean gradient
    out = {"optimum": optimum}
    for second in ("ema", "uniform"):
        xs = online_adam(g, second=second, alpha=p.alpha, beta1=p.beta1, beta2=p.beta2)
        out[second] = sum(xs[tail]) / len(xs[tail])
    return out


def _uniform_misses_optimum(p):
    """HOLDS iff the uniform-v run ends more than p.distance from x* and farther than the EMA run."""
    r = _reddi_runs(p)
    du, de = abs(r["uniform"] - r["optimum"]), abs(r["ema"] - r["optimum"])
    return exact(du > p.distance and du > de, difference=du, tolerance=p.distance,
                 statistic_name="|x_uniform - x*|",
                 evidence={"x*": r["optimum"], "x_ema (last 10%)": r["ema"],
                           "x_uniform (last 10%)": r["uniform"], "switch_at": p.switch_at})


@claim(
    id="q04.second_moment.uniform_fails_reddi",
    question="q04",
    statement="With Adam's second moment replaced by the uniform average of all past squared "
              "gradients, the optimiser fails to converge to the optimum of Reddi et al.'s online "
              "problem (ends more than 0.5 from it, and farther than EMA-Adam).",
    quote="might struggle to converge to the optimal solution in a reasonable timeframe",
    kind=ANALYTIC,
    expected=REFUTED,
    rationale="Reddi, Kale & Kumar (ICLR 2018), Thm 1: Adam's EMA v forgets the rare large gradient "
              "C, so its step on it is damped and x drifts to +1; a non-decreasing v (AMSGrad, or "
              "AdaGrad = the uniform mean with alpha/sqrt(t)) converges to -1.  Second-moment "
              "conditional: the student's 'struggle to converge' is false here.",
    protocol=dict(**_REDDI, distance=0.5),  # 0.5: a quarter of the interval: clearly elsewhere
    rule="HOLDS iff |x_uniform - x*| > 0.5 and |x_uniform - x*| > |x_ema - x*|, x the mean of the "
         "last 10 % of iterates, x* the optimum of the final environment",
    falsifier=Falsifier("environment_change", "the gradients are 100x larger for the first half, then "
                        "a constant -1 (new optimum +1): the uniform v still remembers the large "
                        "gradients and its steps are 100x too small", switch_at=1500, scale_before=100.0),
)
def uniform_fails_reddi(p, ctx):
    return _uniform_misses_optimum(p)


@claim(
    id="q04.second_moment.uniform_stalls_after_env_change",
    question="q04",
    statement="When the gradient scale drops 100-fold and the optimum moves (environment change "
              "half-way), Adam with a uniform-average second moment fails to reach the new optimum "
              "(ends more than 0.5 from it, and farther than EMA-Adam).",
    quote="or in some cases not at all, especially when the learning environment changes",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="The uniform v after the drop is still ~1e4 x the new g^2 (the old squares never "
              "leave the mean), so each step is ~100x smaller than Adam's; the EMA v forgets them in "
              "a few steps.  The uniform second moment's real weakness is non-stationary scale.",
    protocol=dict({**_REDDI, "switch_at": 1500, "scale_before": 100.0}, distance=0.5),
    rule="HOLDS iff |x_uniform - x*| > 0.5 and |x_uniform - x*| > |x_ema - x*| (as in "
         "q04.second_moment.uniform_fails_reddi)",
    falsifier=Falsifier("no_environment_change", "Reddi's problem unchanged: the uniform v converges "
                        "to x* = -1 while EMA-Adam goes to +1", switch_at=0, scale_before=1.0),
)
def uniform_stalls_after_env_change(p, ctx):
    return _uniform_misses_optimum(p)



@claim(
    id="q04.second_moment.adam_ema_wrong_point",
    question="q04",
    statement="On Reddi et al.'s online problem (C = 3, beta1 = 0, beta2 = 1/(1+C^2), alpha/sqrt(t)), "
              "Adam with its EMA second moment converges to x = +1, the worst point, not the optimum -1.",
    quote=None,
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Reddi, Kale & Kumar (2018), Theorem 1 and Section 3.",
    protocol=dict(**_REDDI),
    rule="HOLDS iff the mean of the last 10 % of EMA-Adam iterates is within 0.1 of +1",
    falsifier=Falsifier("long_memory_beta2", "beta2 = 0.99: v remembers the rare large gradient and "
                        "Adam converges to -1", beta2=0.99),
)
def adam_ema_wrong_point(p, ctx):
    r = _reddi_runs(p)
    d = abs(r["ema"] - 1.0)
    return exact(d <= 0.1, difference=d, tolerance=0.1, statistic_name="|x_ema - (+1)|",
                 evidence={"beta2": p.beta2, "x_ema (last 10%)": r["ema"], "x_uniform (last 10%)": r["uniform"]})


@claim(
    id="q04.alt.no_change",
    question="q04",
    statement="Replacing the EMA by the uniform average changes nothing essential: the optimiser "
              "ends at the same point (within 0.1) on Reddi et al.'s online problem.",
    quote=None,
    kind=ANALYTIC,
    expected=REFUTED,
    rationale="With beta2 = 1/(1+C^2) the EMA-Adam ends at +1 and the uniform-v version at -1 "
              "(Reddi et al. 2018): the two are 2 apart.",
    protocol=dict(**_REDDI),
    rule="HOLDS iff |x_ema - x_uniform| <= 0.1 (means of the last 10 % of iterates)",
    falsifier=Falsifier("long_memory_beta2", "beta2 = 0.99: both averages of g^2 are then close and "
                        "both runs end at -1", beta2=0.99),
)
def no_change(p, ctx):
    r = _reddi_runs(p)
    d = abs(r["ema"] - r["uniform"])
    return exact(d <= 0.1, difference=d, tolerance=0.1, statistic_name="|x_ema - x_uniform|",
                 evidence={"beta2": p.beta2, "x_ema": r["ema"], "x_uniform": r["uniform"]})


# ---------------------------------------------------------------------------------------------
# Stability
# ---------------------------------------------------------------------------------------------


@claim(
    id="q04.stability.ema_smooths_noise",
    question="q04",
    statement="The EMA (beta = 0.9) keeps updates stable: under i.i.d. gradient noise its variance "
              "is at most half that of the raw gradient.",
    quote="keeps the learning process stable",
    kind=PROXY,
    expected=HOLDS,
    rationale="Proxy: 'stable' is read as the variance of the update direction under i.i.d. noise, "
              "Var = sigma^2 * sum_i w_i^2.  For the EMA at large t, sum w_i^2 = (1-beta)/(1+beta) "
              "= 0.053 for beta = 0.9.",
    protocol=dict(
        beta=0.9,    # the usual beta
        t=1000,      # steady state
        ratio=0.5,   # 'stable' = at least halves the noise variance
    ),
    rule="HOLDS iff sum_i w_i^2 (EMA weights at step t, autograd, float64) <= 0.5",
    falsifier=Falsifier("no_averaging", "beta = 0: the EMA is the raw gradient, variance ratio 1", beta=0.0),
)
def ema_smooths_noise(p, ctx):
    from verify.experiments.optim import average_weights

    w = average_weights(p.t, "ema", p.beta)
    r = float((w * w).sum())
    return exact(r <= p.ratio, difference=r, tolerance=p.ratio, statistic_name="Var(EMA)/Var(g)",
                 evidence={"beta": p.beta, "t": p.t, "theory (1-beta)/(1+beta)": (1 - p.beta) / (1 + p.beta)})


@claim(
    id="q04.alt.uniform_lower_noise_than_ema",
    question="q04",
    statement="Under stationary i.i.d. gradient noise the uniform average is *more* stable than the "
              "EMA: after t steps its variance sigma^2/t is below the EMA's sigma^2 (1-beta)/(1+beta).",
    quote=None,
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Among weights summing to 1, equal weights minimise sum w_i^2 (Cauchy-Schwarz): 1/t "
              "vs 0.053 for beta = 0.9 at t = 1000.  EMA buys reactivity with variance.",
    protocol=dict(beta=0.9, t=1000),   # the same setting as q04.stability.ema_smooths_noise
    rule="HOLDS iff sum w_i^2 (uniform) < sum w_i^2 (EMA) - 1e-12",
    falsifier=Falsifier("one_step", "t = 1: both averages are the single gradient; equal variance", t=1),
)
def uniform_lower_noise_than_ema(p, ctx):
    from verify.experiments.optim import average_weights

    vu = float((average_weights(p.t, "uniform", p.beta) ** 2).sum())
    ve = float((average_weights(p.t, "ema", p.beta) ** 2).sum())
    return exact(vu < ve - 1e-12, difference=ve - vu, tolerance=1e-12,
                 statistic_name="Var(EMA) - Var(uniform) (units of sigma^2)",
                 evidence={"t": p.t, "var_uniform": vu, "var_ema": ve})


@claim(
    id="q04.stability.ema_second_moment_steadier_lr",
    question="q04",
    statement="For the second moment, the EMA keeps the effective learning rate alpha_t/sqrt(v_t) at "
              "least as steady as the uniform average does: it goes up no more often than the "
              "uniform version's (on Reddi et al.'s gradient stream).",
    quote=None,
    kind=ANALYTIC,
    expected=REFUTED,
    rationale="Reddi et al. (2018) trace Adam's failure to Gamma_t = sqrt(v_t)/alpha_t - "
              "sqrt(v_{t-1})/alpha_{t-1} going negative: with an EMA v the effective step jumps up "
              "after each large gradient leaves the memory.  With the uniform mean and alpha/sqrt(t) "
              "it is alpha/sqrt(sum g^2): non-increasing.  Second-moment conditional counterpart of "
              "q04.stability.ema_smooths_noise.",
    protocol=dict(**_REDDI),
    rule="HOLDS iff (#steps where the EMA's effective lr increases) <= (# for the uniform average)",
    falsifier=Falsifier("constant_gradient_size", "every gradient is -1 (C = -1): |g| never changes, "
                        "neither effective lr ever increases", C=-1.0),
)
def ema_second_moment_steadier_lr(p, ctx):
    from verify.experiments.optim import effective_lr_increases, reddi_stream

    g = reddi_stream(p.T, p.C, p.period)
    ne = effective_lr_increases(g, second="ema", alpha=p.alpha, beta2=p.beta2)
    nu = effective_lr_increases(g, second="uniform", alpha=p.alpha, beta2=p.beta2)
    return exact(ne <= nu, difference=ne - nu, tolerance=0, statistic_name="increases(EMA) - increases(uniform)",
                 evidence={"T": p.T, "C": p.C, "increases_ema": ne, "increases_uniform": nu})


# ---------------------------------------------------------------------------------------------
# Alternatives: the uniform average as an EMA; uniform second moment = AdaGrad
# ---------------------------------------------------------------------------------------------


@claim(
    id="q04.alt.uniform_is_ema_beta_t",
    question="q04",
    statement="The uniform average is itself an EMA with a time-varying coefficient: m_t = beta_t "
              "m_{t-1} + (1 - beta_t) g_t with beta_t = 1 - 1/t gives exactly mean(g_1..g_t), for "
              "gradients of any shape.",
    quote=None,
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="(1 - 1/t) * S_{t-1}/(t-1) + g_t/t = S_t/t.  So 'linear averaging' is an EMA whose "
              "memory grows with t; its reactivity falls as 1/t.",
    protocol=dict(
        schedule="1-1/t",
        max_t=25,       # streams up to 25 steps: the identity is per step, length adds nothing new
        max_dims=3,     # parameter shapes up to 3-D
        max_side=4,
        examples=30,    # Hypothesis examples; a wrong schedule fails on the first one
    ),
    rule="HOLDS iff for every fuzzed stream (time x shape) the recursion equals the prefix mean "
         "(torch.allclose, rtol = atol = 1e-12, float64)",
    falsifier=Falsifier("constant_beta", "a constant beta = 0.9: an ordinary EMA is not the mean",
                        schedule="const"),
)
def uniform_is_ema_beta_t(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def prop(case):
        t, shape = case
        g = torch.randn((t, *shape), dtype=torch.float64, generator=ctx.generator(str(case)))
        m = torch.zeros(shape, dtype=torch.float64)
        for i in range(1, t + 1):
            b = 1 - 1 / i if p.schedule == "1-1/t" else 0.9
            m = b * m + (1 - b) * g[i - 1]
        return torch.allclose(m, g.mean(0), rtol=1e-12, atol=1e-12)

    cases = st.tuples(st.integers(2, p.max_t),
                      st.lists(st.integers(1, p.max_side), max_size=p.max_dims).map(tuple))
    bad = counterexample(cases, prop, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample (t, shape)",
                 reason="" if bad is None else f"{bad} breaks recursion == mean",
                 evidence={"counterexample": bad, "examples": p.examples, "schedule": p.schedule})


@claim(
    id="q04.alt.uniform_v_is_adagrad",
    question="q04",
    statement="With the step alpha/sqrt(t), Adam (beta1 = 0, eps = 0) whose second moment is the "
              "uniform average of squared gradients is exactly AdaGrad with learning rate alpha.",
    quote=None,
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="alpha/sqrt(t) * g / sqrt(sum g^2 / t) = alpha * g / sqrt(sum g^2) (Duchi, Hazan & "
              "Singer 2011); checked against torch.optim.Adagrad on a random quadratic.",
    protocol=dict(
        d=6,           # a 6-D quadratic
        steps=50,
        alpha=0.1,
        decay=True,    # alpha_t = alpha / sqrt(t)
    ),
    rule="HOLDS iff the two trajectories agree: max |x_uniformAdam - x_Adagrad| <= 1e-10 (float64)",
    falsifier=Falsifier("constant_step", "a constant step alpha: the uniform-v Adam takes steps "
                        "sqrt(t) times larger than AdaGrad", decay=False),
)
def uniform_v_is_adagrad(p, ctx):
    import torch

    from verify.experiments.optim import adagrad_trajectory, uniform_v_adam_trajectory

    g = ctx.generator("quadratic")
    Q = torch.randn(p.d, p.d, dtype=torch.float64, generator=g)
    A = Q @ Q.T / p.d + 0.1 * torch.eye(p.d, dtype=torch.float64)
    b = torch.randn(p.d, dtype=torch.float64, generator=g)
    x0 = torch.randn(p.d, dtype=torch.float64, generator=g)
    xa = uniform_v_adam_trajectory(A, b, x0, alpha=p.alpha, steps=p.steps, decay=p.decay)
    xg = adagrad_trajectory(A, b, x0, alpha=p.alpha, steps=p.steps)
    err = float((xa - xg).abs().max())
    return exact(err <= 1e-10, difference=err, tolerance=1e-10, statistic_name="max |x_a - x_g|",
                 evidence={"steps": p.steps, "decay": p.decay})
