"""Checks for 7.3: the weight-decay and tied-weight gradients."""

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
    _describe,
    _get,
    _numbers,
    _pair,
    _params,
    _ratios,
    _run,
    _shape,
    _sigmoid,
    _sigmoid_prime,
    SIGMA_AGAIN,
    _to_numpy,
    _unchanged,
    _reaches,
    _reach_expected,
)


def check_weight_decay(weight_decay: Callable[..., Any]) -> bool:
    """``weight_decay(params, lam) -> (omega, grads)``: Ω = (λ/2)(‖W‖² + ‖W*‖²) and its gradient."""
    def body() -> str:
        params, lam = _params(61), 0.1
        p_in = _copy(params)
        omega, grads = _pair(_call(weight_decay, p_in, lam), "weight_decay(params, lam)", ("omega", "grads"))
        W, Ws, b, c = params["W"], params["W_star"], params["b"], params["c"]
        sq = np.sum(W * W) + np.sum(Ws * Ws)
        omega = _as_scalar(omega, "the penalty Ω")
        _compare(omega, 0.5 * lam * sq, "Ω", hint="Ω = (λ/2)(‖W‖²_F + ‖W*‖²_F)",
                 mistakes=[(0.5 * lam * (sq + b @ b + c @ c), "the biases are not decayed: leave b and c out of Ω")],
                 ratios={2.0: "Ω has a factor ½: (λ/2)(‖W‖² + ‖W*‖²)"})
        keys = ("W", "b", "W_star", "c")
        for key in keys:
            g = _as_array(_get(grads, key, "the gradient dict", keys), f"∂Ω/∂{key}", params[key].shape,
                          f"like params[{key!r}]")
            value = params[key]
            if key in ("b", "c"):
                if relative_error(g, lam * value) <= 1e-6:
                    raise _Failure("the biases are not decayed: the gradient of Ω with respect to b and c is 0",
                                   expected=f"∂Ω/∂{key}: zeros", got=_describe(g))
                _compare(g, np.zeros_like(value), f"∂Ω/∂{key}",
                         hint="Ω does not depend on the biases: their gradient is zero")
            else:
                _compare(g, lam * value, f"∂Ω/∂{key}", hint=f"∂Ω/∂{key} = λ{key}",
                         ratios={2.0: "the ½ in Ω cancels the 2 from the square: the gradient is λW, not 2λW",
                                 0.5: "d‖W‖²/dW = 2W, so (λ/2)·2W = λW"})
        _unchanged({k: params[k] for k in params}, p_in)
        return "Ω = (λ/2)(‖W‖² + ‖W*‖²) with gradients λW, λW* and none for the biases."
    return _run("weight decay and its gradient", body, hints={
        "key": "a dict key is missing: the parameters are params['W'], params['b'], params['W_star'], "
               "params['c'], and the gradient dict has the same four keys",
    })


def check_tied_gradient(tied_gradient: Callable[..., Any]) -> bool:
    """``tied_gradient(params, X) -> ∂J/∂W`` (k, n) with W* = Wᵀ (sigmoid units, squared error)."""
    def body() -> str:
        params, X = _params(71, tied=True), _batch(72)
        _, grads = R.loss_and_gradients(params, X, R.Config(tied=True))
        untied = dict(params, W_star=params["W"].T.copy())
        _, g_untied = R.loss_and_gradients(untied, X, R.Config())
        result = _to_numpy(_call(tied_gradient, _copy(params), X.copy()))
        if _shape(result) == (_N, _K):
            raise _Failure("W is (k, n): transpose the decoder's part (∂J/∂W*)ᵀ before adding it",
                           expected=f"∂J/∂W: shape {(_K, _N)}", got=f"shape {(_N, _K)}")
        got = _as_array(result, "∂J/∂W", (_K, _N), "like W")
        enc, dec = g_untied["W"], g_untied["W_star"].T
        W, b, c = params["W"], params["b"], params["c"]
        H = _sigmoid(X @ W.T + b)
        Xh = _sigmoid(H @ W + c)
        delta2 = 2 * (Xh - X) * Xh * (1 - Xh) / _M
        enc_sig = ((delta2 @ W.T) * _sigmoid_prime(H, "sig")).T @ X
        _compare(got, grads["W"], "∂J/∂W (tied)",
                 hint="W is used twice, as the encoder W and as the decoder W* = Wᵀ: add both contributions",
                 mistakes=[(enc, "only the encoder's use of W is counted: add the decoder's, (∂J/∂W*)ᵀ"),
                           (dec, "only the decoder's use of W is counted: add the encoder's, ∂J/∂W through h"),
                           (2 * enc + dec, "the encoder's use of W is counted twice: W appears once in the "
                                           "encoder and once (as Wᵀ) in the decoder; add each part once"),
                           (enc + 2 * dec, "the decoder's use of W is counted twice: W appears once in the "
                                           "encoder and once (as Wᵀ) in the decoder; add each part once"),
                           (enc_sig + dec, SIGMA_AGAIN)],
                 ratios={0.5: "a factor 2 is missing: ∂L/∂x̂ = 2(x̂ − x)",
                         2.0: "a factor 2 too many: each of W's two uses is counted once, and ∂L/∂x̂ = 2(x̂ − x) "
                              "has its 2 only once", **_ratios(m=_M)})
        return "∂J/∂W = (encoder's part) + (∂J/∂W*)ᵀ, as in the reference."
    return _run("tied-weight gradient", body, hints={
        "broadcast": "the decoder's part ∂J/∂W* has shape (n, k) and the encoder's part (k, n): transpose the "
                     "decoder's part, (∂J/∂W*)ᵀ, before adding the two",
        "matmul": "with W* = Wᵀ the decoder is H @ W (W is (k, n)) and ∂J/∂h = δ2 Wᵀ (m, k); the encoder's part "
                  "is δ1ᵀ X (k, n) and the decoder's part δ2ᵀ H (n, k), transposed",
        "key": "a dict key is missing: the tied parameters are params['W'], params['b'], params['c'] "
               "(W_star is W.T)",
    })


