"""Checks for 7.6: the contractive penalty and the numerical Jacobian."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import reference as R
from ..gradcheck import relative_error
from ._core import (
    _Failure,
    _K,
    _M,
    _N,
    _as_array,
    _as_scalar,
    _batch,
    _call,
    _compare,
    _copy,
    _params,
    SIGMA_AGAIN,
    _run,
    _shape,
    _sigmoid,
    _sigmoid_prime,
    _to_numpy,
)


def check_contractive_penalty(contractive_penalty: Callable[..., Any]) -> bool:
    """``contractive_penalty(params, X) -> float``: (1/m) Σ_i Σ_l (h_il(1 − h_il))² Σ_j W_lj²."""
    def body() -> str:
        params, X = _params(131), _batch(132)
        got = _as_scalar(_call(contractive_penalty, _copy(params), X.copy()), "the contractive penalty",
                         per_example=_M)
        W, b = params["W"], params["b"]
        H = _sigmoid(X @ W.T + b)
        d = H * (1 - H)
        s = np.sum(W * W, axis=1)
        _compare(got, R.contractive_penalty(params, X, R.Config()), "the contractive penalty",
                 hint="‖J(x_i)‖²_F = Σ_l (h_il(1 − h_il))² Σ_j W_lj², averaged over the m examples",
                 mistakes=[(np.mean(d @ s), "square the sigmoid's derivative: (h_l(1 − h_l))², since J_lj = "
                                            "h_l(1 − h_l) W_lj is squared"),
                           (np.mean((d * d) @ np.sum(np.abs(W), axis=1)), "square the weights: Σ_j W_lj²"),
                           (np.mean((H * H) @ s), "the derivative of the sigmoid is h(1 − h), not h"),
                           (np.mean(_sigmoid_prime(H, "sig") ** 2 @ s), SIGMA_AGAIN)],
                 ratios={float(_M): f"the Jacobian penalty is summed over the batch: take the mean over the "
                                    f"m = {_M} examples",
                         1.0 / _K: f"sum over the k = {_K} hidden units, don't average",
                         1.0 / _N: f"sum over the n = {_N} inputs, don't average"})
        return "the mean over the batch of ‖J‖²_F = Σ_l (h_l(1 − h_l))² ‖W_l‖²."
    return _run("contractive penalty (closed form)", body, hints={
        "matmul": "(h(1 − h))² is (m, k), one row per example, and ‖W_l‖² = np.sum(W**2, axis=1) is (k,), one "
                  "value per hidden unit (a sum over each ROW of W, axis=1): their product is (m,)",
        "broadcast": "(h(1 − h))² is (m, k) and ‖W_l‖² = np.sum(W**2, axis=1) is (k,), one value per hidden "
                     "unit (a sum over each ROW of W, axis=1): multiply and sum over the units",
        "key": "a dict key is missing: the encoder's parameters are params['W'] (k, n) and params['b'] (k,)",
    })


def check_numerical_jacobian(numerical_jacobian: Callable[..., Any]) -> bool:
    """``numerical_jacobian(encode, x, eps=1e-5) -> (k, n)``: J_lj ≈ ∂h_l/∂x_j by central differences."""
    def body() -> str:
        params = _params(141)
        W, b = params["W"], params["b"]
        x = np.random.default_rng(142).random(_N)

        def encode(v: Any) -> np.ndarray:
            v = np.asarray(v, dtype=np.float64)
            if v.shape != (_N,):
                raise ValueError(f"encode takes one example x of shape ({_N},); got shape {v.shape}")
            return _sigmoid(W @ v + b)

        x_in = x.copy()
        result = _to_numpy(_call(numerical_jacobian, encode, x_in))
        if _shape(result) == (_N, _K):
            raise _Failure("row l of the Jacobian holds ∂h_l/∂x: J has shape (k, n); you built its transpose",
                           expected=f"shape {(_K, _N)}", got=f"shape {(_N, _K)}")
        got = _as_array(result, "the Jacobian", (_K, _N), "J_lj = ∂h_l/∂x_j")
        if not np.allclose(x_in, x, rtol=0, atol=1e-12):
            raise _Failure("restore x[j] after perturbing it (or perturb a copy): your function changed x",
                           expected="x unchanged", got="x modified")
        h = encode(x)
        exact = (h * (1 - h))[:, None] * W
        second = (h * (1 - h) * (1 - 2 * h))[:, None] * W ** 2  # ∂²h_l/∂x_j²: a one-sided error's shape
        eps = 1e-5
        one_sided = []
        for sign, name in ((1, "forward"), (-1, "backward")):
            J = np.empty_like(exact)
            for j in range(_N):
                e = np.zeros(_N)
                e[j] = eps
                J[:, j] = sign * (encode(x + sign * e) - h) / eps
            one_sided.append((J, name))
        mistakes = [(J, f"those are {name} differences (error of order ε): central differences "
                        "(encode(x + ε e_j) − encode(x − ε e_j)) / (2ε) are accurate to order ε²")
                    for J, name in one_sided]
        diff = got - exact
        if np.any(diff) and relative_error(got, exact) > _JACOBIAN_RTOL:
            c = float(np.sum(diff * second) / np.sum(second * second))
            if relative_error(diff, c * second) <= 0.05 and relative_error(got, exact) < 0.05:
                name = "forward" if c > 0 else "backward"
                mistakes.append((got, f"those are {name} differences (the error, of order ε = {abs(2 * c):.1g}, "
                                      "follows ∂²h/∂x²): central differences (encode(x + ε e_j) − "
                                      "encode(x − ε e_j)) / (2ε) are accurate to order ε²"))
        _compare(got, exact, "the Jacobian",
                 hint="column j is (encode(x + ε e_j) − encode(x − ε e_j)) / (2ε) with ε = 1e-5",
                 rtol=_JACOBIAN_RTOL, mistakes=mistakes,
                 ratios={2.0: "central differences divide by 2ε, not by ε", 0.5: "divide by 2ε, not by 4ε"})
        return "the central differences agree with h(1 − h) W to 1e-8 (forward differences would not)."
    return _run("finite-difference Jacobian", body, hints={
        "broadcast": "encode takes one example x of shape (n,) and returns h of shape (k,): column j of J is "
                     "(encode(x + ε e_j) − encode(x − ε e_j)) / (2ε), J[:, j] = ...",
        "index": "J has shape (k, n): k = len(encode(x)) rows and n = len(x) columns; column j is J[:, j]",
        "matmul": "no matrix product is needed: each column J[:, j] is a difference of two encode(...) calls",
    })


# Central differences at ε = 1e-5 agree with h(1 − h) W to ~1e-11 (relative); forward ones to ~1e-6.
_JACOBIAN_RTOL = 1e-8
