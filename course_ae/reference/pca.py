"""The link between PCA and linear autoencoders (module 7.2).

With X normalised so that XᵀX is the covariance matrix and its SVD X = UΣVᵀ,
the best rank-k linear reconstruction keeps the first k singular directions:
H = U≤k Σk = X V≤k, encoder W = V≤kᵀ (k, n), decoder W* = V≤k (n, k).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_batch, check_positive_int


def normalize(X: Any) -> np.ndarray:
    """(X − mean) / √m for X of shape (m, n), so that XᵀX is the (biased) covariance."""
    X = as_batch(X, "X")
    m = X.shape[0]
    return (X - X.mean(axis=0)) / np.sqrt(m)


def _check_k(k: Any, shape: tuple[int, int]) -> int:
    k = check_positive_int(k, "k (the number of components)")
    limit = min(shape)
    if k > limit:
        raise ValueError(
            f"k must be at most min(m, n) = {limit} for data of shape {shape}; got k={k}"
        )
    return k


def _svd(Xn: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leading k singular triplets of Xn, each direction signed so its largest entry is positive."""
    U, S, Vt = np.linalg.svd(Xn, full_matrices=False)
    U, S, V = U[:, :k], S[:k], Vt[:k].T
    signs = np.sign(V[np.abs(V).argmax(axis=0), np.arange(k)])
    signs[signs == 0] = 1.0
    return U * signs, S, V * signs


def pca(X: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k principal directions of ``normalize(X)`` and their variances.

    Returns components V≤k of shape (n, k) (orthonormal columns, the leading
    eigenvectors of the covariance XᵀX) and eigenvalues σ_1² ≥ … ≥ σ_k², shape (k,).
    """
    Xn = normalize(X)
    k = _check_k(k, Xn.shape)
    _, S, V = _svd(Xn, k)
    return V, S**2


def linear_autoencoder_solution(X: Any, k: int) -> dict[str, np.ndarray]:
    """The optimal k-unit linear autoencoder of ``normalize(X)``, from the SVD.

    Returns "W" = V≤kᵀ (k, n), "W_star" = V≤k (n, k), "H" = X V≤k (m, k), and
    "U", "S" (the leading singular vectors and values) so that H = U≤k Σk can be
    checked. The lecture writes the encoder as V≤k because it multiplies from
    the right (H = XW); in this package's convention H = X Wᵀ, so W = V≤kᵀ.
    """
    Xn = normalize(X)
    k = _check_k(k, Xn.shape)
    U, S, V = _svd(Xn, k)
    return {"W": V.T.copy(), "W_star": V, "H": Xn @ V, "U": U, "S": S}


def max_activating_inputs(W: Any) -> np.ndarray:
    """Row l is W_l / ‖W_l‖: the unit-norm input that maximises a1_l = W_l x (bias aside).

    ``W`` has shape (k, n); so does the result. A zero row has no such input and
    is refused.
    """
    W = as_batch(W, "W")
    norms = np.linalg.norm(W, axis=1)
    if np.any(norms == 0):
        raise ValueError(
            f"row(s) {np.flatnonzero(norms == 0).tolist()} of W are zero: a unit with zero "
            "weights responds to no input, so it has no max-activating input"
        )
    return W / norms[:, None]
