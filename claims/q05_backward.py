"""q05 — Why does PyTorch require the loss to be a scalar when calling ``loss.backward()``?

Reconstructed question: "Why does PyTorch require the loss to be a scalar when calling
loss.backward()? Relate your answer to backpropagation / reverse-mode automatic differentiation."
"""

from verify import ANALYTIC, HOLDS, Falsifier, claim, exact


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

    from verify.fuzz import counterexample

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
