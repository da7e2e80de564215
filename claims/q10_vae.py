"""q10 — Generating digits with autoencoders and variational autoencoders.

Reconstructed question:
(a) Bob trained a (standard) autoencoder on handwritten digits.  He claims that, since the decoder
    learned to turn latent vectors into digit images, feeding it random numbers will generate new,
    realistic-looking handwritten digits.  Is he right?
(b) Explain what variational autoencoders (VAEs) change relative to standard autoencoders, and why
    these changes make them generative models.

Instruments shared by the trained claims (``verify.experiments.generative.generation``, one run per
process): UCI 8x8 digits (1,200 train / 597 test); a plain autoencoder and a VAE with the same MLPs
(64-64-k / k-64-64, k = 8, Bernoulli decoder) trained as one seed ensemble; a **judge** — an
ensemble of three small CNNs trained on real training digits.  An image is *recognised* when the
judge's mean softmax puts more than 0.9 on one class; the judge is checked on real test digits
(reference) and on noise images (negative controls), and both rates are in every verdict's evidence.
"""

from verify import ANALYTIC, EMPIRICAL, HOLDS, PROXY, REFUTED, Falsifier, claim
from verify.claim import CONTROL, MUTATION, REGIME
from verify.stats import Equivalent, Exact, Greater

# Claims about PyTorch's own behaviour (errors raised, what autograd allocates, what the FLOP
# counter sees, NaN rules) are facts of torch versions: each declares the versions it was checked on
# (2.9.1, 2.11.0, 2.13.0, 2.14.1 and 2.15.0 gave the same verdicts), open above so that a future
# release that changes the behaviour shows up as an unexpected verdict rather than silently.
TORCH_BEHAVIOUR = ">=2.9"

# --------------------------------------------------------------------------- shared protocol

GENERATION = dict(
    n_seeds=8,          # seeds per model: power 0.9 at alpha 5e-4 for d = 3 (verify.stats.seeds_for_power(3,
                        # 5e-4) == 8); the weakest effect here (copy rate vs its ceiling) is d ~ 3, the
                        # AE-vs-VAE gaps are > 10 sd; 6 seeds left the copy claim INCONCLUSIVE
    beta=1.0,           # KL weight: 1 is the ELBO of Kingma & Welling (2014); 0 removes the KL term
    k=8,                # latent size: 8x compression of 64 pixels; the judge recognises ~78 % of AE recons
    hidden=64,          # one hidden layer of 64 units per encoder/decoder: enough for 8x8 digits, cheap
    steps=1200,         # Adam steps at batch 64 = 64 epochs; set by the ~25 s budget of q10 on one thread
    eps_table=32,       # VAE noise: 32 fixed seeded eps per training image (vmap forbids in-model randomness)
    batch_size=64,      # minibatch; small batches keep each step cheap
    lr=3e-3,            # Adam learning rate; stable for both models at this size (no divergence seen)
    n_samples=2000,     # prior samples per seed: rate s.e. <= 0.011; the fitted-Gaussian rate uses 1000
    threshold=0.9,      # "recognised": judge mean max-softmax > 0.9, fixed before any decoder was run
    judge_members=3,    # judge ensemble size: averaging members tempers single-net overconfidence
    judge_steps=500,    # judge training steps: ~97-98 % test accuracy
)


# =========================================================================== q10a

