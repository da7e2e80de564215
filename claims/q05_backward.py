"""q05 — Why does PyTorch require the loss to be a scalar when calling ``loss.backward()``?

Reconstructed question: "Why does PyTorch require the loss to be a scalar when calling
loss.backward()? Relate your answer to backpropagation / reverse-mode automatic differentiation."
"""

from verify import ANALYTIC, HOLDS, PROXY, REFUTED, Falsifier, claim
from verify.claim import MUTATION
from verify.stats import Exact, LogLogSlope

# Claims about PyTorch's own behaviour (errors raised, what autograd allocates, what the FLOP
# counter sees, NaN rules) are facts of torch versions: each declares the versions it was checked on
# (2.9.1, 2.11.0, 2.13.0, 2.14.1 and 2.15.0 gave the same verdicts), open above so that a future
# release that changes the behaviour shows up as an unexpected verdict rather than silently.
TORCH_BEHAVIOUR = ">=2.9"

M = "verify.experiments.autograd_measures:"   # every measurement of q05 lives there

claim(
    id="q05.backward.nonscalar_needs_gradient",
    torch=TORCH_BEHAVIOUR,
    question="q05",
    statement="Calling backward() without a gradient argument on a tensor with more than one element "
              "raises an error, while a one-element tensor of any shape (e.g. (1, 1)) does not.",
    quote="PyTorch requires the loss tensor to be a scalar in order to run loss.backward() method",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="torch.autograd.backward only creates the implicit grad_output (a 1) for outputs with "
              "numel() == 1 ('grad can be implicitly created only for scalar outputs'); the shape "
              "does not matter, the element count does.",
    explain="We called backward() without a gradient on tensors of 150 random shapes: it failed exactly on "
            "those with more than one element, and never on a one-element tensor, whatever its number of dimensions.",
    phrasings=dict(asserts=["loss.backward() only works if the loss is a scalar",
                            "you get an error if you call backward() on a vector loss",
                            "PyTorch needs a single number as the loss to run backward"],
                   denies=["backward() works on any tensor without passing a gradient"]),
    protocol=dict(
        max_dims=4,        # shapes up to 4-D cover vectors, matrices, batches of images
        max_side=4,        # sides 1..4 include the (1, 1) one-element non-scalar case
        examples=150,      # Hypothesis examples; each is microseconds, 150 covers the shape space
        reduce_first=False,
    ),
    measure=M + "nonscalar_raises",
    decision=Exact("for every fuzzed shape, backward() without gradient raises RuntimeError exactly when the "
                   "tensor has more than one element"),
    falsifier=Falsifier("reduce_first", "reduce with .sum() before backward(), as the student advises: "
                        "then no shape raises, so 'more than one element raises' fails",
                        kind=MUTATION, reduce_first=True),
)


# ---------------------------------------------------------------------------------------------
# Backpropagation = forward pass + reverse-mode AD through the graph
# ---------------------------------------------------------------------------------------------

claim(
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
    explain="For a small two-layer network, the gradients from loss.backward() matched gradients we worked "
            "out by hand with the chain rule up to rounding error (at most 4e-16), and a finite-difference "
            "check agreed as well.",
    phrasings=dict(asserts=["backpropagation is a forward pass followed by reverse-mode automatic differentiation",
                            "loss.backward() does backprop through the computational graph"],
                   denies=["autograd computes something different from backpropagation",
                           "backpropagation and reverse-mode autodiff are unrelated"]),
    protocol=dict(
        batch=5, d_in=4, hidden=6, d_out=3,   # small enough for gradcheck's finite differences
        tolerance=1e-12,                       # float64: agreement to rounding
        detach_hidden=False,
    ),
    measure=M + "autograd_vs_manual",
    decision=Exact("max |autograd grad - manual backprop grad| <= tolerance (1e-12) over all parameters and "
                   "gradcheck (float64, default tolerances) passes"),
    falsifier=Falsifier("cut_graph", "detach the hidden layer: reverse mode can only follow the "
                        "recorded graph, so W1, b1 get no gradient and disagree with backprop",
                        kind=MUTATION, detach_hidden=True),
)

