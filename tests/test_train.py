"""The seed-ensemble trainer against a plain Python loop over the same seeds."""

import torch

from verify.lab.models import MLP, MaskedAutoencoder, SmallCNN
from verify.errors import Diverged
from verify.lab.train import mse, train_ensemble, train_loop


def _data(n=64, d=6, classes=3):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, generator=g)
    return x, (x[:, 0] > 0).long() + (x[:, 1] > 1).long()


def test_ensemble_trains_the_same_models_as_a_loop():
    """Member i of the ensemble equals the model the loop trains with seed i (same init, batches, Adam)."""
    x, y = _data()
    kw = dict(steps=30, batch_size=16, lr=1e-2)
    ens = train_ensemble(lambda i: MLP((6, 8, 3)), [3, 4, 5], x, y, **kw)
    loop = train_loop(lambda i: MLP((6, 8, 3)), [3, 4, 5], x, y, **kw)
    for i, m in enumerate(loop):
        torch.testing.assert_close(ens.predict(x)[i], m(x).detach(), rtol=1e-5, atol=1e-5)


def test_members_differ_and_member_returns_a_module():
    """Different seeds give different members; member(i) is a usable nn.Module."""
    x, y = _data()
    ens = train_ensemble(lambda i: MLP((6, 8, 3)), [0, 1], x, y, steps=5, batch_size=16, lr=1e-2)
    out = ens.predict(x)
    assert not torch.equal(out[0], out[1])
    torch.testing.assert_close(ens.member(1)(x).detach(), out[1])


def test_per_member_data_and_cnn():
    """x_per_member gives each member its own data; conv nets vmap too."""
    g = torch.Generator().manual_seed(1)
    x = torch.rand(2, 20, 8, 8, generator=g)
    y = torch.randint(0, 10, (2, 20), generator=g)
    ens = train_ensemble(lambda i: SmallCNN(c1=2, c2=2), [0, 1], x, y, steps=3, batch_size=8, lr=1e-2,
                         x_per_member=True)
    assert ens.predict(x[0]).shape == (2, 20, 10)


def test_masked_autoencoder_inactive_units_stay_untouched():
    """Units beyond h carry zero and their decoder weights keep their initial values."""
    x = torch.rand(32, 8, 8)
    torch.manual_seed(0)
    init = MaskedAutoencoder(64, 16, 2, 8).decoder[0].weight[:, 2:].clone()
    ens = train_ensemble(lambda i: MaskedAutoencoder(64, 16, 2, 8), [0], x, x.flatten(1), loss=mse,
                         steps=10, batch_size=8, lr=1e-2)
    m = ens.member(0)
    assert torch.all(m.encode(x)[:, 2:] == 0)
    torch.testing.assert_close(m.decoder[0].weight[:, 2:], init)


def test_divergence_raises_diverged():
    """A learning rate that blows up the loss raises Diverged (the runner makes it INCONCLUSIVE)."""
    x, y = _data()
    import pytest

    with pytest.raises(Diverged):
        train_ensemble(lambda i: MLP((6, 8, 3)), [0], x * 1e30, y, steps=60, batch_size=16, lr=1e30,
                       optimizer="sgd")


def test_zero_steps_returns_the_initial_models():
    """steps=0 trains nothing: the members are their seeds' initialisations."""
    x, y = _data()
    ens = train_ensemble(lambda i: MLP((6, 8, 3)), [0], x, y, steps=0, batch_size=16, lr=1e-2)
    torch.manual_seed(0)
    torch.testing.assert_close(ens.predict(x)[0], MLP((6, 8, 3))(x).detach())


