"""The sparsity and contractive penalties against independent computations."""

import numpy as np
import pytest
from scipy.stats import entropy

from course_ae import reference as R
from course_ae.gradcheck import numerical_gradient


def test_sparsity_penalty_is_zero_exactly_at_rho_and_positive_elsewhere():
    rho = 0.05
    assert R.sparsity_penalty(rho, np.full(4, rho)) == 0.0
    grid = np.linspace(0.001, 0.999, 999)
    values = np.array([R.sparsity_penalty(rho, [r]) for r in grid])
    assert np.all(values[np.abs(grid - rho) > 1e-9] > 0)
    assert grid[values.argmin()] == pytest.approx(rho, abs=1e-3)


def test_sparsity_penalty_is_the_bernoulli_kl_divergence():
    rho_hat = np.array([0.1, 0.5, 0.93])
    expected = sum(entropy([0.2, 0.8], [r, 1 - r]) for r in rho_hat)  # scipy's KL(ρ‖ρ̂)
    assert R.sparsity_penalty(0.2, rho_hat) == pytest.approx(expected, rel=1e-12)


def test_sparsity_penalty_is_not_symmetric_in_its_arguments():
    # Swapping ρ and ρ̂ is a typical mistake; it gives a different number.
    assert R.sparsity_penalty(0.05, [0.4]) != pytest.approx(R.sparsity_penalty(0.4, [0.05]))


@pytest.mark.parametrize("encoder", ["sigmoid", "tanh", "relu", "linear"])
def test_contractive_closed_form_equals_the_finite_difference_jacobian(encoder):
    rng = np.random.default_rng(5)
    config = R.Config(encoder=encoder)
    params = R.init_params(6, 4, seed=2)
    params["b"] = rng.normal(size=4)
    X = rng.normal(size=(5, 6))
    norms = []
    for x in X:
        x = x.copy()
        J = np.stack([numerical_gradient(lambda v: R.forward(params, v[None], config).h1[0, l], x)
                      for l in range(4)])
        norms.append(np.sum(J**2))
    assert R.contractive_penalty(params, X, config) == pytest.approx(np.mean(norms), rel=1e-7)


def test_contractive_penalty_is_a_mean_over_the_batch_not_a_sum():
    params = R.init_params(6, 4, seed=2)
    X = np.random.default_rng(0).random((3, 6))
    one = R.contractive_penalty(params, X[:1], R.Config())
    assert R.contractive_penalty(params, np.repeat(X[:1], 5, axis=0), R.Config()) == pytest.approx(one)


def test_contractive_penalty_does_not_build_the_jacobian():
    # m·k·n = 2000·300·784 ≈ 4.7e8 doubles (3.8 GB) if the (m, k, n) Jacobian were built.
    import tracemalloc

    params = R.init_params(784, 300, seed=0)
    X = np.random.default_rng(0).random((2000, 784))
    config = R.Config(contractive_weight=1.0)
    tracemalloc.start()
    R.loss_and_gradients(params, X, config)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 200e6, f"peak allocation {peak / 1e6:.0f} MB"