claim(
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
    explain="In 30 random small networks of one to three layers, a single backward() from a scalar loss gave "
            "every parameter a gradient, and each one equalled an independent computation of that gradient.",
    phrasings=dict(asserts=["the chain rule passes the gradient from the scalar loss back to every parameter",
                            "one backward call computes the gradients of all the weights"],
                   denies=["you need a separate backward pass for each parameter"]),
    protocol=dict(
        max_layers=3, max_width=5,   # depth 1-3, widths 1-5
        examples=30,                  # Hypothesis examples; each builds a tiny model
        unused_head=False,
    ),
    measure=M + "every_parameter_gets_gradient",
    decision=Exact("for every fuzzed MLP every parameter's .grad is not None and equals torch.func.grad's "
                   "result (allclose, rtol = atol = 1e-12, float64)"),
    falsifier=Falsifier("unused_parameter", "the model owns a parameter the loss does not use (a "
                        "second head): no gradient reaches it", kind=MUTATION, unused_head=True),
)

claim(
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
    explain="For 40 random layer and batch sizes, after backward() on a scalar loss every parameter's "
            "gradient had exactly the parameter's own shape: one number per weight.",
    phrasings=dict(asserts=["with a scalar loss every parameter gets exactly one gradient value",
                            "the gradient has the same shape as the parameter"],
                   denies=["each weight gets one gradient per training example even after averaging the loss"]),
    protocol=dict(
        max_side=6,       # layer in/out sizes and batch 1..6
        examples=40,
        per_sample=False,
    ),
    measure=M + "gradient_shape",
    decision=Exact("for every fuzzed (batch, d_in, d_out) the gradient object of each parameter has exactly "
                   "the parameter's shape"),
    falsifier=Falsifier("per_sample_losses", "keep the per-sample loss vector and take its Jacobian "
                        "(torch.func.jacrev): each entry gets batch values, shape (batch, *param.shape)",
                        kind=MUTATION, per_sample=True),
)


# ---------------------------------------------------------------------------------------------
# Non-scalar backward: a vector-Jacobian product, not a Jacobian
# ---------------------------------------------------------------------------------------------

_NET = dict(
    n=64, h=32,                 # input and hidden sizes of f: R^n -> R^m
    ms=(4, 16, 64, 256),        # output sizes, 1.8 decades
)

claim(
    id="q05.jacobian.backward_materialises_jacobian",
    torch=TORCH_BEHAVIOUR,
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
    explain="We watched every tensor PyTorch created while running backward(gradient=v) on outputs of 4 to "
            "256 numbers: the largest held 64 to 256 numbers, far fewer than the 256 to 16,384 a full "
            "Jacobian needs, so no Jacobian was ever built.",
    phrasings=dict(asserts=["backward on a vector would have to compute and store the full Jacobian matrix",
                            "PyTorch builds the whole Jacobian when the output is not a scalar"],
                   denies=["backward with a gradient vector computes a vector-Jacobian product without "
                           "building the Jacobian"]),
    protocol=dict(**_NET, mode="vjp"),
    measure=M + "largest_backward_tensor",
    decision=Exact("for every m, the largest tensor created by any aten op during the backward "
                   "(TorchDispatchMode) has >= m*n elements"),
    falsifier=Falsifier("full_jacobian", "compute what the sentence describes, "
                        "torch.autograd.functional.jacobian: an m x n tensor appears",
                        kind=MUTATION, mode="jacobian"),
)

claim(
    id="q05.jacobian.rows_are_output_gradients",
    question="q05",
    statement="Row i of the Jacobian of y = f(x) is the gradient of the single output y_i with "
              "respect to x (what backward() on y_i alone returns), for fuzzed sizes m x n.",
    quote="(containing the gradients of multiple outputs with respect to all parameters)",
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="J_ij = d y_i / d x_j by definition; backward() on y_i is the VJP with v = e_i.",
    explain="For 20 random sizes, each row of the Jacobian matrix was exactly the gradient that backward() "
            "returns for that one output on its own.",
    phrasings=dict(asserts=["the Jacobian contains the gradients of each output with respect to the inputs",
                            "each row of the Jacobian is the gradient of one output"],
                   denies=["the Jacobian is just one gradient vector for the whole output"]),
    protocol=dict(max_side=4, examples=20, layout="rows"),  # 20 (m, n) pairs of sides 1..4 cover m<n, m=n, m>n
    measure=M + "jacobian_rows",
    decision=Exact("for every fuzzed (m, n) and every i, the i-th row of torch.autograd.functional.jacobian "
                   "equals x.grad after y[i].backward() (allclose 1e-12)"),
    falsifier=Falsifier("columns", "compare columns instead of rows (J transposed): the shapes or "
                        "values disagree", kind=MUTATION, layout="columns"),
)