claim(
    id="q10a.ae.random_vectors_not_digits",
    question="q10a",
    statement="Decoding random latent vectors z ~ N(0, I) with a plain autoencoder's decoder gives images "
              "that a digit classifier does not recognise (max softmax <= 0.9) at least 10 percentage "
              "points more often than real test digits.",
    quote="not all random vectors will generate meaningful digits",
    kind=EMPIRICAL,
    expected=HOLDS,
    rationale="A plain autoencoder is trained only to reconstruct; nothing ties its codes to N(0, I), so "
              "most prior samples fall where no training code lies and the decoder was never trained "
              "(Kingma & Welling 2014, sec. 1; Goodfellow et al. 2016, sec. 20.10.3).  Measured: the AE's "
              "codes are far from N(0, I) (moment-matched KL ~4 nats/dim).",
    explain="We trained 8 plain autoencoders on handwritten digits and fed their decoders random vectors: a digit "
            "classifier recognised only about 10 % of the results, against 84 % of real test digits.",
    phrasings=dict(asserts=["not all random vectors will generate meaningful digits",
                            "feeding random numbers to an autoencoder's decoder mostly gives garbage",
                            "most random latent vectors decode to images that do not look like digits"],
                   denies=["any random latent vector decodes to a realistic digit",
                           "Bob is right: the decoder turns random numbers into new digits"]),
    protocol=dict(GENERATION,
                  latent="prior",   # where the decoded vectors come from: N(0, I) ("prior") or the encoder's
                                    # codes of real test digits ("encoded_test", i.e. reconstructions)
                  rate="unrecognised",  # compare how often images are NOT recognised ("not meaningful")
                  ),
    measure="verify.experiments.generative_measures:decoded_vs_real",
    # "not all ... meaningful": a gap of 10 points in the unrecognised rate
    decision=Greater(min_effect=0.10, label="unrecognised(AE decodes) - unrecognised(real digits)"),
    falsifier=Falsifier("encoded_vectors", "decode the encoder's own codes of real test digits instead of "
                        "random vectors: reconstructions are recognised almost as often as the digits",
                        latent="encoded_test", kind=REGIME),
)

claim(
    id="q10a.ae.fitted_distribution_remedy",
    question="q10a",
    statement="Latent vectors sampled from a Gaussian fitted (mean and full covariance) to a plain "
              "autoencoder's codes of its training digits decode to recognised digits at least 10 "
              "percentage points more often than vectors drawn from N(0, I).",
    quote="For meaningful generation, the sampled latent vectors should come from the same distribution "
          "as those learned by the encoder during training.",
    kind=EMPIRICAL,
    expected=HOLDS,
    rationale="Ex-post density estimation on a deterministic autoencoder's codes turns it into a sampler "
              "(Ghosh et al. 2020, 'From variational to deterministic autoencoders', sec. 5: a Gaussian "
              "fitted to the codes already gives samples comparable to a VAE's).  A full-covariance "
              "Gaussian only matches the first two moments of the codes, so it is the student's remedy "
              "in its simplest form.  Measured (seed means): AE N(0, I) 0.11, AE fitted Gaussian 0.35, VAE prior "
              "0.36, real test digits 0.84 — the remedy works about as well as a VAE; a Gaussian fitted to "
              "ANOTHER seed's codes still gives 0.31, so most of the gain comes from matching the codes' "
              "location and scale rather than this encoder's exact distribution.",
    explain="Sampling latent vectors from a Gaussian fitted to a plain autoencoder's own codes raised the share of "
            "decoded images a digit classifier recognises from about 10 % to about 35 %.",
    phrasings=dict(asserts=["sampled latent vectors should come from the distribution the encoder learned",
                            "sampling from the distribution of the training codes gives better digits",
                            "fitting a distribution to the encoder's codes and sampling from it fixes Bob's problem"],
                   denies=["it does not matter which distribution the random latent vectors come from",
                           "sampling from N(0, I) works as well as sampling from the learned code distribution"]),
    protocol=dict(GENERATION,
                  remedy="fitted",  # "fitted": the Gaussian fitted to this AE's codes; "prior": N(0, I)
                  ),
    measure="verify.experiments.generative_measures:remedy_gain",
    # a remedy worth the name gains at least 10 points
    decision=Greater(min_effect=0.10, paired=True, label="recognised(AE, remedy) - recognised(AE, N(0, I))"),
    falsifier=Falsifier("ignore_learned_distribution", "sample the 'remedy' from N(0, I), i.e. without "
                        "considering the learned distribution: no gain", remedy="prior", kind=CONTROL),
)

