"""course_ae.fast_train.train takes the same steps as course_ae.nn.train, without autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_ae import fast_train
from course_ae import nn as cnn
from course_ae.reference import Config

X = np.random.default_rng(0).random((90, 12))

CASES = [
    (Config(loss="cross_entropy", tied=True), "masking", 0.3),
    (Config(loss="cross_entropy", tied=False, weight_decay=0.01), "gaussian", 0.1),
    (Config(decoder="linear", weight_decay=0.01), "gaussian", 0.2),
    (Config(encoder="tanh", decoder="sigmoid", tied=True, weight_decay=0.02), None, 0.0),
    (Config(encoder="relu", decoder="tanh"), "masking", 0.5),
    (Config(encoder="linear", decoder="linear", tied=True), None, 0.0),
]


def _pair(cfg, dtype=torch.float64):
    return [cnn.Autoencoder(12, 5, cfg, device="cpu", dtype=dtype, seed=1) for _ in range(2)]


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("cfg,noise,level", CASES, ids=lambda v: repr(v)[:40])
def test_same_steps_as_nn_train(cfg, noise, level, optimizer):
    a, b = _pair(cfg)
    kw = dict(epochs=3, batch_size=32, lr=1e-2, optimizer=optimizer, noise=noise,
              noise_level=level, seed=7)
    ha = cnn.train(a, X, progress=False, **kw)
    hb = fast_train.train(b, X, **kw)
    pa, pb = a.to_reference(), b.to_reference()
    moved = max(np.abs(pa[k] - cnn.Autoencoder(12, 5, cfg, seed=1, device="cpu",
                                                 dtype=torch.float64).to_reference()[k]).max()
                for k in pa)
    assert moved > 1e-3                                   # training did change the weights
    for key in pa:
        assert np.abs(pa[key] - pb[key]).max() < 1e-12, key
    assert np.allclose(ha.train, hb.train, rtol=1e-12, atol=0)
    assert hb.epochs == [1, 2, 3] and hb.val == []
    assert all(p.grad is None for p in b.parameters())


def test_float32_matches_to_rounding():
    cfg = Config(loss="cross_entropy", tied=True)
    a, b = _pair(cfg, torch.float32)
    kw = dict(epochs=5, batch_size=16, lr=1e-2, noise="masking", noise_level=0.5, seed=0)
    cnn.train(a, X, progress=False, **kw)
    fast_train.train(b, X, **kw)
    assert np.abs(a.to_reference()["W"] - b.to_reference()["W"]).max() < 1e-5


def test_a_wrong_gradient_would_be_caught():
    # The comparison above is sharp: one more SGD step of nn.train moves W by far more.
    cfg = Config(loss="cross_entropy", tied=True)
    a, b = _pair(cfg)
    cnn.train(a, X, epochs=3, batch_size=32, lr=1e-2, optimizer="sgd", seed=7, progress=False)
    fast_train.train(b, X, epochs=2, batch_size=32, lr=1e-2, optimizer="sgd", seed=7)
    assert np.abs(a.to_reference()["W"] - b.to_reference()["W"]).max() > 1e-6


@pytest.mark.parametrize("cfg", [Config(sparsity_target=0.05, sparsity_weight=0.1),
                                 Config(contractive_weight=0.1)])
def test_refuses_penalties_it_does_not_implement(cfg):
    model = cnn.Autoencoder(12, 5, cfg, device="cpu")
    with pytest.raises(ValueError, match="course_ae.nn.train"):
        fast_train.train(model, X, epochs=1, batch_size=10, lr=1e-2)


def test_refuses_other_models_and_bad_arguments():
    model = cnn.Autoencoder(12, 5, Config(), device="cpu")
    with pytest.raises(TypeError, match="one-layer"):
        fast_train.train(object(), X, epochs=1, batch_size=10, lr=1e-2)
    with pytest.raises(ValueError, match="epochs"):
        fast_train.train(model, X, epochs=0, batch_size=10, lr=1e-2)
    with pytest.raises(ValueError, match="lr"):
        fast_train.train(model, X, epochs=1, batch_size=10, lr=-1.0)
    with pytest.raises(ValueError, match="noise"):
        fast_train.train(model, X, epochs=1, batch_size=10, lr=1e-2, noise="salt")
    with pytest.raises(ValueError, match="no effect"):
        fast_train.train(model, X, epochs=1, batch_size=10, lr=1e-2, noise_level=0.3)
    with pytest.raises(ValueError, match="optimizer"):
        fast_train.train(model, X, epochs=1, batch_size=10, lr=1e-2, optimizer="lbfgs")
    with pytest.raises(ValueError):
        fast_train.train(model, X[:, :5], epochs=1, batch_size=10, lr=1e-2)
    # The same option checks as nn.train, including the float32 range of the model.
    model32 = cnn.Autoencoder(12, 5, Config(), device="cpu", dtype=torch.float32)
    with pytest.raises(ValueError, match="lr") as exc:
        fast_train.train(model32, X, epochs=1, batch_size=10, lr=1e39)
    with pytest.raises(ValueError) as same:
        cnn.train(model32, X, epochs=1, batch_size=10, lr=1e39, progress=False)
    assert str(exc.value) == str(same.value)


def test_divergence_restores_the_epoch_start():
    cfg = Config(encoder="linear", decoder="linear")
    model = cnn.Autoencoder(12, 5, cfg, device="cpu", dtype=torch.float64)
    before = model.to_reference()
    with pytest.raises(FloatingPointError, match="epoch 1"):
        fast_train.train(model, X * 1e3, epochs=3, batch_size=10, lr=1e3, optimizer="sgd")
    after = model.to_reference()
    assert all(np.array_equal(before[k], after[k]) for k in before)
