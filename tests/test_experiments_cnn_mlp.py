"""Tests for verify.experiments.cnn_mlp and cnn_mlp_measures: conv matrices, CNN-to-MLP rewriting,
counts, the digits ensembles' seeding and typed results, and the exact measurements."""

import pytest
import torch
from torch import nn

from verify.claim import Protocol
from verify.experiments import cnn_mlp as E
from verify.experiments import cnn_mlp_measures as measures
from verify.lab.measure import forward_flops, param_count, pixel_permutation
from verify.lab.models import LocallyConnected2d
from verify.seeding import SeedStream
from verify.stats import Check


class _Ctx:
    """The two Context methods the exact measurements use, without a claim."""

    def seed(self, name=""):
        return 7

    def generator(self, name=""):
        return torch.Generator().manual_seed(7)


@pytest.mark.parametrize("c_in,c_out,side,k,stride,pad", [(1, 1, 5, 3, 1, 0), (2, 3, 6, 3, 2, 1), (1, 2, 4, 4, 1, 2)])
def test_conv_matrix_matches_conv2d(c_in, c_out, side, k, stride, pad):
    """conv_matrix(w) @ x.flatten() equals conv2d(x, w).flatten() in float64."""
    g = torch.Generator().manual_seed(0)
    w = torch.randn(c_out, c_in, k, k, dtype=torch.float64, generator=g)
    x = torch.randn(1, c_in, side, side, dtype=torch.float64, generator=g)
    m = E.conv_matrix(w, (c_in, side, side), stride, pad)
    torch.testing.assert_close(m @ x.flatten(), nn.functional.conv2d(x, w, stride=stride, padding=pad).flatten())


def test_conv_matrix_is_doubly_block_toeplitz():
    """For one channel pair, entries depend only on the offset between output and input positions."""
    w = torch.arange(1.0, 10.0, dtype=torch.float64).view(1, 1, 3, 3)
    m = E.conv_matrix(w, (1, 5, 5), 1, 0).view(3, 3, 5, 5)
    for i in range(3):
        for j in range(3):
            torch.testing.assert_close(m[i, j, i:i + 3, j:j + 3], w[0, 0])


def test_flipped_conv_matrix_differs():
    """The textbook (flipped-kernel) convolution matrix is not what conv2d computes."""
    w = torch.randn(1, 1, 3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    assert not torch.allclose(E.conv_matrix(w, (1, 5, 5)), E.conv_matrix(w, (1, 5, 5), flip=True))


def test_cnn_as_mlp_is_exact():
    """The rewritten fully connected net computes the conv net's outputs."""
    torch.manual_seed(0)
    cnn = E.ConvNet(c=3, k=3, padding=1, pool=False).double()
    x = torch.randn(4, 8, 8, dtype=torch.float64)
    torch.testing.assert_close(E.cnn_as_mlp(cnn, 8)(x), cnn(x))


def test_locally_connected_layer_has_one_filter_per_position():
    """An unshared 'same' layer has L times the conv's parameters and, holding the conv's filter everywhere, is the conv."""
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1).double()
    lc = LocallyConnected2d.from_conv(conv, 6).double()
    x = torch.randn(2, 2, 6, 6, dtype=torch.float64)
    torch.testing.assert_close(lc(x), conv(x))
    assert param_count(lc) == 36 * param_count(conv)


def test_counts_match_closed_forms():
    """Parameter and FLOP counts of the two digits models match hand counts."""
    mlp, cnn = E.make_model("mlp"), E.make_model("cnn", channels=8)
    assert param_count(mlp) == 64 * 100 + 100 + 100 * 10 + 10
    assert param_count(cnn) == 8 * 9 + 8 + 8 * 16 * 10 + 10
    x = torch.zeros(1, 8, 8)
    assert forward_flops(mlp, x) == 2 * (64 * 100 + 100 * 10)
    assert forward_flops(cnn, x) == 2 * (64 * 8 * 9 + 128 * 10)


def test_permuted_mlp_with_permuted_weights_is_same_function():
    """An MLP whose first-layer columns are permuted computes the same function on permuted inputs."""
    torch.manual_seed(0)
    m = E.make_model("mlp").double()
    m2 = E.make_model("mlp").double()
    m2.load_state_dict(m.state_dict())
    perm = pixel_permutation(64, 3)
    with torch.no_grad():
        m2.net[1].weight.copy_(m.net[1].weight[:, perm])
    x = torch.rand(5, 8, 8, dtype=torch.float64)
    torch.testing.assert_close(m2(x.reshape(5, 64)[:, perm].reshape(5, 8, 8)), m(x))


