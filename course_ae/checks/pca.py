"""Checks for 7.2: normalising data, PCA from the SVD, the optimal linear autoencoder, the
linear autoencoder's gradients (★★) and its training by gradient descent (★★★)."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import reference as R
from ..gradcheck import relative_error
from ._core import (
    _Failure,
    _as_array,
    _call,
    _compare,
    _copy,
    _describe,
    _get,
    _numbers,
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


# ------------------------------------------------------------------ ★★ and ★★★ tasks of 7.2


def _linear_objective(W: np.ndarray, W_star: np.ndarray, Xn: np.ndarray) -> float:
    """J(W, W*) = ‖X − X Wᵀ W*ᵀ‖²_F on the normalised data (zero biases), as in the chapter."""
    return float(np.sum((Xn @ W.T @ W_star.T - Xn) ** 2))


def check_linear_ae_gradients(linear_ae_gradients: Callable[..., Any]) -> bool:
    """``linear_ae_gradients(params, X) -> {"W": (k, n), "W_star": (n, k)}`` (★★): the gradients of
    J = ‖X − X Wᵀ W*ᵀ‖²_F (X normalised, no biases). The chapter gives ∂J/∂W only in its
    covariance form and not ∂J/∂W*; the reference is the package's hand-derived gradient of
    its mean objective on the centred data √m X, which is the same J."""
    def body() -> str:
        X, k = _pca_data(181), 2
        Xn = R.normalize(X)
        m, n = Xn.shape
        rng = np.random.default_rng(182)
        params = {"W": rng.normal(0, 0.5, (k, n)), "W_star": rng.normal(0, 0.5, (n, k))}
        ref = dict(params, b=np.zeros(k), c=np.zeros(n))
        _, grads = R.loss_and_gradients(ref, np.sqrt(m) * Xn, R.Config(encoder="linear", decoder="linear"))
        p_in, X_in = _copy(params), Xn.copy()
        result = _call(linear_ae_gradients, p_in, X_in)
        W, Ws = params["W"], params["W_star"]
        H = Xn @ W.T
        Res = H @ Ws.T - Xn  # the residual X̂ − X
        mistakes = {
            "W": [(2 * (Res @ W.T).T @ Xn, "the codes reach X̂ through the decoder: ∂J/∂H = 2 (X̂ − X) W*, with "
                                          "W*, not Wᵀ (the weights are not tied here)"),
                  (2 * (Res @ Ws).T @ Xn + (2 * Res.T @ H).T,
                   "W and W* are two separate parameters here: ∂J/∂W has only the encoder's path, without "
                   "(∂J/∂W*)ᵀ (that sum is the TIED gradient)")],
            "W_star": [(2 * Res.T @ H + (2 * (Res @ Ws).T @ Xn).T,
                        "W and W* are two separate parameters here: ∂J/∂W* has only the decoder's path, without "
                        "(∂J/∂W)ᵀ (that sum is the TIED gradient)")],
        }
        shape_hints = {
            "W": {(n, n): "∂J/∂W = 2 (∂J/∂H)ᵀ X with ∂J/∂H = (X̂ − X) W* (m, k): the residual reaches W through "
                          "the decoder W*"},
            "W_star": {(n, n): "∂J/∂W* pairs the residual with the CODES: 2 (X̂ − X)ᵀ H with H = X Wᵀ (m, k), "
                               "not with X"},
        }
        ratios = {0.5: "a factor 2 is missing: the derivative of ‖R‖²_F with respect to R is 2R",
                  2.0: "a factor 2 too many: ‖R‖²_F contributes its 2 once",
                  -1.0: "the sign is flipped: the residual is X̂ − X (the derivative of ‖X̂ − X‖² with respect to "
                        "X̂ is 2(X̂ − X))",
                  1.0 / m: f"J is the Frobenius norm, a SUM over the m = {m} examples: no 1/m (normalize(X) already "
                           "divided by √m, which turns the mean into that sum)",
                  float(m): f"a factor m = {m} too many: J = ‖X − X Wᵀ W*ᵀ‖²_F on the normalised X, with no m"}
        keys = ("W", "W_star")
        for key in keys:
            got = _as_array(_get(result, key, "linear_ae_gradients(params, X)", keys), f"∂J/∂{key}",
                            params[key].shape, f"like params[{key!r}]", shape_hints=shape_hints[key])
            _compare(got, grads[key], f"∂J/∂{key}",
                     hint="write J = ‖R‖²_F with the residual R = X Wᵀ W*ᵀ − X; differentiate through R, then "
                          "through the codes H = X Wᵀ; compare with course_ae.gradcheck.numerical_gradient",
                     mistakes=mistakes[key], ratios=ratios)
        _unchanged({"X": Xn, "W": params["W"], "W_star": params["W_star"]},
                   {"X": X_in, "W": p_in["W"], "W_star": p_in["W_star"]})
        return "∂J/∂W = 2 ((X̂ − X) W*)ᵀ X and ∂J/∂W* = 2 (X̂ − X)ᵀ H, with H = X Wᵀ."
    return _run("gradients of the linear autoencoder (★★)", body, hints={
        "matmul": "the shapes: X is (m, n), W (k, n), W* (n, k), the codes H = X Wᵀ (m, k) and the residual "
                  "X̂ − X (m, n); each gradient has the shape of its parameter",
        "key": "a dict key is missing: the parameters are params['W'] and params['W_star'] (no biases here), "
               "and the gradient dict has the same two keys",
    })


#: How the ★★★ project of 7.2 is run by its check (keyword arguments of train_linear_ae).
LINEAR_AE_TRAINING_SETTINGS: dict[str, Any] = {"k": 3, "epochs": 100, "lr": 0.08, "seed": 0}


def _cloud(m: int = 300, seed: int = 0) -> np.ndarray:
    """Gaussian data in 10 dimensions with a clear gap after the third eigenvalue (as in the chapter)."""
    variances = np.array([4.0, 3.0, 2.2, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4])
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(10, 10)))
    return rng.normal(size=(m, 10)) * np.sqrt(variances) @ rotation.T + rng.uniform(-2, 2, size=10)


def subspace_distance(W_star: np.ndarray, V: np.ndarray) -> float:
    """sin of the largest principal angle between the column spaces of W_star (n, k) and V (n, k,
    orthonormal): 0 when they are the same subspace, 1 when some direction of one is orthogonal
    to the other."""
    U, s, _ = np.linalg.svd(W_star, full_matrices=False)
    if s.size == 0 or s[-1] <= 1e-10 * max(1.0, s[0]):
        return 1.0
    return float(np.linalg.norm(U - V @ (V.T @ U), 2))


def check_linear_ae_training(train_linear_ae: Callable[..., Any]) -> bool:
    """``train_linear_ae(X, k, *, epochs, lr, seed) -> (params, history)`` (★★★).

    Full-batch gradient descent on J = ‖X − X Wᵀ W*ᵀ‖²_F of the normalised data, from the
    weights of ``R.init_params(n, k, seed=seed)``. Checked by measures, not exact values: the
    history has one objective per epoch and ends at J of the returned weights; J is within
    2 % of the Eckart–Young optimum Σ_{j>k} σ_j²; and the decoder's columns span the PCA
    subspace (sin of the largest principal angle < 0.05).
    """
    def body() -> str:
        X = _cloud()
        s = dict(LINEAR_AE_TRAINING_SETTINGS)
        k, n = s["k"], X.shape[1]
        Xn = R.normalize(X)
        params, history = _pair(_call(train_linear_ae, X.copy(), k, epochs=s["epochs"], lr=s["lr"], seed=s["seed"]),
                                "train_linear_ae(...)", ("params", "history"))
        keys = ("W", "W_star")
        shapes = {"W": (k, n), "W_star": (n, k)}
        p = {key: _as_array(_get(params, key, "params", keys), f"params[{key!r}]", shapes[key],
                            nan_hint="NaN or inf: the training diverged. Train on normalize(X), centred and divided "
                                     "by √m: uncentred or raw data have a far larger scale, for which lr is too "
                                     "large. Then: lr as given, each step against the gradient") for key in keys}
        hist = _numbers(history, "history", f"history: {s['epochs']} objectives, one per epoch")
        if hist.shape != (s["epochs"],) or not np.all(np.isfinite(hist)):
            raise _Failure("history holds one number per epoch: J = ‖X − X Wᵀ W*ᵀ‖²_F of normalize(X) after it",
                           expected=f"history: {s['epochs']} finite numbers", got=_describe(hist))
        final = _linear_objective(p["W"], p["W_star"], Xn)
        if relative_error(hist[-1], final) > 1e-6:
            raw = _linear_objective(p["W"], p["W_star"], X / np.sqrt(X.shape[0]))
            hint = ("history was computed on data that is not centred: J is measured on normalize(X), the "
                    "centred data divided by √m" if relative_error(hist[-1], raw) <= 1e-6 else
                    "the last entry of history should be J of the params you return, after the last step: "
                    "‖X − X Wᵀ W*ᵀ‖²_F with X = normalize(X)")
            raise _Failure(hint, expected=f"history[-1] = {final:.6g}", got=f"{hist[-1]:.6g}")
        sv = np.linalg.svd(Xn, compute_uv=False)
        optimum = float(np.sum(sv[k:] ** 2))
        start_p = R.init_params(n, k, seed=s["seed"])
        start = _linear_objective(start_p["W"], start_p["W_star"], Xn)
        if not final <= 1.02 * optimum:
            if final >= 0.9 * start:
                hint = ("the objective barely moved (or rose): train on normalize(X), from R.init_params(n, k, "
                        "seed=seed), and step AGAINST the gradient, θ ← θ − lr ∇, for all the epochs")
            else:
                hint = ("J falls but stays above the optimum: gradient-check your linear_ae_gradients, "
                        "use lr as given and take all the epochs")
            raise _Failure(hint, expected=f"J ≤ {1.02 * optimum:.4g} (within 2 % of the optimum "
                                          f"Σ_(j>k) σ_j² = {optimum:.4g})", got=f"{final:.4g}")
        V, _ = R.pca(X, k)
        distance = subspace_distance(p["W_star"], V)
        if not distance < 0.05:
            raise _Failure("J is close to the optimum, but the decoder's columns do not span the PCA subspace yet: "
                           "take all the epochs with lr as given, update W* as well as W, and gradient-check "
                           "your linear_ae_gradients", expected="sin(largest angle) < 0.05", got=f"{distance:.3g}")
        return ("J is within 2 % of the Eckart–Young optimum and the decoder spans the PCA subspace "
                f"(sin of the largest angle < 0.05).")
    return _run("training the linear autoencoder (★★★)", body, hints={
        "matmul": "the shapes: X is (m, n), W (k, n), W* (n, k), the codes H = X Wᵀ (m, k) and the residual "
                  "X̂ − X (m, n)",
        "key": "a dict key is missing: the weights are params['W'] and params['W_star']",
    })