def _stacked_cases():
    from torch import nn

    from verify.experiments.cnn_mlp import ConvNet
    from verify.experiments.generative import GaussianAutoencoder

    img = (8, 8)
    return [
        ("mlp", lambda: MLP((64, 12, 10)), img),
        ("mlp-tanh-deep", lambda: MLP((64, 9, 7, 10), act=nn.Tanh), img),
        ("mlp-softmax-act", lambda: MLP((5, 6, 3), act=lambda: nn.Softmax(dim=-1), flatten=False), (5,)),
        ("cnn", lambda: SmallCNN(3, 4), img),
        ("cnn-nopool", lambda: SmallCNN(3, 4, pool=False), img),
        ("autoencoder", lambda: MaskedAutoencoder(64, 16, 3, 8), img),
        ("convnet", lambda: ConvNet(c=5, k=3, padding=1), img),
        ("convnet-full-kernel", lambda: ConvNet(c=5, k=8, padding=0, pool=False), img),
        ("convnet-linear-nobias", lambda: ConvNet(c=4, act=nn.Identity, bias=False), img),
        ("vae", lambda: GaussianAutoencoder(16, 3, variational=True, beta=0.5), (64 + 3,)),
        ("ae", lambda: GaussianAutoencoder(16, 3, variational=False), (64 + 3,)),
    ]


def test_forward_stacked_matches_vmap_outputs_and_gradients():
    """Every model with a forward_stacked computes what vmap(functional_call) of its forward does:
    the same outputs and the same parameter gradients, for per-member and for shared inputs."""
    import pytest
    from torch.func import functional_call, stack_module_state, vmap

    from verify.lab.stacked import uses_stacked_forward

    for name, make, shape in _stacked_cases():
        torch.manual_seed(0)
        models = [make() for _ in range(3)]
        assert uses_stacked_forward(models[0]), name
        params, buffers = stack_module_state(models)
        base = make().to("meta")
        x = torch.randn(3, 7, *shape)
        # ReLU/max-pool ties at exactly equal values would make the reference's choice arbitrary
        ref = vmap(lambda p, b, xi: functional_call(base, (p, b), (xi,)))(params, buffers, x)
        got = models[0].forward_stacked(params, buffers, x)
        assert got.shape == ref.shape, name
        torch.testing.assert_close(got, ref, rtol=1e-5, atol=1e-6, msg=name)
        w = torch.randn_like(ref)
        g_ref = torch.autograd.grad((ref * w).sum(), list(params.values()))
        got = models[0].forward_stacked(params, buffers, x)
        g_got = torch.autograd.grad((got * w).sum(), list(params.values()))
        for (k, a), b in zip(zip(params, g_got), g_ref):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=f"{name}: gradient of {k}")
        shared = models[0].forward_stacked(params, buffers, x[0].unsqueeze(0).expand(3, *x.shape[1:]))
        for i, m in enumerate(models):
            torch.testing.assert_close(shared[i], m(x[0]), rtol=1e-5, atol=1e-6, msg=name)
    with pytest.raises(AssertionError):   # the comparison can fail: a wrong forward is caught
        torch.testing.assert_close(models[0].forward_stacked(params, buffers, x) + 1e-3, ref)


def test_subclass_that_changes_forward_falls_back_to_vmap():
    """A subclass overriding forward but not forward_stacked must not run the parent's fast path."""
    from verify.lab.stacked import uses_stacked_forward

    class Doubled(MLP):
        def forward(self, x):
            return 2 * super().forward(x)

    x, y = _data()
    assert not uses_stacked_forward(Doubled((6, 8, 3)))
    ens = train_ensemble(lambda i: Doubled((6, 8, 3)), [0, 1], x, y, steps=3, batch_size=16, lr=1e-2)
    assert not ens.stacked
    torch.testing.assert_close(ens.predict(x)[1], ens.member(1)(x).detach())


def test_batched_cross_entropy_is_each_members_mean_loss():
    from verify.lab.train import _batched_loss, cross_entropy

    g = torch.Generator().manual_seed(0)
    out, y = torch.randn(4, 9, 10, generator=g), torch.randint(0, 10, (4, 9), generator=g)
    want = torch.stack([torch.nn.functional.cross_entropy(out[i], y[i]) for i in range(4)])
    torch.testing.assert_close(_batched_loss(cross_entropy)(out, y), want)


def test_vae_loss_batched_equals_per_member():
    """vae_loss is marked batched: on (S, B, .) it returns each member's own loss."""
    from verify.experiments.generative import vae_loss

    g = torch.Generator().manual_seed(0)
    loss = vae_loss(3)
    out, y = torch.randn(4, 5, 64 + 2 * 3 + 1, generator=g), torch.rand(4, 5, 64, generator=g)
    torch.testing.assert_close(loss(out, y), torch.stack([loss(out[i], y[i]) for i in range(4)]))
