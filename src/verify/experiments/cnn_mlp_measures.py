"""The measurements of the q03 claims (CNN vs MLP), each ``(p, ctx) -> Check | Pair | Curve``.

Exact structure (parameter and FLOP counts, linearity, convolution as a matrix) returns a
:class:`~verify.stats.Check`; the digits experiments return per-seed :class:`~verify.stats.Pair`
samples read from the shared ensembles of :mod:`verify.experiments.cnn_mlp` (one run per process
under the shared streams ``q03-digits`` and ``q03-digits-splits``).  The claims declare the decisions.
"""

from __future__ import annotations

import statistics

import torch
from torch import nn

from ..lab.fuzz import counterexample
from ..lab.measure import forward_flops, param_count
from ..stats import Check, Curve, Pair
from .cnn_mlp import (ConvNet, activation_bytes, cnn_as_mlp, conv_matrix, conv_projection_residual,
                      linearly_separable, make_model, run_from_protocol, split_run, superposition_gap)

__all__ = ["dense_vs_conv_params", "weight_sharing_params", "dense_jacobian", "memory_vs_dataset_size",
           "param_memory_ratio", "flops_ratio", "flops_per_param", "conv_superposition", "conv_as_matrix",
           "network_superposition", "linear_stack_collapse", "xor_needs_nonlinearity", "cnn_within_mlp",
           "permutation_effect", "model_accuracies", "shift_effect", "accuracy_vs_threshold",
           "gap_difference", "permutation_drop_difference"]


# ------------------------------------------------------------------------ parameters and costs

def _layer_configs():
    """Fuzzed (image side, kernel, c_in, c_out) of one conv layer."""
    from hypothesis import strategies as st

    return st.tuples(st.integers(4, 12), st.sampled_from([1, 3, 5]), st.integers(1, 3), st.integers(1, 8))


