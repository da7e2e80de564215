"""q01: latent size h of an autoencoder vs the classification accuracy of a probe on its code.

One run trains every (h, seed) autoencoder as ONE vmapped ensemble of
:class:`verify.lab.models.MaskedAutoencoder` (the inactive code units are multiplied by zero, so each
member is exactly an autoencoder with latent size h while all members share one parameter shape).
The frozen codes are then probed many times, per member and batched over members:

* :func:`logistic_probe` — multinomial logistic regression (L2-regularised, full-batch L-BFGS);
* :func:`pinv_lda_probe` — Fisher's linear discriminant with the pseudo-inverse of the pooled
  within-class covariance, the plug-in rule whose error peaks when the dimension approaches the
  number of labelled examples (Raudys & Duin 1998; the "peaking" of Hughes 1968);
* :func:`fisher_ratio` — held-out Fisher criterion of the 9 training LDA directions (a proxy for
  "class separability in the latent space");
* :func:`class_r2` — mean per-unit share of code variance explained by the class (a proxy for how
  much of the code is class-irrelevant detail).

Everything is memoised with :func:`verify.lab.memo.shared` (keyed by the seed streams), so the
claims of q01 train the autoencoders once per process and probe them under several conditions.
The claims' measurements are in :mod:`verify.experiments.latent_measures`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..lab.data import digits_split
from ..lab.memo import shared
from ..lab.models import MaskedAutoencoder
from ..lab.train import mse, train_ensemble
from ..seeding import SeedStream

__all__ = ["AESweep", "Probe", "autoencoder_sweep", "encode", "standardise", "labelled_subset", "logistic_probe",
           "pinv_lda_probe", "fisher_ratio", "class_r2", "class_share", "probe_sweep", "separability",
           "level_table", "two_lines_curve", "select_levels", "CLASSES"]

CLASSES = 10


@dataclass(frozen=True)
class AESweep:
    """Frozen codes and reconstruction errors of every (h, seed) autoencoder, member-major.

    Member m has latent size ``h[m]`` and seed index ``seed_index[m]``; members with the same seed
    index share their train/test split, initial weights (up to the mask), minibatch order and
    labelled subset, so comparisons across h can be paired by seed index.  Different seed indices
    draw different splits, so a slope averaged over seed indices is not tied to one test set.
    """

    levels: tuple[int, ...]
    seeds_per_h: int
    h: torch.Tensor             # (M,) latent size of each member
    seed_index: torch.Tensor    # (M,)
    mask: torch.Tensor          # (M, h_max) 1 on active code units
    codes_train: torch.Tensor   # (M, N_train, h_max)
    codes_test: torch.Tensor    # (M, N_test, h_max)
    y_train: torch.Tensor       # (M, N_train) each member's training labels (its seed index's split)
    y_test: torch.Tensor        # (M, N_test)
    mse_train: torch.Tensor     # (M,) reconstruction MSE per pixel, the images the AE was fitted on
    mse_test: torch.Tensor      # (M,) reconstruction MSE per pixel, held-out images

    def by_level(self, values: torch.Tensor) -> torch.Tensor:
        """(M,) member values as a (levels, seeds) table."""
        return values.reshape(len(self.levels), self.seeds_per_h)


@dataclass(frozen=True)
class Probe:
    """Member-major (M,) accuracies of a probe on every member's code."""

    train_acc: torch.Tensor
    test_acc: torch.Tensor

    @property
    def gap(self) -> torch.Tensor:
        """Train minus test accuracy: the probe's optimism."""
        return self.train_acc - self.test_acc


