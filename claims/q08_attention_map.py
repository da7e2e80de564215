"""q08 — Reading an attention (alignment) map.

Reconstructed question (figure: Bahdanau, Cho & Bengio 2015, "Neural Machine Translation by
Jointly Learning to Align and Translate", Fig. 3a — the English->French alignment matrix for
"The agreement on the European Economic Area was signed in August 1992."):
a) What does each pixel of the map represent?
b) What does a row with only one non-zero entry mean?
c) What do rows with several non-zero entries mean?
d) Why do rows with a single non-zero pixel appear white while other non-zero pixels are gray?

The figure itself is not available at run time, so its statements are checked on what produced
it: softmax rows (fuzzed with Hypothesis over shapes, softmax dimension, dtypes, magnitudes and
-inf masks), a tiny Bahdanau-style aligner with a bidirectional-GRU encoder (random weights: the
claims are structural) and, for c), a tiny additive-attention model trained on a task where one
target slot needs one source word and another needs two.
"""

from verify import ANALYTIC, EMPIRICAL, HOLDS, PROXY, REFUTED, Falsifier, claim, exact

DTYPES = ("float32", "float64", "bfloat16", "float16")   # every softmax dtype CPU torch supports


def _tol(dtype, m):
    """Row-sum tolerance: each of m weights is rounded once to the dtype (relative error <= eps/2),
    plus the reduction: m * eps bounds both (bfloat16 eps 2^-7, float16 2^-10, float32 2^-23)."""
    import torch

    return max(1, m) * torch.finfo(dtype).eps


def _normalise(z, dim, how):
    """The row normalisation under test: 'softmax' (attention), 'sigmoid' (independent gates, no
    normalisation), 'rowmax' (softmax then per-row rescaling so the brightest pixel is white)."""
    import torch

    if how == "softmax":
        return torch.softmax(z, dim=dim)
    if how == "sigmoid":
        return torch.sigmoid(z)
    if how == "rowmax":
        y = torch.softmax(z, dim=dim)
        return y / y.amax(dim=dim, keepdim=True)
    raise ValueError(f"normalise must be 'softmax', 'sigmoid' or 'rowmax', got {how!r}")


def _logits_strategy(p):
    """Hypothesis strategy: (shape, softmax dim, dtype, scale, spikes, data seed)."""
    from hypothesis import strategies as st

    shapes = st.lists(st.integers(1, p.max_side), min_size=1, max_size=p.max_dims).map(tuple)
    return shapes.flatmap(lambda s: st.tuples(
        st.just(s), st.integers(0, len(s) - 1), st.sampled_from(DTYPES),
        st.sampled_from(p.scales), st.booleans(), st.integers(0, 2**31 - 1)))


def _masked_logits(case, p, *, fully_masked_row: bool):
    """Logits of the case and a -inf mask leaving >= 1 entry per softmax slice unmasked (or, with
    ``fully_masked_row``, one slice entirely masked)."""
    import torch

    shape, dim, dtype, scale, spikes, seed = case
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64) * scale
    if spikes and x.numel() >= 2:          # the large logits of the brief: +1e4 and -1e4
        x.view(-1)[0], x.view(-1)[-1] = 1e4, -1e4
    mask = torch.rand(shape, generator=g) < p.mask_rate
    keep = torch.nn.functional.one_hot(torch.randint(shape[dim], shape[:dim] + shape[dim + 1:], generator=g),
                                       shape[dim]).movedim(-1, dim).bool()
    mask &= ~keep                           # at least one unmasked entry per slice
    if fully_masked_row:
        idx = [0] * len(shape)
        idx[dim] = slice(None)
        mask[tuple(idx)] = True
    return x.to(getattr(torch, dtype)), mask


# ------------------------------------------------------------------------------ q08d headline --

_FUZZ = dict(max_dims=4,        # up to 4-D: (batch, heads, target, source) attention tensors
             max_side=7,        # sides 1..7: length-1 rows and rows longer than the masks
             scales=(1e-3, 1.0, 30.0, 1e4),   # near-uniform, ordinary, saturating, extreme logits
             mask_rate=0.5,     # half the entries masked with -inf on average
             examples=120)      # Hypothesis examples; each is microseconds