def _kernel(p, side: int, k: int) -> tuple[int, int]:
    """(kernel, padding): 'same' padding, or with ``p.full_kernel`` a kernel covering the image."""
    return (side, 0) if p.full_kernel else (min(k, side), min(k, side) // 2)


def dense_vs_conv_params(p, ctx) -> Check:
    """Dense/conv parameter ratio for fuzzed layers with the same output size (real nn modules)."""
    def ratio(cfg):
        side, k, c_in, c_out = cfg
        k, pad = _kernel(p, side, k)
        conv = nn.Conv2d(c_in, c_out, k, padding=pad)
        out = side + 2 * pad - k + 1
        dense = nn.Linear(c_in * side * side, c_out * out * out)
        return param_count(dense) / param_count(conv)

    bad = counterexample(_layer_configs(), lambda c: ratio(c) >= p.min_ratio, examples=p.examples,
                         seed=ctx.seed("fuzz"))
    digits = ratio((8, 3, 1, 8))
    return Check(ok=bad is None, difference=digits, tolerance=p.min_ratio,
                 statistic_name="dense/conv params (8x8, 3x3, 8 ch)",
                 reason="" if bad is None else f"config {bad} has ratio {ratio(bad):.3g}",
                 evidence={"ratio_8x8_3x3_8ch": round(digits, 2), "counterexample": bad,
                           "whole_models": {"mlp_64_100_10": 7510, "cnn_conv3x3x8_pool_linear": 1370}})


def weight_sharing_params(p, ctx) -> Check:
    """Locally connected / conv parameter ratio against the number of output positions."""
    from ..lab.models import LocallyConnected2d

    def ok(cfg):
        side, k, c_in, c_out = cfg
        k, pad = _kernel(p, side, k)
        lc = LocallyConnected2d(c_in, c_out, k, side, pad)
        r = param_count(lc) / param_count(nn.Conv2d(c_in, c_out, k, padding=pad))
        return abs(r - lc.out_side ** 2) < 1e-9 and r >= p.min_ratio

    bad = counterexample(_layer_configs(), ok, examples=p.examples, seed=ctx.seed("fuzz"))
    k, pad = (8, 0) if p.full_kernel else (3, 1)
    lc = LocallyConnected2d(1, 8, k, 8, pad)
    r = param_count(lc) / param_count(nn.Conv2d(1, 8, k, padding=pad))
    return Check(ok=bad is None, difference=r, tolerance=p.min_ratio, statistic_name="unshared/shared params (8x8)",
                 reason="" if bad is None else f"config {bad} fails",
                 evidence={"counterexample": bad, "locally_connected_params": param_count(lc), "ratio_8x8": r})


def dense_jacobian(p, ctx) -> Check:
    """Whether the input Jacobian of ``p.layer`` is dense with all entries distinct (float64)."""
    torch.manual_seed(ctx.seed("init"))
    n = p.side * p.side
    if p.layer == "dense":
        layer = nn.Linear(n, p.hidden, dtype=torch.float64)  # float64 init: no accidental ties
        f = layer
    else:
        layer = nn.Conv2d(1, 8, 3, padding=1, dtype=torch.float64)
        f = lambda v: layer(v.view(1, 1, p.side, p.side)).flatten()  # noqa: E731
    jac = torch.autograd.functional.jacobian(f, torch.rand(n, dtype=torch.float64))
    nonzero = float((jac != 0).double().mean())
    distinct = int(torch.unique(jac[jac != 0]).numel())
    return Check(ok=nonzero == 1.0 and distinct == jac.numel(), difference=nonzero, tolerance=1.0,
                 statistic_name="fraction of nonzero Jacobian entries",
                 evidence={"jacobian_shape": list(jac.shape), "nonzero_fraction": round(nonzero, 4),
                           "distinct_values": distinct, "entries": jac.numel()})


def memory_vs_dataset_size(p, ctx) -> Curve:
    """Bytes (``p.measure``: parameter or full-batch activation bytes) of the digits MLP against N."""
    from ..lab.data import digits

    images, _ = digits()
    out = []
    for n in p.sizes:
        torch.manual_seed(ctx.seed("init"))
        m = make_model("mlp")
        if p.measure == "parameter_bytes":
            out.append(sum(t.numel() * t.element_size() for t in m.parameters()))
        else:
            out.append(activation_bytes(m, images[:n]))
    return Curve(p.sizes, out, label=f"slope of log {p.measure} on log N",
                 evidence={"bytes": dict(zip(map(str, p.sizes), out))})


def _param_bytes(m: nn.Module) -> int:
    return sum(t.numel() * t.element_size() for t in m.parameters())


def param_memory_ratio(p, ctx) -> Check:
    """MLP/CNN parameter bytes of the two digits models."""
    mlp = _param_bytes(make_model("mlp", hidden=p.mlp_hidden))
    cnn = _param_bytes(make_model("cnn", channels=p.cnn_channels))
    return Check(ok=mlp / cnn >= p.min_ratio, difference=mlp / cnn, tolerance=p.min_ratio,
                 statistic_name="MLP/CNN parameter bytes", evidence={"mlp_bytes": mlp, "cnn_bytes": cnn})


def flops_ratio(p, ctx) -> Check:
    """MLP/CNN FLOPs of one forward pass on one digit image."""
    from ..lab.models import SmallCNN

    x = torch.zeros(1, 8, 8)
    mlp = forward_flops(make_model("mlp", hidden=p.mlp_hidden), x)
    cnn = forward_flops(make_model("cnn", channels=p.cnn_channels), x)
    small = forward_flops(SmallCNN(), x)
    return Check(ok=mlp / cnn >= p.min_ratio, difference=mlp / cnn, tolerance=p.min_ratio,
                 statistic_name="MLP/CNN FLOPs per image",
                 evidence={"mlp_flops": mlp, "cnn_flops": cnn, "smallcnn_8_16_flops": small,
                           "note": "FlopCounterMode counts matmul/conv only (not ReLU, pooling, bias)"})


def flops_per_param(p, ctx) -> Check:
    """Whether a conv layer's FLOPs per parameter stay within ``p.slack`` of a dense layer's."""
    def per_param(cfg):
        side, k, c_in, c_out = cfg
        k, pad = _kernel(p, side, k)
        x = torch.zeros(1, c_in, side, side)
        conv = nn.Conv2d(c_in, c_out, k, padding=pad)
        dense = nn.Sequential(nn.Flatten(), nn.Linear(c_in * side * side, c_out))
        return forward_flops(conv, x) / param_count(conv), forward_flops(dense, x) / param_count(dense)

    def ok(cfg):
        c, d = per_param(cfg)
        return c <= p.slack * d

    bad = counterexample(_layer_configs(), ok, examples=p.examples, seed=ctx.seed("fuzz"))
    c, d = per_param((8, 3, 1, 8))
    reason = "" if bad is None else (f"config {bad}: conv {per_param(bad)[0]:.3g} vs dense "
                                     f"{per_param(bad)[1]:.3g} FLOPs/param")
    return Check(ok=bad is None, difference=c / d, tolerance=p.slack, statistic_name="conv/dense FLOPs per param (8x8)",
                 reason=reason, evidence={"conv_flops_per_param_8x8_3x3": round(c, 2),
                                          "dense_flops_per_param": round(d, 3), "counterexample": bad})


# ------------------------------------------------------------------------------- linearity

def _conv_cases():
    """Fuzzed (c_in, c_out, side, kernel, stride, padding, a, b)."""
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(3, 7), st.integers(1, 3),
                     st.integers(1, 3), st.integers(0, 2), st.floats(-3, 3), st.floats(-3, 3))


