"""Bad input raises ValueError with a message that names the problem and what is expected."""

import numpy as np
import pytest

from course_ae import reference as R

P = R.init_params(4, 3, seed=0)
X = np.full((5, 4), 0.5)
C = R.Config()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: R.objective(P, np.ones(4), C), r"2-D with shape \(m, n\).*reshape\(1, -1\)"),
        (lambda: R.objective(P, np.ones((2, 3, 4)), C), r"2-D with shape \(m, n\)"),
        (lambda: R.objective(P, np.ones((5, 6)), C), r"must have 4 columns.*got shape \(5, 6\)"),
        (lambda: R.objective(P, np.ones((0, 4)), C), r"at least one example"),
        (lambda: R.objective(P, np.array([[np.nan, 0, 0, 0]]), C), r"must be finite.*1 NaN or inf"),
        (lambda: R.objective(P, np.array([[np.inf, 0, 0, 0]]), C), r"must be finite"),
        (lambda: R.objective(P, [["a", "b", "c", "d"]], C), r"numeric array"),
        (lambda: R.objective(P, X, R.Config(loss="cross_entropy"), target=X + 1), r"target must lie in \[0, 1\].*cross-entropy"),
        (lambda: R.objective(P, X * 3, R.Config(loss="cross_entropy")), r"X must lie in \[0, 1\]"),
        (lambda: R.objective(P, X, C, target=np.ones((4, 4))), r"target must have the shape of X"),
        (lambda: R.Config(encoder="softmax"), r"unknown encoder 'softmax'; expected one of"),
        (lambda: R.Config(decoder="relu"), r"unknown decoder 'relu'"),
        (lambda: R.Config(loss="mse"), r"unknown loss 'mse'; expected one of"),
        (lambda: R.Config(loss="cross_entropy", decoder="linear"), r"needs decoder='sigmoid'"),
        (lambda: R.Config(weight_decay=-1), r"weight_decay must be a finite number ≥ 0"),
        (lambda: R.Config(sparsity_target=1.0, sparsity_weight=1), r"sparsity_target ρ must lie in \(0, 1\)"),
        (lambda: R.Config(sparsity_target=0.1, sparsity_weight=1, encoder="relu"), r"needs encoder='sigmoid'"),
        (lambda: R.Config(sparsity_weight=1.0), r"needs a sparsity_target"),
        (lambda: R.masking_noise(X, 1.5, 0), r"q \(the masking probability\) must lie in \[0, 1\]"),
        (lambda: R.masking_noise(X, -0.1, 0), r"must lie in \[0, 1\]"),
        (lambda: R.masking_noise(X, 0.5, "seed"), r"rng must be an int ≥ 0 or a numpy.random.Generator"),
        (lambda: R.gaussian_noise(X, -0.5, 0), r"sigma .* must be a finite number ≥ 0"),
        (lambda: R.sparsity_penalty(0.0, [0.5]), r"rho must lie in \(0, 1\)"),
        (lambda: R.sparsity_penalty(1.2, [0.5]), r"rho must lie in \(0, 1\)"),
        (lambda: R.sparsity_penalty(0.1, [0.0, 0.5]), r"rho_hat .* strictly in \(0, 1\)"),
        (lambda: R.pca(X, 0), r"k \(the number of components\) must be ≥ 1"),
        (lambda: R.pca(X, 5), r"k must be at most min\(m, n\) = 4"),
        (lambda: R.linear_autoencoder_solution(X, 2.5), r"whole number"),
        (lambda: R.init_params(0, 3), r"n_inputs must be ≥ 1"),
        (lambda: R.objective({"W": P["W"], "b": P["b"], "c": P["c"]}, X, C), r"missing \['W_star'\]"),
        (lambda: R.objective(P, X, R.Config(tied=True)), r"tied autoencoder.*unexpected \['W_star'\]"),
        (lambda: R.objective(dict(P, b=np.zeros(5)), X, C), r"params\['b'\] must have shape \(3,\).*got \(5,\)"),
        (lambda: R.objective(dict(P, W_star=np.zeros((3, 4))), X, C), r"params\['W_star'\] must have shape \(4, 3\)"),
        (lambda: R.objective(dict(P, W=np.zeros(4)), X, C), r"params\['W'\] must have shape \(k, n\)"),
        (lambda: R.objective(dict(P, c=np.full(4, np.nan)), X, C), r"params\['c'\] holds NaN"),
        (lambda: R.objective([1, 2], X, C), r"params must be a dict"),
        (lambda: R.max_activating_inputs(np.zeros((2, 3))), r"row\(s\) \[0, 1\] of W are zero"),
        (lambda: R.gradient_descent(P, X, C, epochs=0, lr=0.1), r"epochs must be ≥ 1"),
        (lambda: R.gradient_descent(P, X, C, epochs=1, lr=-1), r"lr .* must be a finite number > 0"),
        (lambda: R.gradient_descent(P, X, C, epochs=1, lr=0.1, noise="salt"), r"noise must be None"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_config_objects_are_immutable_and_round_trip_through_dicts():
    config = R.Config(encoder="tanh", weight_decay=0.1, tied=True)
    assert R.Config.from_dict(config.to_dict()) == config
    with pytest.raises(Exception):
        config.encoder = "relu"
    with pytest.raises(ValueError, match="unknown Config field"):
        R.Config.from_dict({"encoder": "tanh", "colour": "red"})


def test_gradient_descent_lowers_the_objective_and_is_reproducible():
    rng = np.random.default_rng(0)
    data = rng.random((64, 3)) @ rng.random((3, 10)) / 3  # rank 3: compressible by 4 units
    params = R.init_params(10, 4, seed=0)
    config = R.Config()
    _, h1 = R.gradient_descent(params, data, config, epochs=30, lr=0.5, batch_size=16, seed=1,
                               noise="masking", noise_level=0.25)
    _, h2 = R.gradient_descent(params, data, config, epochs=30, lr=0.5, batch_size=16, seed=1,
                               noise="masking", noise_level=0.25)
    assert h1 == h2
    assert h1[-1] < 0.5 * R.objective(params, data, config)


def test_gradient_descent_reports_divergence_clearly():
    params = R.init_params(10, 4, seed=0)
    data = np.random.default_rng(0).random((20, 10))
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="learning rate .* too large"):
        R.gradient_descent(params, data * 100, R.Config(encoder="linear", decoder="linear"),
                           epochs=50, lr=10.0)
