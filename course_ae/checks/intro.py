"""Checks for 7.1: the forward pass, the two losses, and their gradients."""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

from .. import reference as R
from ..gradcheck import relative_error
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
    _describe,
    _get,
    _numbers,
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
    GD_REACH,
    _reaches,
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


# ------------------------------------------------------------------ ★★ and ★★★ tasks of 7.1


def _tanh_case() -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]]:
    params, X = _params(171), _batch(172)
    X = (X > 0.5).astype(np.float64)  # binary pixels: the cross-entropy's home ground
    X[:, 0] = 0.3                      # and one grey value
    _, grads = R.loss_and_gradients(params, X, R.Config(encoder="tanh", loss="cross_entropy"))
    return params, X, grads


def _tanh_variant(params: Mapping[str, np.ndarray], X: np.ndarray, *, encoder: str = "tanh",
                  derivative: str = "right", fprime: bool = False) -> dict[str, np.ndarray]:
    """The four gradients with a tanh encoder, sigmoid decoder and cross-entropy, or a typical mistake.

    encoder "sigmoid": the codes computed with the sigmoid; derivative: "right" 1 − h²,
    "sigmoid" h(1 − h), "again" 1 − tanh(h)², "none", "one_minus_h" 1 − h, "square" (1 − h)²;
    fprime: the sigmoid's x̂(1 − x̂) kept in δ2.
    """
    W, b, Ws, c = params["W"], params["b"], params["W_star"], params["c"]
    a1 = X @ W.T + b
    H = np.tanh(a1) if encoder == "tanh" else _sigmoid(a1)
    Xh = _sigmoid(H @ Ws.T + c)
    delta2 = (Xh - X) / X.shape[0]
    if fprime:
        delta2 = delta2 * Xh * (1 - Xh)
    D = {"right": 1 - H ** 2, "sigmoid": H * (1 - H), "again": 1 - np.tanh(H) ** 2, "none": 1.0,
         "one_minus_h": 1 - H, "square": (1 - H) ** 2}[derivative]
    if encoder != "tanh" and derivative == "right":
        D = H * (1 - H)  # a sigmoid encoder, consistently
    delta1 = (delta2 @ Ws) * D
    return {"W_star": delta2.T @ H, "c": delta2.sum(axis=0), "W": delta1.T @ X, "b": delta1.sum(axis=0)}


def check_tanh_gradients(tanh_gradients: Callable[..., Any]) -> bool:
    """``tanh_gradients(params, X) -> {"W", "b", "W_star", "c"}`` (★★): the gradients of the mean
    cross-entropy of the autoencoder x̂ = σ(W* tanh(W x + b) + c), a tanh encoder the chapter
    does not derive. Its derivative, tanh'(a) = 1 − tanh²(a) = 1 − h², is the student's to find."""
    def body() -> str:
        params, X, grads = _tanh_case()
        result = _call(tanh_gradients, _copy(params), X.copy())
        keys = ("W_star", "c", "W", "b")
        meanings = {"W_star": "(n, k), like W_star", "c": "(n,), like c", "W": "(k, n), like W", "b": "(k,), like b"}
        ratios = _ratios(m=_M, what="the objective")
        ratios[0.5] = "half the expected value: the cross-entropy's δ2 = x̂ − x has no factor ½"
        for key in keys:
            got = _as_array(_get(result, key, "tanh_gradients(params, X)", keys), f"∂J/∂{key}", params[key].shape,
                            meanings[key], shape_hints=_bias_axis_hints(key))
            mistakes = [
                (_tanh_variant(params, X, encoder="sigmoid")[key],
                 "those are the gradients of a SIGMOID encoder: here the codes are h = tanh(W x + b), both in the "
                 "decoder's gradients and in the encoder's derivative"),
                (_tanh_variant(params, X, fprime=True)[key],
                 "for the cross-entropy with a sigmoid output δ2 = ∂J/∂a2 = (x̂ − x)/m: the sigmoid's derivative "
                 "x̂(1 − x̂) cancels, so don't multiply by it"),
                (_tanh_variant(params, X, derivative="sigmoid")[key],
                 "h(1 − h) is the SIGMOID's derivative; the tanh encoder needs tanh'(a), which you can also write "
                 "with its output h = tanh(a)"),
                (_tanh_variant(params, X, derivative="again")[key],
                 "tanh'(a) is written with the unit's OUTPUT h = tanh(a): 1 − tanh(h)² applies tanh a second "
                 "time"),
                (_tanh_variant(params, X, derivative="none")[key],
                 "the encoder's derivative is missing: δ1 = (δ2 W*) ⊙ tanh'(a1)"),
                (_tanh_variant(params, X, derivative="one_minus_h")[key],
                 "tanh'(a) = 1 − tanh²(a): square h before subtracting it from 1"),
                (_tanh_variant(params, X, derivative="square")[key],
                 "tanh'(a) = 1 − h², not (1 − h)²: square h, then subtract"),
            ]
            _compare(got, grads[key], f"∂J/∂{key} (tanh encoder, cross-entropy)",
                     hint="derive tanh'(a) first (write it with h = tanh(a)), then follow the chain rule from "
                          "δ2 = ∂J/∂a2 back to W; compare with course_ae.gradcheck.numerical_gradient",
                     mistakes=mistakes, ratios=ratios)
        return ("∂J/∂W*, ∂J/∂c, ∂J/∂W and ∂J/∂b match the reference, with tanh'(a) = 1 − h² and "
                "δ2 = (x̂ − x)/m.")
    return _run("gradients with a tanh encoder (★★)", body, hints={
        **_GRADIENT_HINTS,
        "broadcast": "entry-by-entry products need equal shapes: δ2 and X̂ are (m, n), ∂J/∂h and tanh'(a1) are "
                     "(m, k); a bias gradient sums δ over the examples (axis=0)",
    })


