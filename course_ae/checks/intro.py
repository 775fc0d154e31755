"""Checks for 7.1: the forward pass, the two losses, and their gradients."""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

from .. import reference as R
from ..reference import losses as _losses
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
    _deltas,
    _get,
    _pair,
    _params,
    _ratios,
    SIGMA_AGAIN,
    _run,
    _shape,
    _sigmoid,
    _sigmoid_prime,
    _to_numpy,
    _unchanged,
)


def check_forward(forward: Callable[..., Any]) -> bool:
    """``forward(params, X) -> (H, X_hat)``: sigmoid encoder and sigmoid decoder.

    H = σ(X Wᵀ + b), shape (m, k); X̂ = σ(H W*ᵀ + c), shape (m, n).
    """
    def body() -> str:
        params, X = _params(11), _batch(12)
        p_in, X_in = _copy(params), X.copy()
        H, X_hat = _pair(_call(forward, p_in, X_in), "forward(params, X)", ("H", "X_hat"))
        m, n, k = _M, _N, _K
        if _shape(H) == (m, n) and _shape(X_hat) == (m, k):
            raise _Failure("H and X_hat are swapped: return `H, X_hat` in this order",
                           expected=f"H {(m, k)}, X_hat {(m, n)}",
                           got=f"shapes {(m, n)} then {(m, k)}")
        W, b, Ws, c = params["W"], params["b"], params["W_star"], params["c"]
        a1 = X @ W.T + b
        H_exp = _sigmoid(a1)
        H = _as_array(H, "H", (m, k), "one row of k hidden values per example")
        _compare(H, H_exp, "H", hint="H = g(X Wᵀ + b) with g the sigmoid, one row per example", mistakes=[
            (a1, "apply the encoder's sigmoid: H = σ(X Wᵀ + b), not the pre-activation a1"),
            (_sigmoid(X @ W.T), "the bias b is missing: H = σ(X Wᵀ + b)"),
            (np.tanh(a1), "the encoder here is the sigmoid σ(a) = 1/(1 + e^(−a)), not tanh"),
        ])
        a2 = H_exp @ Ws.T + c
        X_hat = _as_array(X_hat, "X_hat", (m, n), "one reconstruction per example")
        _compare(X_hat, _sigmoid(a2), "X_hat", hint="X̂ = f(H W*ᵀ + c) with f the sigmoid", mistakes=[
            (a2, "apply the decoder's sigmoid f: X̂ = σ(H W*ᵀ + c) (the output lies in (0, 1))"),
            (_sigmoid(H_exp @ Ws.T), "the decoder bias c is missing: X̂ = σ(H W*ᵀ + c)"),
            (_sigmoid(H_exp @ W + c), "the decoder uses W_star (n, k): X̂ = σ(H W*ᵀ + c), not Wᵀ"),
        ])
        _unchanged({"X": X}, {"X": X_in})
        return "H = σ(X Wᵀ + b) and X̂ = σ(H W*ᵀ + c) match the reference."
    return _run("forward pass (sigmoid encoder and decoder)", body, hints=_FORWARD_HINTS)


_PARAMS_KEY = "a dict key is missing: the parameters are params['W'], params['b'], params['W_star'], params['c']"
_FORWARD_HINTS = {
    "matmul": "a matrix product has mismatched shapes: X is (m, n) with one example a row, W is (k, n) and "
              "W_star (n, k), so the encoder is X @ W.T and the decoder H @ W_star.T",
    "broadcast": "a bias is added to every row: X @ W.T is (m, k) and b is (k,), so `X @ W.T + b` broadcasts "
                 "as it is (no reshaping, no b[:, None]); the same for H @ W_star.T + c",
    "key": _PARAMS_KEY,
}
_LOSS_HINTS = {
    "broadcast": "X_hat and X both have shape (m, n): subtract them entry by entry, then sum over the features "
                 "(axis=1) and average over the examples",
    "matmul": "no matrix product is needed: square the entries of X_hat − X (or multiply them entry by entry) "
              "and sum over the features (axis=1)",
}
_GRADIENT_HINTS = {
    "matmul": "a matrix product has mismatched shapes: δ2 = ∂J/∂a2 is (m, n), H is (m, k), X is (m, n); "
              "∂J/∂W* = δ2ᵀ H (n, k), ∂J/∂h = δ2 W* (m, k), ∂J/∂W = δ1ᵀ X (k, n)",
    "broadcast": "entry-by-entry products need equal shapes: δ2 and x̂(1 − x̂) are (m, n), ∂J/∂h and h(1 − h) "
                 "are (m, k); a bias gradient sums δ over the examples (axis=0)",
    "key": _PARAMS_KEY,
}


