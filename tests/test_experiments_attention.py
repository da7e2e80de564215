"""Tests for verify.experiments.attention and its measures (q07/q08 experiments)."""

import math

import pytest
import torch

from verify.claim import Protocol
from verify.experiments import attention_aligner, attention_measures, attention_rows
from verify.experiments.attention import (BahdanauAligner, SlotTranslator, bob_attention, bob_weights,
                                          masked_softmax, naive_softmax, normalise_rows, sdpa_flops,
                                          slot_task, stage_costs, standard_attention)
from verify.lab.measure import OpRecorder
from verify.runner import Context
from verify.seeding import SeedStream
from tests.helpers import make_claim, toy


def _qkv(n=6, d=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(n, d, generator=g, dtype=torch.float64) for _ in range(3))


def test_standard_attention_matches_closed_form():
    """standard_attention equals softmax(QK^T/sqrt d)V written out with exp and sums."""
    q, k, v = _qkv()
    e = torch.exp(q @ k.T / math.sqrt(3))
    expected = (e / e.sum(-1, keepdim=True)) @ v
    torch.testing.assert_close(standard_attention(q, k, v), expected)


def test_without_softmax_the_two_orders_agree():
    """Dropping the softmax, (QK^T)V and Q(K^T V) agree by associativity."""
    q, k, v = _qkv()
    torch.testing.assert_close(standard_attention(q, k, v, softmax=False),
                               bob_attention(q, k, v, softmax=False))


def test_bob_is_token_mixing_by_bob_weights():
    """bob_attention(q, k, v) equals bob_weights(q, k) @ v, with and without the key softmax."""
    q, k, v = _qkv()
    for ks in (False, True):
        torch.testing.assert_close(bob_attention(q, k, v, key_softmax=ks), bob_weights(q, k, key_softmax=ks) @ v)


def test_key_softmax_makes_bob_weights_row_stochastic():
    """With the key softmax over the sequence, Bob's weights are non-negative and rows sum to 1."""
    q, k, _ = _qkv()
    w = bob_weights(q, k, key_softmax=True)
    assert (w >= 0).all()
    torch.testing.assert_close(w.sum(-1), torch.ones(6, dtype=torch.float64))


def test_self_aggregate_uses_only_own_token():
    """aggregate='self' gives out_i = softmax(q_i/sqrt d)(k_i^T v_i)."""
    q, k, v = _qkv()
    out = bob_attention(q, k, v, aggregate="self")
    i = 2
    expected = torch.softmax(q[i] / math.sqrt(3), -1) @ torch.outer(k[i], v[i])
    torch.testing.assert_close(out[i], expected)


def test_gradcheck_both_forms():
    """Both attention forms pass torch.autograd.gradcheck in float64."""
    q, k, v = (t.clone().requires_grad_(True) for t in _qkv(4, 2))
    assert torch.autograd.gradcheck(standard_attention, (q, k, v))
    assert torch.autograd.gradcheck(bob_attention, (q, k, v))


@pytest.mark.parametrize("n,d", [(64, 8), (32, 16)])
def test_stage_costs_match_closed_forms(n, d):
    """Measured FLOPs are 4n^2d (standard) and 4nd^2 (Bob); softmax elements n^2 and nd."""
    std, bob = stage_costs("standard", n, d), stage_costs("bob", n, d)
    assert std["total"].flops == 4 * n * n * d
    assert bob["total"].flops == 4 * n * d * d
    assert std["softmax"].softmax_elements == n * n
    assert bob["softmax"].softmax_elements == n * d
    assert std["softmax"].flops == 0   # FlopCounterMode's blind spot for softmax
    assert (n, n) in std["total"].shapes and (n, n) not in bob["total"].shapes


def test_stage_costs_reject_unknown_stage():
    """Asking for a stage the form does not have raises a ValueError naming the stages."""
    with pytest.raises(ValueError, match="scores"):
        stage_costs("standard", 8, 2)["kv"]


def test_op_recorder_counts_softmax_elements():
    """OpRecorder counts one element per softmax output entry and records output shapes."""
    with OpRecorder() as rec:
        torch.softmax(torch.zeros(3, 5), -1)
    assert rec.softmax_elements == 15
    assert (3, 5) in [s for _, s in rec.ops]


