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


# ----------------------------------------------------------------------------- saturated units


def test_sparse_reference_run_on_the_digits_survives_rho_001_beta_3():
    # With the old sigmoid (1 + tanh(a/2))/2, which is 0 below a = −38, this run died in
    # its first epochs: a unit's ρ̂ read 0 and the KL penalty became infinite.
    from course_ae.data import load_digits

    X = load_digits()[0]
    config = R.Config(sparsity_target=0.01, sparsity_weight=3.0)
    params = R.init_params(64, 16, seed=0)
    start = R.objective(params, X, config)
    trained, history = R.gradient_descent(params, X, config, epochs=30, lr=2.0, batch_size=64, seed=0)
    assert len(history) == 30 and np.all(np.isfinite(history))
    assert history[-1] < 0.5 * start               # measured: 3.72 from 16.1
    rho_hat = R.forward(trained, X, config).h1.mean(axis=0)
    assert rho_hat.min() > 0.01                     # measured: min ρ̂ 0.020, no dead unit


def test_one_minus_rho_hat_is_exact_when_every_h_rounds_to_1():
    # At a1 = 40 every h1 is 1.0 in float64, so 1 − mean(h1) is 0 and the KL penalty
    # would be infinite; the model takes 1 − ρ̂ as the mean of σ(−a1) = e^(−40)/(1 + e^(−40)).
    import mpmath

    config = R.Config(encoder="sigmoid", decoder="linear", sparsity_target=0.1, sparsity_weight=1.0)
    params = {"W": np.zeros((1, 2)), "b": np.array([40.0]), "W_star": np.zeros((2, 1)), "c": np.zeros(2)}
    X = np.zeros((3, 2))
    assert R.forward(params, X, config).h1.min() == 1.0
    one_minus = mpmath.exp(-40) / (1 + mpmath.exp(-40))
    rho_hat = 1 - one_minus
    want = float(0.1 * mpmath.log(0.1 / rho_hat) + 0.9 * mpmath.log(0.9 / one_minus))
    got = R.objective(params, X, config)
    assert got == pytest.approx(want, rel=1e-14)
    _, grads = R.loss_and_gradients(params, X, config)
    assert np.all(np.isfinite(grads["b"])) and grads["b"][0] > 0   # pushes b down, towards ρ


def test_sparsity_penalty_takes_one_minus_rho_hat_and_never_overflows():
    rho_hat = np.array([1e-300, 0.5])
    value = R.sparsity_penalty(0.1, rho_hat)        # log(ρ/ρ̂) as log ρ − log ρ̂
    assert np.isfinite(value) and value > 68
    with np.errstate(all="raise"):
        assert R.sparsity_penalty(0.1, [0.3], one_minus_rho_hat=[0.7]) == pytest.approx(
            R.sparsity_penalty(0.1, [0.3]), rel=1e-15)
        assert np.isfinite(R.sparsity_penalty(0.1, [1.0], one_minus_rho_hat=[1e-30]))
    with pytest.raises(ValueError, match=r"1 − ρ̂ rounds to 0"):
        R.sparsity_penalty(0.1, [1.0])
    with pytest.raises(ValueError, match="one_minus_rho_hat must have the shape of rho_hat"):
        R.sparsity_penalty(0.1, [0.5, 0.5], one_minus_rho_hat=[0.5])


def test_dead_sparse_units_are_named_not_blamed_on_the_learning_rate():
    config = R.Config(sparsity_target=0.05, sparsity_weight=1.0)
    params = R.init_params(4, 3, seed=0)
    params["b"][:] = [-800.0, 0.0, 800.0]       # σ(−800) is 0 even in float64
    X = np.random.default_rng(0).random((5, 4))
    with pytest.raises(FloatingPointError, match=r"unit\(s\) \[0\] have mean activation ρ̂ = 0.*"
                                                 r"unit\(s\) \[2\] have ρ̂ = 1"):
        R.objective(params, X, config)
    with pytest.raises(FloatingPointError, match=r"ρ̂ = 0 \(dead"):
        R.loss_and_gradients(params, X, config)