def check_squared_error(squared_error: Callable[..., Any]) -> bool:
    """``squared_error(X_hat, X) -> float``: (1/m) Σ_i (x̂_i − x_i)ᵀ(x̂_i − x_i)."""
    def body() -> str:
        X_hat, X = _batch(21), _batch(22)
        got = _as_scalar(_call(squared_error, X_hat.copy(), X.copy()), "the squared error", per_example=_M)
        diff = X_hat - X
        per_row = np.sum(diff * diff, axis=1)
        _compare(got, np.mean(per_row), "the squared error",
                 hint="average over the examples of the squared norm (x̂ − x)ᵀ(x̂ − x)",
                 mistakes=[(np.mean(np.sqrt(per_row)), "(x̂ − x)ᵀ(x̂ − x) is the SQUARED norm: no square root"),
                           (np.mean(np.sum(np.abs(diff), axis=1)), "square the differences (x̂ − x)², not their absolute value")],
                 ratios={**_ratios(m=_M, n=_N, what="the squared error"),
                         0.5: "a factor ½ crept in: this course's loss is (x̂ − x)ᵀ(x̂ − x), without ½"})
        return "mean over the examples of Σ_j (x̂_j − x_j)², as in the reference."
    return _run("squared-error loss", body, hints=_LOSS_HINTS)


def check_cross_entropy(cross_entropy: Callable[..., Any]) -> bool:
    """``cross_entropy(X_hat, X) -> float``: (1/m) Σ_i −Σ_j [x log x̂ + (1 − x) log(1 − x̂)]."""
    def body() -> str:
        rng = np.random.default_rng(31)
        X_hat = rng.uniform(0.05, 0.95, (_M, _N))
        X = (rng.random((_M, _N)) < 0.5).astype(np.float64)
        X[:, 0] = 0.3  # a grey value too
        nan_hint = ("log of 0: the logs are of x̂ (always in (0, 1)), never of x (which may be 0 or 1); "
                    "did you swap X_hat and X?")
        got = _as_scalar(_call(cross_entropy, X_hat.copy(), X.copy()), "the cross-entropy",
                         per_example=_M, nan_hint=nan_hint)
        first = -np.mean(np.sum(X * np.log(X_hat), axis=1))
        exp = np.mean(_losses.cross_entropy_from_logits(np.log(X_hat / (1 - X_hat)), X))
        _compare(got, exp, "the cross-entropy",
                 hint="L = −Σ_j [x_j log x̂_j + (1 − x_j) log(1 − x̂_j)], averaged over the examples",
                 mistakes=[(first, "the second term is missing: add (1 − x_j) log(1 − x̂_j) inside the sum"),
                           (-first, "the second term is missing and the sign is flipped")],
                 ratios={**_ratios(m=_M, n=_N, what="the cross-entropy"),
                         -1.0: "the minus sign is missing: L = −Σ [...] is ≥ 0",
                         1 / math.log(10): "use the natural log (np.log), not log10",
                         1 / math.log(2): "use the natural log (np.log), not log2"})
        return "mean over the examples of −Σ_j [x log x̂ + (1 − x) log(1 − x̂)], as in the reference."
    return _run("cross-entropy loss", body, hints=_LOSS_HINTS)


def _gradient_cases() -> list[tuple[str, dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]]]:
    cases = []
    for loss, seed in (("squared_error", 41), ("cross_entropy", 42)):
        params, X = _params(seed), _batch(seed + 100)
        _, grads = R.loss_and_gradients(params, X, R.Config(loss=loss))
        cases.append((loss, params, X, grads))
    return cases