def test_sdpa_math_backend_counted_like_explicit():
    """With the math backend, SDPA's counted FLOPs equal the explicit matmuls' 4n^2d."""
    r = sdpa_flops(16, 4, seed=0, backend="math")
    assert r.sdpa == r.explicit == 4 * 16 * 16 * 4
    assert r.max_abs_diff < 1e-5


def test_masked_softmax_fully_masked_row():
    """A fully -inf-masked row is NaN; with a finite fill it is uniform."""
    x = torch.zeros(2, 4)
    mask = torch.zeros(2, 4, dtype=torch.bool)
    mask[0] = True
    assert torch.isnan(masked_softmax(x, mask)[0]).all()
    torch.testing.assert_close(masked_softmax(x, mask, fill=-1e9)[0], torch.full((4,), 0.25))


def test_naive_softmax_overflows_where_torch_does_not():
    """exp(z)/sum exp(z) overflows at z=1e4; torch.softmax does not."""
    x = torch.tensor([1e4, 0.0])
    assert torch.isnan(naive_softmax(x)).any()
    assert torch.equal(torch.softmax(x, -1), torch.tensor([1.0, 0.0]))


def _changed_annotation(encoder, j, pos):
    torch.manual_seed(0)
    m = BahdanauAligner(10, 4, 4, 4, 4, encoder=encoder)
    x = torch.tensor([[1, 2, 3, 4, 5]])
    x2 = x.clone()
    x2[0, pos] = 9
    with torch.no_grad():
        return float((m.annotations(x)[0, j] - m.annotations(x2)[0, j]).abs().max())


def test_encoders_context_dependence():
    """h_j depends on other words for the BiGRU, only on earlier ones for a forward GRU, on none for embeddings."""
    assert _changed_annotation("bigru", 2, 4) > 1e-4 and _changed_annotation("bigru", 2, 0) > 1e-4
    assert _changed_annotation("gru", 2, 4) == 0 and _changed_annotation("gru", 2, 0) > 1e-4
    assert _changed_annotation("embedding", 2, 4) == 0 and _changed_annotation("embedding", 2, 0) == 0


def test_aligner_rows_are_distributions_over_source():
    """align() returns (B, T_y, T_x) rows that sum to 1 over source positions; context is a @ h."""
    torch.manual_seed(0)
    m = BahdanauAligner(10, 4, 4, 4, 3)
    x = torch.randint(10, (2, 6))
    s = torch.randn(2, 3, 3)
    h = m.annotations(x)
    a = m.align(s, h)
    assert a.shape == (2, 3, 6)
    torch.testing.assert_close(a.sum(-1), torch.ones(2, 3))
    torch.testing.assert_close(m.context(a, h), torch.einsum("bij,bjk->bik", a, h))


def test_slot_task_and_translator_shapes():
    """slot_task enumerates vocab^t_x sequences with the stated targets; SlotTranslator outputs (N, 2, vocab)."""
    x, y = slot_task(3, 4, need_b=2)
    assert x.shape == (81, 4) and y.shape == (81, 2)
    assert torch.equal(y[:, 0], x[:, 1]) and torch.equal(y[:, 1], (x[:, 0] + x[:, 3]) % 3)
    assert torch.equal(slot_task(3, 4, need_b=1)[1][:, 1], x[:, 3])
    m = SlotTranslator(3, 4, 2, 8, 8, 16)
    assert m(x).shape == (81, 2, 3)
    a, _ = m.attention(x)
    torch.testing.assert_close(a.sum(-1), torch.ones(81, 2))


def test_normalise_rows_variants():
    """normalise_rows: softmax rows sum to 1, sigmoid gates do not, rowmax puts a 1 in every row."""
    z = torch.tensor([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]])
    torch.testing.assert_close(normalise_rows(z, -1, "softmax").sum(-1), torch.ones(2))
    assert not torch.allclose(normalise_rows(z, -1, "sigmoid").sum(-1), torch.ones(2))
    torch.testing.assert_close(normalise_rows(z, -1, "rowmax").amax(-1), torch.ones(2))
    with pytest.raises(ValueError, match="softmax"):
        normalise_rows(z, -1, "relu")


# ----------------------------------------------------------------------------------- measures --

