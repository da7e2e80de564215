"""The measures of the q08 claims about the alignment map: a tiny Bahdanau-style aligner (random
weights: the claims are structural) and, for q08c, aligners trained on the slot task.

Each measure takes ``(p, ctx)``; the aligner's size comes from the protocol (vocab, t_x, t_y,
emb, hidden, attn, dec), its init and its input from the claim's seed stream ``aligner``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from ..stats import Check, Pair
from .attention import BahdanauAligner, trained_slot_attention

__all__ = ["AlignerCase", "aligner_case", "annotation_change", "map_layout", "column_sums", "plotted_shape",
           "column_variation", "brightness", "annotation_context", "forward_context", "one_hot_readout",
           "context_gradient", "slot_spread", "slot_accuracy"]


@dataclass(frozen=True)
class AlignerCase:
    """A random aligner, a source sentence x (1, t_x) and decoder states s (1, t_y, dec)."""

    model: BahdanauAligner
    x: torch.Tensor
    s: torch.Tensor

    def alignment(self, dim: int = -1) -> torch.Tensor:
        """The (t_y, t_x) alignment matrix a_ij (softmax over ``dim``)."""
        with torch.no_grad():
            return self.model.align(self.s, self.model.annotations(self.x), dim=dim)[0]


def aligner_case(p, stream, encoder: str = "bigru") -> AlignerCase:
    """The aligner of protocol ``p`` with ``encoder``, initialised from ``stream.int("init")``, and
    its input drawn from ``stream.generator("input")``."""
    torch.manual_seed(stream.int("init"))   # nn.Module initialisers draw from the global generator
    m = BahdanauAligner(p.vocab, p.emb, p.hidden, p.attn, p.dec, encoder=encoder)
    g = stream.generator("input")
    x = torch.randint(p.vocab, (1, p.t_x), generator=g)
    return AlignerCase(m, x, torch.randn(1, p.t_y, p.dec, generator=g))


# ------------------------------------------------------------------------------ q08a: the map --

def map_layout(p, ctx) -> Check:
    """The alignment matrix as plotted (``p.layout``: 'rows_target' or 'transposed'); ok iff it is
    (t_y, t_x), every row sums to 1 within 1e-6 and not every column does."""
    a = aligner_case(p, ctx.stream("aligner")).alignment()
    plotted = a if p.layout == "rows_target" else a.T
    rows = (plotted.sum(-1) - 1).abs().max()
    cols = (plotted.sum(0) - 1).abs().max()
    ok = tuple(plotted.shape) == (p.t_y, p.t_x) and rows <= 1e-6 and cols > 1e-6
    return Check(ok=bool(ok), difference=float(rows), tolerance=1e-6, statistic_name="max |row sum - 1|",
                 evidence={"layout": p.layout, "shape": list(plotted.shape),
                           "row sums": plotted.sum(-1).tolist(), "column sums": plotted.sum(0).tolist()})


def column_sums(p, ctx) -> Check:
    """The column sums of the alignment matrix (softmax over ``p.softmax_dim``); ok iff all are 1 within 1e-6."""
    a = aligner_case(p, ctx.stream("aligner")).alignment(dim=p.softmax_dim)
    dev = float((a.sum(0) - 1).abs().max())
    return Check(ok=dev <= 1e-6, difference=dev, tolerance=1e-6, statistic_name="max |column sum - 1|",
                 evidence={"column sums": a.sum(0).tolist()})


def plotted_shape(p, ctx) -> Check:
    """The plotted matrix's shape (``p.layout``); ok iff it has t_x rows and t_y columns."""
    a = aligner_case(p, ctx.stream("aligner")).alignment()
    plotted = a if p.layout == "rows_target" else a.T
    return Check(ok=tuple(plotted.shape) == (p.t_x, p.t_y), statistic_name="shape",
                 evidence={"shape": list(plotted.shape), "t_x (source)": p.t_x, "t_y (target)": p.t_y})


def column_variation(p, ctx) -> Check:
    """How much a column of the alignment varies over target words (``p.same_state``: one decoder
    state for all); ok iff every column is constant within 1e-6."""
    case = aligner_case(p, ctx.stream("aligner"))
    if p.same_state:
        case = AlignerCase(case.model, case.x, case.s[:, :1].expand_as(case.s))
    a = case.alignment()
    dev = float((a - a[:1]).abs().max())
    return Check(ok=dev <= 1e-6, difference=dev, tolerance=1e-6, statistic_name="max column variation",
                 evidence={"alignment": [[round(v, 3) for v in r] for r in a.tolist()]})


def brightness(p, ctx) -> Check:
    """8-bit gray levels of the weights under ``p.colormap`` ('gray': 0 black, 1 white; 'gray_r');
    ok iff they do not decrease as the weight grows and the largest weight is the brightest."""
    a = aligner_case(p, ctx.stream("aligner")).alignment().flatten()
    intensity = torch.round((a if p.colormap == "gray" else 1 - a) * 255)
    order = torch.argsort(a)
    ok = bool((intensity[order].diff() >= 0).all() and intensity[order[-1]] == intensity.max())
    return Check(ok=ok, statistic_name="intensity monotone in weight",
                 evidence={"colormap": p.colormap, "weights (sorted)": a[order].tolist()[:6] + ["..."],
                           "intensities (same order)": intensity[order].tolist()[:6] + ["..."]})


