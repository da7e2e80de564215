"""The measurements of the q05 claims: exact facts about ``backward()``, each a :class:`~verify.stats.Check`.

Most claims are properties checked over shapes that Hypothesis draws (:func:`verify.lab.fuzz.counterexample`):
the check passes iff no counterexample is found, and the smallest one found is the evidence.  The
cost claims read the shared tanh network of :func:`verify.experiments.autograd.vjp_or_jacobian`
(stream ``shared/q05-tanh-net``), so each (size, mode) is measured once per process.  All tensors are
float64: the comparisons are exact or at rounding level (1e-12).
"""

from __future__ import annotations

import math

import torch
from hypothesis import strategies as st

from ..lab.fuzz import counterexample
from ..stats import Check, Curve
from .autograd import manual_backprop, two_layer, vjp_or_jacobian

__all__ = ["nonscalar_raises", "autograd_vs_manual", "every_parameter_gets_gradient", "gradient_shape",
           "largest_backward_tensor", "jacobian_rows", "jacobian_cost_ratio", "vjp_equals_vt_j",
           "sum_vs_ones_seed", "vjp_vs_scalar_flops", "one_element_raises", "mean_vs_sum",
           "backward_with_gradient"]

F64 = torch.float64


def _fuzz(strategy, prop, p, ctx, *, what: str, failure: str, **evidence) -> Check:
    """The property ``prop`` over ``p.examples`` draws of ``strategy``; ``failure`` (with ``{}`` for the
    counterexample) says what a counterexample breaks."""
    bad = counterexample(strategy, prop, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name=f"counterexample {what}",
                 reason="" if bad is None else failure.format(bad),
                 evidence={"counterexample": bad, "examples": p.examples, **evidence})


def _shapes(p, min_dims: int = 0):
    """Tensor shapes of up to ``p.max_dims`` axes with sides 1..``p.max_side``."""
    return st.lists(st.integers(1, p.max_side), min_size=min_dims, max_size=p.max_dims).map(tuple)


def nonscalar_raises(p, ctx) -> Check:
    """backward() without a gradient raises exactly on tensors of more than one element
    (``p.reduce_first``: on ``y.sum()`` instead)."""
    def raises_iff_many(shape):
        x = torch.randn(shape, dtype=F64, requires_grad=True, generator=ctx.generator(str(shape)))
        y = x * 2.0
        if p.reduce_first:
            y = y.sum()
        try:
            y.backward()
            raised = False
        except RuntimeError:
            raised = True
        return raised == (x.numel() > 1)

    return _fuzz(_shapes(p), raises_iff_many, p, ctx, what="shape",
                 failure="shape {} breaks 'raises iff numel > 1'")


def autograd_vs_manual(p, ctx) -> Check:
    """loss.backward() on :func:`two_layer` against hand-derived backprop and gradcheck."""
    g = ctx.generator("mlp")

    def r(*s):
        return torch.randn(*s, dtype=F64, generator=g)

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
    return Check(ok=err <= p.tolerance and ok_check, difference=err, tolerance=p.tolerance,
                 statistic_name="max |autograd - manual|",
                 evidence={"max_diff_per_param (W1, b1, W2, b2)": diffs, "gradcheck": ok_check,
                           "detach_hidden": p.detach_hidden})


def every_parameter_gets_gradient(p, ctx) -> Check:
    """After one backward(), every parameter of a fuzzed tanh MLP has the torch.func.grad gradient
    (``p.unused_head``: the loss skips the model's second head)."""
    def prop(widths):
        torch.manual_seed(ctx.seed(str(widths)))
        layers = [torch.nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:])]
        net = torch.nn.Sequential(*[m for lay in layers for m in (lay, torch.nn.Tanh())]).double()
        model = torch.nn.ModuleDict({"body": net, "head2": torch.nn.Linear(widths[-1], 1).double()})
        x = torch.randn(4, widths[0], dtype=F64)

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
    return _fuzz(widths, prop, p, ctx, what="widths",
                 failure="widths {}: a parameter got no (or a wrong) gradient", unused_head=p.unused_head)


