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

from verify import ANALYTIC, EMPIRICAL, HOLDS, PROXY, REFUTED, Falsifier, claim
from verify.claim import MUTATION, REGIME
from verify.stats import Exact, Greater, LogLogSlope

M = "verify.experiments.optim_measures:"   # where every measure of this question lives

# ---------------------------------------------------------------------------------------------
# Weights: how much each past gradient counts (exact, by reverse-mode AD through the recursion)
# ---------------------------------------------------------------------------------------------


claim(
    id="q04.weights.ema_recent_more", question="q04",
    statement="In the (bias-corrected) EMA m_t of gradients g_1..g_t, the weight of g_i increases "
              "strictly with i (recent gradients count more), and decays geometrically with age: "
              "w_{i-1} / w_i = beta for every i.",
    quote="EMA is a type of moving average, which assigns greater weight to recent data points",
    kind=ANALYTIC, expected=HOLDS,
    rationale="m_t = (1-beta)/(1-beta^t) * sum_i beta^(t-i) g_i: the weights are beta^(t-i) up to "
              "one constant, so they grow with i and the ratio of consecutive weights is beta < 1.",
    explain="We measured how much each of 50 past gradients counts in an EMA with beta = 0.9: the newest counts "
            "about 0.10 and each older one 0.9 times the one after it, so the oldest counts almost nothing "
            "(0.0006).",
    phrasings=dict(asserts=["An EMA gives more weight to recent gradients than to old ones.",
                            "In an exponential moving average the weights of old gradients decay geometrically.",
                            "With an EMA, the latest gradients matter most."],
                   denies=["An EMA weighs all past gradients equally.",
                           "In an EMA old gradients count as much as recent ones."]),
    protocol=dict(
        scheme="ema",
        beta=0.9,   # the usual momentum / Adam beta1
        t=50,       # 50 steps: several memory lengths (1/(1-beta) = 10), weights still far from 0
    ),
    measure=M + "weights_geometric",
    decision=Exact("w_i is strictly increasing in i and max_i |w_{i-1}/w_i - beta| <= 1e-9 (weights d m_t / d g_i "
                   "measured by autograd in float64)"),
    falsifier=Falsifier("uniform_average", "measure the uniform average instead: all weights are "
                        "1/t, so they do not increase with recency", scheme="uniform", kind=MUTATION),
)


claim(
    id="q04.weights.uniform_equal", question="q04",
    statement="In the uniform (arithmetic) average of gradients g_1..g_t every gradient has the same "
              "weight 1/t, however old it is, so an old gradient moves the update exactly as much as "
              "a new one.",
    quote="linear averaging gives equal weight to all gradients regardless of when they were obtained",
    kind=ANALYTIC, expected=HOLDS,
    rationale="mean(g_1..g_t) = sum_i g_i / t: d m_t / d g_i = 1/t for every i (definition).",
    explain="In the plain average of 50 gradients every gradient counts exactly 1/50, the oldest as much as the "
            "newest.",
    phrasings=dict(asserts=["In a plain average every gradient counts the same, old or new.",
                            "With a simple average, old gradients count as much as new ones.",
                            "Uniform averaging treats all past gradients the same."],
                   denies=["A linear average also puts more weight on recent gradients.",
                           "In a simple mean the newest gradient counts most."]),
    protocol=dict(
        scheme="uniform",
        beta=0.9,   # only used by the falsifier's EMA
        t=50,       # any t works; 50 matches the EMA claim
    ),
    measure=M + "weights_equal",
    decision=Exact("w_i - 1/t", tolerance=1e-12),
    falsifier=Falsifier("ema", "measure the EMA instead: its weights are not equal", scheme="ema", kind=MUTATION),
)


# ---------------------------------------------------------------------------------------------
# Reaction to a change: step change of the gradient, exact lag of each average
# ---------------------------------------------------------------------------------------------