def _conv_weights(case, ctx):
    """(case with the kernel clipped to the image, its generator, a float64 kernel drawn from it)."""
    c_in, c_out, side, k, stride, pad, a, b = case
    k = min(k, side)
    g = ctx.generator(str(case))
    return (c_in, c_out, side, k, stride, pad, a, b), g, torch.randn(c_out, c_in, k, k, dtype=torch.float64, generator=g)


def conv_superposition(p, ctx) -> Check:
    """Whether conv2d (with a bias iff ``p.bias``) satisfies superposition on every fuzzed case."""
    def ok(case):
        (c_in, c_out, side, k, stride, pad, a, b), g, w = _conv_weights(case, ctx)
        bias = torch.randn(c_out, dtype=torch.float64, generator=g) if p.bias else None
        x, y = (torch.randn(1, c_in, side, side, dtype=torch.float64, generator=g) for _ in range(2))
        f = lambda v: torch.nn.functional.conv2d(v, w, bias, stride=stride, padding=pad)  # noqa: E731
        return superposition_gap(f, x, y, a, b) <= p.tol

    bad = counterexample(_conv_cases(), ok, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="superposition",
                 reason="" if bad is None else f"case {bad} violates superposition",
                 evidence={"counterexample": bad, "examples": p.examples})


def conv_as_matrix(p, ctx) -> Check:
    """Whether conv2d equals multiplication by :func:`conv_matrix` (``p.flip``: the flipped kernel's)."""
    def ok(case):
        (c_in, c_out, side, k, stride, pad, _a, _b), g, w = _conv_weights(case, ctx)
        x = torch.randn(1, c_in, side, side, dtype=torch.float64, generator=g)
        m = conv_matrix(w, (c_in, side, side), stride, pad, flip=p.flip)
        y = torch.nn.functional.conv2d(x, w, stride=stride, padding=pad).flatten()
        return float((y - m @ x.flatten()).abs().max()) <= p.tol

    bad = counterexample(_conv_cases(), ok, examples=p.examples, seed=ctx.seed("fuzz"))
    w = torch.randn(8, 1, 3, 3, dtype=torch.float64, generator=ctx.generator("digits"))
    m = conv_matrix(w, (1, 8, 8), 1, 1)
    return Check(ok=bad is None, statistic_name="conv == matrix", reason="" if bad is None else f"case {bad} differs",
                 evidence={"counterexample": bad, "M_shape_8x8_3x3_8ch": list(m.shape),
                           "M_nonzero_fraction": round(float((m != 0).double().mean()), 4),
                           "M_distinct_values": int(torch.unique(m[m != 0]).numel())})