@claim(
    id="q08d.softmax.rows_sum_to_one", question="q08d",
    statement="A softmax over the source axis makes every row a probability distribution: weights "
              "in [0, 1], masked (-inf) entries exactly 0, and the row sums to 1 within m*eps of "
              "its dtype, for any shape, softmax dimension, dtype (float32/64, bfloat16, float16), "
              "logit magnitude up to 1e4 and -inf mask, whenever at least one entry is unmasked.",
    quote="each row represents a target word, and the values sum to 1",
    kind=ANALYTIC, expected=HOLDS,
    rationale="softmax(z)_j = exp(z_j - max z) / sum_k exp(z_k - max z): torch subtracts the max, "
              "so large logits cannot overflow, exp(-inf) = 0 for masked entries, and the "
              "denominator is >= 1 when one entry is finite. Bahdanau et al. (2015, eq. 6) define "
              "a_ij by this softmax over source positions j. A fully masked row is NaN "
              "(q08d.softmax.fully_masked_row_nan), hence the condition.",
    protocol=dict(**_FUZZ, fully_masked_row=False),
    rule="HOLDS iff no fuzzed case gives a non-finite weight, a weight outside [0, 1], a masked "
         "weight != 0, or a slice sum off 1 by more than m * finfo(dtype).eps",
    falsifier=Falsifier("fully_masked_row", "mask one whole row with -inf", fully_masked_row=True),
)
def rows_sum_to_one(p, ctx):
    import torch

    from verify.lab.fuzz import counterexample

    def ok(case):
        x, mask = _masked_logits(case, p, fully_masked_row=p.fully_masked_row)
        dim = case[1]
        y = torch.softmax(x.masked_fill(mask, float("-inf")), dim=dim)
        yd = y.double()
        return bool(torch.isfinite(yd).all() and (yd >= 0).all() and (yd <= 1).all()
                    and (yd[mask] == 0).all()
                    and ((yd.sum(dim) - 1).abs() <= _tol(y.dtype, x.shape[dim])).all())

    bad = counterexample(_logits_strategy(p), ok, examples=p.examples, seed=ctx.seed("fuzz"))
    worst = {}
    for dt in DTYPES:   # a fixed table for graders: worst |row sum - 1| per dtype, 64 rows of 7
        x = (torch.randn(64, 7, generator=ctx.generator(dt), dtype=torch.float64) * 30).to(getattr(torch, dt))
        worst[dt] = float((torch.softmax(x, -1).double().sum(-1) - 1).abs().max())
    return exact(bad is None, statistic_name="counterexample",
                 reason="" if bad is None else f"case (shape, dim, dtype, scale, spikes, seed) = {bad}",
                 evidence={"counterexample": bad, "examples": p.examples,
                           "worst |row sum - 1| at scale 30, 64x7": worst,
                           "tolerance m*eps (m=7)": {dt: _tol(getattr(torch, dt), 7) for dt in DTYPES}})