#: How the ★★★ training project of 7.1 is run by its check (keyword arguments of train_autoencoder).
AUTOENCODER_TRAINING_SETTINGS: dict[str, Any] = {"k": 16, "epochs": 50, "lr": 1.0, "seed": 0}


def check_autoencoder_training(train_autoencoder: Callable[..., Any]) -> bool:
    """``train_autoencoder(X, k, *, epochs, lr, seed) -> (params, history)`` (★★★).

    Full-batch gradient descent on the sigmoid autoencoder with the mean cross-entropy,
    from ``R.init_params(n, k, seed=seed)``, checked by measures, not exact values: the
    history has one objective per epoch and ends at the objective of the returned
    parameters; every parameter moved; the objective falls to half its start or less
    and to within 5 % of what ``R.gradient_descent`` reaches with the same settings.
    """
    def body() -> str:
        from ..data import load_digits

        X = load_digits()[0][:200]
        s = dict(AUTOENCODER_TRAINING_SETTINGS)
        config = R.Config(loss="cross_entropy")
        n, k = X.shape[1], s["k"]
        params, history = _pair(_call(train_autoencoder, X.copy(), k, epochs=s["epochs"], lr=s["lr"],
                                      seed=s["seed"]), "train_autoencoder(...)", ("params", "history"))
        keys = ("W", "b", "W_star", "c")
        shapes = {"W": (k, n), "b": (k,), "W_star": (n, k), "c": (n,)}
        p = {key: _as_array(_get(params, key, "params", keys), f"params[{key!r}]", shapes[key]) for key in keys}
        hist = _numbers(history, "history", f"history: {s['epochs']} objectives, one per epoch")
        if hist.shape != (s["epochs"],) or not np.all(np.isfinite(hist)):
            raise _Failure("history holds one number per epoch: the objective (the mean cross-entropy) after it",
                           expected=f"history: {s['epochs']} finite numbers", got=_describe(hist))
        init = R.init_params(n, k, seed=s["seed"])
        start = R.objective(init, X, config)
        final = R.objective(p, X, config)
        if relative_error(hist[-1], final) > 1e-6:
            se = R.objective(p, X, R.Config())
            hint = ("history records the squared error, but this autoencoder is trained on the cross-entropy: record "
                    "the mean cross-entropy" if relative_error(hist[-1], se) <= 1e-6 else
                    "the last entry of history should be the objective of the params you return, after the last "
                    "step: R.objective(params, X, R.Config(loss='cross_entropy'))")
            raise _Failure(hint, expected=f"history[-1] = {final:.6g}", got=f"{hist[-1]:.6g}")
        frozen = [key for key in keys if np.array_equal(p[key], init[key])]
        if frozen and len(frozen) < len(keys):
            raise _Failure(f"{', '.join(frozen)} never changed: each step updates every parameter, W, b, W_star "
                           "and c, with its own gradient", expected="every parameter trained",
                           got=f"{', '.join(frozen)} as initialised")
        if not final <= 0.9 * start:
            raise _Failure("the objective barely moved (or rose): does each step go AGAINST the gradient "
                           "(θ ← θ − lr ∇), from R.init_params(n, k, seed=seed), for all the epochs?",
                           expected=f"objective ≤ {0.5 * start:.4g} (half of {start:.4g} at the start)",
                           got=f"{final:.4g}")
        _, ref_hist = R.gradient_descent(init, X, config, epochs=s["epochs"], lr=s["lr"], seed=s["seed"])
        if not (final <= 0.5 * start and _reaches(final, ref_hist[-1])):
            se_params, _ = R.gradient_descent(init, X, R.Config(), epochs=s["epochs"], lr=s["lr"], seed=s["seed"])
            if relative_error(final, R.objective(se_params, X, config)) <= 1e-3:
                hint = ("you followed the squared error's gradients: this autoencoder is trained on the "
                        "cross-entropy, whose δ2 = (x̂ − x)/m (pass loss='cross_entropy' to your gradients)")
            else:
                hint = ("the objective falls, but less than plain gradient descent reaches: check each gradient with "
                        "course_ae.gradcheck, use lr as given, and take all the epochs")
            raise _Failure(hint, expected=f"objective ≤ {min(0.5 * start, GD_REACH * ref_hist[-1]):.4g} (half the "
                                          f"start, and within 5 % of gradient descent)", got=f"{final:.4g}")
        return "the cross-entropy fell to within 5 % of what gradient descent reaches."
    return _run("training the autoencoder (★★★)", body, hints={
        "key": _PARAMS_KEY,
        "matmul": _GRADIENT_HINTS["matmul"],
    })