claim(
    id="q04.react.ema_faster_after_change", question="q04",
    statement="After the gradient changes abruptly (from -1 to +1 after t0 = 1000 steps), the EMA "
              "(beta = 0.9) crosses half-way at least twice as fast as the uniform average.",
    quote="This allows the optimizer that uses EMA to react faster to changes in the loss landscape.",
    kind=ANALYTIC, expected=HOLDS,
    rationale="The EMA's half-way lag is ln 2 / -ln(beta) ~ 6.6 steps whatever t0 is (memory "
              "~1/(1-beta)); the uniform average needs k steps with k/(t0+k) = 1/2, i.e. k = t0.",
    explain="After 1,000 steps of gradient -1 the gradient flipped to +1: the EMA (beta = 0.9) crossed half-way "
            "within about 7 steps, the plain average only after 1,000 steps, about 150 times slower.",
    phrasings=dict(asserts=["EMA-based optimisers respond more quickly when the gradients change.",
                            "The EMA adapts quickly when the gradient changes, the plain average does not.",
                            "EMA-based momentum follows a change of direction much sooner."],
                   denies=["A plain average reacts to a change as fast as an EMA.",
                           "Switching to a linear average does not slow down the reaction to changes."]),
    protocol=dict(
        beta=0.9,   # the usual momentum beta
        t0=1000,    # a change late in training, after 100 EMA memory lengths
        factor=2.0,  # 'faster' means at most half the lag: a difference a trainer would notice
    ),
    measure=M + "lag_ratio",
    decision=Exact("lag_uniform / lag_ema >= 2 (lags measured on the running averages, float64, interpolated to the "
                   "fractional step where the average crosses 0)"),
    falsifier=Falsifier("early_change", "the change comes at t0 = 5, before the bias-corrected EMA's "
                        "memory has filled: both averages then weigh the few past gradients alike", t0=5,
                        kind=MUTATION),
)


claim(
    id="q04.react.uniform_lag_grows_with_t", question="q04",
    statement="The uniform average adapts ever more slowly: its lag after a step change grows in "
              "proportion to the time t0 at which the change happens (log-log slope 1), whereas the "
              "EMA's lag stays bounded.",
    quote="optimizers using linear averaging would adapt more slowly because new gradients are not "
          "given greater significance than older ones",
    kind=ANALYTIC, expected=HOLDS,
    rationale="The uniform average puts weight 1/t on the newest gradient; after a change at t0 it "
              "needs k = t0 steps to cross half-way, so lag ~ t0^1.  The EMA's lag tends to "
              "ln 2 / -ln(beta) (slope 0).",
    explain="When the gradient flips after t0 steps, the plain average needs exactly t0 more steps to cross "
            "half-way (10 after 10, 1,000 after 1,000), so the later the change the slower it adapts; the EMA's "
            "delay stays at about 7 steps.",
    phrasings=dict(asserts=["The linear average adapts more and more slowly as training goes on.",
                            "New gradients get less and less weight in a uniform average, so it reacts ever slower.",
                            "Because a plain mean never favours new gradients, it gets sluggish later in training."],
                   denies=["The uniform average reacts equally fast early and late in training.",
                           "A plain average's delay after a change does not depend on how long training has run."]),
    protocol=dict(
        scheme="uniform",
        beta=0.9,                          # for the EMA falsifier
        t0s=(10, 30, 100, 300, 1000),      # two decades of change times, log-spaced
    ),
    measure=M + "lag_curve",
    decision=LogLogSlope(expected=1.0,     # lag proportional to t0
                         tolerance=0.1,    # slope in [0.9, 1.1]
                         label="slope of log lag on log t0"),
    falsifier=Falsifier("ema", "measure the EMA's lag instead: it saturates at ~6.6 steps (slope ~0)",
                        scheme="ema", kind=MUTATION),
)


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


claim(
    id="q04.momentum.uniform_slower_stationary", question="q04",
    statement="On a stationary task (64-32-10 MLP on the digits, 240 SGD steps), momentum that is the "
              "uniform average of all past gradients reaches a training loss at least 0.05 nats "
              "higher than bias-corrected EMA momentum (beta = 0.9), each at its best learning rate "
              "from the same grid.",
    quote="training may converge more slowly",
    kind=EMPIRICAL, expected=HOLDS,
    rationale="Uniform momentum keeps steering by the large, stale gradients of the first steps "
              "(weight 1/t each), a bias that shrinks only like 1/t; EMA momentum forgets them in "
              "~10 steps.  First-moment conditional: holds for momentum.",
    explain="We trained 8 small networks on handwritten digits with each kind of momentum, each at its best "
            "learning rate: with the plain average of all past gradients the final training loss was about 0.26, "
            "with the EMA about 0.10.",
    phrasings=dict(asserts=["Training gets slower if momentum uses a simple average instead of an EMA.",
                            "Momentum based on a plain average of all gradients trains worse than EMA momentum.",
                            "With uniform averaging the optimiser keeps following stale gradients and learns slower."],
                   denies=["Uniform-average momentum trains just as fast as EMA momentum.",
                           "The type of average in momentum does not affect convergence speed."]),
    protocol=dict(**_DIGITS, environment="stationary"),   # the digits labels throughout
    measure=M + "momentum_loss",
    decision=Greater(min_effect=0.05,  # 0.05 nats: a loss gap visible in any training curve
                     paired=True, label="loss(uniform momentum) - loss(EMA momentum)"),
    falsifier=Falsifier("long_memory_ema", "beta = 0.999: over 240 steps the bias-corrected EMA is "
                        "almost the uniform average, so the gap closes", beta=0.999, kind=REGIME),
)