@claim(
    id="q08d.softmax.fully_masked_row_nan", question="q08d",
    statement="A row whose entries are all masked with -inf comes out of softmax as all NaN "
              "(0/0), in every dtype; with a large finite fill (the dtype's minimum) it comes out "
              "uniform instead.",
    kind=ANALYTIC, expected=HOLDS,
    rationale="exp(-inf - max) with max = -inf is exp(nan): 0/0. A finite fill f gives "
              "exp(f - f) = 1 for every entry, a uniform row. (A fill of -1e9 cannot even be "
              "written into a float16 tensor: masked_fill raises an overflow error.)",
    protocol=dict(max_side=7, examples=40, fill="-inf"),   # row lengths 1..7, all CPU dtypes
    rule="HOLDS iff every fuzzed fully masked row (any length, any dtype) is entirely NaN",
    falsifier=Falsifier("finite_fill", "fill with torch.finfo(dtype).min instead of -inf", fill="min"),
)
def fully_masked_row_nan(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    seen = {}

    def ok(case):
        m, dt = case
        dtype = getattr(torch, dt)
        fill = float("-inf") if p.fill == "-inf" else torch.finfo(dtype).min
        y = torch.softmax(torch.zeros(m, dtype=dtype).masked_fill(torch.ones(m, dtype=torch.bool), fill), -1)
        seen[f"{dt}, m={m}"] = y.double().tolist()
        return bool(torch.isnan(y).all())

    bad = counterexample(st.tuples(st.integers(1, p.max_side), st.sampled_from(DTYPES)), ok,
                         examples=p.examples, seed=ctx.seed("fuzz"))
    sample = {k: v for k, v in list(seen.items())[:4]}
    return exact(bad is None, statistic_name="counterexample (m, dtype)",
                 reason="" if bad is None else f"row length and dtype {bad} is not all NaN",
                 evidence={"fill": p.fill, "counterexample": bad, "sample rows": sample})


@claim(
    id="q08d.alt.masked_rows_sum_to_one", question="q08d",
    statement="Softmax rows always sum to 1, whatever the mask, including rows masked entirely.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="A fully -inf-masked row is NaN (0/0); only a finite fill makes it a uniform row.",
    protocol=dict(**_FUZZ, fully_masked_row=True, fill="-inf"),
    rule="HOLDS iff every fuzzed case, with one row fully masked, has every slice summing to 1 "
         "within m*eps and no NaN",
    falsifier=Falsifier("finite_fill", "fill with torch.finfo(dtype).min", fill="min"),
)
def alt_masked_rows_sum_to_one(p, ctx):
    import torch

    from verify.lab.fuzz import counterexample

    def ok(case):
        x, mask = _masked_logits(case, p, fully_masked_row=p.fully_masked_row)
        dim = case[1]
        fill = float("-inf") if p.fill == "-inf" else torch.finfo(x.dtype).min
        y = torch.softmax(x.masked_fill(mask, fill), dim=dim).double()
        return bool(torch.isfinite(y).all() and ((y.sum(dim) - 1).abs() <= _tol(x.dtype, x.shape[dim])).all())

    bad = counterexample(_logits_strategy(p), ok, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample",
                 reason="" if bad is None else f"case {bad} has a row not summing to 1",
                 evidence={"fill": p.fill, "counterexample": bad})


@claim(
    id="q08d.alt.large_logits_overflow", question="q08d",
    statement="Attention logits of magnitude 1e4 overflow the softmax and give inf/NaN weights.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="torch.softmax subtracts the row max before exponentiating; only the textbook "
              "exp(z)/sum exp(z) overflows (exp(1e4) = inf).",
    protocol=dict(impl="torch",       # the library softmax
                  logit=1e4),         # the brief's large logit
    rule="HOLDS iff softmax([logit, -logit, 0]) contains a non-finite value in some dtype",
    falsifier=Falsifier("naive", "use exp(z)/sum exp(z) without the max subtraction", impl="naive"),
)
def alt_large_logits_overflow(p, ctx):
    import torch

    from verify.experiments.attention import naive_softmax

    out = {}
    for dt in DTYPES:
        x = torch.tensor([p.logit, -p.logit, 0.0]).to(getattr(torch, dt))
        y = torch.softmax(x, -1) if p.impl == "torch" else naive_softmax(x)
        out[dt] = y.double().tolist()
    bad = [dt for dt, y in out.items() if not all(v == v and abs(v) != float("inf") for v in y)]
    return exact(bool(bad), statistic_name="dtypes with non-finite weights", difference=len(bad),
                 evidence={"impl": p.impl, "weights": out})


# ------------------------------------------------------------------------------ q08b / q08d rows

_ROWS = dict(max_side=8, examples=100, normalise="softmax")   # rows of 1..8 source words


@claim(
    id="q08b.rows.single_nonzero_is_one", question="q08b",
    statement="A row of attention weights with exactly one non-zero entry has that entry equal to "
              "exactly 1: all the attention is on that source word, the brightest possible pixel.",
    quote="it means that the model assigns all of its attention to a single English word when generating a certain French word",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Rows sum to 1 (q08d.softmax.rows_sum_to_one); with one non-zero entry the sum is "
              "that entry. Checked on softmax rows with all other entries -inf-masked, in every dtype.",
    protocol=dict(**_ROWS),
    rule="HOLDS iff every fuzzed row (length m, one unmasked position, any dtype) has exactly one "
         "non-zero weight and it equals 1.0 exactly",
    falsifier=Falsifier("sigmoid", "independent sigmoid gates instead of a softmax (no sum-to-1)",
                        normalise="sigmoid"),
)
def single_nonzero_is_one(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def ok(case):
        m, j, dt, seed = case
        j = j % m
        x = torch.randn(m, generator=torch.Generator().manual_seed(seed)).to(getattr(torch, dt))
        mask = torch.ones(m, dtype=torch.bool)
        mask[j] = False
        y = _normalise(x.masked_fill(mask, float("-inf")), -1, p.normalise)
        return bool((y != 0).sum() == 1 and y[j] == 1)

    cases = st.tuples(st.integers(1, p.max_side), st.integers(0, 63), st.sampled_from(DTYPES),
                      st.integers(0, 2**31 - 1))
    bad = counterexample(cases, ok, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample (m, j, dtype, seed)",
                 reason="" if bad is None else f"row {bad}: its single non-zero weight is not 1",
                 evidence={"normalise": p.normalise, "counterexample": bad})


@claim(
    id="q08b.alt.single_nonzero_can_be_gray", question="q08b",
    statement="A row with a single non-zero attention weight can still show it as gray (a weight "
              "below 1).",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Negation of q08b.rows.single_nonzero_is_one: with a softmax the lone weight is 1.",
    protocol=dict(**_ROWS),
    rule="HOLDS iff some fuzzed row with exactly one non-zero weight has that weight < 1",
    falsifier=Falsifier("sigmoid", "independent sigmoid gates", normalise="sigmoid"),
)
def alt_single_nonzero_can_be_gray(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def white(case):
        m, j, seed = case
        j = j % m
        x = torch.randn(m, generator=torch.Generator().manual_seed(seed))
        mask = torch.ones(m, dtype=torch.bool)
        mask[j] = False
        y = _normalise(x.masked_fill(mask, float("-inf")), -1, p.normalise)
        return bool(y[j] == 1)

    gray = counterexample(st.tuples(st.integers(1, p.max_side), st.integers(0, 63),
                                    st.integers(0, 2**31 - 1)), white, examples=p.examples,
                          seed=ctx.seed("fuzz"))
    return exact(gray is not None, statistic_name="gray single-entry row found",
                 evidence={"normalise": p.normalise, "example": gray})


@claim(
    id="q08b.alt.softmax_never_one_hot", question="q08b",
    statement="A softmax attention row can never have a single non-zero entry: every softmax "
              "weight is strictly positive, so 'one non-zero entry' rows cannot occur.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="True in exact arithmetic (exp > 0), false in floating point: in float32 a logit "
              "gap of 120 gives exp(-120) = 7.7e-53, below the smallest subnormal (1.4e-45), so "
              "the weight is exactly 0 and the row is exactly one-hot (masking with -inf does the "
              "same). In the figure, near-zero weights are black either way.",
    protocol=dict(gap=120.0, m=5),   # one logit 0, the other m-1 at -gap; float32
    rule="HOLDS iff every weight of softmax([0, -gap, ..., -gap]) in float32 is > 0",
    falsifier=Falsifier("small_gap", "a logit gap of 10: all weights stay positive", gap=10.0),
)
def alt_softmax_never_one_hot(p, ctx):
    import torch

    x = torch.full((p.m,), -p.gap)
    x[0] = 0.0
    y = torch.softmax(x, -1)
    zeros = int((y == 0).sum())
    return exact(zeros == 0, difference=zeros, tolerance=0, statistic_name="weights exactly 0",
                 evidence={"gap": p.gap, "weights": [float(v) for v in y]})


@claim(
    id="q08d.rows.gray_iff_spread", question="q08d",
    statement="For softmax rows (rows summing to 1), the largest weight is 1 (white) if and only "
              "if the row has exactly one non-zero entry; with several non-zero entries every "
              "weight is below 1 (gray), because the unit of weight is divided among them.",
    quote="when attention is spread across multiple words, the weights are divided, making each individual pixel dimmer (gray)",
    kind=ANALYTIC, expected=HOLDS,
    rationale="Non-negative weights summing to 1: if two are positive each is < 1. Checked in "
              "float64 with logits in [-10, 10]; in float32 a far-below weight (e.g. logits "
              "[0, -80] give 1.8e-35) can coexist with a max that rounds to exactly 1.0 (see "
              "q08d.alt.float32_white_with_spread), so 'non-zero' means non-zero in exact arithmetic.",
    protocol=dict(**_ROWS, logit_scale=10.0),   # logit gaps <= 20: exp(-20) >> float64 eps
    rule="HOLDS iff for every fuzzed float64 row (length m, k unmasked entries) "
         "(max weight == 1) == (number of non-zero weights == 1)",
    falsifier=Falsifier("rowmax_display", "rescale each row so its largest weight is white (a "
                        "per-row colour scale)", normalise="rowmax"),
)
def gray_iff_spread(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def ok(case):
        m, k, seed = case
        k = 1 + k % m
        g = torch.Generator().manual_seed(seed)
        x = (torch.rand(m, generator=g, dtype=torch.float64) * 2 - 1) * p.logit_scale
        mask = torch.ones(m, dtype=torch.bool)
        mask[torch.randperm(m, generator=g)[:k]] = False
        y = _normalise(x.masked_fill(mask, float("-inf")), -1, p.normalise)
        return bool((y.max() == 1) == (int((y != 0).sum()) == 1))

    bad = counterexample(st.tuples(st.integers(1, p.max_side), st.integers(0, 63),
                                   st.integers(0, 2**31 - 1)), ok, examples=p.examples,
                         seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample (m, k, seed)",
                 reason="" if bad is None else f"row {bad} breaks 'white iff one non-zero entry'",
                 evidence={"normalise": p.normalise, "counterexample": bad})


@claim(
    id="q08d.alt.float32_white_with_spread", question="q08d",
    statement="In float32, a softmax row can have two non-zero weights and still a largest "
              "weight of exactly 1.0 (a white pixel next to an invisible non-zero one).",
    kind=ANALYTIC, expected=HOLDS,
    rationale="softmax([0, -gap]) = [1/(1+e^-gap), e^-gap/(1+e^-gap)]; for gap = 80, "
              "e^-80 = 1.8e-35 is a normal float32 but 1 + 1.8e-35 rounds to 1. A finding about "
              "the exact statement in q08d.rows.gray_iff_spread: it holds for real numbers, and "
              "for floats only while the gap is below ~17 (float32 eps 1.2e-7 = e^-16).",
    protocol=dict(gap=80.0),   # a logit gap far past float32's eps, still inside its normal range
    rule="HOLDS iff softmax([0, -gap]) in float32 has two non-zero entries and max == 1.0",
    falsifier=Falsifier("small_gap", "a logit gap of 10: the max is 0.99995", gap=10.0),
)
def alt_float32_white_with_spread(p, ctx):
    import torch

    y = torch.softmax(torch.tensor([0.0, -p.gap]), -1)
    ok = bool((y != 0).sum() == 2 and y.max() == 1.0)
    return exact(ok, difference=float(1 - y.max()), statistic_name="1 - max weight",
                 evidence={"gap": p.gap, "weights": [float(v) for v in y]})


@claim(
    id="q08c.alt.multiple_full_weight", question="q08c",
    statement="A target word can give full weight (1, white) to several source words at once.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Rows sum to 1, so two weights of 1 are impossible; only unnormalised gates "
              "(sigmoids) allow it.",
    protocol=dict(**_ROWS, logit_scale=40.0),   # logits up to 40: sigmoid(40) == 1.0 in float32
    rule="HOLDS iff some fuzzed float32 row has at least two weights equal to 1.0",
    falsifier=Falsifier("sigmoid", "independent sigmoid gates instead of a softmax", normalise="sigmoid"),
)
def alt_multiple_full_weight(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def no_double_white(case):
        m, seed = case
        x = torch.rand(m, generator=torch.Generator().manual_seed(seed)) * p.logit_scale
        y = _normalise(x, -1, p.normalise)
        return bool((y == 1).sum() < 2)

    found = counterexample(st.tuples(st.integers(2, p.max_side), st.integers(0, 2**31 - 1)),
                           no_double_white, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(found is not None, statistic_name="row with >= 2 full weights found",
                 evidence={"normalise": p.normalise, "example": found})


@claim(
    id="q08c.alt.equal_split", question="q08c",
    statement="When a row has several non-zero entries, the weight is split equally among them.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="softmax weights are proportional to exp(e_ij): equal only when the alignment "
              "scores of the attended words are equal.",
    protocol=dict(m=6, trials=20, logit_scale=1.0),   # 20 random rows of 6 source words
    rule="HOLDS iff in every trial all non-zero weights of the row are equal within 1e-6",
    falsifier=Falsifier("equal_scores", "alignment scores all equal (logit scale 0)", logit_scale=0.0),
)
def alt_equal_split(p, ctx):
    import torch

    spreads = []
    for s in ctx.seeds(p.trials, "row"):
        x = torch.randn(p.m, generator=torch.Generator().manual_seed(s), dtype=torch.float64) * p.logit_scale
        y = torch.softmax(x, -1)
        nz = y[y != 0]
        spreads.append(float(nz.max() - nz.min()))
    return exact(max(spreads) <= 1e-6, difference=max(spreads), tolerance=1e-6,
                 statistic_name="max (largest - smallest non-zero weight)")


# ------------------------------------------------------------------------------ q08a: the map --

_ALIGNER = dict(vocab=12,   # toy vocabulary
                t_x=7,      # source words (the figure has 13; 7 keep it readable in evidence)
                t_y=5,      # target words, != t_x so rows and columns cannot be confused
                emb=8, hidden=8, attn=8, dec=8)   # tiny: the properties are architectural


def _aligner(p, seed, encoder="bigru"):
    import torch

    from verify.experiments.attention import BahdanauAligner

    torch.manual_seed(seed)
    m = BahdanauAligner(p.vocab, p.emb, p.hidden, p.attn, p.dec, encoder=encoder)
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.randint(p.vocab, (1, p.t_x), generator=g)
    s = torch.randn(1, p.t_y, p.dec, generator=g)
    return m, x, s


@claim(
    id="q08a.map.rows_target_cols_source", question="q08a",
    statement="Each pixel (i, j) of the map is the attention weight a_ij of target word i on "
              "source word j: the matrix has one row per target word and one column per source "
              "word, and each row is a softmax over the source positions (rows sum to 1).",
    quote="The rows in the map correspond to the French (target) sentence words and the columns correspond to the English (source) sentence",
    kind=PROXY, expected=HOLDS,
    rationale="Proxy: the figure is Bahdanau et al.'s a_ij (eq. 6, softmax over source j for "
              "each target i; Fig. 3 caption: x-axis source, y-axis generated translation). "
              "Checked on a tiny aligner of the same form: the plotted matrix is a_ij.",
    protocol=dict(**_ALIGNER, layout="rows_target"),   # how the matrix is laid out when plotted
    rule="HOLDS iff the plotted matrix has shape (t_y, t_x), every row sums to 1 within 1e-6 "
         "(float32) and not every column does",
    falsifier=Falsifier("transposed", "plot the transpose (rows = source words)", layout="transposed"),
)
def rows_target_cols_source(p, ctx):
    import torch

    m, x, s = _aligner(p, ctx.seed("aligner"))
    with torch.no_grad():
        a = m.align(s, m.annotations(x))[0]
    plotted = a if p.layout == "rows_target" else a.T
    rows = (plotted.sum(-1) - 1).abs().max()
    cols = (plotted.sum(0) - 1).abs().max()
    ok = tuple(plotted.shape) == (p.t_y, p.t_x) and rows <= 1e-6 and cols > 1e-6
    return exact(bool(ok), difference=float(rows), tolerance=1e-6, statistic_name="max |row sum - 1|",
                 evidence={"layout": p.layout, "shape": list(plotted.shape),
                           "row sums": plotted.sum(-1).tolist(), "column sums": plotted.sum(0).tolist()})


@claim(
    id="q08a.alt.columns_sum_to_one", question="q08a",
    statement="In the alignment map each column (source word) sums to 1: a source word's "
              "attention is distributed over the target words.",
    kind=ANALYTIC, expected=REFUTED,
    rationale="Bahdanau et al. normalise over source positions for each target word; column sums "
              "are unconstrained (a source word can be ignored or attended by several targets).",
    protocol=dict(**_ALIGNER, softmax_dim=-1),   # the model's softmax axis: source positions
    rule="HOLDS iff every column of the alignment matrix sums to 1 within 1e-6",
    falsifier=Falsifier("softmax_over_targets", "normalise over target positions instead", softmax_dim=-2),
)
def alt_columns_sum_to_one(p, ctx):
    import torch

    m, x, s = _aligner(p, ctx.seed("aligner"))
    with torch.no_grad():
        a = m.align(s, m.annotations(x), dim=p.softmax_dim)[0]
    dev = float((a.sum(0) - 1).abs().max())
    return exact(dev <= 1e-6, difference=dev, tolerance=1e-6, statistic_name="max |column sum - 1|",
                 evidence={"column sums": a.sum(0).tolist()})


@claim(
    id="q08a.alt.rows_are_source", question="q08a",
    statement="The rows of the alignment map are the source (English) words and the columns the "
              "target (French) words.",
    kind=PROXY, expected=REFUTED,
    rationale="Proxy as in q08a.map.rows_target_cols_source: a_ij is indexed (target i, source j) "
              "and plotted with targets on the y-axis (Bahdanau et al. 2015, Fig. 3).",
    protocol=dict(**_ALIGNER, layout="rows_target"),
    rule="HOLDS iff the plotted matrix has t_x rows and t_y columns",
    falsifier=Falsifier("transposed", "plot the transpose", layout="transposed"),
)
def alt_rows_are_source(p, ctx):
    import torch

    m, x, s = _aligner(p, ctx.seed("aligner"))
    with torch.no_grad():
        a = m.align(s, m.annotations(x))[0]
    plotted = a if p.layout == "rows_target" else a.T
    return exact(tuple(plotted.shape) == (p.t_x, p.t_y), statistic_name="shape",
                 evidence={"shape": list(plotted.shape), "t_x (source)": p.t_x, "t_y (target)": p.t_y})


@claim(
    id="q08a.alt.weights_independent_of_target", question="q08a",
    statement="The attention a source word receives is the same whichever target word is being "
              "generated (each column of the map is constant).",
    kind=ANALYTIC, expected=REFUTED,
    rationale="a_ij depends on the decoder state s_{i-1} through e_ij = v^T tanh(W s_{i-1} + U h_j): "
              "different target positions attend differently.",
    protocol=dict(**_ALIGNER, same_state=False),   # distinct decoder states per target word
    rule="HOLDS iff every column of the alignment matrix is constant within 1e-6",
    falsifier=Falsifier("same_state", "give every target word the same decoder state", same_state=True),
)
def alt_weights_independent_of_target(p, ctx):
    import torch

    m, x, s = _aligner(p, ctx.seed("aligner"))
    if p.same_state:
        s = s[:, :1].expand_as(s)
    with torch.no_grad():
        a = m.align(s, m.annotations(x))[0]
    dev = float((a - a[:1]).abs().max())
    return exact(dev <= 1e-6, difference=dev, tolerance=1e-6, statistic_name="max column variation",
                 evidence={"alignment": [[round(v, 3) for v in r] for r in a.tolist()]})


@claim(
    id="q08a.map.brightness_is_weight", question="q08a",
    statement="With the figure's gray scale (0 black, 1 white), a brighter pixel means a larger "
              "attention weight: pixel intensity increases with a_ij.",
    quote="the brighter the pixel is- the more the model focuses on the specific English word the pixel represents when generating the corresponding French word",
    kind=PROXY, expected=HOLDS,
    rationale="Proxy: Bahdanau et al. (2015, Fig. 3 caption) show a_ij 'in grayscale (0: black, "
              "1: white)'. Operationalised as an 8-bit linear gray map of the weights.",
    protocol=dict(**_ALIGNER, colormap="gray"),   # 0 -> black, 1 -> white
    rule="HOLDS iff sorting the map's weights ascending gives non-decreasing 8-bit intensities, "
         "with the largest weight the brightest",
    falsifier=Falsifier("inverted_colormap", "an inverted gray map (1 -> black)", colormap="gray_r"),
)
def brightness_is_weight(p, ctx):
    import torch

    m, x, s = _aligner(p, ctx.seed("aligner"))
    with torch.no_grad():
        a = m.align(s, m.annotations(x))[0].flatten()
    level = a if p.colormap == "gray" else 1 - a
    intensity = torch.round(level * 255)
    order = torch.argsort(a)
    ok = bool((intensity[order].diff() >= 0).all() and intensity[order[-1]] == intensity.max())
    return exact(ok, statistic_name="intensity monotone in weight",
                 evidence={"colormap": p.colormap, "weights (sorted)": a[order].tolist()[:6] + ["..."],
                           "intensities (same order)": intensity[order].tolist()[:6] + ["..."]})


# ------------------------------------------------------------------------------ q08b: context --

def _annotation_change(p, seed, positions):
    """Max change of the annotation h_j (= the context vector of a one-hot row on j) when one
    source word m at a position selected by ``positions(j, m)`` is replaced."""
    import torch

    m, x, _ = _aligner(p, seed, encoder=p.encoder)
    table = []
    with torch.no_grad():
        h = m.annotations(x)[0]
        for j in range(p.t_x):
            worst = 0.0
            for pos in range(p.t_x):
                if pos == j or not positions(j, pos):
                    continue
                x2 = x.clone()
                x2[0, pos] = (x2[0, pos] + 1) % p.vocab
                worst = max(worst, float((m.annotations(x2)[0, j] - h[j]).abs().max()))
            table.append(worst)
    return table


@claim(
    id="q08b.context.one_hot_row_context_free", question="q08b",
    statement="When a target word's attention row is one-hot on source word j, its context vector "
              "(and so its translation) depends on source word j alone, not on the rest of the "
              "sentence.",
    quote="This means that the word translates directly from English to French, and it doesn't require additional context for the translation",
    kind=PROXY, expected=REFUTED,
    rationale="Proxy for 'needs no context': whether the context vector c_i of a one-hot row "
              "changes when another source word changes. In Bahdanau et al. (2015, sec. 3.1) c_i = "
              "sum_j a_ij h_j with h_j = [forward; backward] BiRNN states, which summarise the "
              "whole sentence 'with a strong focus on the parts surrounding the j-th word'. A "
              "one-hot row gives c_i = h_j, which changes when any other source word changes. "
              "(A one-hot row does say the model reads one position, not that it uses no context.)",
    protocol=dict(**_ALIGNER, encoder="bigru", tol=1e-6),   # Bahdanau's encoder; float32 noise << 1e-6
    rule="HOLDS iff for every source position j, replacing any other source word changes h_j "
         "(the one-hot context vector) by at most 1e-6",
    falsifier=Falsifier("embedding_encoder", "annotations from each word's embedding alone",
                        encoder="embedding"),
)
def one_hot_row_context_free(p, ctx):
    table = _annotation_change(p, ctx.seed("aligner"), lambda j, pos: True)
    return exact(max(table) <= p.tol, difference=max(table), tolerance=p.tol,
                 statistic_name="max change of h_j when another word changes",
                 evidence={"encoder": p.encoder, "max change of h_j per position j": table})


@claim(
    id="q08b.alt.forward_encoder_ignores_right_context", question="q08b",
    statement="With a unidirectional (left-to-right) encoder, a one-hot row on source word j is "
              "unaffected by the words after j (but still by the words before it).",
    kind=ANALYTIC, expected=HOLDS,
    rationale="A forward RNN state h_j is a function of x_1..x_j only; Bahdanau et al. use a "
              "bidirectional RNN precisely so that h_j also summarises the following words.",
    protocol=dict(**_ALIGNER, encoder="gru", tol=1e-6),
    rule="HOLDS iff for every j, replacing a word after j changes h_j by at most 1e-6 and some "
         "replacement before j changes it by more",
    falsifier=Falsifier("bidirectional", "Bahdanau's bidirectional encoder", encoder="bigru"),
)
def alt_forward_encoder(p, ctx):
    right = _annotation_change(p, ctx.seed("aligner"), lambda j, pos: pos > j)
    left = _annotation_change(p, ctx.seed("aligner"), lambda j, pos: pos < j)
    ok = max(right) <= p.tol and max(left) > p.tol
    return exact(ok, difference=max(right), tolerance=p.tol,
                 statistic_name="max change of h_j from words after j",
                 evidence={"encoder": p.encoder, "after j": right, "before j": left})


@claim(
    id="q08b.alt.one_hot_means_copy", question="q08b",
    statement="A one-hot attention row on source word j means the target word is determined by "
              "(copied from) source word j alone.",
    kind=PROXY, expected=REFUTED,
    rationale="Proxy: whether the output distribution p(y_i | s_i, c_i) with c_i = h_j fixed "
              "one-hot changes when the decoder state and the other source words change. In "
              "Bahdanau et al. the output depends on the decoder state (the target history) and "
              "on h_j, which is a BiRNN summary of the whole sentence.",
    protocol=dict(**_ALIGNER, encoder="bigru", read_state=True, tol=1e-6),
    rule="HOLDS iff, with the attention one-hot on j, changing the decoder state and every other "
         "source word changes the output distribution by at most 1e-6",
    falsifier=Falsifier("context_only_readout", "an embedding-only encoder and a readout from the "
                        "context vector alone", encoder="embedding", read_state=False),
)
def alt_one_hot_means_copy(p, ctx):
    import torch

    m, x, s = _aligner(p, ctx.seed("aligner"), encoder=p.encoder)
    j = p.t_x // 2
    onehot = torch.zeros(1, 1, p.t_x)
    onehot[..., j] = 1.0
    x2 = (x + 1) % p.vocab
    x2[0, j] = x[0, j]
    with torch.no_grad():
        y1 = m.readout(s[:, :1], m.context(onehot, m.annotations(x)), read_state=p.read_state)
        y2 = m.readout(s[:, 1:2], m.context(onehot, m.annotations(x2)), read_state=p.read_state)
    change = float((y1 - y2).abs().max())
    return exact(change <= p.tol, difference=change, tolerance=p.tol,
                 statistic_name="max change of p(y_i)", evidence={"encoder": p.encoder,
                                                                 "read_state": p.read_state})


# ------------------------------------------------------------------------------ q08c: spread ---

@claim(
    id="q08c.rows.spread_means_mixture", question="q08c",
    statement="A row with several non-zero weights makes the context vector a mixture of several "
              "source annotations: d c_i / d h_j = a_ij I, non-zero for each attended word j.",
    quote="Rows with multiple non-zero pixels indicate that the model distributes its attention across several source words when generating a target word",
    kind=ANALYTIC, expected=HOLDS,
    rationale="c_i = sum_j a_ij h_j (Bahdanau et al. 2015, eq. 5); checked with autograd: the "
              "number of source positions whose annotation moves c_i equals the number of "
              "non-zero weights, here >= 2.",
    protocol=dict(**_ALIGNER, keep=3),   # source words left unmasked in the row
    rule="HOLDS iff autograd's d c_i / d h_j equals a_ij (to 1e-6) for every j and at least two "
         "source positions have a non-zero derivative",
    falsifier=Falsifier("one_hot", "mask all but one source word", keep=1),
)
def spread_means_mixture(p, ctx):
    import torch

    m, x, s = _aligner(p, ctx.seed("aligner"))
    h = m.annotations(x).detach().requires_grad_(True)
    with torch.no_grad():
        e = torch.randn(1, 1, p.t_x, generator=ctx.generator("scores"))
    mask = torch.ones(1, 1, p.t_x, dtype=torch.bool)
    mask[..., :p.keep] = False
    a = torch.softmax(e.masked_fill(mask, float("-inf")), -1)
    c = m.context(a, h)
    grads = torch.autograd.grad(c[0, 0].sum(), h)[0][0]   # (t_x, 2H): d(sum c)/d h_j = a_j * 1
    influence = grads[:, 0]
    match = float((influence - a[0, 0]).abs().max())
    n_infl = int((influence != 0).sum())
    return exact(match <= 1e-6 and n_infl >= 2, difference=n_infl, tolerance=2,
                 statistic_name="source positions influencing c_i",
                 evidence={"weights": a[0, 0].tolist(), "d c_i/d h_j": influence.tolist()})


_SLOTS = dict(vocab=5,        # 5^5 = 3125 source sentences: the whole task, no sampling
              t_x=5,          # source length
              steps=120,      # Adam steps: both slots reach ~100 % accuracy by ~100 (measured)
              batch=128,      # minibatch of the 3125 sequences
              lr=0.02,        # Adam learning rate (converges within the step budget)
              seeds=8)        # seeds_for_power(d=3, alpha=5e-4) = 8; the measured paired
                              # effect (max weight 0.9 vs 0.5, sd ~0.05) is far larger


def _slot_run(p, ctx):
    """The trained slot-task ensemble, shared by the q08c claims (one run per protocol)."""
    from verify.experiments.attention import trained_slot_attention

    base = ctx.shared_seed("q08c-slot-task")
    seeds = tuple((base + 7919 * i) % 2**31 for i in range(p.seeds))
    return trained_slot_attention(seeds, p.need_b, p.steps, vocab=p.vocab, t_x=p.t_x,
                                  batch=p.batch, lr=p.lr)


@claim(
    id="q08c.trained.spread_when_two_words_needed", question="q08c",
    statement="Attention spreads over several source words when the target word needs several "
              "of them: trained on a task where slot A copies one source word and slot B needs "
              "two, slot B's rows are more spread (mean max weight lower by >= 0.2) than A's.",
    quote="This distribution reflects the model's need to consider multiple words to accurately translate a particular word or phrase",
    kind=EMPIRICAL, expected=HOLDS,
    rationale="Proxy-by-experiment for 'reflects the need': an additive-attention model trained "
              "on slot A = x_1, slot B = (x_0 + x_3) mod 5 learns a ~0.5/0.5 split on x_0, x_3 "
              "for B (the sum needs both) and a peaked row for A. The controlled task shows need -> "
              "spread; it does not show every spread row in a real model is needed.",
    protocol=dict(**_SLOTS, need_b=2),
    rule="paired one-sided t over seeds at the bank alpha: HOLDS if mean(max weight A - max "
         "weight B) >= 0.2 and > 0 significantly; REFUTED if < 0.2 significantly",
    falsifier=Falsifier("one_word_needed", "slot B copies x_3 (needs one word)", need_b=1),
)
def spread_when_two_words_needed(p, ctx):
    from verify.stats import greater

    r = _slot_run(p, ctx)
    a = [row["max_weight_A"] for row in r["rows"]]
    b = [row["max_weight_B"] for row in r["rows"]]
    return greater(a, b, min_effect=0.2, alpha=ctx.alpha, paired=True,
                   label="max weight A - max weight B").with_evidence(per_seed=r["rows"])


@claim(
    id="q08c.alt.gray_means_wrong", question="q08c",
    statement="Gray (spread) attention rows mark translations the model gets wrong: accuracy on "
              "rows with several non-zero weights is no better than chance.",
    kind=EMPIRICAL, expected=REFUTED,
    rationale="In the trained slot task the spread rows (slot B, >= 2 weights > 0.05) are the "
              "ones that need two words and are predicted correctly; spread is the mechanism, "
              "not a failure. An untrained model is at chance.",
    protocol=dict(**_SLOTS, need_b=2, min_gain=0.3),   # 'better than chance' = +0.3 over 1/vocab
    rule="Welch one-sided t over seeds: the claim is REFUTED if slot-B accuracy exceeds chance "
         "(1/vocab) by >= 0.3 significantly, HOLDS if it is shown below chance + 0.3",
    falsifier=Falsifier("untrained", "no learning (one step at learning rate 0)", steps=1, lr=0.0),
)
def alt_gray_means_wrong(p, ctx):
    from verify import Finding
    from verify.stats import greater

    r = _slot_run(p, ctx)
    acc = [row["B_rows_spread_correct"] / row["B_rows_spread"] if row["B_rows_spread"] else row["acc_B"]
           for row in r["rows"]]
    import warnings

    with warnings.catch_warnings():   # the chance level is a constant sample: scipy warns
        warnings.simplefilter("ignore", RuntimeWarning)
        f = greater(acc, [1 / p.vocab] * len(acc), min_effect=p.min_gain, alpha=ctx.alpha,
                    label="accuracy B - chance")
    flipped = {"HOLDS": REFUTED, "REFUTED": HOLDS}.get(f.outcome.value, f.outcome)
    return Finding(**{**f.__dict__, "outcome": flipped,
                      "reason": "the claim is the negation of 'accuracy exceeds chance by 0.3'"}
                   ).with_evidence(per_seed=r["rows"])
