"""q05 — Why does PyTorch require the loss to be a scalar when calling ``loss.backward()``?

Reconstructed question: "Why does PyTorch require the loss to be a scalar when calling
loss.backward()? Relate your answer to backpropagation / reverse-mode automatic differentiation."
"""

from verify import ANALYTIC, HOLDS, PROXY, REFUTED, Falsifier, claim, exact


@claim(
    id="q05.backward.nonscalar_needs_gradient",
    question="q05",
    statement="Calling backward() without a gradient argument on a tensor with more than one element "
              "raises an error, while a one-element tensor of any shape (e.g. (1, 1)) does not.",
    quote="PyTorch requires the loss tensor to be a scalar in order to run loss.backward() method",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="torch.autograd.backward only creates the implicit grad_output (a 1) for outputs with "
              "numel() == 1 ('grad can be implicitly created only for scalar outputs'); the shape "
              "does not matter, the element count does.",
    protocol=dict(
        max_dims=4,        # shapes up to 4-D cover vectors, matrices, batches of images
        max_side=4,        # sides 1..4 include the (1, 1) one-element non-scalar case
        examples=150,      # Hypothesis examples; each is microseconds, 150 covers the shape space
        reduce_first=False,
    ),
    rule="HOLDS iff for every fuzzed shape, backward() without gradient raises RuntimeError exactly "
         "when the tensor has more than one element",
    falsifier=Falsifier("reduce_first", "reduce with .sum() before backward(), as the student advises: "
                        "then no shape raises, so 'more than one element raises' fails", reduce_first=True),
)
def nonscalar_needs_gradient(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def raises_iff_many(shape):
        x = torch.randn(shape, dtype=torch.float64, requires_grad=True, generator=ctx.generator(str(shape)))
        y = x * 2.0
        if p.reduce_first:
            y = y.sum()
        try:
            y.backward()
            raised = False
        except RuntimeError:
            raised = True
        return raised == (x.numel() > 1)

    shapes = st.lists(st.integers(1, p.max_side), min_size=0, max_size=p.max_dims).map(tuple)
    bad = counterexample(shapes, raises_iff_many, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample shape",
                 reason="" if bad is None else f"shape {bad} breaks 'raises iff numel > 1'",
                 evidence={"counterexample": bad, "examples": p.examples})


# ---------------------------------------------------------------------------------------------
# Backpropagation = forward pass + reverse-mode AD through the graph
# ---------------------------------------------------------------------------------------------


@claim(
    id="q05.backprop.reverse_mode_is_backprop",
    question="q05",
    statement="A forward pass followed by loss.backward() (reverse-mode AD through the recorded graph) "
              "yields exactly the backpropagation gradients: for a two-layer tanh MLP they equal the "
              "hand-derived chain-rule gradients, and torch.autograd.gradcheck passes in float64.",
    quote="backpropagation is basically a forward pass followed by reverse mode automatic "
          "differentiation through the computational graph of a neural network",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Backpropagation (Rumelhart, Hinton & Williams 1986) is reverse-mode AD applied to a "
              "scalar loss (Baydin et al. 2018, 'Automatic differentiation in machine learning: a "
              "survey', section 4).",
    protocol=dict(
        batch=5, d_in=4, hidden=6, d_out=3,   # small enough for gradcheck's finite differences
        tolerance=1e-12,                       # float64: agreement to rounding
        detach_hidden=False,
    ),
    rule="HOLDS iff max |autograd grad - manual backprop grad| <= 1e-12 over all parameters and "
         "gradcheck (float64, default tolerances) passes",
    falsifier=Falsifier("cut_graph", "detach the hidden layer: reverse mode can only follow the "
                        "recorded graph, so W1, b1 get no gradient and disagree with backprop",
                        detach_hidden=True),
)
def reverse_mode_is_backprop(p, ctx):
    import torch

    from verify.experiments.autograd import manual_backprop, two_layer

    g = ctx.generator("mlp")
    def r(*s):
        return torch.randn(*s, dtype=torch.float64, generator=g)
    x, y = r(p.batch, p.d_in), r(p.batch, p.d_out)
    params = [r(p.d_in, p.hidden), r(p.hidden), r(p.hidden, p.d_out), r(p.d_out)]
    for t in params:
        t.requires_grad_(True)
    two_layer(x, *params, y, detach_hidden=p.detach_hidden).backward()
    manual = manual_backprop(x, *(t.detach() for t in params), y)
    diffs = [float(((t.grad if t.grad is not None else torch.zeros_like(t)) - m).abs().max())
             for t, m in zip(params, manual)]
    ok_check = torch.autograd.gradcheck(
        lambda *ps: two_layer(x, *ps, y, detach_hidden=p.detach_hidden), tuple(params), raise_exception=False)
    err = max(diffs)
    return exact(err <= p.tolerance and ok_check, difference=err, tolerance=p.tolerance,
                 statistic_name="max |autograd - manual|",
                 evidence={"max_diff_per_param (W1, b1, W2, b2)": diffs, "gradcheck": ok_check,
                           "detach_hidden": p.detach_hidden})


@claim(
    id="q05.chain.every_parameter_gets_gradient",
    question="q05",
    statement="One backward() from a scalar loss sends a gradient to every parameter that the loss "
              "depends on: after it, every parameter of a fuzzed MLP (1-3 layers) has a finite .grad "
              "equal to torch.func.grad's functional gradient.",
    quote="it uses the chain rule to compute gradients, which passes gradients from a single scalar "
          "loss back to every model parameter",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Reverse-mode AD propagates dL/d(node) from the loss to every leaf reachable backwards "
              "in the graph by the chain rule, one pass for all parameters.",
    protocol=dict(
        max_layers=3, max_width=5,   # depth 1-3, widths 1-5
        examples=30,                  # Hypothesis examples; each builds a tiny model
        unused_head=False,
    ),
    rule="HOLDS iff for every fuzzed MLP every parameter's .grad is not None and equals "
         "torch.func.grad's result (allclose, rtol = atol = 1e-12, float64)",
    falsifier=Falsifier("unused_parameter", "the model owns a parameter the loss does not use (a "
                        "second head): no gradient reaches it", unused_head=True),
)
def every_parameter_gets_gradient(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def prop(widths):
        torch.manual_seed(ctx.seed(str(widths)))
        layers = [torch.nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:])]
        net = torch.nn.Sequential(*[m for lay in layers for m in (lay, torch.nn.Tanh())]).double()
        model = torch.nn.ModuleDict({"body": net, "head2": torch.nn.Linear(widths[-1], 1).double()})
        x = torch.randn(4, widths[0], dtype=torch.float64)

        def loss_of(params):
            out = torch.func.functional_call(model["body"], {k[5:]: v for k, v in params.items()
                                                             if k.startswith("body.")}, (x,))
            if not p.unused_head:
                out = torch.func.functional_call(model["head2"], {k[6:]: v for k, v in params.items()
                                                                  if k.startswith("head2.")}, (out,))
            return (out ** 2).mean()

        params = dict(model.named_parameters())
        loss_of(params).backward()
        ref = torch.func.grad(loss_of)({k: v.detach() for k, v in params.items()})
        return all(v.grad is not None and torch.allclose(v.grad, ref[k], rtol=1e-12, atol=1e-12)
                   for k, v in params.items())

    widths = st.lists(st.integers(1, p.max_width), min_size=2, max_size=p.max_layers + 1)
    bad = counterexample(widths, prop, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample widths",
                 reason="" if bad is None else f"widths {bad}: a parameter got no (or a wrong) gradient",
                 evidence={"counterexample": bad, "examples": p.examples, "unused_head": p.unused_head})