claim(
    id="q04.momentum.uniform_worse_after_switch", question="q04",
    statement="When the task changes mid-training (digits labels permuted after 120 of 240 steps), "
              "uniform-average momentum ends with a training loss on the new labels at least 0.2 nats "
              "higher than EMA momentum (beta = 0.9), each at its best learning rate.",
    quote="which allows them to adjust more efficiently to changes in the gradient direction",
    kind=EMPIRICAL, expected=HOLDS,
    rationale="After the switch the uniform momentum is still half made of gradients of the old "
              "task and keeps pushing towards it; the EMA's old-task share is 0.9^k after k steps.",
    explain="When the digit labels were reshuffled half-way through training, networks whose momentum was the "
            "plain average of all past gradients ended with a loss of about 1.66 on the new labels, against 0.32 "
            "with EMA momentum (8 runs each).",
    phrasings=dict(asserts=["After the task changes, EMA momentum adjusts much better than a linear average.",
                            "A uniform average of gradients keeps pushing towards the old task after a change.",
                            "With an EMA the optimiser turns around quickly when the gradient direction changes."],
                   denies=["Uniform-average momentum adapts to a new task as well as EMA momentum.",
                           "A change of the task affects both averages in the same way."]),
    protocol=dict(**_DIGITS, environment="switch"),   # labels permuted from step switch_at on
    measure=M + "momentum_loss",
    decision=Greater(min_effect=0.2,  # 0.2 nats: a clearly different state of training
                     paired=True, label="loss(uniform momentum) - loss(EMA momentum)"),
    falsifier=Falsifier("long_memory_ema", "beta = 0.999: the EMA too remembers the old task; the gap "
                        "closes", beta=0.999, kind=REGIME),
)


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


claim(
    id="q04.second_moment.uniform_fails_reddi", question="q04",
    statement="With Adam's second moment replaced by the uniform average of all past squared "
              "gradients, the optimiser fails to converge to the optimum of Reddi et al.'s online "
              "problem (ends more than 0.5 from it, and farther than EMA-Adam).",
    quote="might struggle to converge to the optimal solution in a reasonable timeframe",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Reddi, Kale & Kumar (ICLR 2018), Thm 1: Adam's EMA v forgets the rare large gradient "
              "C, so its step on it is damped and x drifts to +1; a non-decreasing v (AMSGrad, or "
              "AdaGrad = the uniform mean with alpha/sqrt(t)) converges to -1.  Second-moment "
              "conditional: the student's 'struggle to converge' is false here.",
    explain="On a known problem where Adam fails (Reddi et al. 2018), Adam with the plain average of squared "
            "gradients ended at the best point (-1.00), while ordinary Adam with the EMA ended at the worst point "
            "(+1.00): here the plain average converges, it does not struggle.",
    phrasings=dict(asserts=["A plain average of squared gradients would make Adam converge badly or very slowly.",
                            "Replacing the EMA of g^2 by a uniform mean makes Adam fail to converge.",
                            "A uniform second moment prevents Adam from reaching the optimal solution."],
                   denies=["A uniform average of g^2 (as in AdaGrad or AMSGrad) fixes Adam's convergence problem.",
                           "On Reddi et al.'s example the uniform second moment converges while the EMA does not."]),
    protocol=dict(**_REDDI, distance=0.5),  # 0.5: a quarter of the interval: clearly elsewhere
    measure=M + "uniform_misses_optimum",
    decision=Exact("|x_uniform - x*| > 0.5 and |x_uniform - x*| > |x_ema - x*|, x the mean of the last 10 % of "
                   "iterates, x* the optimum of the final environment"),
    falsifier=Falsifier("environment_change", "the gradients are 100x larger for the first half, then "
                        "a constant -1 (new optimum +1): the uniform v still remembers the large "
                        "gradients and its steps are 100x too small", switch_at=1500, scale_before=100.0,
                        kind=MUTATION),
)