# ------------------------------------------------------------------------------ q08b: context --

def annotation_change(p, stream, side: str) -> list[float]:
    """Per source position j, the largest change of the annotation h_j (= the context vector of a
    row one-hot on j) when one other source word is replaced: any other ('any'), one after j
    ('after') or one before j ('before')."""
    case = aligner_case(p, stream, encoder=p.encoder)
    m, x = case.model, case.x
    chosen = {"any": lambda j, pos: True, "after": lambda j, pos: pos > j, "before": lambda j, pos: pos < j}[side]
    table = []
    with torch.no_grad():
        h = m.annotations(x)[0]
        for j in range(p.t_x):
            worst = 0.0
            for pos in range(p.t_x):
                if pos != j and chosen(j, pos):
                    x2 = x.clone()
                    x2[0, pos] = (x2[0, pos] + 1) % p.vocab
                    worst = max(worst, float((m.annotations(x2)[0, j] - h[j]).abs().max()))
            table.append(worst)
    return table


def annotation_context(p, ctx) -> Check:
    """The largest change of any h_j when another source word changes (encoder ``p.encoder``); ok iff
    it is within ``p.tol``."""
    table = annotation_change(p, ctx.stream("aligner"), "any")
    return Check(ok=max(table) <= p.tol, difference=max(table), tolerance=p.tol,
                 statistic_name="max change of h_j when another word changes",
                 evidence={"encoder": p.encoder, "max change of h_j per position j": table})


def forward_context(p, ctx) -> Check:
    """Changes of h_j from words after j and before j; ok iff those after stay within ``p.tol`` and
    some before exceeds it."""
    right = annotation_change(p, ctx.stream("aligner"), "after")
    left = annotation_change(p, ctx.stream("aligner"), "before")
    return Check(ok=max(right) <= p.tol and max(left) > p.tol, difference=max(right), tolerance=p.tol,
                 statistic_name="max change of h_j from words after j",
                 evidence={"encoder": p.encoder, "after j": right, "before j": left})


def one_hot_readout(p, ctx) -> Check:
    """With attention one-hot on the middle source word j, the change of the output distribution when
    the decoder state and every other source word change (``p.read_state``: the readout sees the
    state); ok iff within ``p.tol``."""
    case = aligner_case(p, ctx.stream("aligner"), encoder=p.encoder)
    m, x, s = case.model, case.x, case.s
    j = p.t_x // 2
    onehot = torch.zeros(1, 1, p.t_x)
    onehot[..., j] = 1.0
    x2 = (x + 1) % p.vocab
    x2[0, j] = x[0, j]
    with torch.no_grad():
        y1 = m.readout(s[:, :1], m.context(onehot, m.annotations(x)), read_state=p.read_state)
        y2 = m.readout(s[:, 1:2], m.context(onehot, m.annotations(x2)), read_state=p.read_state)
    change = float((y1 - y2).abs().max())
    return Check(ok=change <= p.tol, difference=change, tolerance=p.tol, statistic_name="max change of p(y_i)",
                 evidence={"encoder": p.encoder, "read_state": p.read_state})


# ------------------------------------------------------------------------------ q08c: spread ---

def context_gradient(p, ctx) -> Check:
    """Autograd's d c_i / d h_j for a row of random scores with ``p.keep`` source words unmasked;
    ok iff it equals a_ij (to 1e-6) and at least two positions move c_i."""
    case = aligner_case(p, ctx.stream("aligner"))
    h = case.model.annotations(case.x).detach().requires_grad_(True)
    e = torch.randn(1, 1, p.t_x, generator=ctx.generator("scores"))
    mask = torch.ones(1, 1, p.t_x, dtype=torch.bool)
    mask[..., :p.keep] = False
    a = torch.softmax(e.masked_fill(mask, float("-inf")), -1)
    c = case.model.context(a, h)
    influence = torch.autograd.grad(c[0, 0].sum(), h)[0][0][:, 0]   # d(sum c)/d h_j = a_j * 1
    match = float((influence - a[0, 0]).abs().max())
    n_infl = int((influence != 0).sum())
    return Check(ok=match <= 1e-6 and n_infl >= 2, difference=n_infl, tolerance=2,
                 statistic_name="source positions influencing c_i",
                 evidence={"weights": a[0, 0].tolist(), "d c_i/d h_j": influence.tolist()})


def _slot_run(p, ctx):
    """The trained slot-task ensemble, shared by the q08c claims (one run per protocol)."""
    return trained_slot_attention(ctx.shared_stream("q08c-slot-task"), p.seeds, p.need_b, p.steps,
                                  vocab=p.vocab, t_x=p.t_x, batch=p.batch, lr=p.lr)


def slot_spread(p, ctx) -> Pair:
    """Per seed, the mean largest attention weight of slot A's rows (a) and of slot B's (b)."""
    r = _slot_run(p, ctx)
    return Pair([m.max_weight_a for m in r.members], [m.max_weight_b for m in r.members],
                evidence={"per_seed": [asdict(m) for m in r.members]})


def slot_accuracy(p, ctx) -> Pair:
    """Per seed, slot B's accuracy on its spread rows (a) against chance, 1/vocab (b)."""
    r = _slot_run(p, ctx)
    return Pair([m.spread_accuracy for m in r.members], [1 / p.vocab] * len(r.members),
                evidence={"per_seed": [asdict(m) for m in r.members]})
