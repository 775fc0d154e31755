"""Checks for 7.2: normalising data, PCA from the SVD, the optimal linear autoencoder."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import reference as R
from ._core import (
    _Failure,
    _as_array,
    _call,
    _compare,
    _get,
    _pair,
    _run,
    _shape,
    _to_numpy,
    _unchanged,
)


def _pca_data(seed: int, m: int = 30, n: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scales = np.array([3.0, 2.0, 1.2, 0.7, 0.4, 0.2])[:n]
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return rng.normal(size=(m, n)) * scales @ Q.T + rng.uniform(1, 3, n)


def check_normalize(normalize: Callable[..., Any]) -> bool:
    """``normalize(X) -> (X − mean) / √m``, so that XᵀX is the covariance matrix."""
    def body() -> str:
        X = _pca_data(51, m=8, n=4)
        X_in = X.copy()
        got = _as_array(_call(normalize, X_in), "normalize(X)", X.shape, "same shape as X")
        m = X.shape[0]
        centred = X - X.mean(axis=0)
        _compare(got, R.normalize(X), "normalize(X)", hint="subtract each column's mean, then divide by √m",
                 mistakes=[(X / np.sqrt(m), "subtract the mean of each feature (column) first"),
                           ((X - X.mean(axis=1, keepdims=True)) / np.sqrt(m),
                            "the mean is over the examples (axis=0): one mean per feature, not per example"),
                           (centred / X.std(axis=0), "don't divide by each column's standard deviation: divide "
                                                     "everything by √m"),
                           (centred / m, "divide by √m, not by m: then XᵀX = (1/m) Σ_i x_i x_iᵀ")],
                 ratios={math.sqrt(m): f"divide by √m (m = {m}) so that XᵀX is the covariance matrix",
                         math.sqrt(m / (m - 1)): "divide by √m, not √(m − 1): the course uses the (1/m) covariance"})
        _unchanged({"X": X}, {"X": X_in})
        return "centred columns, divided by √m; XᵀX is the covariance matrix."
    return _run("normalising the data", body, hints={
        "broadcast": "the mean here is per feature: X.mean(axis=0) has shape (n,) and subtracts from every row "
                     "as it is; a mean over axis=1 (one per example) is not the one this task asks for",
    })


def _align_columns(got: np.ndarray, exp: np.ndarray) -> np.ndarray:
    signs = np.sign(np.sum(got * exp, axis=0))
    signs[signs == 0] = 1.0
    return got * signs


def check_pca(pca: Callable[..., Any]) -> bool:
    """``pca(X, k) -> (V, eigenvalues)``: V (n, k) the leading directions of normalize(X)."""
    def body() -> str:
        X, k = _pca_data(52), 3
        m, n = X.shape
        V, lam = _pair(_call(pca, X.copy(), k), "pca(X, k)", ("V", "eigenvalues"))
        V_exp, lam_exp = R.pca(X, k)
        Xn = R.normalize(X)
        U, S, Vt = np.linalg.svd(Xn, full_matrices=False)
        if _shape(V) == (m, k):
            raise _Failure("those look like U's columns (one entry per example, m rows); the principal "
                           "directions live in feature space: the first k rows of Vᵀ from np.linalg.svd, "
                           "transposed", expected=f"V: shape {(n, k)}", got=f"shape {(m, k)}")
        V = _as_array(V, "V", (n, k), "one principal direction per column")
        g = _align_columns(V, V_exp)
        # a mistake's columns are other directions: compare them with yours up to sign, column by column
        _compare(g, V_exp, "V (columns compared up to sign)",
                 hint="V = Vt[:k].T from U, S, Vt = np.linalg.svd(normalize(X), full_matrices=False)",
                 mistakes=[(_align_columns(Vt[:, :k], g), "np.linalg.svd returns Vᵀ: the directions are "
                            "its first k ROWS (Vt[:k].T), not its first k columns"),
                           (_align_columns(V_exp[:, ::-1], g), "the directions are in increasing order "
                            "(np.linalg.eigh sorts that way): take the k LARGEST, largest first"),
                           (_align_columns(np.linalg.svd(X, full_matrices=False)[2][:k].T, g),
                            "compute the SVD of normalize(X), the centred data, not of X")])
        lam = _as_array(lam, "eigenvalues", (k,), "the k largest eigenvalues of XᵀX")
        _compare(lam, lam_exp, "eigenvalues", hint="the eigenvalues of XᵀX are the squared singular values σ_i²",
                 mistakes=[(S[:k], "those are the singular values σ_i; the eigenvalues of XᵀX are σ_i²"),
                           (lam_exp[::-1], "sort the eigenvalues in decreasing order, largest first")],
                 ratios={float(m): "use normalize(X) (divided by √m), so the eigenvalues are variances"})
        return "V spans the leading principal directions and the eigenvalues are σ_i²."
    return _run("PCA from the SVD", body)


def check_linear_autoencoder(linear_autoencoder: Callable[..., Any]) -> bool:
    """``linear_autoencoder(X, k) -> {"W": (k, n), "W_star": (n, k), "H": (m, k)}`` from the SVD."""
    def body() -> str:
        X, k = _pca_data(53), 2
        m, n = X.shape
        keys = ("W", "W_star", "H")
        result = _call(linear_autoencoder, X.copy(), k)
        exp = R.linear_autoencoder_solution(X, k)
        W = _to_numpy(_get(result, "W", "linear_autoencoder(X, k)", keys))
        if _shape(W) == (n, k):
            raise _Failure("the lecture writes the encoder as V≤k because it computes H = XW; in this course "
                           "H = X Wᵀ (W is (k, n)), so W = V≤kᵀ", expected=f"W: shape {(k, n)}",
                           got=f"shape {(n, k)}")
        W = _as_array(W, "W", (k, n), "the encoder, V≤kᵀ")
        signs = np.sign(np.sum(W * exp["W"], axis=1))
        signs[signs == 0] = 1.0
        _compare(W * signs[:, None], exp["W"], "W (rows compared up to sign)",
                 hint="W = V≤kᵀ: the first k rows of Vt from np.linalg.svd(normalize(X))")
        Ws = _as_array(_get(result, "W_star", "linear_autoencoder(X, k)", keys), "W_star", (n, k),
                       "the decoder, V≤k")
        _compare(Ws * signs, exp["W_star"], "W_star", hint="the decoder is W* = V≤k = Wᵀ")
        H = _as_array(_get(result, "H", "linear_autoencoder(X, k)", keys), "H", (m, k), "the codes, one row "
                      "per example")
        U = np.linalg.svd(R.normalize(X), full_matrices=False)[0][:, :k]
        _compare(H * signs, exp["H"], "H", hint="H = normalize(X) Wᵀ = U≤k Σk",
                 mistakes=[((X @ exp["W"].T) * 1.0, "compute H from normalize(X), not from the raw X"),
                           (U * np.sign(np.sum(U * exp["H"], axis=0)),
                            "H = U≤k Σk: multiply U's columns by the singular values (or compute "
                            "H = normalize(X) @ V)")])
        return "W = V≤kᵀ, W* = V≤k and H = X V≤k = U≤k Σk (up to the sign of each direction)."
    return _run("the linear autoencoder from the SVD", body, hints={
        "matmul": "normalize(X) is (m, n) and V≤k is (n, k): H = normalize(X) @ V≤k is (m, k), W = V≤kᵀ (k, n)",
    })