@shared
def autoencoder_sweep(seeds: SeedStream, levels: tuple[int, ...], seeds_per_h: int, hidden: int,
                      steps: int, batch_size: int, lr: float, train_size: int = 0) -> AESweep:
    """Train one masked autoencoder per (h, seed index) on the digits training split, all at once.

    Seed index i draws its split from ``seeds.int("split", i)`` and its initial weights and
    minibatch order from ``seeds.int("init", i)``.

    ``train_size`` > 0 trains the autoencoders on only the first ``train_size`` training images
    (the codes are still reported on the whole training split, the training MSE on the fitted images).

    ``steps=0`` gives untrained (randomly initialised) autoencoders: the control in which h changes
    nothing the data taught.
    """
    h_max = max(levels)
    hs = [h for h in levels for _ in range(seeds_per_h)]
    idx = [i for _ in levels for i in range(seeds_per_h)]
    # one seed per seed INDEX, shared across h: same split, init (up to the mask) and minibatch order
    member_seeds = [seeds.int("init", i) for i in idx]
    # one stratified train/test split per seed index: the test-set draw (597 images) moved the
    # accuracy slopes between master seeds twice as much as the seed noise within one split did, so
    # it is sampled -- and averaged -- within the run instead of being fixed once per run
    splits = [digits_split(seeds.int("split", i)) for i in range(seeds_per_h)]
    member = torch.tensor(idx)
    x_tr = torch.stack([s[0].flatten(1) for s in splits])[member]      # (M, N_train, 64)
    y_tr = torch.stack([s[1] for s in splits])[member]
    x_te = torch.stack([s[2].flatten(1) for s in splits])[member]
    y_te = torch.stack([s[3] for s in splits])[member]

    def make(i: int) -> MaskedAutoencoder:
        return MaskedAutoencoder(x_tr.shape[-1], hidden, hs[i], h_max)

    x_fit = x_tr[:, :train_size] if train_size else x_tr
    if steps > 0:
        ens = train_ensemble(make, member_seeds, x_fit, x_fit, loss=mse, steps=steps,
                             batch_size=batch_size, lr=lr, x_per_member=True)
    else:  # one Adam step at lr 0 builds the stacked ensemble and leaves every initial weight as drawn
        ens = train_ensemble(make, member_seeds, x_tr, x_tr, loss=mse, steps=1, batch_size=1, lr=0.0,
                             x_per_member=True)
    with torch.no_grad():
        c_tr, c_te = encode(ens.params, ens.buffers, x_tr), encode(ens.params, ens.buffers, x_te)
        r_tr = ((ens(x_fit, per_member=True) - x_fit) ** 2).mean(dim=(1, 2))
        r_te = ((ens(x_te, per_member=True) - x_te) ** 2).mean(dim=(1, 2))
    return AESweep(levels=tuple(levels), seeds_per_h=seeds_per_h, h=torch.tensor(hs),
                   seed_index=torch.tensor(idx), mask=ens.buffers["mask"].clone(),
                   codes_train=c_tr, codes_test=c_te, y_train=y_tr, y_test=y_te,
                   mse_train=r_tr, mse_test=r_te)


def encode(params: dict, buffers: dict, x: torch.Tensor) -> torch.Tensor:
    """(M, N, h_max) codes of stacked MaskedAutoencoder parameters for shared inputs (N, d) or
    per-member inputs (M, N, d)."""
    if x.dim() == 2:
        x = x.unsqueeze(0).expand(buffers["mask"].shape[0], *x.shape)
    return MaskedAutoencoder.encode_stacked(params, buffers, x)