claim(
    id="q04.second_moment.uniform_stalls_after_env_change", question="q04",
    statement="When the gradient scale drops 100-fold and the optimum moves (environment change "
              "half-way), Adam with a uniform-average second moment fails to reach the new optimum "
              "(ends more than 0.5 from it, and farther than EMA-Adam).",
    quote="or in some cases not at all, especially when the learning environment changes",
    kind=ANALYTIC, expected=HOLDS,
    rationale="The uniform v after the drop is still ~1e4 x the new g^2 (the old squares never "
              "leave the mean), so each step is ~100x smaller than Adam's; the EMA v forgets them in "
              "a few steps.  The uniform second moment's real weakness is non-stationary scale.",
    explain="When the gradients shrank 100-fold and the best point moved half-way through, Adam with the plain "
            "average of squared gradients ended at -0.90, far from the new best point +1, because the old large "
            "gradients never leave the average; ordinary Adam reached +1.",
    phrasings=dict(asserts=["If the environment changes, a uniform second moment may never reach the new optimum.",
                            "With a linear average of g^2 the optimiser stalls after the gradient scale drops.",
                            "Old large gradients stay in a uniform average forever and make the steps too small."],
                   denies=["A uniform second moment adapts to a change of gradient scale as well as an EMA.",
                           "After the environment changes, uniform-average Adam still reaches the new optimum."]),
    protocol=dict({**_REDDI, "switch_at": 1500, "scale_before": 100.0}, distance=0.5),
    measure=M + "uniform_misses_optimum",
    decision=Exact("|x_uniform - x*| > 0.5 and |x_uniform - x*| > |x_ema - x*| (as in "
                   "q04.second_moment.uniform_fails_reddi)"),
    falsifier=Falsifier("no_environment_change", "Reddi's problem unchanged: the uniform v converges "
                        "to x* = -1 while EMA-Adam goes to +1", switch_at=0, scale_before=1.0, kind=MUTATION),
)


claim(
    id="q04.second_moment.adam_ema_wrong_point", question="q04",
    statement="On Reddi et al.'s online problem (C = 3, beta1 = 0, beta2 = 1/(1+C^2), alpha/sqrt(t)), "
              "Adam with its EMA second moment converges to x = +1, the worst point, not the optimum -1.",
    quote=None,
    kind=ANALYTIC, expected=HOLDS,
    rationale="Reddi, Kale & Kumar (2018), Theorem 1 and Section 3.",
    explain="On Reddi et al.'s problem, Adam with its usual EMA of squared gradients ended at +1.00 (the mean of "
            "its last 300 steps), the worst point, instead of the best point -1.",
    phrasings=dict(asserts=["Adam with an EMA second moment can converge to the wrong point.",
                            "There are simple problems where Adam does not converge to the optimum."],
                   denies=["Adam always converges to the optimum of a convex problem.",
                           "The EMA of squared gradients guarantees Adam's convergence."]),
    protocol=dict(**_REDDI),
    measure=M + "ema_distance_to_worst",
    decision=Exact("mean of the last 10 % of EMA-Adam iterates - 1", tolerance=0.1),
    falsifier=Falsifier("long_memory_beta2", "beta2 = 0.99: v remembers the rare large gradient and "
                        "Adam converges to -1", beta2=0.99, kind=MUTATION),
)


claim(
    id="q04.alt.no_change", question="q04",
    statement="Replacing the EMA by the uniform average changes nothing essential: the optimiser "
              "ends at the same point (within 0.1) on Reddi et al.'s online problem.",
    quote=None,
    kind=ANALYTIC, expected=REFUTED,
    rationale="With beta2 = 1/(1+C^2) the EMA-Adam ends at +1 and the uniform-v version at -1 "
              "(Reddi et al. 2018): the two are 2 apart.",
    explain="On Reddi et al.'s problem, Adam with the EMA ended at +1.00 and the version with the plain average "
            "at -1.00, two units apart: the choice of average changes where the optimiser ends up.",
    phrasings=dict(asserts=["Replacing the EMA by a linear average would not really change anything.",
                            "Both kinds of averaging end up at the same solution."],
                   denies=["Changing the EMA to a uniform average changes the optimiser's behaviour.",
                           "Where Adam ends up can depend on whether it uses an EMA or a plain average."]),
    protocol=dict(**_REDDI),
    measure=M + "ema_uniform_distance",
    decision=Exact("x_ema - x_uniform (means of the last 10 % of iterates)", tolerance=0.1),
    falsifier=Falsifier("long_memory_beta2", "beta2 = 0.99: both averages of g^2 are then close and "
                        "both runs end at -1", beta2=0.99, kind=MUTATION),
)


