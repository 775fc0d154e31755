"""Every hand-derived gradient of the reference against central differences (float64)."""

import itertools

import numpy as np
import pytest

from course_ae import reference as R
from course_ae.gradcheck import check_gradients

PENALTIES = ("none", "weight_decay", "sparsity", "contractive", "all")


def _configs():
    for enc, dec, loss, tied, pen in itertools.product(
        R.ENCODERS, R.DECODERS, R.LOSSES, (False, True), PENALTIES
    ):
        if loss == "cross_entropy" and dec != "sigmoid":
            continue  # cross-entropy needs probabilities: the sigmoid decoder
        if pen == "sparsity" and enc != "sigmoid":
            continue  # ρ̂ must lie in (0, 1): the sigmoid encoder
        kw = {}
        if pen in ("weight_decay", "all"):
            kw["weight_decay"] = 0.3
        if pen in ("sparsity", "all") and enc == "sigmoid":
            kw.update(sparsity_target=0.2, sparsity_weight=0.5)
        if pen in ("contractive", "all"):
            kw["contractive_weight"] = 0.7
        yield pytest.param(
            R.Config(encoder=enc, decoder=dec, loss=loss, tied=tied, **kw),
            id=f"{enc}-{dec}-{loss}-{'tied' if tied else 'untied'}-{pen}",
        )


CONFIGS = list(_configs())


def test_every_allowed_combination_is_covered():
    # 4 encoders × (3 decoders SE + sigmoid CE) × 2 tyings × 5 penalties, less sparsity
    # on the 3 non-sigmoid encoders (4 decoder/loss pairs × 2 tyings each).
    assert len(CONFIGS) == 4 * 4 * 2 * 5 - 3 * 4 * 2


@pytest.mark.parametrize("config", CONFIGS)
def test_gradients_match_central_differences(config):
    rng = np.random.default_rng(7)
    m, n, k = 6, 5, 3
    params = R.init_params(n, k, tied=config.tied, seed=3)
    params["b"] = 0.3 * rng.normal(size=k)  # non-zero biases exercise every path
    params["c"] = 0.3 * rng.normal(size=n)
    X = rng.random((m, n))
    target = rng.random((m, n))  # a separate target, as in denoising
    report = check_gradients(params, R.loss_and_gradients, X, config, target=target)
    assert report.max_error <= 1e-6, str(report)
    assert set(report.errors) == set(params)


def test_loss_and_gradients_returns_the_objective():
    config = R.Config(weight_decay=0.1, sparsity_target=0.1, sparsity_weight=0.2, contractive_weight=0.3)
    params = R.init_params(7, 4, seed=1)
    X = np.random.default_rng(0).random((9, 7))
    value, grads = R.loss_and_gradients(params, X, config)
    assert value == pytest.approx(R.objective(params, X, config), rel=1e-15)
    assert {key: g.shape for key, g in grads.items()} == {key: p.shape for key, p in params.items()}


def test_squared_error_is_summed_over_features_and_averaged_over_examples():
    params = R.init_params(3, 2, seed=0)
    X = np.random.default_rng(1).random((4, 3))
    config = R.Config(encoder="linear", decoder="linear")
    x_hat = R.forward(params, X, config).x_hat
    expected = sum(float((x_hat[i] - X[i]) @ (x_hat[i] - X[i])) for i in range(4)) / 4
    assert R.objective(params, X, config) == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_matches_its_definition_and_stays_finite_when_saturated():
    rng = np.random.default_rng(2)
    params = R.init_params(5, 3, seed=0)
    X = (rng.random((4, 5)) > 0.5).astype(float)
    config = R.Config(loss="cross_entropy")
    x_hat = R.forward(params, X, config).x_hat
    expected = -np.mean(np.sum(X * np.log(x_hat) + (1 - X) * np.log(1 - x_hat), axis=1))
    assert R.objective(params, X, config) == pytest.approx(expected, rel=1e-12)
    # Logits of ±800: the sigmoid rounds to exactly 0 or 1, the naive formula gives inf.
    big = dict(params, c=np.full(5, 800.0))
    value, grads = R.loss_and_gradients(big, np.zeros((4, 5)), config)
    assert np.isfinite(value) and value == pytest.approx(800.0 * 5, rel=1e-3)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_weight_decay_adds_lambda_W_and_excludes_biases():
    params = R.init_params(4, 3, seed=5)
    X = np.random.default_rng(3).random((5, 4))
    plain, decayed = R.Config(), R.Config(weight_decay=0.25)
    _, g0 = R.loss_and_gradients(params, X, plain)
    _, g1 = R.loss_and_gradients(params, X, decayed)
    np.testing.assert_allclose(g1["W"] - g0["W"], 0.25 * params["W"], atol=1e-14)
    np.testing.assert_allclose(g1["W_star"] - g0["W_star"], 0.25 * params["W_star"], atol=1e-14)
    np.testing.assert_array_equal(g1["b"], g0["b"])
    np.testing.assert_array_equal(g1["c"], g0["c"])


def test_tied_gradient_is_the_sum_of_both_uses():
    rng = np.random.default_rng(4)
    tied = R.init_params(4, 3, tied=True, seed=0)
    untied = dict(tied, W_star=tied["W"].T.copy())
    X = rng.random((5, 4))
    _, gt = R.loss_and_gradients(tied, X, R.Config(tied=True))
    _, gu = R.loss_and_gradients(untied, X, R.Config())
    np.testing.assert_allclose(gt["W"], gu["W"] + gu["W_star"].T, rtol=1e-12)
    assert "W_star" not in gt