def network_superposition(p, ctx) -> Check:
    """Whether a small ``p.model`` ('cnn' or 'mlp'; float64, no biases, activation ``p.act``) is
    linear: its max superposition gap over ``p.pairs`` random (x, y, a, b) is at most ``p.tol``."""
    from ..lab.models import MLP

    act = {"relu": nn.ReLU, "identity": nn.Identity}[p.act]
    torch.manual_seed(ctx.seed("init"))
    if p.model == "cnn":
        model = ConvNet(c=8, k=3, padding=1, pool=False, act=act, bias=False).double()
    else:
        model = MLP((64, 100, 10), act=act).double()
        for m in model.modules():
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)
    g = ctx.generator("inputs")
    gaps = []
    for _ in range(p.pairs):
        x, y = (torch.randn(4, 8, 8, dtype=torch.float64, generator=g) for _ in range(2))
        a, b = (float(v) for v in torch.randn(2, dtype=torch.float64, generator=g))
        gaps.append(superposition_gap(model, x, y, a, b))
    gap = max(gaps)
    return Check(ok=gap <= p.tol, difference=gap, tolerance=p.tol, statistic_name="max superposition gap")


def linear_stack_collapse(p, ctx) -> Check:
    """Whether fuzzed stacks of Linear layers (activation ``p.act``) equal one collapsed layer."""
    from hypothesis import strategies as st

    from ..lab.models import MLP

    act = {"relu": nn.ReLU, "identity": nn.Identity}[p.act]

    def ok(sizes):
        torch.manual_seed(ctx.seed(str(sizes)))
        net = MLP(sizes, act=act, flatten=False).double()
        w = torch.eye(sizes[0], dtype=torch.float64)
        b = torch.zeros(sizes[0], dtype=torch.float64)
        for m in net.modules():
            if isinstance(m, nn.Linear):
                w, b = m.weight @ w, m.weight @ b + m.bias
        x = torch.randn(16, sizes[0], dtype=torch.float64, generator=ctx.generator(str(sizes)))
        with torch.no_grad():
            return float((net(x) - (x @ w.T + b)).abs().max()) <= p.tol

    sizes = st.lists(st.integers(1, 12), min_size=3, max_size=5).map(tuple)
    bad = counterexample(sizes, ok, examples=p.examples, seed=ctx.seed("fuzz"))
    return Check(ok=bad is None, statistic_name="collapse",
                 reason="" if bad is None else f"stack {bad} is not one layer", evidence={"counterexample": bad})


def xor_needs_nonlinearity(p, ctx) -> Check:
    """Whether ``p.target`` ('xor' or 'and') is not linearly separable yet computed by a tiny ReLU net."""
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    s = x.sum(1)
    y, net = ((torch.tensor([0.0, 1.0, 1.0, 0.0]), torch.relu(s) - 2 * torch.relu(s - 1)) if p.target == "xor"
              else (torch.tensor([0.0, 0.0, 0.0, 1.0]), torch.relu(s - 1)))
    sep = linearly_separable(x, y)
    return Check(ok=not sep and torch.equal(net, y), statistic_name="linearly separable",
                 evidence={"target": p.target, "linearly_separable": sep, "relu_net_output": net.tolist()})


def cnn_within_mlp(p, ctx) -> Check:
    """Whether a conv-ReLU net equals its converted MLP and a random dense layer is far from every
    conv layer (relative least-squares residual >= ``p.min_residual``)."""
    torch.manual_seed(ctx.seed("init"))
    cnn = ConvNet(c=p.channels, k=p.kernel, padding=p.padding, pool=False).double()
    mlp = cnn_as_mlp(cnn, 8)
    x = torch.randn(16, 8, 8, dtype=torch.float64, generator=ctx.generator("x"))
    with torch.no_grad():
        diff = float((cnn(x) - mlp(x)).abs().max())
    dense = torch.randn(mlp[1].weight.shape, dtype=torch.float64, generator=ctx.generator("dense"))
    resid = conv_projection_residual(dense, 8, p.kernel, p.padding)
    return Check(ok=diff <= p.tol and resid >= p.min_residual, difference=resid, tolerance=p.min_residual,
                 statistic_name="distance of a dense layer to the conv layers",
                 evidence={"cnn_vs_converted_mlp_max_diff": diff, "dense_to_conv_relative_residual": round(resid, 4)})