# ---------------------------------------------------------------------------------------------
# Stability
# ---------------------------------------------------------------------------------------------


claim(
    id="q04.stability.ema_smooths_noise", question="q04",
    statement="The EMA (beta = 0.9) keeps updates stable: under i.i.d. gradient noise its variance "
              "is at most half that of the raw gradient.",
    quote="keeps the learning process stable",
    kind=PROXY, expected=HOLDS,
    rationale="Proxy: 'stable' is read as the variance of the update direction under i.i.d. noise, "
              "Var = sigma^2 * sum_i w_i^2.  For the EMA at large t, sum w_i^2 = (1-beta)/(1+beta) "
              "= 0.053 for beta = 0.9.",
    explain="With random noise on the gradients, an EMA with beta = 0.9 keeps only about 5 % of the noise "
            "variance of a single gradient, so its updates are much steadier than raw gradient steps.",
    phrasings=dict(asserts=["Using an EMA makes training steadier.",
                            "Averaging gradients with an EMA smooths out noise in the updates.",
                            "An EMA reduces the variance of the update direction."],
                   denies=["An EMA does not reduce gradient noise.",
                           "Using an EMA makes updates noisier than raw gradients."]),
    protocol=dict(
        beta=0.9,    # the usual beta
        t=1000,      # steady state
        ratio=0.5,   # 'stable' = at least halves the noise variance
    ),
    measure=M + "noise_variance",
    decision=Exact("sum_i w_i^2 (EMA weights at step t, autograd, float64) <= ratio"),
    falsifier=Falsifier("no_averaging", "beta = 0: the EMA is the raw gradient, variance ratio 1", beta=0.0,
                        kind=MUTATION),
)


claim(
    id="q04.alt.uniform_lower_noise_than_ema", question="q04",
    statement="Under stationary i.i.d. gradient noise the uniform average is *more* stable than the "
              "EMA: after t steps its variance sigma^2/t is below the EMA's sigma^2 (1-beta)/(1+beta).",
    quote=None,
    kind=ANALYTIC, expected=HOLDS,
    rationale="Among weights summing to 1, equal weights minimise sum w_i^2 (Cauchy-Schwarz): 1/t "
              "vs 0.053 for beta = 0.9 at t = 1000.  EMA buys reactivity with variance.",
    explain="After 1,000 steps of pure noise, the plain average kept 0.001 of the noise variance and the EMA "
            "(beta = 0.9) 0.053: the plain average is the steadier one, and the EMA trades steadiness for fast "
            "reaction.",
    phrasings=dict(asserts=["With stationary noise, a uniform average is more stable than an EMA.",
                            "Averaging all gradients equally reduces noise more than an EMA does."],
                   denies=["An EMA always has lower variance than a plain average.",
                           "The uniform average is noisier than the EMA."]),
    protocol=dict(beta=0.9, t=1000),   # the same setting as q04.stability.ema_smooths_noise
    measure=M + "noise_variance_gap",
    decision=Exact("sum w_i^2 (uniform) < sum w_i^2 (EMA) - 1e-12"),
    falsifier=Falsifier("one_step", "t = 1: both averages are the single gradient; equal variance", t=1, kind=MUTATION),
)


claim(
    id="q04.stability.ema_second_moment_steadier_lr", question="q04",
    statement="For the second moment, the EMA keeps the effective learning rate alpha_t/sqrt(v_t) at "
              "least as steady as the uniform average does: it goes up no more often than the "
              "uniform version's (on Reddi et al.'s gradient stream).",
    quote=None,
    kind=ANALYTIC, expected=REFUTED,
    rationale="Reddi et al. (2018) trace Adam's failure to Gamma_t = sqrt(v_t)/alpha_t - "
              "sqrt(v_{t-1})/alpha_{t-1} going negative: with an EMA v the effective step jumps up "
              "after each large gradient leaves the memory.  With the uniform mean and alpha/sqrt(t) "
              "it is alpha/sqrt(sum g^2): non-increasing.  Second-moment conditional counterpart of "
              "q04.stability.ema_smooths_noise.",
    explain="On Reddi et al.'s stream of 3,000 gradients, Adam's effective step size jumped up 2,000 times with "
            "the EMA of squared gradients and never with the plain average.",
    phrasings=dict(asserts=["The EMA of squared gradients keeps Adam's effective learning rate stable.",
                            "With an EMA second moment the step size is steadier than with a uniform average."],
                   denies=["An EMA second moment lets the effective learning rate jump up and down.",
                           "With a uniform average of g^2 and a decaying step, the effective step never goes up."]),
    protocol=dict(**_REDDI),
    measure=M + "effective_lr_rises",
    decision=Exact("(#steps where the EMA's effective lr increases) <= (# for the uniform average)"),
    falsifier=Falsifier("constant_gradient_size", "every gradient is -1 (C = -1): |g| never changes, "
                        "neither effective lr ever increases", C=-1.0, kind=MUTATION),
)