def _ctx(**protocol):
    return Context(make_claim(toy, protocol=protocol))


GRID = dict(ns=(64, 128, 256), d_fixed=4, ds=(2, 4, 8), n_fixed=256)


@pytest.mark.parametrize("form,stage,metric,n_slope,d_slope", [
    ("standard", "total", "flops", 2, 1), ("bob", "total", "flops", 1, 2),
    ("standard", "softmax", "softmax_elements", 2, 0), ("bob", "softmax", "softmax_elements", 1, 1)])
def test_scaling_measures_the_closed_form_exponents(form, stage, metric, n_slope, d_slope):
    """scaling() misses the closed-form exponents by float rounding only, and a wrong exponent by 1."""
    p = Protocol(dict(form=form, stage=stage, metric=metric, n_slope=n_slope, d_slope=d_slope, **GRID))
    assert abs(attention_measures.scaling(p, None).difference) < 1e-9
    wrong = Protocol({**p, "n_slope": n_slope + 1})
    assert attention_measures.scaling(wrong, None).difference == pytest.approx(1.0)


def test_cost_ratio_is_d_over_n():
    """cost_ratio() reports Bob/standard FLOPs = d/n and is ok only when every d < n."""
    below = attention_measures.cost_ratio(Protocol(dict(ns=(64,), d_over_n=(1 / 8, 1 / 4))), None)
    assert below.ok and below.difference == pytest.approx(1 / 4)
    above = attention_measures.cost_ratio(Protocol(dict(ns=(8,), d_over_n=(1 / 8, 2))), None)
    assert not above.ok and above.difference == pytest.approx(2.0)


def test_behaviour_measures_separate_softmax_from_linear_forms():
    """With the softmax the two forms differ in every trial; without it they agree to rounding."""
    p = dict(n=6, d=2, trials=3, tol=1e-6)
    assert attention_measures.forms_differ(Protocol({**p, "softmax": True}), _ctx(**p)).ok
    assert attention_measures.forms_agree(Protocol({**p, "softmax": False}), _ctx(**p)).ok


def test_query_dependence_vanishes_only_at_width_one():
    """Redrawing q_0 moves Bob's out_0 for d = 4 and leaves it unchanged for d = 1."""
    p = dict(n=6, trials=3, tol=1e-10)
    assert not attention_measures.query_dependence(Protocol({**p, "d": 4}), _ctx(**p)).ok
    assert attention_measures.query_dependence(Protocol({**p, "d": 1}), _ctx(**p)).ok


def test_single_weight_rows_white_for_softmax_not_for_sigmoid():
    """A lone unmasked softmax weight is always 1; a lone sigmoid gate is not."""
    p = dict(max_side=5, examples=20)
    assert attention_rows.single_weight_rows(Protocol({**p, "normalise": "softmax"}), _ctx(**p)).ok
    assert not attention_rows.single_weight_rows(Protocol({**p, "normalise": "sigmoid"}), _ctx(**p)).ok


ALIGNER = dict(vocab=12, t_x=7, t_y=5, emb=8, hidden=8, attn=8, dec=8)


def test_aligner_case_is_a_function_of_its_stream():
    """The same stream gives the same aligner weights and inputs; another stream other inputs."""
    p = Protocol(ALIGNER)
    a, b = (attention_aligner.aligner_case(p, SeedStream(0, "q99", "aligner")) for _ in range(2))
    c = attention_aligner.aligner_case(p, SeedStream(1, "q99", "aligner"))
    assert torch.equal(a.alignment(), b.alignment()) and torch.equal(a.x, b.x)
    assert not torch.equal(a.s, c.s)


def test_annotation_change_follows_the_encoder():
    """A forward GRU's h_j ignores later words; an embedding encoder ignores every other word."""
    stream = SeedStream(0, "q99", "aligner")
    gru = Protocol({**ALIGNER, "encoder": "gru"})
    assert max(attention_aligner.annotation_change(gru, stream, "after")) == 0
    assert max(attention_aligner.annotation_change(gru, stream, "before")) > 1e-4
    emb = Protocol({**ALIGNER, "encoder": "embedding"})
    assert max(attention_aligner.annotation_change(emb, stream, "any")) == 0