def check_tied_weight_decay(tied_weight_decay: Callable[..., Any]) -> bool:
    """``tied_weight_decay(W, lam) -> (omega, grad_W)`` with W* = Wᵀ: Ω = λ‖W‖², ∂Ω/∂W = 2λW (★★)."""
    def body() -> str:
        W, lam = _params(151, tied=True)["W"], 0.1
        W_in = W.copy()
        omega, g = _pair(_call(tied_weight_decay, W_in, lam), "tied_weight_decay(W, lam)", ("omega", "grad_W"))
        _unchanged({"W": W}, {"W": W_in})
        sq = float(np.sum(W * W))
        omega = _as_scalar(omega, "the penalty Ω")
        _compare(omega, lam * sq, "Ω with W* = Wᵀ", hint="write Ω = (λ/2)(‖W‖² + ‖W*‖²) with W* = Wᵀ in terms of W alone",
                 ratios={0.5: "‖W*‖² = ‖Wᵀ‖² = ‖W‖²: with tied weights both terms are there, so Ω = λ‖W‖², "
                              "not (λ/2)‖W‖²"})
        g = _as_array(g, "∂Ω/∂W", W.shape, "like W")
        _compare(g, 2 * lam * W, "∂Ω/∂W (tied)", hint="differentiate Ω as a function of W alone (W* = Wᵀ is W)",
                 ratios={0.5: "W is decayed twice, once as the encoder and once as the decoder W* = Wᵀ: the "
                              "gradient is λW + (λW*)ᵀ = 2λW, not λW",
                         2.0: "d(λ‖W‖²)/dW = 2λW: a factor 2 too many"})
        return "Ω = λ‖W‖² and ∂Ω/∂W = λW + (λW*)ᵀ = 2λW."
    return _run("weight decay with tied weights (★★)", body)


#: How the ★★★ tied-autoencoder project is trained by its check (keyword arguments of train_tied).
TIED_TRAINING_SETTINGS: dict[str, Any] = {"k": 16, "lam": 1e-3, "epochs": 30, "lr": 1.0, "seed": 0}


def check_tied_training(train_tied: Callable[..., Any]) -> bool:
    """``train_tied(X, k, lam, *, epochs, lr, seed) -> (params, history)`` (★★★).

    Full-batch gradient descent on the tied autoencoder with weight decay, from
    ``R.init_params(n, k, tied=True, seed=seed)``. Checked by measures, not exact values:
    the history is one objective per epoch and ends at the objective of the returned
    parameters; the objective falls to half its start or less, and to within 5 % of what
    ``R.gradient_descent`` reaches with the same settings.
    """
    def body() -> str:
        from ..data import load_digits

        X = load_digits()[0][:200]
        s = dict(TIED_TRAINING_SETTINGS)
        config = R.Config(tied=True, weight_decay=s["lam"])
        params, history = _pair(_call(train_tied, X.copy(), s["k"], s["lam"], epochs=s["epochs"], lr=s["lr"],
                                      seed=s["seed"]), "train_tied(...)", ("params", "history"))
        n, k = X.shape[1], s["k"]
        keys = ("W", "b", "c")
        shapes = {"W": (k, n), "b": (k,), "c": (n,)}
        p = {key: _as_array(_get(params, key, "params", keys), f"params[{key!r}]", shapes[key]) for key in keys}
        hist = _numbers(history, "history", f"history: {s['epochs']} objectives, one per epoch")
        if hist.shape != (s["epochs"],) or not np.all(np.isfinite(hist)):
            raise _Failure("history holds one number per epoch: the objective (penalty included) after it",
                           expected=f"history: {s['epochs']} finite numbers", got=_describe(hist))
        start = R.objective(R.init_params(n, k, tied=True, seed=s["seed"]), X, config)
        final = R.objective(p, X, config)
        if relative_error(hist[-1], final) > 1e-6:
            raise _Failure("the last entry of history should be the objective (with the penalty) of the params "
                           "you return: R.objective(params, X, R.Config(tied=True, weight_decay=lam))",
                           expected=f"history[-1] = {final:.6g}", got=f"{hist[-1]:.6g}")
        _, ref_hist = R.gradient_descent(R.init_params(n, k, tied=True, seed=s["seed"]), X, config,
                                         epochs=s["epochs"], lr=s["lr"], seed=s["seed"])
        if not final <= 0.5 * start:
            raise _Failure("the objective barely moved: does each step go AGAINST the gradient (θ ← θ − lr ∇), "
                           "with ∇ for W, b and c, the penalty's 2λW included?",
                           expected=f"objective ≤ {0.5 * start:.4g} (half of {start:.4g} at the start)",
                           got=f"{final:.4g}")
        if not _reaches(final, ref_hist[-1]):
            raise _Failure("the objective falls, but less than plain gradient descent reaches: check the gradient "
                           "of each parameter with course_ae.gradcheck, and take all the epochs",
                           expected=_reach_expected(ref_hist[-1]),
                           got=f"{final:.4g}")
        return "the objective fell to within 5 % of what gradient descent reaches."
    return _run("training the tied autoencoder (★★★)", body)