def gradient_shape(p, ctx) -> Check:
    """Each parameter's gradient of a mean loss has the parameter's shape (``p.per_sample``: the
    Jacobian of the per-sample losses instead)."""
    def prop(case):
        batch, d_in, d_out = case
        torch.manual_seed(ctx.seed(str(case)))
        lin = torch.nn.Linear(d_in, d_out).double()
        x = torch.randn(batch, d_in, dtype=F64)
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
    return _fuzz(cases, prop, p, ctx, what="(batch, d_in, d_out)",
                 failure="{}: gradient shape differs from the parameter's", per_sample=p.per_sample)


def _costs(p, ctx, mode: str) -> dict:
    stream = ctx.shared_stream("q05-tanh-net")
    return {m: vjp_or_jacobian(p.n, p.h, m, stream, mode) for m in p.ms}


def largest_backward_tensor(p, ctx) -> Check:
    """Whether ``p.mode`` creates a tensor of at least m*n elements for every output size m."""
    rows = {m: c.largest for m, c in _costs(p, ctx, p.mode).items()}
    return Check(ok=all(rows[m] >= m * p.n for m in p.ms), difference=min(rows[m] / (m * p.n) for m in p.ms),
                 tolerance=1.0, statistic_name="min over m of largest tensor / (m*n)",
                 evidence={"mode": p.mode, "n": p.n,
                           "table (m: largest tensor, m*n)": {str(m): [rows[m], m * p.n] for m in p.ms}})


def jacobian_rows(p, ctx) -> Check:
    """Row i of torch.autograd.functional.jacobian (``p.layout="columns"``: of its transpose) against
    x.grad after backward() on y_i alone."""
    def prop(case):
        m, n = case
        g = ctx.generator(str(case))
        B = torch.randn(m, n, dtype=F64, generator=g)
        x0 = torch.randn(n, dtype=F64, generator=g)

        def f(z):
            return torch.tanh(B @ z) * z.sum()

        J = torch.autograd.functional.jacobian(f, x0)
        J = J if p.layout == "rows" else J.T
        for i in range(m):
            x = x0.clone().requires_grad_(True)
            f(x)[i].backward()
            if i >= J.shape[0] or J[i].shape != x.grad.shape or not torch.allclose(J[i], x.grad, rtol=1e-12,
                                                                                    atol=1e-12):
                return False
        return True

    cases = st.tuples(st.integers(1, p.max_side), st.integers(1, p.max_side))
    return _fuzz(cases, prop, p, ctx, what="(m, n)", failure="(m, n) = {}: a row of J is not the output's gradient",
                 layout=p.layout)


def jacobian_cost_ratio(p, ctx) -> Curve:
    """FLOPs of ``p.mode`` over those of one backward(gradient=v), against the output size m."""
    cost, base = _costs(p, ctx, p.mode), _costs(p, ctx, "vjp")
    return Curve(list(p.ms), [cost[m].flops / base[m].flops for m in p.ms],
                 evidence={"mode": p.mode,
                           "table": {str(m): {"flops": cost[m].flops, "vjp_flops": base[m].flops} for m in p.ms}})


def vjp_equals_vt_j(p, ctx) -> Check:
    """x.grad after ``p.backward_calls`` calls of y.backward(gradient=v) against tensordot(v, J)."""
    def prop(case):
        sx, sy = case
        g = ctx.generator(str(case))
        nx, ny = math.prod(sx), math.prod(sy)
        B = torch.randn(ny, nx, dtype=F64, generator=g)
        x = torch.randn(sx, dtype=F64, generator=g).requires_grad_(True)
        v = torch.randn(sy, dtype=F64, generator=g)

        def f(z):
            return torch.tanh(B @ z.reshape(-1)).reshape(sy)

        J = torch.autograd.functional.jacobian(f, x.detach())          # shape sy + sx
        want = torch.tensordot(v, J, dims=len(sy)) if sy else v * J
        y = f(x)
        for _ in range(p.backward_calls):
            y.backward(gradient=v, retain_graph=True)
        return torch.allclose(x.grad, want, rtol=1e-12, atol=1e-12)

    return _fuzz(st.tuples(_shapes(p), _shapes(p)), prop, p, ctx, what="(x shape, y shape)",
                 failure="{}: x.grad != v^T J", backward_calls=p.backward_calls)