@claim(
    id="q05.grad.one_value_per_parameter_element",
    question="q05",
    statement="After backward() on a scalar loss each parameter receives one gradient value per "
              "element: param.grad has exactly param's shape (for fuzzed layer sizes and batch sizes).",
    quote="When the loss is a scalar, each parameter receives one gradient value.",
    kind=PROXY,
    expected=HOLDS,
    rationale="Proxy: 'one gradient value' is read as one number per scalar parameter entry, i.e. "
              "grad.shape == param.shape; for a scalar L, dL/dtheta has theta's shape.  A vector of m "
              "losses instead has an m x |theta| Jacobian (m values per entry).",
    protocol=dict(
        max_side=6,       # layer in/out sizes and batch 1..6
        examples=40,
        per_sample=False,
    ),
    rule="HOLDS iff for every fuzzed (batch, d_in, d_out) the gradient object of each parameter has "
         "exactly the parameter's shape",
    falsifier=Falsifier("per_sample_losses", "keep the per-sample loss vector and take its Jacobian "
                        "(torch.func.jacrev): each entry gets batch values, shape (batch, *param.shape)",
                        per_sample=True),
)
def one_value_per_parameter_element(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def prop(case):
        batch, d_in, d_out = case
        torch.manual_seed(ctx.seed(str(case)))
        lin = torch.nn.Linear(d_in, d_out).double()
        x = torch.randn(batch, d_in, dtype=torch.float64)
        params = dict(lin.named_parameters())

        def losses(ps):
            return (torch.func.functional_call(lin, ps, (x,)) ** 2).sum(1)   # (batch,) per-sample

        if p.per_sample:
            grads = torch.func.jacrev(losses)({k: v.detach() for k, v in params.items()})
        else:
            losses(params).mean().backward()
            grads = {k: v.grad for k, v in params.items()}
        return all(grads[k].shape == v.shape for k, v in params.items())

    cases = st.tuples(*(st.integers(1, p.max_side) for _ in range(3)))
    bad = counterexample(cases, prop, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample (batch, d_in, d_out)",
                 reason="" if bad is None else f"{bad}: gradient shape differs from the parameter's",
                 evidence={"counterexample": bad, "examples": p.examples, "per_sample": p.per_sample})


# ---------------------------------------------------------------------------------------------
# Non-scalar backward: a vector-Jacobian product, not a Jacobian
# ---------------------------------------------------------------------------------------------

_NET = dict(
    n=64, h=32,                 # input and hidden sizes of f: R^n -> R^m
    ms=(4, 16, 64, 256),        # output sizes, 1.8 decades
)


@claim(
    id="q05.jacobian.backward_materialises_jacobian",
    question="q05",
    statement="backward() on a non-scalar output (with gradient=v) computes and stores the full m x n "
              "Jacobian: some tensor of at least m*n elements is created during the backward pass.",
    quote="if loss.backward() were called on a non-scalar loss like a vector, PyTorch would have to "
          "compute and store a full Jacobian matrix",
    kind=ANALYTIC,
    expected=REFUTED,
    rationale="torch.autograd computes v^T J by chaining each node's vector-Jacobian product "
              "(grad_fn receives a grad_output of the output's shape and returns one of the input's "
              "shape); no node forms its Jacobian (PyTorch autograd docs, 'vector-Jacobian "
              "product').  Without gradient=v it raises instead of building J "
              "(q05.backward.nonscalar_needs_gradient).",
    protocol=dict(**_NET, mode="vjp"),
    rule="HOLDS iff, for every m, the largest tensor created by any aten op during the backward "
         "(TorchDispatchMode) has >= m*n elements",
    falsifier=Falsifier("full_jacobian", "compute what the sentence describes, "
                        "torch.autograd.functional.jacobian: an m x n tensor appears", mode="jacobian"),
)
def backward_materialises_jacobian(p, ctx):
    from verify.experiments.autograd import vjp_or_jacobian

    seed = ctx.shared_seed("q05-tanh-net")
    rows = {m: vjp_or_jacobian(p.n, p.h, m, seed, p.mode)["largest"] for m in p.ms}
    ok = all(rows[m] >= m * p.n for m in p.ms)
    worst = min(rows[m] / (m * p.n) for m in p.ms)
    return exact(ok, difference=worst, tolerance=1.0,
                 statistic_name="min over m of largest tensor / (m*n)",
                 evidence={"mode": p.mode, "n": p.n,
                           "table (m: largest tensor, m*n)": {str(m): [rows[m], m * p.n] for m in p.ms}})


@claim(
    id="q05.jacobian.rows_are_output_gradients",
    question="q05",
    statement="Row i of the Jacobian of y = f(x) is the gradient of the single output y_i with "
              "respect to x (what backward() on y_i alone returns), for fuzzed sizes m x n.",
    quote="(containing the gradients of multiple outputs with respect to all parameters)",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="J_ij = d y_i / d x_j by definition; backward() on y_i is the VJP with v = e_i.",
    protocol=dict(max_side=4, examples=20, layout="rows"),  # 20 (m, n) pairs of sides 1..4 cover m<n, m=n, m>n
    rule="HOLDS iff for every fuzzed (m, n) and every i, the i-th row of "
         "torch.autograd.functional.jacobian equals x.grad after y[i].backward() (allclose 1e-12)",
    falsifier=Falsifier("columns", "compare columns instead of rows (J transposed): the shapes or "
                        "values disagree", layout="columns"),
)
def rows_are_output_gradients(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def prop(case):
        m, n = case
        g = ctx.generator(str(case))
        B = torch.randn(m, n, dtype=torch.float64, generator=g)
        x0 = torch.randn(n, dtype=torch.float64, generator=g)

        def f(z):
            return torch.tanh(B @ z) * z.sum()

        J = torch.autograd.functional.jacobian(f, x0)
        J = J if p.layout == "rows" else J.T
        for i in range(m):
            x = x0.clone().requires_grad_(True)
            f(x)[i].backward()
            if i >= J.shape[0] or J[i].shape != x.grad.shape or not torch.allclose(J[i], x.grad, rtol=1e-12, atol=1e-12):
                return False
        return True

    cases = st.tuples(st.integers(1, p.max_side), st.integers(1, p.max_side))
    bad = counterexample(cases, prop, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample (m, n)",
                 reason="" if bad is None else f"(m, n) = {bad}: a row of J is not the output's gradient",
                 evidence={"counterexample": bad, "examples": p.examples, "layout": p.layout})


@claim(
    id="q05.jacobian.full_jacobian_costs_m_passes",
    question="q05",
    statement="Computing the full Jacobian of an m-output function is expensive: its FLOPs grow like "
              "m times those of one backward pass (log-log slope of the ratio in m is 1 +- 0.1).",
    quote="which is computationally expensive",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Reverse mode gives one row of J per pass, so J costs m backward passes (Griewank & "
              "Walther 2008, 'Evaluating Derivatives', ch. 3); the ratio is 1 + m here because "
              "jacobian() also runs the forward.",
    protocol=dict(**_NET, mode="jacobian", slope=1.0, tolerance=0.1),
    rule="HOLDS iff the least-squares slope of log(FLOPs(mode) / FLOPs(backward(gradient=v))) on "
         "log m is within 0.1 of 1 (FlopCounterMode; only matrix products counted)",
    falsifier=Falsifier("vjp_only", "measure backward(gradient=v) itself: the ratio is 1 for every m "
                        "(slope 0)", mode="vjp"),
)
def full_jacobian_costs_m_passes(p, ctx):
    from verify.experiments.autograd import vjp_or_jacobian
    from verify.stats import loglog_slope

    seed = ctx.shared_seed("q05-tanh-net")
    cost = {m: vjp_or_jacobian(p.n, p.h, m, seed, p.mode)["flops"] for m in p.ms}
    base = {m: vjp_or_jacobian(p.n, p.h, m, seed, "vjp")["flops"] for m in p.ms}
    ratio = [cost[m] / base[m] for m in p.ms]
    f = loglog_slope(p.ms, ratio, expected=p.slope, tolerance=p.tolerance, label="slope of log cost ratio on log m")
    return f.with_evidence(mode=p.mode, table={str(m): {"flops": cost[m], "vjp_flops": base[m]} for m in p.ms})


@claim(
    id="q05.vjp.vjp_gives_what_training_needs",
    question="q05",
    statement="The full Jacobian is unnecessary: x.grad after y.backward(gradient=v) equals v^T J "
              "(J from torch.autograd.functional.jacobian), the gradient of the scalar v.y, for "
              "fuzzed input and output shapes.",
    quote="and usually unnecessary",
    kind=PROXY,
    expected=HOLDS,
    rationale="Proxy: 'unnecessary' is read as 'training only needs the gradient of a scalar "
              "L(y), which is v^T J with v = dL/dy, and one reverse pass delivers it without J'.",
    protocol=dict(
        max_dims=3, max_side=4,   # input and output shapes up to 3-D, sides 1..4
        examples=40,
        backward_calls=1,
    ),
    rule="HOLDS iff for every fuzzed (input shape, output shape) x.grad equals "
         "tensordot(v, J) (allclose, rtol = atol = 1e-12, float64)",
    falsifier=Falsifier("no_zero_grad", "call backward twice without zeroing: .grad accumulates to "
                        "2 v^T J", backward_calls=2),
)
def vjp_gives_what_training_needs(p, ctx):
    import math

    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def prop(case):
        sx, sy = case
        g = ctx.generator(str(case))
        nx, ny = math.prod(sx), math.prod(sy)
        B = torch.randn(ny, nx, dtype=torch.float64, generator=g)
        x = torch.randn(sx, dtype=torch.float64, generator=g).requires_grad_(True)
        v = torch.randn(sy, dtype=torch.float64, generator=g)

        def f(z):
            return torch.tanh(B @ z.reshape(-1)).reshape(sy)

        J = torch.autograd.functional.jacobian(f, x.detach())          # shape sy + sx
        want = torch.tensordot(v, J, dims=len(sy)) if sy else v * J
        y = f(x)
        for _ in range(p.backward_calls):
            y.backward(gradient=v, retain_graph=True)
        return torch.allclose(x.grad, want, rtol=1e-12, atol=1e-12)

    shape = st.lists(st.integers(1, p.max_side), max_size=p.max_dims).map(tuple)
    bad = counterexample(st.tuples(shape, shape), prop, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample (x shape, y shape)",
                 reason="" if bad is None else f"{bad}: x.grad != v^T J",
                 evidence={"counterexample": bad, "examples": p.examples, "backward_calls": p.backward_calls})


@claim(
    id="q05.reduce.sum_equals_ones_gradient",
    question="q05",
    statement="Reducing with .sum() before backward() gives exactly the gradient of "
              "backward(gradient=torch.ones_like(y)), for any shape of y.",
    quote="That's why PyTorch expects you to reduce vector losses (for example using .sum()) before "
          "calling .backward().",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="d(sum y)/dy = 1 elementwise, so the VJP seed of y.sum() is ones_like(y); sum's "
              "backward expands the scalar 1, so both runs do the same arithmetic.",
    protocol=dict(max_dims=4, max_side=4, examples=100, reduce="sum"),
    rule="HOLDS iff for every fuzzed shape torch.equal(grad via reduce(y).backward(), grad via "
         "y.backward(gradient=ones))",
    falsifier=Falsifier("mean", "reduce with .mean() instead: the gradient is scaled by 1/numel",
                        reduce="mean"),
)
def sum_equals_ones_gradient(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def prop(shape):
        x0 = torch.randn(shape, dtype=torch.float64, generator=ctx.generator(str(shape)))
        x1, x2 = x0.clone().requires_grad_(True), x0.clone().requires_grad_(True)
        y1 = torch.sin(x1) * x1
        getattr(y1, p.reduce)().backward()
        y2 = torch.sin(x2) * x2
        y2.backward(gradient=torch.ones_like(y2))
        return torch.equal(x1.grad, x2.grad)

    shapes = st.lists(st.integers(1, p.max_side), max_size=p.max_dims).map(tuple)
    bad = counterexample(shapes, prop, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample shape",
                 reason="" if bad is None else f"shape {bad}: {p.reduce}() gradient != ones-seeded gradient",
                 evidence={"counterexample": bad, "examples": p.examples, "reduce": p.reduce})


# ---------------------------------------------------------------------------------------------
# Alternatives other students write
# ---------------------------------------------------------------------------------------------


@claim(
    id="q05.alt.vjp_costs_one_backward_pass",
    question="q05",
    statement="backward(gradient=v) on an m-vector output costs one backward pass whatever m is: "
              "exactly the FLOPs of backward() on the scalar (v * y).sum().",
    quote=None,
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Both seed the same reverse pass with v (the mul's backward is elementwise); cost is "
              "that of one pass through the graph.",
    protocol=dict(**_NET, mode="vjp"),
    rule="HOLDS iff for every m, FLOPs(mode) == FLOPs(backward of (v*y).sum()) (FlopCounterMode)",
    falsifier=Falsifier("full_jacobian", "torch.autograd.functional.jacobian instead: m passes",
                        mode="jacobian"),
)
def vjp_costs_one_backward_pass(p, ctx):
    from verify.experiments.autograd import vjp_or_jacobian

    seed = ctx.shared_seed("q05-tanh-net")
    rows = {m: (vjp_or_jacobian(p.n, p.h, m, seed, p.mode)["flops"],
                vjp_or_jacobian(p.n, p.h, m, seed, "scalar")["flops"]) for m in p.ms}
    worst = max(a / b for a, b in rows.values())
    return exact(all(a == b for a, b in rows.values()), difference=worst, tolerance=1.0,
                 statistic_name="max FLOPs ratio to one scalar backward",
                 evidence={"mode": p.mode, "table (m: flops, scalar-backward flops)":
                           {str(m): list(v) for m, v in rows.items()}})


@claim(
    id="q05.alt.one_element_matrix_raises",
    question="q05",
    statement="backward() without a gradient argument raises on a (1, 1) tensor, because it is not "
              "0-dimensional.",
    quote=None,
    kind=ANALYTIC,
    expected=REFUTED,
    rationale="The implicit gradient is created for any output with numel() == 1, whatever its "
              "shape (torch.autograd._make_grads).",
    protocol=dict(shape=(1, 1)),
    rule="HOLDS iff y.backward() raises RuntimeError for y of the given shape",
    falsifier=Falsifier("two_elements", "shape (1, 2): two elements, and backward() does raise",
                        shape=(1, 2)),
)
def one_element_matrix_raises(p, ctx):
    import torch

    x = torch.randn(p.shape, generator=ctx.generator("x"), requires_grad=True)
    try:
        (x * 2).backward()
        raised, msg = False, ""
    except RuntimeError as exc:
        raised, msg = True, str(exc)
    return exact(raised, statistic_name="raised", evidence={"shape": list(p.shape), "message": msg})


@claim(
    id="q05.alt.mean_and_sum_same_gradient",
    question="q05",
    statement="Reducing a vector loss with .mean() or with .sum() before backward() gives the same "
              "gradients.",
    quote=None,
    kind=ANALYTIC,
    expected=REFUTED,
    rationale="d mean(y)/dy = 1/numel: the mean's gradients are the sum's divided by the number of "
              "elements (equal only for one-element y).",
    protocol=dict(max_dims=3, max_side=4, examples=60),
    rule="HOLDS iff for every fuzzed shape the gradients of y.mean() and y.sum() are allclose "
         "(rtol = atol = 1e-12)",
    falsifier=Falsifier("one_element", "only one-element tensors (sides 1): mean == sum", max_side=1),
)
def mean_and_sum_same_gradient(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def prop(shape):
        x0 = torch.randn(shape, dtype=torch.float64, generator=ctx.generator(str(shape)))
        grads = []
        for red in ("mean", "sum"):
            x = x0.clone().requires_grad_(True)
            getattr(torch.tanh(x), red)().backward()
            grads.append(x.grad)
        return torch.allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)

    shapes = st.lists(st.integers(1, p.max_side), max_size=p.max_dims).map(tuple)
    bad = counterexample(shapes, prop, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample shape",
                 reason="" if bad is None else f"shape {bad}: mean and sum gradients differ (factor 1/numel)",
                 evidence={"counterexample": bad, "examples": p.examples})


@claim(
    id="q05.alt.nonscalar_backward_works_with_gradient",
    question="q05",
    statement="A scalar is not strictly required: backward() on a non-scalar tensor runs without "
              "error when a gradient of the same shape is passed.",
    quote=None,
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="torch.Tensor.backward(gradient=...) documents exactly this; the scalar requirement "
              "only concerns the implicit gradient.",
    protocol=dict(max_dims=4, max_side=4, examples=60, extra=0),
    rule="HOLDS iff for every fuzzed shape y.backward(gradient=g) with g of y's shape (plus `extra` "
         "elements on the last axis) raises nothing",
    falsifier=Falsifier("wrong_shape_gradient", "a gradient with one extra element on the last axis: "
                        "shape mismatch raises", extra=1),
)
def nonscalar_backward_works_with_gradient(p, ctx):
    import torch
    from hypothesis import strategies as st

    from verify.lab.fuzz import counterexample

    def prop(shape):
        x = torch.randn(shape, dtype=torch.float64, generator=ctx.generator(str(shape)), requires_grad=True)
        y = x * 3.0
        gshape = tuple(shape[:-1]) + (shape[-1] + p.extra,)
        try:
            y.backward(gradient=torch.ones(gshape, dtype=torch.float64))
            return True
        except RuntimeError:
            return False

    shapes = st.lists(st.integers(1, p.max_side), min_size=1, max_size=p.max_dims).map(tuple)
    bad = counterexample(shapes, prop, examples=p.examples, seed=ctx.seed("fuzz"))
    return exact(bad is None, statistic_name="counterexample shape",
                 reason="" if bad is None else f"shape {bad}: backward(gradient=...) raised",
                 evidence={"counterexample": bad, "examples": p.examples, "extra": p.extra})