def standardise(train: torch.Tensor, test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Scale each member's code units to zero mean, unit variance on its training codes; units
    with no variance (the masked ones) stay exactly zero."""
    mean = train.mean(dim=1, keepdim=True)
    std = train.std(dim=1, keepdim=True)
    std = torch.where(std > 1e-8, std, torch.ones_like(std))
    return (train - mean) / std, (test - mean) / std


def labelled_subset(y: torch.Tensor, per_class: int, n_subsets: int, seed: int) -> torch.Tensor:
    """(n_subsets, per_class * 10) indices into ``y``: a class-balanced labelled subset per seed index."""
    g = torch.Generator().manual_seed(seed % 2**63)
    out = []
    for _ in range(n_subsets):
        picks = []
        for c in range(CLASSES):
            idx = (y == c).nonzero().flatten()
            picks.append(idx[torch.randperm(len(idx), generator=g)[:per_class]])
        out.append(torch.cat(picks).sort().values)
    return torch.stack(out)


def _accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(M,) accuracy of (M, N, C) logits against (M, N) or (N,) labels."""
    return (logits.argmax(-1) == y).float().mean(dim=-1)


def logistic_probe(x_tr: torch.Tensor, y_tr: torch.Tensor, x_te: torch.Tensor, y_te: torch.Tensor, *,
                   l2: float, max_iter: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Multinomial logistic regression per member, all members in one L-BFGS problem.

    x: (M, N, D) per-member features, y_tr: (M, N) labels.  Minimises, for every member,
    mean cross-entropy + ``l2`` * ||W||^2 (the members' objectives are a sum of independent
    convex terms, so the joint minimiser is every member's own).  Returns (train_acc, test_acc).
    """
    m, _, d = x_tr.shape
    w = torch.zeros(m, d, CLASSES, dtype=x_tr.dtype, requires_grad=True)
    b = torch.zeros(m, 1, CLASSES, dtype=x_tr.dtype, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=max_iter, max_eval=max_iter * 5 // 4, history_size=10,
                            tolerance_grad=1e-9, tolerance_change=1e-12, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        logits = torch.bmm(x_tr, w) + b
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, CLASSES), y_tr.reshape(-1),
                                               reduction="none").reshape(m, -1).mean(dim=1)
        loss = (ce + l2 * (w ** 2).sum(dim=(1, 2))).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return _accuracy(torch.bmm(x_tr, w) + b, y_tr), _accuracy(torch.bmm(x_te, w) + b, y_te)


def _class_stats(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Class means (M, C, D), class counts (M, C) and pooled within-class scatter (M, D, D)."""
    onehot = torch.nn.functional.one_hot(y, CLASSES).to(x.dtype)                # (M, N, C)
    counts = onehot.sum(dim=1)                                                   # (M, C)
    means = torch.einsum("mnc,mnd->mcd", onehot, x) / counts.clamp_min(1)[..., None]
    resid = x - torch.einsum("mnc,mcd->mnd", onehot, means)
    return means, counts, torch.einsum("mnd,mne->mde", resid, resid)


def pinv_lda_probe(x_tr: torch.Tensor, y_tr: torch.Tensor, x_te: torch.Tensor,
                   y_te: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Fisher LDA with the pseudo-inverse of the pooled within-class covariance (equal priors).

    The classic plug-in rule of the peaking literature: its expected error rises sharply as the
    dimension approaches the number of training examples (Raudys & Duin 1998).
    Returns (train_acc, test_acc) per member.
    """
    means, counts, scatter = _class_stats(x_tr, y_tr)
    dof = (x_tr.shape[1] - CLASSES)
    prec = torch.linalg.pinv(scatter / dof, hermitian=True)                    # (M, D, D)
    wt = torch.einsum("mde,mce->mcd", prec, means)                              # (M, C, D)
    bias = -0.5 * (wt * means).sum(-1)                                          # (M, C)

    def logits(x):
        return torch.einsum("mnd,mcd->mnc", x, wt) + bias[:, None]

    return _accuracy(logits(x_tr), y_tr), _accuracy(logits(x_te), y_te)


def fisher_ratio(x_tr: torch.Tensor, y_tr: torch.Tensor, x_te: torch.Tensor, y_te: torch.Tensor, *,
                 ridge: float) -> torch.Tensor:
    """Held-out Fisher criterion: the sum over the 9 discriminant directions found on the TRAINING
    codes of the between- over within-class scatter of the TEST codes projected on each (generalised eigenvectors of
    S_b v = lambda (S_w + ridge * mean eigenvalue * I) v).  (M,) values; larger = better separated.
    """
    means, counts, sw = _class_stats(x_tr, y_tr)
    grand = (counts[..., None] * means).sum(1, keepdim=True) / counts.sum(1)[:, None, None]
    dm = means - grand
    sb = torch.einsum("mc,mcd,mce->mde", counts, dm, dm)
    d = sw.shape[-1]
    scale = torch.diagonal(sw, dim1=-2, dim2=-1).sum(-1) / d
    a = sw + ridge * scale[:, None, None] * torch.eye(d, dtype=sw.dtype)
    chol = torch.linalg.cholesky(a)
    inv_l = torch.linalg.solve_triangular(chol, torch.eye(d, dtype=sw.dtype).expand_as(a), upper=False)
    _, vecs = torch.linalg.eigh(inv_l @ sb @ inv_l.transpose(-1, -2))
    proj = inv_l.transpose(-1, -2) @ vecs[..., -(CLASSES - 1):]                 # (M, D, 9)
    z = torch.bmm(x_te, proj)
    means_te, counts_te, sw_te = _class_stats(z, y_te)
    grand_te = (counts_te[..., None] * means_te).sum(1, keepdim=True) / counts_te.sum(1)[:, None, None]
    between = (counts_te[..., None] * (means_te - grand_te) ** 2).sum(1)       # (M, 9)
    within = torch.diagonal(sw_te, dim1=-2, dim2=-1)                            # (M, 9)
    # a direction living in masked units (h < 9) has no spread at all: it separates nothing
    return torch.where(within > 1e-12, between / within.clamp_min(1e-12), torch.zeros_like(within)).sum(-1)


def class_r2(x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(M,) mean over the active code units of the share of the unit's variance explained by the
    class (eta squared, between-class / total variance).  Low = the units mostly carry within-class
    variation (style, stroke detail) rather than class identity."""
    onehot = torch.nn.functional.one_hot(y, CLASSES).to(x.dtype).expand(x.shape[0], -1, -1)
    counts = onehot.sum(1)
    means = torch.einsum("mnc,mnd->mcd", onehot, x) / counts.clamp_min(1)[..., None]
    total = x.var(dim=1, unbiased=False)                                        # (M, D)
    grand = x.mean(dim=1, keepdim=True)
    between = (counts[..., None] * (means - grand) ** 2).sum(1) / x.shape[1]     # (M, D)
    r2 = torch.where(total > 1e-12, between / total.clamp_min(1e-12), torch.zeros_like(total))
    return (r2 * mask).sum(-1) / mask.sum(-1)


def class_share(sw: AESweep) -> torch.Tensor:
    """(M,) :func:`class_r2` of every member's standardised test codes."""
    _, x_te = standardise(sw.codes_train.double(), sw.codes_test.double())
    return class_r2(x_te, sw.y_test, sw.mask.double()).float()


def _subsets_per_index(sw: AESweep, per_class: int, repeats: int, labels: SeedStream) -> torch.Tensor:
    """(seeds_per_h, repeats, per_class * 10) labelled subsets of each seed index's own training split."""
    first = [int((sw.seed_index == i).nonzero()[0]) for i in range(sw.seeds_per_h)]
    return torch.stack([labelled_subset(sw.y_train[m], per_class, repeats, labels.int("subset", i))
                        for i, m in enumerate(first)])


@shared
def probe_sweep(sweep_args: tuple, probe: str, per_class: int, repeats: int, labels: SeedStream,
                l2: float, max_iter: int, shuffle_labels: bool) -> Probe:
    """Probe every member of ``autoencoder_sweep(*sweep_args)`` on its own standardised codes.

    ``per_class=0`` uses every training label (about 120 per class); otherwise ``repeats``
    class-balanced subsets of ``per_class`` labels per class per seed index (the same subsets for
    every h), and a member's accuracy is its mean over its subsets.  ``shuffle_labels`` permutes
    the labelled examples' labels (the no-information control).  ``labels`` draws the subsets
    (source ``"subset"``, per seed index) and the permutation (``"shuffle"``).
    """
    sw = autoencoder_sweep(*sweep_args)
    # float64 for the pseudo-inverse (its cut-off decides which directions count); float32 is
    # enough for the convex logistic fit and halves its cost
    dtype = torch.float64 if probe == "pinv_lda" else torch.float32
    x_tr, x_te = standardise(sw.codes_train.to(dtype), sw.codes_test.to(dtype))
    m = x_tr.shape[0]
    if per_class:
        subsets = _subsets_per_index(sw, per_class, repeats, labels)[sw.seed_index].flatten(0, 1)
        member = torch.arange(m).repeat_interleave(repeats)
    else:
        repeats = 1
        subsets = torch.arange(sw.y_train.shape[1]).expand(m, -1)
        member = torch.arange(m)
    x_l = x_tr[member[:, None], subsets]
    y_l = sw.y_train[member[:, None], subsets]
    if shuffle_labels:
        g = labels.generator("shuffle")
        y_l = torch.stack([row[torch.randperm(len(row), generator=g)] for row in y_l])
    if probe not in ("logistic", "pinv_lda"):
        raise ValueError(f"unknown probe {probe!r}; use 'logistic' or 'pinv_lda'")
    tr, te = torch.empty(len(member)), torch.empty(len(member))
    # one problem per latent size, on the h active units only (the mask keeps units :h): the masked
    # zeros change no fit (their weights feel only the ridge and stay 0) but cost 4x the compute
    for h in sw.levels:
        rows = (sw.h[member] == h).nonzero().flatten()
        xl, xt = x_l[rows, :, :h], x_te[member[rows], :, :h]
        yt = sw.y_test[member[rows]]
        if probe == "logistic":
            tr[rows], te[rows] = logistic_probe(xl, y_l[rows], xt, yt, l2=l2, max_iter=max_iter)
        else:
            out = pinv_lda_probe(xl, y_l[rows], xt, yt)
            tr[rows], te[rows] = out[0].float(), out[1].float()
    return Probe(train_acc=tr.reshape(m, repeats).mean(1), test_acc=te.reshape(m, repeats).mean(1))


@shared
def separability(sweep_args: tuple, per_class: int, labels: SeedStream, ridge: float,
                 shuffle_labels: bool) -> torch.Tensor:
    """(M,) held-out Fisher criterion of every member's standardised codes (see :func:`fisher_ratio`);
    the discriminant directions are fitted on ``per_class`` labels per class (0: all), with the
    labels permuted when ``shuffle_labels``."""
    sw = autoencoder_sweep(*sweep_args)
    x_tr, x_te = standardise(sw.codes_train.double(), sw.codes_test.double())
    m = x_tr.shape[0]
    if per_class:
        subsets = _subsets_per_index(sw, per_class, 1, labels)[sw.seed_index, 0]
    else:
        subsets = torch.arange(sw.y_train.shape[1]).expand(m, -1)
    x_l = x_tr[torch.arange(m)[:, None], subsets]
    y_l = sw.y_train[torch.arange(m)[:, None], subsets]
    y_te = sw.y_test
    if shuffle_labels:  # both sides: for h < 9 the 9 directions span the code whatever the labels
        g = labels.generator("shuffle")
        y_l = torch.stack([row[torch.randperm(len(row), generator=g)] for row in y_l])
        y_te = torch.stack([row[torch.randperm(len(row), generator=g)] for row in y_te])
    return fisher_ratio(x_l, y_l, x_te, y_te, ridge=ridge).float()


def level_table(sw: AESweep, **values: torch.Tensor) -> dict[str, dict[str, str]]:
    """Evidence: for every h, 'mean +- sd over seeds' of each named (M,) member measurement."""
    out = {}
    for k, h in enumerate(sw.levels):
        row = {}
        for name, v in values.items():
            t = sw.by_level(v.float())[k]
            row[name] = f"{t.mean().item():.4g} +- {t.std().item():.2g}"
        out[f"h={h}"] = row
    return out


def two_lines_curve(sw: AESweep, values: torch.Tensor, *, y_label: str) -> dict:
    """Evidence for a figure (verify.figures ``"curve"``): per h the mean of ``values`` over seeds with
    its 95% t-interval, the two-lines breakpoint and the two fitted limbs.

    The breakpoint is the Robin Hood breakpoint of :func:`verify.stats.two_lines_test` on the
    seed-index-centred values, the fit that :class:`verify.stats.TwoLines` (``by_side``) decides on.
    Each limb is the OLS line of its side's level means, which in the balanced design equals the
    within-seed slope; it is drawn through the centroid of those means.  Nothing here decides.
    """
    import math

    import numpy as np

    from verify.evidence import curve
    from verify.stats import two_lines_test

    table = sw.by_level(values.double())
    x2 = [math.log2(h) for h in sw.levels]
    means = table.mean(1).tolist()
    lines, bp = [], None
    if len(sw.levels) >= 4:
        centred = table - table.mean(0, keepdim=True)     # one seed index per column
        bp = two_lines_test(np.repeat(x2, sw.seeds_per_h), centred.flatten().numpy()).breakpoint
        for side in (lambda v: v <= bp, lambda v: v > bp):
            xs = [v for v in x2 if side(v)]
            ys = [m for v, m in zip(x2, means) if side(v)]
            slope = float(np.polyfit(xs, ys, 1)[0])
            cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
            lines.append({"x": [2 ** xs[0], 2 ** xs[-1]],
                          "y": [cy + slope * (xs[0] - cx), cy + slope * (xs[-1] - cx)]})
    return curve(list(sw.levels), table.tolist(), x_label="h", y_label=y_label, x_scale="log2",
                 breakpoint=None if bp is None else 2 ** bp, lines=lines)


def select_levels(sw: AESweep, levels: tuple[int, ...]) -> torch.Tensor:
    """(M,) boolean mask of the members whose latent size is in ``levels``."""
    return torch.isin(sw.h, torch.tensor(levels))