def _gradient_mistakes(loss: str, params: Mapping[str, np.ndarray], X: np.ndarray,
                       key: str) -> list[tuple[np.ndarray, str]]:
    W, b, Ws, c = params["W"], params["b"], params["W_star"], params["c"]
    m = X.shape[0]
    H = _sigmoid(X @ W.T + b)
    Xh = _sigmoid(H @ Ws.T + c)
    fprime = Xh * (1 - Xh)
    out = []
    if loss == "squared_error":
        out.append((_deltas(params, X, 2 * (Xh - X) * _sigmoid_prime(Xh, "sig") / m)[key], SIGMA_AGAIN.replace(
            "h(1 − h) where h", "x̂(1 − x̂) where x̂").replace("σ(h)(1 − σ(h))", "σ(x̂)(1 − σ(x̂))")))
        out.append((_deltas(params, X, 2 * (Xh - X) / m)[key],
                    "the sigmoid's derivative is missing: ∂L/∂a2 = 2(x̂ − x) ⊙ f'(a2) with f'(a2) = x̂(1 − x̂)"))
        out.append((_deltas(params, X, (Xh - X) / m)[key],
                    "that is the cross-entropy gradient (x̂ − x); for the squared error "
                    "∂L/∂a2 = 2(x̂ − x) ⊙ x̂(1 − x̂)"))
    else:
        out.append((_deltas(params, X, (Xh - X) * fprime / m)[key],
                    "for cross-entropy with a sigmoid output ∂L/∂a2 = x̂ − x: the sigmoid's derivative "
                    "x̂(1 − x̂) cancels, so don't multiply by it"))
        out.append((_deltas(params, X, 2 * (Xh - X) * fprime / m)[key],
                    "that is the squared-error gradient; your function must use the `loss` argument "
                    "(for cross-entropy ∂L/∂a2 = x̂ − x)"))
    if key in ("W", "b"):
        delta2 = 2 * (Xh - X) * fprime / m if loss == "squared_error" else (Xh - X) / m
        out.append((_deltas(params, X, delta2, d_enc=False)[key],
                    "the encoder's derivative is missing: δ1 = (δ2 W*) ⊙ g'(a1) with g'(a1) = h(1 − h)"))
        out.append((_deltas(params, X, delta2, d_enc="sig")[key], SIGMA_AGAIN))
        out.append((_deltas(params, X, delta2, through="W")[key],
                    "back-propagate through the decoder weights: ∂a2/∂h = W*, so δ1 = (δ2 W*) ⊙ h(1 − h)"))
    return out


def _bias_axis_hints(key: str) -> dict[tuple[int, ...], str]:
    """A bias gradient summed over the wrong axis comes out with one value per example."""
    if key == "c":
        return {(_M,): "∂J/∂c sums δ2 over the EXAMPLES: delta2.sum(axis=0), one value per output (n,); "
                       "axis=1 gives one value per example"}
    if key == "b":
        return {(_M,): "∂J/∂b sums δ1 over the EXAMPLES: delta1.sum(axis=0), one value per hidden unit (k,); "
                       "axis=1 gives one value per example"}
    return {}


def _check_gradients(fn: Callable[..., Any], keys: tuple[str, ...], what: str) -> str:
    meanings = {"W_star": "(n, k), like W_star", "c": "(n,), like c", "W": "(k, n), like W", "b": "(k,), like b"}
    for loss, params, X, grads in _gradient_cases():
        result = _call(fn, _copy(params), X.copy(), loss)
        for key in keys:
            got = _as_array(_get(result, key, f"{what}(params, X, {loss!r})", keys), f"∂J/∂{key} ({loss})",
                            params[key].shape, meanings[key], shape_hints=_bias_axis_hints(key))
            ratios = {0.5: "a factor 2 is missing: ∂L/∂x̂ = 2(x̂ − x) for the squared error"} \
                if loss == "squared_error" else {}
            ratios.update(_ratios(m=_M, what="the objective"))
            _compare(got, grads[key], f"∂J/∂{key} for loss={loss!r}",
                     hint="follow the chain rule one factor at a time: ∂L/∂a2 → ∂a2/∂W* (and on through h "
                          "and a1 to W); compare with course_ae.gradcheck.numerical_gradient",
                     mistakes=_gradient_mistakes(loss, params, X, key), ratios=ratios)
    return "both losses"


def check_decoder_gradients(decoder_gradients: Callable[..., Any]) -> bool:
    """``decoder_gradients(params, X, loss) -> {"W_star": (n, k), "c": (n,)}`` of the mean objective."""
    def body() -> str:
        _check_gradients(decoder_gradients, ("W_star", "c"), "decoder_gradients")
        return "∂J/∂W* and ∂J/∂c match the reference for the squared error and the cross-entropy."
    return _run("decoder gradients ∂J/∂W*, ∂J/∂c", body, hints=_GRADIENT_HINTS)


def check_encoder_gradients(encoder_gradients: Callable[..., Any]) -> bool:
    """``encoder_gradients(params, X, loss) -> {"W": (k, n), "b": (k,)}`` of the mean objective."""
    def body() -> str:
        _check_gradients(encoder_gradients, ("W", "b"), "encoder_gradients")
        return "∂J/∂W and ∂J/∂b match the reference for the squared error and the cross-entropy."
    return _run("encoder gradients ∂J/∂W, ∂J/∂b", body, hints=_GRADIENT_HINTS)