claim(
    id="q10a.ae.bob_random_vectors_realistic",
    question="q10a",
    statement="Bob's claim: random vectors z ~ N(0, I) fed to a plain autoencoder's decoder give images a "
              "digit classifier recognises as often as real digits (recognised rates within 10 points).",
    kind=EMPIRICAL,
    expected=REFUTED,
    rationale="The opposite stance to the student's.  An autoencoder's decoder is only trained on the codes "
              "its encoder produces; N(0, I) samples mostly miss them (see q10a.ae.random_vectors_not_digits).",
    explain="A digit classifier recognised about 10 % of the images a plain autoencoder decodes from random vectors, "
            "against 84 % of real test digits, so random vectors do not give realistic digits.",
    phrasings=dict(asserts=["Bob is right: random vectors fed to the decoder give realistic new digits",
                            "the autoencoder's decoder can generate new digits from random numbers"],
                   denies=["a plain autoencoder is not a generative model",
                           "random vectors mostly decode to images that do not look like digits"]),
    protocol=dict(GENERATION,
                  latent="prior",   # "prior": N(0, I); "encoded_test": the encoder's codes of test digits
                  rate="recognised",  # compare how often images are recognised ("as often as real digits")
                  ),
    measure="verify.experiments.generative_measures:decoded_vs_real",
    # "as often as real digits": within 10 points of the real-digit rate
    decision=Equivalent(margin=0.10, label="recognised(AE decodes) - recognised(real digits)"),
    falsifier=Falsifier("encoded_vectors", "decode the encoder's codes of real test digits (reconstructions) "
                        "instead of random vectors: recognised about as often as the digits", latent="encoded_test",
                        kind=REGIME),
)

claim(
    id="q10a.vae.prior_samples_beat_ae",
    question="q10a",
    statement="A VAE's decoder fed z ~ N(0, I) gives recognised digits at least 10 percentage points more "
              "often than a plain autoencoder's decoder (same architecture and budget) fed z ~ N(0, I).",
    kind=EMPIRICAL,
    expected=HOLDS,
    rationale="The textbook answer to Bob: train a VAE, whose KL term pulls the aggregate posterior towards "
              "the prior N(0, I), so the decoder is trained on the region prior samples fall in "
              "(Kingma & Welling 2014; Doersch 2016, 'Tutorial on VAEs', sec. 2).  Without the KL term "
              "(beta = 0) nothing ties the codes to N(0, I) and the advantage should vanish.",
    explain="Fed random vectors, the decoders of 8 VAEs produced recognisable digits about 36 % of the time, against "
            "about 10 % for 8 plain autoencoders of the same size and training.",
    phrasings=dict(asserts=["a VAE generates better digits from random vectors than a plain autoencoder",
                            "to generate new digits, Bob should train a VAE instead"],
                   denies=["a VAE's random samples are no better than an autoencoder's",
                           "the KL term does not help generation"]),
    protocol=dict(GENERATION, quantity="prior", scale="linear"),
    measure="verify.experiments.generative_measures:vae_vs_ae",
    # 10 points: a clear, not marginal, advantage
    decision=Greater(min_effect=0.10, label="recognised(VAE, N(0, I)) - recognised(AE, N(0, I))"),
    falsifier=Falsifier("no_kl_term", "train the 'VAE' with KL weight 0: its codes drift from N(0, I)", beta=0.0,
                        kind=REGIME),
)

claim(
    id="q10a.ae.codes_follow_prior",
    question="q10a",
    statement="A plain autoencoder's codes of its training digits are distributed like N(0, I): the Gaussian "
              "moment-matched to them is within 0.1 nats per dimension (KL) of N(0, I).",
    kind=PROXY,
    expected=REFUTED,
    rationale="The misconception behind Bob's idea.  Proxy: the KL between the moment-matched Gaussian "
              "N(m, C) of the codes and N(0, I), per latent dimension, says how far the codes' location and "
              "scale are from the prior (it ignores higher moments, so passing it is necessary, not "
              "sufficient).  Nothing in an AE's loss constrains the codes' location or scale.",
    explain="The codes a plain autoencoder gives its training digits were far from a standard normal distribution: at "
            "least 3 nats per dimension away for every one of 8 models, against under 0.01 for a VAE.",
    phrasings=dict(asserts=["an autoencoder's latent codes are distributed like a standard normal",
                            "the autoencoder learns codes that follow N(0, I)"],
                   denies=["nothing forces a plain autoencoder's codes to follow N(0, I)",
                           "the codes of a normal autoencoder can be anywhere in latent space"]),
    protocol=dict(GENERATION,
                  model="ae",       # whose codes: "ae" (plain) or "vae" (posterior samples z)
                  tolerance=0.1,    # nats per dimension: 0.1 is a mean shift of 0.45 sd or a 1.6x variance
                  ),
    measure="verify.experiments.generative_measures:codes_prior_kl",
    decision=Exact("every seed's moment-matched KL(N(m, C) || N(0, I)) / k <= tolerance"),
    falsifier=Falsifier("vae_codes", "use a VAE's codes (posterior samples), which the KL term pulls to "
                        "N(0, I)", model="vae", kind=REGIME),
)