# ---------------------------------------------------------------------------------------------
# Alternatives: the uniform average as an EMA; uniform second moment = AdaGrad
# ---------------------------------------------------------------------------------------------


claim(
    id="q04.alt.uniform_is_ema_beta_t", question="q04",
    statement="The uniform average is itself an EMA with a time-varying coefficient: m_t = beta_t "
              "m_{t-1} + (1 - beta_t) g_t with beta_t = 1 - 1/t gives exactly mean(g_1..g_t), for "
              "gradients of any shape.",
    quote=None,
    kind=ANALYTIC, expected=HOLDS,
    rationale="(1 - 1/t) * S_{t-1}/(t-1) + g_t/t = S_t/t.  So 'linear averaging' is an EMA whose "
              "memory grows with t; its reactivity falls as 1/t.",
    explain="We checked on 30 random gradient streams of different lengths and shapes that an EMA whose "
            "coefficient is 1 - 1/t at step t gives exactly the plain average: it does, so the plain average is "
            "an EMA whose memory keeps growing.",
    phrasings=dict(asserts=["A uniform average is just an EMA whose beta grows like 1 - 1/t.",
                            "The arithmetic mean is a recursion like an EMA with a time-varying coefficient."],
                   denies=["A uniform average cannot be written as an exponential moving average.",
                           "The linear average and the EMA are completely different recursions."]),
    protocol=dict(
        schedule="1-1/t",
        max_t=25,       # streams up to 25 steps: the identity is per step, length adds nothing new
        max_dims=3,     # parameter shapes up to 3-D
        max_side=4,
        examples=30,    # Hypothesis examples; a wrong schedule fails on the first one
    ),
    measure=M + "ema_schedule_is_mean",
    decision=Exact("for every fuzzed stream (time x shape) the recursion equals the prefix mean (torch.allclose, "
                   "rtol = atol = 1e-12, float64)"),
    falsifier=Falsifier("constant_beta", "a constant beta = 0.9: an ordinary EMA is not the mean",
                        schedule="const", kind=MUTATION),
)


claim(
    id="q04.alt.uniform_v_is_adagrad", question="q04",
    statement="With the step alpha/sqrt(t), Adam (beta1 = 0, eps = 0) whose second moment is the "
              "uniform average of squared gradients is exactly AdaGrad with learning rate alpha.",
    quote=None,
    kind=ANALYTIC, expected=HOLDS,
    rationale="alpha/sqrt(t) * g / sqrt(sum g^2 / t) = alpha * g / sqrt(sum g^2) (Duchi, Hazan & "
              "Singer 2011); checked against torch.optim.Adagrad on a random quadratic.",
    explain="On a random 6-dimensional quadratic, 50 steps of Adam using the plain average of squared gradients "
            "(with step size alpha / sqrt(t)) matched PyTorch's AdaGrad up to rounding error: they are the same "
            "algorithm.",
    phrasings=dict(asserts=["Adam with a uniform average of squared gradients is basically AdaGrad.",
                            "Replacing Adam's second-moment EMA by a plain average gives AdaGrad."],
                   denies=["A uniform second moment gives a new optimiser unrelated to AdaGrad.",
                           "Adam with a plain average of g^2 behaves differently from AdaGrad."]),
    protocol=dict(
        d=6,           # a 6-D quadratic
        steps=50,
        alpha=0.1,
        decay=True,    # alpha_t = alpha / sqrt(t)
    ),
    measure=M + "adagrad_distance",
    decision=Exact("x_uniformAdam - x_Adagrad (max over the trajectory, float64)", tolerance=1e-10),
    falsifier=Falsifier("constant_step", "a constant step alpha: the uniform-v Adam takes steps "
                        "sqrt(t) times larger than AdaGrad", decay=False, kind=MUTATION),
)