claim(
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
    explain="Counting the arithmetic, building the full Jacobian cost 5, 17, 65 and 257 times one backward "
            "pass for outputs of 4, 16, 64 and 256 numbers: the cost grows in step with the number of outputs.",
    phrasings=dict(asserts=["computing the full Jacobian is computationally expensive",
                            "the Jacobian needs one backward pass per output"],
                   denies=["the full Jacobian costs about the same as a single backward pass"]),
    protocol=dict(**_NET, mode="jacobian"),
    measure=M + "jacobian_cost_ratio",
    decision=LogLogSlope(expected=1.0, tolerance=0.1,   # cost ~ m: exponent 1, +-0.1 for the forward's share
                         label="slope of log(FLOPs(mode) / FLOPs(vjp)) on log m"),  # FlopCounterMode: matmuls only
    falsifier=Falsifier("vjp_only", "measure backward(gradient=v) itself: the ratio is 1 for every m "
                        "(slope 0)", kind=MUTATION, mode="vjp"),
)

claim(
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
    explain="For 40 random input and output shapes, one call of backward(gradient=v) gave exactly v times "
            "the Jacobian, which is the gradient of the single number v·y that training needs.",
    phrasings=dict(asserts=["the full Jacobian is usually unnecessary for training",
                            "we only need the gradient of a scalar loss, not the whole Jacobian"],
                   denies=["training a network needs the full Jacobian of the outputs"]),
    protocol=dict(
        max_dims=3, max_side=4,   # input and output shapes up to 3-D, sides 1..4
        examples=40,
        backward_calls=1,
    ),
    measure=M + "vjp_equals_vt_j",
    decision=Exact("for every fuzzed (input shape, output shape) x.grad equals tensordot(v, J) (allclose, "
                   "rtol = atol = 1e-12, float64)"),
    falsifier=Falsifier("no_zero_grad", "call backward twice without zeroing: .grad accumulates to "
                        "2 v^T J", kind=MUTATION, backward_calls=2),
)

claim(
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
    explain="For 100 random shapes, y.sum().backward() gave bit-for-bit the same gradients as "
            "y.backward(gradient=torch.ones_like(y)).",
    phrasings=dict(asserts=["you should reduce a vector loss with .sum() before calling backward",
                            "summing the loss first is the same as backpropagating a vector of ones"],
                   denies=["summing the loss before backward changes the gradients"]),
    protocol=dict(max_dims=4, max_side=4, examples=100, reduce="sum"),
    measure=M + "sum_vs_ones_seed",
    decision=Exact("for every fuzzed shape torch.equal(grad via reduce(y).backward(), grad via "
                   "y.backward(gradient=ones))"),
    falsifier=Falsifier("mean", "reduce with .mean() instead: the gradient is scaled by 1/numel",
                        kind=MUTATION, reduce="mean"),
)


# ---------------------------------------------------------------------------------------------
# Alternatives other students write
# ---------------------------------------------------------------------------------------------

claim(
    id="q05.alt.vjp_costs_one_backward_pass",
    torch=TORCH_BEHAVIOUR,
    question="q05",
    statement="backward(gradient=v) on an m-vector output costs one backward pass whatever m is: "
              "exactly the FLOPs of backward() on the scalar (v * y).sum().",
    quote=None,
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="Both seed the same reverse pass with v (the mul's backward is elementwise); cost is "
              "that of one pass through the graph.",
    explain="For outputs of 4 to 256 numbers, backward(gradient=v) did exactly as much arithmetic as one "
            "backward pass from the single number (v*y).sum().",
    phrasings=dict(asserts=["backward with a gradient vector costs just one backward pass",
                            "a vector-Jacobian product is as cheap as the gradient of a scalar"],
                   denies=["backward on a vector output costs one pass per output element"]),
    protocol=dict(**_NET, mode="vjp"),
    measure=M + "vjp_vs_scalar_flops",
    decision=Exact("for every m, FLOPs(mode) == FLOPs(backward of (v*y).sum()) (FlopCounterMode)"),
    falsifier=Falsifier("full_jacobian", "torch.autograd.functional.jacobian instead: m passes",
                        kind=MUTATION, mode="jacobian"),
)