# =========================================================================== q10b

claim(
    id="q10b.vae.prior_samples_recognisable",
    question="q10b",
    statement="Sampling z ~ N(0, I) and decoding with a trained VAE gives recognised digits more than half as "
              "often as the same decoder's reconstructions of real test digits do.",
    quote="Variational Autoencoders (VAEs) are generative models that create new data similar to the input "
          "they are trained on.",
    kind=PROXY,
    statistical=True,
    expected=HOLDS,
    rationale="Proxy for 'generates new data similar to the training data': the judge, trained on real "
              "digits, recognises prior samples at a rate comparable to the decoder's own reconstructions. "
              "Dividing by the reconstruction rate discounts decoder blur (a capacity limit of a tiny "
              "decoder, shared with reconstruction) and isolates what sampling the latent space adds.  "
              "Absolute rates vs real digits and noise are in the evidence: the VAE's samples are blurry and "
              "reach well under half the real-digit rate, far above noise (measured seed means: prior samples "
              "0.36, reconstructions 0.62, real test digits 0.84, uniform noise 0.00, pixel-marginal noise "
              "0.10).  Kingma & Welling (2014, fig. 4) show recognisable MNIST samples.",
    explain="A digit classifier recognised about 36 % of the images 8 VAEs decode from random vectors, more than half "
            "the 62 % it recognises of their reconstructions of real digits (real digits: 84 %, random noise: under 10 "
            "%).",
    phrasings=dict(asserts=["VAEs are generative models that create new data similar to their training data",
                            "sampling a VAE's latent space gives new digits",
                            "a VAE can generate realistic new samples"],
                   denies=["a VAE cannot generate new data, it only reconstructs",
                           "random samples from a VAE do not look like the training data"]),
    protocol=dict(GENERATION,
                  fraction=0.5,     # "similar to the input": more than half the reconstruction rate
                  ),
    measure="verify.experiments.generative_measures:prior_vs_reconstruction",
    decision=Greater(min_effect=0.0, paired=True,
                     label="recognised(VAE prior samples) - fraction * recognised(VAE reconstructions)"),
    falsifier=Falsifier("no_kl_term", "KL weight 0: the decoder never sees N(0, I) codes", beta=0.0, kind=REGIME),
)

claim(
    id="q10b.vae.samples_not_copies",
    question="q10b",
    statement="A VAE's prior samples are not copies of training digits: fewer than 60 % of them lie closer "
              "to a training digit than to any held-out test digit (equal-size reference sets; a "
              "non-copying generator scores about 50 %).",
    quote="produce entirely new, realistic samples by sampling from the learned latent space rather than "
          "simply reconstructing existing data",
    kind=PROXY,
    statistical=True,
    expected=HOLDS,
    rationale="Proxy for 'entirely new': the data-copying test of Meehan, Chaudhuri & Dasgupta (2020) "
              "compares a sample's distance to training data with its distance to unseen data from the same "
              "distribution; samples that copy training digits sit nearer the training set.  The VAE's "
              "decoder is a smooth map of a continuous prior, and with 1,200 training digits and k = 8 it "
              "has no capacity to memorise them.",
    explain="About 55 % of a VAE's random samples were closer to a training digit than to any unseen test digit, "
            "about the 50 % expected of a generator that copies nothing (a copier scores 100 %).",
    phrasings=dict(asserts=["a VAE produces new samples rather than copies of its training data",
                            "VAE samples are not just reconstructions of existing digits"],
                   denies=["a VAE only memorises and reproduces its training images",
                           "VAE samples are copies of the training data"]),
    protocol=dict(GENERATION,
                  samples="prior",  # "prior": VAE prior samples; "train_copies": the training digits themselves
                  ceiling=0.6,      # copy rate 0.5 = no copying; 0.6 allows 10 points of closeness to training
                  ),
    measure="verify.experiments.generative_measures:copy_rate",
    decision=Greater(min_effect=0.0, label="ceiling - copy rate"),
    falsifier=Falsifier("exact_copies", "a 'generator' that emits training digits: every sample is nearest "
                        "to the training set", samples="train_copies", kind=CONTROL),
)