def test_linear_separability_lp():
    """AND is linearly separable, XOR is not."""
    x = torch.tensor([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    assert E.linearly_separable(x, torch.tensor([0.0, 0, 0, 1]))
    assert not E.linearly_separable(x, torch.tensor([0.0, 1, 1, 0]))


def test_conv_projection_residual():
    """A conv layer's own matrix is at distance 0 from the conv layers; a full-kernel conv spans all dense layers."""
    w = torch.randn(2, 1, 3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    assert E.conv_projection_residual(E.conv_matrix(w, (1, 8, 8), 1, 1), 8, 3, 1) < 1e-10
    dense = torch.randn(2, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    assert E.conv_projection_residual(dense, 8, 8, 0) < 1e-10


def test_convnet_gradcheck():
    """ConvNet's gradients agree with finite differences (float64 gradcheck)."""
    torch.manual_seed(0)
    net = E.ConvNet(c=2, k=3, padding=1, side=4, pool=True).double()
    x = torch.rand(2, 4, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(net, (x,))


def test_permuted_digits_run_is_coupled_to_plain_run():
    """A permuted-pixel MLP run (first-layer init permuted alike) reproduces the plain run's accuracies."""
    stream = SeedStream(0, "test", "digits")
    plain = E.digits_run("mlp", stream, 2, steps=5)
    perm = E.digits_run("mlp", stream, 2, permute=True, steps=5)
    assert plain.test_acc == perm.test_acc and plain.train_acc == perm.train_acc
    assert plain.scrambled_test_acc != plain.test_acc
    assert plain.seeds == tuple(stream.ints("init", 2))
    assert plain.accuracy(0) == plain.test_acc and plain.accuracy(1) == plain.shifted_acc[1]
    with pytest.raises(ValueError, match="test_shift 3 was not measured"):
        plain.accuracy(3)


def test_split_run_gives_each_member_its_own_split_paired_across_models():
    """split_run draws one split per member, the same for every model kind, and an 8x8-kernel CNN matches the MLP."""
    stream = SeedStream(0, "test", "splits")
    mlp = E.split_run("mlp", stream, 3, steps=3)
    same = E.split_run("cnn", stream, 3, channels=100, kernel=8, steps=3)
    assert len(set(mlp.split_seeds)) == 3 and mlp.split_seeds == same.split_seeds and mlp.seeds == same.seeds
    assert mlp.split_seeds == tuple(stream.ints("split", 3)) and mlp.seeds == tuple(stream.ints("init", 3))
    assert mlp.gap == tuple(a - b for a, b in zip(mlp.train_acc, mlp.test_acc))
    assert mlp.train_acc == pytest.approx(same.train_acc, abs=1e-6)
    assert mlp.test_acc == pytest.approx(same.test_acc, abs=1e-6)


def test_memory_and_flop_ratios_of_the_digits_models():
    """The MLP needs 30,040 parameter bytes to the CNN's 5,480, but only 14,800 FLOPs to its 11,776."""
    p = Protocol(dict(mlp_hidden=100, cnn_channels=8, min_ratio=2.0))
    mem, fl = measures.param_memory_ratio(p, _Ctx()), measures.flops_ratio(p, _Ctx())
    assert isinstance(mem, Check) and mem.ok and mem.evidence == {"mlp_bytes": 30040, "cnn_bytes": 5480}
    assert not fl.ok and (fl.evidence["mlp_flops"], fl.evidence["cnn_flops"]) == (14800, 11776)


@pytest.mark.parametrize("model", ["cnn", "mlp"])
def test_network_superposition_separates_relu_from_identity(model):
    """With ReLU the small CNN/MLP fails superposition by far more than tol; without an activation it is linear."""
    p = dict(pairs=5, tol=1e-9, model=model)
    relu = measures.network_superposition(Protocol(dict(p, act="relu")), _Ctx())
    linear = measures.network_superposition(Protocol(dict(p, act="identity")), _Ctx())
    assert not relu.ok and relu.difference > 0.1
    assert linear.ok and linear.difference < 1e-12


def test_parameter_bytes_do_not_grow_with_the_dataset_but_activations_do():
    """The MLP's parameter bytes are the same for every N; its full-batch activation bytes are proportional to N."""
    p = dict(sizes=(150, 300))
    params = measures.memory_vs_dataset_size(Protocol(dict(p, measure="parameter_bytes")), _Ctx())
    acts = measures.memory_vs_dataset_size(Protocol(dict(p, measure="full_batch_activation_bytes")), _Ctx())
    assert params.y[0] == params.y[1] == 30040
    assert acts.y[1] == 2 * acts.y[0]