def sum_vs_ones_seed(p, ctx) -> Check:
    """The gradient of ``getattr(y, p.reduce)()`` against that of y.backward(gradient=ones), bitwise."""
    def prop(shape):
        x0 = torch.randn(shape, dtype=F64, generator=ctx.generator(str(shape)))
        x1, x2 = x0.clone().requires_grad_(True), x0.clone().requires_grad_(True)
        y1 = torch.sin(x1) * x1
        getattr(y1, p.reduce)().backward()
        y2 = torch.sin(x2) * x2
        y2.backward(gradient=torch.ones_like(y2))
        return torch.equal(x1.grad, x2.grad)

    return _fuzz(_shapes(p), prop, p, ctx, what="shape",
                 failure="shape {}: " + p.reduce + "() gradient != ones-seeded gradient", reduce=p.reduce)


def vjp_vs_scalar_flops(p, ctx) -> Check:
    """FLOPs of ``p.mode`` against one backward of the scalar (v * y).sum(), for every m."""
    cost, scalar = _costs(p, ctx, p.mode), _costs(p, ctx, "scalar")
    rows = {m: (cost[m].flops, scalar[m].flops) for m in p.ms}
    return Check(ok=all(a == b for a, b in rows.values()), difference=max(a / b for a, b in rows.values()),
                 tolerance=1.0, statistic_name="max FLOPs ratio to one scalar backward",
                 evidence={"mode": p.mode, "table (m: flops, scalar-backward flops)":
                           {str(m): list(v) for m, v in rows.items()}})


def one_element_raises(p, ctx) -> Check:
    """Whether backward() without a gradient raises on a tensor of shape ``p.shape``."""
    x = torch.randn(p.shape, generator=ctx.generator("x"), requires_grad=True)
    try:
        (x * 2).backward()
        raised, msg = False, ""
    except RuntimeError as exc:
        raised, msg = True, str(exc)
    return Check(ok=raised, statistic_name="raised", evidence={"shape": list(p.shape), "message": msg})


def mean_vs_sum(p, ctx) -> Check:
    """The gradients of tanh(x).mean() and tanh(x).sum(), compared (allclose 1e-12)."""
    def prop(shape):
        x0 = torch.randn(shape, dtype=F64, generator=ctx.generator(str(shape)))
        grads = []
        for red in ("mean", "sum"):
            x = x0.clone().requires_grad_(True)
            getattr(torch.tanh(x), red)().backward()
            grads.append(x.grad)
        return torch.allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)

    return _fuzz(_shapes(p), prop, p, ctx, what="shape",
                 failure="shape {}: mean and sum gradients differ (factor 1/numel)")


def backward_with_gradient(p, ctx) -> Check:
    """Whether y.backward(gradient=g) runs for g of y's shape plus ``p.extra`` elements on the last axis."""
    def prop(shape):
        x = torch.randn(shape, dtype=F64, generator=ctx.generator(str(shape)), requires_grad=True)
        y = x * 3.0
        gshape = tuple(shape[:-1]) + (shape[-1] + p.extra,)
        try:
            y.backward(gradient=torch.ones(gshape, dtype=F64))
            return True
        except RuntimeError:
            return False

    return _fuzz(_shapes(p, min_dims=1), prop, p, ctx, what="shape",
                 failure="shape {}: backward(gradient=...) raised", extra=p.extra)
