"""The seed-ensemble trainer against a plain Python loop over the same seeds."""

import torch

from verify.models import MLP, MaskedAutoencoder, SmallCNN
from verify.runner import Diverged
from verify.train import mse, train_ensemble, train_loop


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
