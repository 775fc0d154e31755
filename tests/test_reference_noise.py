"""Corruption statistics: masking zeroes a fraction q and keeps the rest; Gaussian adds N(0, σ²)."""

import numpy as np
import pytest

from course_ae import reference as R


@pytest.fixture
def X():
    return np.random.default_rng(0).uniform(0.1, 1.0, size=(400, 250))  # no zeros


@pytest.mark.parametrize("q", [0.1, 0.25, 0.5, 0.9])
def test_masking_zeroes_a_fraction_q_within_statistical_bounds(X, q):
    Xt = R.masking_noise(X, q, np.random.default_rng(1))
    N = X.size
    fraction = np.mean(Xt == 0)
    assert abs(fraction - q) < 5 * np.sqrt(q * (1 - q) / N)  # 5 binomial standard deviations


def test_masking_leaves_the_kept_entries_unchanged_and_does_not_rescale(X):
    Xt = R.masking_noise(X, 0.3, np.random.default_rng(2))
    kept = Xt != 0
    np.testing.assert_array_equal(Xt[kept], X[kept])
    assert Xt.mean() < 0.75 * X.mean()  # rescaling by 1/(1 − q) would keep the mean


def test_masking_is_reproducible_from_the_seed_and_does_not_touch_its_input(X):
    before = X.copy()
    a = R.masking_noise(X, 0.5, np.random.default_rng(3))
    b = R.masking_noise(X, 0.5, np.random.default_rng(3))
    c = R.masking_noise(X, 0.5, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(R.masking_noise(X, 0.5, 3), a)  # an int seed works too
    assert np.any(a != c)
    np.testing.assert_array_equal(X, before)


def test_masking_extremes(X):
    np.testing.assert_array_equal(R.masking_noise(X, 0.0, 0), X)
    np.testing.assert_array_equal(R.masking_noise(X, 1.0, 0), 0.0)


def test_gaussian_noise_has_mean_zero_and_standard_deviation_sigma(X):
    sigma = 0.3
    eps = R.gaussian_noise(X, sigma, np.random.default_rng(5)) - X
    N = X.size
    assert abs(eps.mean()) < 5 * sigma / np.sqrt(N)
    assert abs(eps.std() - sigma) < 5 * sigma / np.sqrt(2 * N)
    np.testing.assert_array_equal(R.gaussian_noise(X, 0.0, 0), X)


def test_denoising_objective_uses_the_clean_target(X):
    params = R.init_params(250, 10, seed=0)
    Xt = R.masking_noise(X, 0.5, 0)
    config = R.Config()
    fw = R.forward(params, Xt, config)
    expected = np.mean(np.sum((fw.x_hat - X) ** 2, axis=1))
    assert R.objective(params, Xt, config, target=X) == pytest.approx(expected, rel=1e-13)
