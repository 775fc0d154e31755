"""Module 7.2's identities, numerically: normalisation, SVD, and the linear-AE optimum."""

import numpy as np
import pytest

from course_ae import reference as R


@pytest.fixture
def X():
    # m = 60 examples of n = 8 correlated features with well-separated variances
    # (standard deviations 4 … 0.3 along a random rotation Q), full rank.
    rng = np.random.default_rng(11)
    Q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    scales = np.array([4.0, 3.0, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3])
    return (rng.normal(size=(60, 8)) * scales) @ Q.T + rng.normal(size=8)


def test_normalised_data_has_zero_mean_and_XtX_is_the_covariance(X):
    Xn = R.normalize(X)
    np.testing.assert_allclose(Xn.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(Xn.T @ Xn, np.cov(X, rowvar=False, bias=True), rtol=1e-12)


@pytest.mark.parametrize("k", [1, 3, 8])
def test_H_equals_U_Sigma_equals_X_V(X, k):
    sol = R.linear_autoencoder_solution(X, k)
    Xn = R.normalize(X)
    np.testing.assert_allclose(sol["H"], sol["U"] * sol["S"], atol=1e-12)
    np.testing.assert_allclose(sol["H"], Xn @ sol["W_star"], atol=1e-12)
    np.testing.assert_allclose(sol["H"], Xn @ sol["W"].T, atol=1e-12)


@pytest.mark.parametrize("k", [1, 4])
def test_encoder_rows_are_orthonormal_and_decoder_is_their_transpose(X, k):
    sol = R.linear_autoencoder_solution(X, k)
    np.testing.assert_allclose(sol["W"] @ sol["W"].T, np.eye(k), atol=1e-12)
    np.testing.assert_array_equal(sol["W_star"], sol["W"].T)


@pytest.mark.parametrize("k", [1, 2, 5, 8])
def test_reconstruction_error_is_the_sum_of_discarded_sigma_squared(X, k):
    Xn = R.normalize(X)
    sigma = np.linalg.svd(Xn, compute_uv=False)
    sol = R.linear_autoencoder_solution(X, k)
    error = np.sum((Xn - sol["H"] @ sol["W_star"].T) ** 2)
    assert error == pytest.approx(np.sum(sigma[k:] ** 2), rel=1e-9, abs=1e-12)
    # The same number through the reference's own objective (a mean over m rows).
    params = {"W": sol["W"], "b": np.zeros(k), "W_star": sol["W_star"], "c": np.zeros(8)}
    config = R.Config(encoder="linear", decoder="linear")
    assert R.objective(params, Xn, config) * len(X) == pytest.approx(error, rel=1e-9, abs=1e-12)


def test_components_are_the_leading_eigenvectors_of_the_covariance(X):
    V, eigenvalues = R.pca(X, 3)
    C = np.cov(X, rowvar=False, bias=True)
    w, Q = np.linalg.eigh(C)  # ascending
    np.testing.assert_allclose(eigenvalues, w[::-1][:3], rtol=1e-10)
    for j in range(3):
        np.testing.assert_allclose(C @ V[:, j], eigenvalues[j] * V[:, j], atol=1e-10)
        assert abs(V[:, j] @ Q[:, -1 - j]) == pytest.approx(1.0, abs=1e-10)


def test_pca_agrees_with_scikit_learn(X):
    from sklearn.decomposition import PCA

    V, eigenvalues = R.pca(X, 4)
    peer = PCA(n_components=4).fit(X)
    np.testing.assert_allclose(np.abs(V.T @ peer.components_.T), np.eye(4), atol=1e-8)
    m = len(X)
    np.testing.assert_allclose(eigenvalues, peer.explained_variance_ * (m - 1) / m, rtol=1e-10)


def test_linear_autoencoder_trained_by_gradient_descent_reaches_the_svd_optimum(X):
    k = 2
    Xc = X - X.mean(axis=0)
    config = R.Config(encoder="linear", decoder="linear")
    params = R.init_params(8, k, seed=0)
    trained, history = R.gradient_descent(params, Xc, config, epochs=3000, lr=0.03)
    sigma = np.linalg.svd(Xc, compute_uv=False)
    optimum = np.sum(sigma[k:] ** 2) / len(X)
    assert history[-1] == pytest.approx(optimum, rel=1e-4)
    # The learnt map x ↦ W*Wx is the projection onto the PCA subspace.
    V, _ = R.pca(X, k)
    P_ae = trained["W_star"] @ trained["W"]
    assert np.linalg.norm(P_ae - V @ V.T) < 1e-2


def test_max_activating_inputs_have_unit_norm_and_maximise_the_activation():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(4, 6))
    best = R.max_activating_inputs(W)
    np.testing.assert_allclose(np.linalg.norm(best, axis=1), 1.0, rtol=1e-14)
    # No unit-norm input beats W_l/‖W_l‖ for unit l (Cauchy–Schwarz), here on 2000 samples.
    trials = rng.normal(size=(2000, 6))
    trials /= np.linalg.norm(trials, axis=1, keepdims=True)
    assert np.all((trials @ W.T).max(axis=0) <= np.einsum("lj,lj->l", W, best) + 1e-12)