claim(
    id="q10b.structure.encoder_decoder_reconstructs",
    question="q10b",
    statement="A VAE is an encoder (image -> code) followed by a decoder (code -> image) that reconstructs "
              "the input: the judge assigns the true label to at least 80 % of a trained VAE's "
              "reconstructions decoder(mu(x)) of test digits, for every seed.",
    quote="They consist of encoders which learn significant patterns from input data, and decoders which use "
          "those learnt patterns to reconstruct the image.",
    kind=PROXY,
    expected=HOLDS,
    rationale="Proxy for 'encoders learn significant patterns ... decoders reconstruct the image': if the "
              "8-number code kept the digit's identity, the reconstruction keeps its label.  Kingma & "
              "Welling (2014) define the VAE as a probabilistic encoder q(z|x) and decoder p(x|z).",
    explain="After training, a digit classifier gave the right label to at least 87 % of each of 8 VAEs' "
            "reconstructions of unseen digits, so the 8-number code keeps the digit's identity.",
    phrasings=dict(asserts=["a VAE has an encoder that compresses the input and a decoder that reconstructs it",
                            "the decoder uses the learned code to reconstruct the image"],
                   denies=["a VAE has no encoder", "a VAE's decoder cannot reconstruct its input"]),
    protocol=dict(GENERATION, min_label_rate=0.8),
    measure="verify.experiments.generative_measures:reconstruction_labels",
    decision=Exact("every VAE seed's label-preserving reconstruction rate >= min_label_rate"),
    falsifier=Falsifier("untrained", "evaluate the encoder and decoder before any training (steps = 0)", steps=0,
                        kind=CONTROL),
)