claim(
    id="q05.alt.one_element_matrix_raises",
    torch=TORCH_BEHAVIOUR,
    question="q05",
    statement="backward() without a gradient argument raises on a (1, 1) tensor, because it is not "
              "0-dimensional.",
    quote=None,
    kind=ANALYTIC,
    expected=REFUTED,
    rationale="The implicit gradient is created for any output with numel() == 1, whatever its "
              "shape (torch.autograd._make_grads).",
    explain="Calling backward() on a 1x1 tensor worked without any error: what counts is having a single "
            "element, not having zero dimensions.",
    phrasings=dict(asserts=["the loss must be 0-dimensional; a 1x1 tensor makes backward fail"],
                   denies=["any tensor with a single element works with backward(), whatever its shape"]),
    protocol=dict(shape=(1, 1)),
    measure=M + "one_element_raises",
    decision=Exact("y.backward() raises RuntimeError for y of the given shape"),
    falsifier=Falsifier("two_elements", "shape (1, 2): two elements, and backward() does raise",
                        kind=MUTATION, shape=(1, 2)),
)

claim(
    id="q05.alt.mean_and_sum_same_gradient",
    question="q05",
    statement="Reducing a vector loss with .mean() or with .sum() before backward() gives the same "
              "gradients.",
    quote=None,
    kind=ANALYTIC,
    expected=REFUTED,
    rationale="d mean(y)/dy = 1/numel: the mean's gradients are the sum's divided by the number of "
              "elements (equal only for one-element y).",
    explain="The gradients differed as soon as the tensor had more than one element (the smallest case "
            "found was a vector of two): those of the mean are those of the sum divided by the number of elements.",
    phrasings=dict(asserts=["it does not matter whether you use .mean() or .sum() before backward",
                            "mean and sum give the same gradients"],
                   denies=["mean scales the gradients by one over the number of elements compared to sum"]),
    protocol=dict(max_dims=3, max_side=4, examples=60),
    measure=M + "mean_vs_sum",
    decision=Exact("for every fuzzed shape the gradients of y.mean() and y.sum() are allclose "
                   "(rtol = atol = 1e-12)"),
    falsifier=Falsifier("one_element", "only one-element tensors (sides 1): mean == sum",
                        kind=MUTATION, max_side=1),
)

claim(
    id="q05.alt.nonscalar_backward_works_with_gradient",
    torch=TORCH_BEHAVIOUR,
    question="q05",
    statement="A scalar is not strictly required: backward() on a non-scalar tensor runs without "
              "error when a gradient of the same shape is passed.",
    quote=None,
    kind=ANALYTIC,
    expected=HOLDS,
    rationale="torch.Tensor.backward(gradient=...) documents exactly this; the scalar requirement "
              "only concerns the implicit gradient.",
    explain="On 60 random shapes, backward() on a tensor with many elements ran without error whenever we "
            "passed a gradient of the same shape.",
    phrasings=dict(asserts=["you can call backward on a vector if you pass the gradient argument",
                            "a scalar loss is not strictly required by backward()"],
                   denies=["backward() can never be called on a non-scalar tensor"]),
    protocol=dict(max_dims=4, max_side=4, examples=60, extra=0),
    measure=M + "backward_with_gradient",
    decision=Exact("for every fuzzed shape y.backward(gradient=g) with g of y's shape (plus `extra` elements "
                   "on the last axis) raises nothing"),
    falsifier=Falsifier("wrong_shape_gradient", "a gradient with one extra element on the last axis: "
                        "shape mismatch raises", kind=MUTATION, extra=1),
)