# ------------------------------------------------------------------------- digits experiments

def _digits(p, ctx, kind: str, permute: bool = False):
    return run_from_protocol(p, ctx.shared_stream("q03-digits"), kind, permute)


def _table(**cols) -> dict:
    """Per-seed columns as a compact table of means and sds (evidence)."""
    return {k: {"mean": round(statistics.mean(v), 4), "sd": round(statistics.stdev(v), 4) if len(v) > 1 else 0.0}
            for k, v in cols.items()}


def permutation_effect(p, ctx) -> Pair:
    """Test accuracy of ``p.model`` on plain digits (a) vs pixel-permuted digits (b): permuted for
    training and testing, or, with ``permute_train=False``, for the test images only."""
    plain = _digits(p, ctx, p.model)
    other = _digits(p, ctx, p.model, permute=True).test_acc if p.permute_train else plain.scrambled_test_acc
    return Pair(plain.test_acc, other, label=f"acc(plain) - acc(permuted), {p.model}",
                evidence={"table": _table(plain=plain.test_acc, permuted=other), "permute_train": p.permute_train})


def model_accuracies(p, ctx) -> Pair:
    """Per-seed test accuracy of the CNN (a) and the MLP (b) on digits shifted by ``p.test_shift``."""
    cnn = _digits(p, ctx, "cnn").accuracy(p.test_shift)
    mlp = _digits(p, ctx, "mlp").accuracy(p.test_shift)
    return Pair(cnn, mlp, evidence={"table": _table(cnn=cnn, mlp=mlp), "test_shift": p.test_shift})


def shift_effect(p, ctx) -> Pair:
    """The CNN's per-seed accuracy on centred (a) vs shifted-by-``p.test_shift`` (b) test digits."""
    run = _digits(p, ctx, "cnn")
    centred, shifted = run.accuracy(0), run.accuracy(p.test_shift)
    return Pair(centred, shifted, evidence={"table": _table(centred=centred, shifted=shifted),
                                            "test_shift": p.test_shift})


def accuracy_vs_threshold(p, ctx) -> Pair:
    """``p.threshold`` (a, constant) vs the MLP's per-seed accuracy on digits shifted by ``p.test_shift`` (b)."""
    acc = _digits(p, ctx, "mlp").accuracy(p.test_shift)
    return Pair([p.threshold] * len(acc), acc, evidence={"table": _table(mlp=acc), "test_shift": p.test_shift})


def gap_difference(p, ctx) -> Pair:
    """Per-member generalisation gaps of the MLP (a) and the CNN (b), each member on its own split;
    member i of both has the same split, init seed and minibatch order (paired)."""
    common = dict(steps=p.steps, batch=p.batch, lr=p.lr)
    stream = ctx.shared_stream("q03-digits-splits")
    mlp = split_run("mlp", stream, p.seeds, hidden=p.mlp_hidden, **common)
    cnn = split_run("cnn", stream, p.seeds, channels=p.cnn_channels, kernel=p.cnn_kernel, **common)
    return Pair(mlp.gap, cnn.gap, evidence={"table": _table(
        mlp_train=mlp.train_acc, mlp_test=mlp.test_acc, mlp_gap=mlp.gap,
        cnn_train=cnn.train_acc, cnn_test=cnn.test_acc, cnn_gap=cnn.gap)})


def permutation_drop_difference(p, ctx) -> Pair:
    """Per-seed accuracy drop under a pixel permutation, drop = acc(plain) - acc(permuted), of the
    CNN (a) and the MLP (b)."""
    drop = {}
    for kind in ("cnn", "mlp"):
        plain, perm = _digits(p, ctx, kind), _digits(p, ctx, kind, permute=True)
        drop[kind] = [a - b for a, b in zip(plain.test_acc, perm.test_acc)]
    return Pair(drop["cnn"], drop["mlp"], evidence={"table": _table(cnn_drop=drop["cnn"], mlp_drop=drop["mlp"])})