claim(
    id="q10b.latent.distribution_vs_point",
    question="q10b",
    statement="A VAE's encoder outputs a mean and a variance per input and z is drawn from N(mu, sigma^2) "
              "(repeated encodings of one image differ; their sample mean and variance match mu and "
              "sigma^2), while a plain autoencoder's encoder maps each input to one fixed point.",
    quote="they learn a probabilistic latent space instead of encoding inputs into fixed latent vectors",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Definition (Kingma & Welling 2014, sec. 2.4 and appendix C.2): q(z|x) = N(mu(x), "
              "diag sigma^2(x)) with both from the encoder; an autoencoder's encoder is a deterministic "
              "function.  Checked on the trained models of the shared run: 4,000 draws per image, sample "
              "mean within 6 standard errors of mu and sample variance within 6 standard errors of sigma^2.",
    explain="Encoding the same digit twice gave a plain autoencoder the identical code, while a VAE's 4,000 draws for "
            "one digit differed and had the mean and spread its encoder predicted (within 4 standard errors).",
    phrasings=dict(asserts=["a VAE encodes each input as a distribution instead of a single point",
                            "VAEs learn a probabilistic latent space, autoencoders a fixed latent vector",
                            "the VAE's encoder outputs a mean and a variance"],
                   denies=["a VAE maps each input to one fixed latent vector, like an autoencoder",
                           "there is no randomness in a VAE's encoding"]),
    protocol=dict(GENERATION,
                  vae_sampler="reparam",  # how the VAE's z is produced: "reparam" (mu + sigma * eps) or "mean"
                  draws=4000,             # per image: standard error of the variance ratio sqrt(2/4000) = 0.022
                  images=16,              # test digits checked
                  z_tol=6.0,              # standard errors allowed (6 sd: no false alarm over 16 x 8 x 2 checks)
                  ),
    measure="verify.experiments.generative_measures:encoder_draws",
    decision=Exact("the AE encodes every image to the identical code twice (torch.equal) and has no variance, and the "
                   "VAE's draws for one image differ and have sample mean / variance within z_tol standard errors of "
                   "mu / sigma^2 in every coordinate"),
    falsifier=Falsifier("vae_uses_mean", "let the VAE output z = mu (no sampling): a fixed point like the AE",
                        vae_sampler="mean", kind=MUTATION),
)

claim(
    id="q10b.reparam.pathwise_gradient",
    question="q10b",
    statement="With the reparameterisation z = mu + sigma * eps (eps ~ N(0, I) drawn independently of the "
              "parameters), autograd gives dz/dmu = 1 and dz/dsigma = eps exactly, so the sampled z passes "
              "gradients to the encoder's mean and scale.",
    quote="the reparameterization trick, which ensures that sampling remains differentiable for training",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Kingma & Welling (2014, sec. 2.4): moving the randomness into eps makes z a deterministic, "
              "differentiable function of (mu, sigma).  Checked for the hand-written form and "
              "torch.distributions.Normal.rsample on fuzzed shapes: the gradient of sum(w * z) is w for mu "
              "and w * eps for sigma, to float64 round-off; plus torch.autograd.gradcheck.",
    explain="For random shapes we checked that z = mu + sigma * eps passes exactly the gradients 1 and eps back to mu "
            "and sigma, both by hand and with PyTorch's rsample.",
    phrasings=dict(asserts=["the reparameterization trick makes sampling differentiable",
                            "writing z = mu + sigma * eps lets gradients flow to the encoder",
                            "with reparameterization we can backpropagate through the sampling step"],
                   denies=["the reparameterization trick does not let gradients reach mu and sigma",
                           "sampling can never be differentiated"]),
    protocol=dict(samplers=("reparam", "rsample"),  # the reparameterised samplers under test
                  max_side=5, max_dims=3,          # shapes up to 5x5x5: vectors, batches of codes
                  examples=40,                     # Hypothesis examples; each is microseconds
                  ),
    measure="verify.experiments.generative_measures:sampler_gradients",
    decision=Exact("for every fuzzed shape and sampler, z requires grad and grad_mu == w, grad_sigma == w * eps (atol "
                   "1e-12), and gradcheck passes for (mu, sigma) -> mu + sigma * eps in float64"),
    falsifier=Falsifier("direct_sampling", "draw z with Normal(mu, sigma).sample() instead: no gradient "
                        "reaches mu or sigma", samplers=("sample",), kind=MUTATION),
)

claim(
    id="q10b.reparam.direct_sampling_differentiable",
    torch=TORCH_BEHAVIOUR,
    question="q10b",
    statement="Drawing z ~ N(mu, sigma^2) directly (torch.distributions.Normal(mu, sigma).sample() or "
              "torch.normal(mu, sigma)) already passes the loss gradient to mu and sigma, so no "
              "reparameterisation is needed.",
    kind=ANALYTIC,
    expected=REFUTED,
    rationale="A common misconception.  Normal.sample() runs under no_grad (z.requires_grad is False); "
              "torch.normal(mu, sigma) is in the graph but its registered derivative is zero for both "
              "arguments (derivatives.yaml: normal.Tensor_Tensor -> zeros_like), so either way the encoder "
              "gets no learning signal through z.",
    explain="Drawing z directly with PyTorch's Normal(mu, sigma).sample() or torch.normal passed no gradient (or a "
            "zero one) back to mu and sigma.",
    phrasings=dict(asserts=["sampling z directly from N(mu, sigma^2) is already differentiable",
                            "we do not need the reparameterization trick to train a VAE"],
                   denies=["without reparameterization no gradient flows through the sampling step",
                           "you cannot backpropagate through a random sample directly"]),
    protocol=dict(samplers=("sample", "torch_normal"),  # direct samplers under test
                  max_side=5, max_dims=3, examples=40),
    measure="verify.experiments.generative_measures:sampler_gradients",
    decision=Exact("for every fuzzed shape and sampler, z requires grad and grad_mu == w, grad_sigma == w * eps"),
    falsifier=Falsifier("use_rsample", "draw with Normal.rsample() (reparameterised): gradients flow",
                        samplers=("rsample",), kind=MUTATION),
)

claim(
    id="q10b.kl.codes_pulled_to_prior",
    question="q10b",
    statement="The KL term pulls the VAE's aggregate latent distribution onto the prior N(0, I): the "
              "Gaussian moment-matched to the codes (posterior samples) of the training digits is within "
              "0.1 nats per dimension of N(0, I), for every seed.",
    quote="VAEs introduce a KL divergence loss, which forces the learned latent space to follow a smooth, "
          "continuous distribution",
    kind=PROXY,
    expected=HOLDS,
    rationale="Proxy for 'forces the latent space to follow a smooth, continuous distribution': averaging "
              "KL(q(z|x) || N(0, I)) over the data bounds the KL of the aggregate posterior to the prior "
              "(Hoffman & Johnson 2016, 'ELBO surgery'), so its moment-matched Gaussian should be close to "
              "N(0, I); with KL weight 0 nothing constrains it (measured: 0.004 vs 6.6 nats/dim).  The claim "
              "checks the 'follow a distribution' half; 'smooth' is not separately supported here: decoded "
              "midpoints between two test digits' codes are recognised LESS often for the VAE (0.23) than "
              "for the AE (0.33), because the VAE's decoder is blurrier overall (reconstructions 0.62 vs "
              "0.81) — recognisability cannot separate smoothness from sharpness at this size.",
    explain="With the KL term, the codes of each of 8 VAEs were within 0.01 nats per dimension of a standard normal; "
            "without it (KL weight 0) they were several nats away.",
    phrasings=dict(asserts=["the KL term forces the latent space to follow a smooth, continuous distribution",
                            "the KL loss pushes the codes towards the prior N(0, I)"],
                   denies=["the KL term does not shape the latent space",
                           "the latent codes of a VAE are unconstrained"]),
    protocol=dict(GENERATION,
                  model="vae",      # whose codes: the VAE's posterior samples z
                  tolerance=0.1,    # nats/dim: a 0.45 sd mean shift or 1.6x variance
                  ),
    measure="verify.experiments.generative_measures:codes_prior_kl",
    decision=Exact("every seed's moment-matched KL(N(m, C) || N(0, I)) / k <= tolerance"),
    falsifier=Falsifier("no_kl_term", "train with KL weight 0", beta=0.0, kind=REGIME),
)

claim(
    id="q10b.kl.costs_reconstruction",
    question="q10b",
    statement="The KL term trades reconstruction for a regular latent space: a VAE's test reconstruction "
              "error (Bernoulli NLL of decoder(mu(x))) is at least 10 % higher than that of the same "
              "network trained without the KL term (a plain autoencoder).",
    kind=EMPIRICAL,
    expected=HOLDS,
    rationale="Textbook (Higgins et al. 2017, beta-VAE; Alemi et al. 2018, 'Fixing a broken ELBO'): the KL "
              "term limits the information the code carries (rate), so distortion rises.  The misconception "
              "'the KL term makes reconstructions better' is the denial of this claim.",
    explain="The VAEs' reconstructions of unseen digits had about 15 % higher error than those of plain autoencoders "
            "of the same size: the KL term trades reconstruction quality for a regular latent space.",
    phrasings=dict(asserts=["the KL term makes reconstructions worse",
                            "a VAE reconstructs less accurately than a plain autoencoder"],
                   denies=["the KL term improves reconstructions",
                           "VAEs reconstruct as well as or better than autoencoders"]),
    protocol=dict(GENERATION, quantity="recon_bce", scale="log"),
    measure="verify.experiments.generative_measures:vae_vs_ae",
    # log(1.1): at least 10 % higher error
    decision=Greater(min_effect=0.0953, label="log NLL(VAE) - log NLL(AE)"),
    falsifier=Falsifier("no_kl_term", "give the VAE KL weight 0: its error matches the AE's", beta=0.0, kind=REGIME),
)

claim(
    id="q10b.kl.closed_form",
    question="q10b",
    statement="For q = N(mu, diag sigma^2) and the prior N(0, I) the KL term has the closed form "
              "0.5 * sum(mu^2 + sigma^2 - 1 - log sigma^2).",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Kingma & Welling (2014, appendix B).  Checked against torch.distributions.kl_divergence on "
              "fuzzed shapes in float64.",
    explain="For random shapes, the formula 0.5 * sum(mu^2 + sigma^2 - 1 - log sigma^2) gave the same KL to a "
            "standard normal as PyTorch's own KL function, to 10 digits.",
    phrasings=dict(asserts=["the KL to N(0, I) has the closed form 0.5 * sum(mu^2 + sigma^2 - 1 - log sigma^2)",
                            "the VAE's KL term can be computed analytically"],
                   denies=["the KL term of a VAE must be estimated by sampling",
                           "the KL between two Gaussians has no closed form"]),
    protocol=dict(prior_std=1.0,            # the prior's standard deviation; the formula assumes 1
                  max_side=5, max_dims=3, examples=40),
    measure="verify.experiments.generative_measures:kl_closed_form",
    decision=Exact("for every fuzzed shape the closed form equals kl_divergence(N(mu, sigma), N(0, prior_std)) summed "
                   "over the last dimension (rtol 1e-10)"),
    falsifier=Falsifier("wider_prior", "compare with a prior N(0, 4 I): the formula is specific to N(0, I)",
                        prior_std=2.0, kind=MUTATION),
)
