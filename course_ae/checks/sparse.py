"""Checks for 7.5: the KL sparsity penalty and its gradients."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import reference as R
from ..reference import penalties as _penalties
from ._core import (
    _Failure,
    _K,
    _M,
    _as_array,
    SIGMA_AGAIN,
    _N,
    _as_scalar,
    _batch,
    _call,
    _copy,
    _get,
    _pair,
    _params,
    _sigmoid,
    _sigmoid_prime,
    _compare,
    _run,
    _shape,
    _to_numpy,
    _unchanged,
    _reaches,
    _reach_expected,
)


def _kl_inputs() -> tuple[float, np.ndarray]:
    return 0.1, np.array([0.02, 0.08, 0.15, 0.3, 0.6])


def check_kl_penalty(kl_penalty: Callable[..., Any]) -> bool:
    """``kl_penalty(rho, rho_hat) -> float``: Σ_l ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))."""
    def body() -> str:
        rho, rho_hat = _kl_inputs()
        k = rho_hat.size
        got = _as_scalar(_call(kl_penalty, rho, rho_hat.copy()), "the KL penalty", per_unit=k)
        swapped = np.sum(rho_hat * np.log(rho_hat / rho) + (1 - rho_hat) * np.log((1 - rho_hat) / (1 - rho)))
        _compare(got, R.sparsity_penalty(rho, rho_hat), "the KL penalty",
                 hint="Ω = Σ_l [ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))]",
                 mistakes=[(swapped, "the arguments are swapped: the penalty is KL(ρ ‖ ρ̂_l) = "
                                     "ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l)), with ρ (the target) in front"),
                           (np.sum(rho * np.log(rho / rho_hat)), "the second term is missing: "
                                                                 "+ (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))")],
                 ratios={1.0 / k: f"sum over the k = {k} hidden units, don't average",
                         1 / math.log(2): "use the natural log (np.log), not log2",
                         -1.0: "the logs are upside down: ρ log(ρ/ρ̂_l), so that the penalty is ≥ 0"})
        return "Σ_l KL(ρ ‖ ρ̂_l), zero only when every ρ̂_l = ρ."
    return _run("KL sparsity penalty", body)


def check_kl_gradient(kl_gradient: Callable[..., Any]) -> bool:
    """``kl_gradient(rho, rho_hat) -> (k,)``: ∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)."""
    def body() -> str:
        rho, rho_hat = _kl_inputs()
        k = rho_hat.size
        got = _as_array(_call(kl_gradient, rho, rho_hat.copy()), "∂Ω/∂ρ̂", (k,), "one value per hidden unit")
        _compare(got, _penalties.sparsity_grad(rho, rho_hat), "∂Ω/∂ρ̂",
                 hint="differentiate each term: d/dρ̂ [ρ log(ρ/ρ̂)] = −ρ/ρ̂ and d/dρ̂ [(1 − ρ) log((1 − ρ)/(1 − ρ̂))] "
                      "= (1 − ρ)/(1 − ρ̂)",
                 mistakes=[(np.log(rho_hat / rho) - np.log((1 - rho_hat) / (1 - rho)),
                            "that is the gradient of the swapped KL(ρ̂ ‖ ρ); the penalty is KL(ρ ‖ ρ̂)"),
                           (-rho / rho_hat, "the second term also depends on ρ̂: add (1 − ρ)/(1 − ρ̂_l)"),
                           (-rho / rho_hat - (1 - rho) / (1 - rho_hat),
                            "sign of the second term: d/dρ̂ of −log(1 − ρ̂) is +1/(1 − ρ̂)")],
                 ratios={1.0 / k: f"no averaging over the k = {k} units: each unit's derivative stands alone"})
        return "∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)."
    return _run("gradient of the KL penalty wrt ρ̂", body)


def check_kl_gradient_h(kl_gradient_h: Callable[..., Any]) -> bool:
    """``kl_gradient_h(rho, H) -> (m, k)``: ∂Ω/∂h_il = (1/m) ∂Ω/∂ρ̂_l with ρ̂ = H.mean(axis=0)."""
    def body() -> str:
        rho = 0.1
        H = np.random.default_rng(121).uniform(0.02, 0.6, (_M, _K))
        H_in = H.copy()
        got = _to_numpy(_call(kl_gradient_h, rho, H_in))
        if _shape(got) == (_K,):
            raise _Failure("every example gets a gradient: return an (m, k) array, each row (1/m) ∂Ω/∂ρ̂",
                           expected=f"shape {(_M, _K)}", got=f"shape {(_K,)}")
        got = _as_array(got, "∂Ω/∂H", (_M, _K), "one row per example", shape_hints={
            (_M, _M): "ρ̂ is the mean over the EXAMPLES, H.mean(axis=0): one value per hidden unit (k,), "
                      "not one per example (axis=1)"})
        _unchanged({"H": H}, {"H": H_in})
        g = _penalties.sparsity_grad(rho, H.mean(axis=0))
        _compare(got, np.tile(g / _M, (_M, 1)), "∂Ω/∂H",
                 hint="ρ̂_l = (1/m) Σ_i h_il, so ∂Ω/∂h_il = (1/m) ∂Ω/∂ρ̂_l: the same row for every example",
                 mistakes=[(_penalties.sparsity_grad(rho, H) / _M, "ρ̂ is the mean over the batch, "
                            "H.mean(axis=0), not each example's own activation")],
                 ratios={float(_M): f"the factor 1/m is missing: ρ̂ = (1/m) Σ_i h_i, so each of the m = {_M} "
                                    "examples receives 1/m of ∂Ω/∂ρ̂"})
        return "∂Ω/∂h_il = (1/m)(−ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)) for every example i."
    return _run("gradient of the KL penalty wrt h", body, hints={
        "broadcast": "ρ̂ = H.mean(axis=0) has shape (k,), one value per hidden unit: (1/m) ∂Ω/∂ρ̂ broadcasts over "
                     "the m rows as it is (np.tile or np.ones((m, 1)) * ...)",
    })



def check_sparse_gradients(sparse_gradients: Callable[..., Any]) -> bool:
    """``sparse_gradients(params, X, rho, beta) -> {"W": (k, n), "b": (k,)}``: the gradient of
    the penalty βΩ(ρ̂), ρ̂ = H.mean(axis=0), with respect to the encoder's W and b (★★)."""
    def body() -> str:
        params, X = _params(161), _batch(162)
        rho, beta = 0.1, 0.5
        W, b = params["W"], params["b"]
        H = _sigmoid(X @ W.T + b)
        dOmega = _penalties.sparsity_grad(rho, H.mean(axis=0))  # ∂Ω/∂ρ̂ (k,)

        def grads(scale: float = beta / _M, d: Any = True) -> dict[str, np.ndarray]:
            delta1 = np.tile(scale * dOmega, (_M, 1)) * _sigmoid_prime(H, d)
            return {"W": delta1.T @ X, "b": delta1.sum(axis=0)}

        exp = grads()
        result = _call(sparse_gradients, _copy(params), X.copy(), rho, beta)
        keys = ("W", "b")
        shapes = {"W": (_K, _N), "b": (_K,)}
        for key in keys:
            got = _as_array(_get(result, key, "sparse_gradients(params, X, rho, beta)", keys), f"∂(βΩ)/∂{key}",
                            shapes[key], f"like params[{key!r}]", shape_hints={(_M,): (
                                "∂(βΩ)/∂b sums δ over the EXAMPLES (axis=0), one value per hidden unit"),
                                (_M, _K): "sum over the examples: ∂(βΩ)/∂b = Σ_i δ_i, shape (k,)"})
            _compare(got, exp[key], f"∂(βΩ)/∂{key}",
                     hint="chain rule: ∂Ω/∂ρ̂_l, then ∂ρ̂_l/∂h_il = 1/m, then ∂h_il/∂a_il = h_il(1 − h_il), "
                          "then ∂a_il/∂W_lj = x_ij; compare with course_ae.gradcheck.numerical_gradient",
                     mistakes=[(grads(d="sig")[key], SIGMA_AGAIN),
                               (grads(d=False)[key], "the sigmoid's derivative is missing: ρ̂ depends on W "
                                                     "through h = σ(a), so multiply by h(1 − h)"),
                               (grads(scale=beta)[key], f"the factor 1/m is missing: ρ̂ = (1/m) Σ_i h_i, so each "
                                                        f"of the m = {_M} examples receives 1/m of ∂Ω/∂ρ̂"),
                               (grads(scale=1.0 / _M)[key], f"the weight β = {beta} of the penalty is missing"),
                               (grads(scale=beta / _M ** 2)[key], "divided by m twice: ∂ρ̂/∂h_il = 1/m once")])
        return "∂(βΩ)/∂W = δᵀX and ∂(βΩ)/∂b = Σ_i δ_i with δ_il = (β/m) ∂Ω/∂ρ̂_l · h_il(1 − h_il)."
    return _run("gradient of the sparsity penalty wrt W, b (★★)", body, hints={
        "matmul": "δ = (β/m) ∂Ω/∂ρ̂ ⊙ h(1 − h) is (m, k), one row per example, and X is (m, n): ∂/∂W = δᵀ X (k, n)",
        "broadcast": "∂Ω/∂ρ̂ has shape (k,), one value per hidden unit, and broadcasts over the m rows of "
                     "h(1 − h) (m, k) as it is",
        "key": "a dict key is missing: the parameters are params['W'], params['b'], params['W_star'], params['c']",
    })


#: How the ★★★ sparse-autoencoder project is trained by its check (keyword arguments of train_sparse).
SPARSE_TRAINING_SETTINGS: dict[str, Any] = {"k": 16, "rho": 0.05, "beta": 0.5, "epochs": 30, "lr": 1.0,
                                            "seed": 0}


def check_sparse_training(train_sparse: Callable[..., Any]) -> bool:
    """``train_sparse(X, k, rho, beta, *, epochs, lr, seed) -> (params, history)`` (★★★).

    Full-batch gradient descent on the sparse autoencoder (sigmoid units, squared error,
    penalty βΣ KL(ρ ‖ ρ̂_l)) from ``R.init_params(n, k, seed=seed)``, checked by measures:
    the history ends at the objective of the returned parameters, the objective falls to
    within 5 % of what ``R.gradient_descent`` reaches, and the mean activation is within
    0.05 of the reference's (much lower than without the penalty).
    """
    def body() -> str:
        from ..data import load_digits

        X = load_digits()[0][:200]
        s = dict(SPARSE_TRAINING_SETTINGS)
        config = R.Config(sparsity_target=s["rho"], sparsity_weight=s["beta"])
        params, history = _pair(_call(train_sparse, X.copy(), s["k"], s["rho"], s["beta"], epochs=s["epochs"],
                                      lr=s["lr"], seed=s["seed"]), "train_sparse(...)", ("params", "history"))
        final, hist = _trained(params, history, X, s["k"], s["epochs"], config, tied=False)
        init = R.init_params(X.shape[1], s["k"], seed=s["seed"])
        ref, ref_hist = R.gradient_descent(init, X, config, epochs=s["epochs"], lr=s["lr"], seed=s["seed"])
        p = {key: np.asarray(_to_numpy(params[key]), dtype=np.float64) for key in ("W", "b")}
        mean_act = float(_sigmoid(X @ p["W"].T + p["b"]).mean())
        ref_act = float(_sigmoid(X @ ref["W"].T + ref["b"]).mean())
        if abs(mean_act - ref_act) > 0.05:
            raise _Failure("the hidden units are not as sparse as gradient descent makes them: is the penalty's gradient "
                           "(your sparse_gradients) added to W's and b's?",
                           expected=f"mean activation ≈ {ref_act:.3f} (±0.05)", got=f"{mean_act:.3f}")
        if not _reaches(final, ref_hist[-1]):
            raise _Failure("the objective falls less than plain gradient descent reaches: gradient-check your "
                           "objective's gradient (course_ae.gradcheck) and step against it, θ ← θ − lr ∇",
                           expected=_reach_expected(ref_hist[-1]),
                           got=f"{final:.4g}")
        return "the objective fell as far as gradient descent's, and the units are as sparse."
    return _run("training the sparse autoencoder (★★★)", body)


def _trained(params: Any, history: Any, X: np.ndarray, k: int, epochs: int, config: Any,
             tied: bool) -> tuple[float, np.ndarray]:
    """The objective of the returned parameters, after checking their form and the history."""
    from ._core import _describe, _numbers
    from ..gradcheck import relative_error

    n = X.shape[1]
    keys = ("W", "b", "c") if tied else ("W", "b", "W_star", "c")
    shapes = {"W": (k, n), "b": (k,), "c": (n,), "W_star": (n, k)}
    p = {key: _as_array(_get(params, key, "params", keys), f"params[{key!r}]", shapes[key]) for key in keys}
    hist = _numbers(history, "history", f"history: {epochs} objectives, one per epoch")
    if hist.shape != (epochs,) or not np.all(np.isfinite(hist)):
        raise _Failure("history holds one number per epoch: the objective (penalty included) after it",
                       expected=f"history: {epochs} finite numbers", got=_describe(hist))
    final = R.objective(p, X, config)
    if relative_error(hist[-1], final) > 1e-6:
        raise _Failure("the last entry of history should be the objective (penalty included) of the params you "
                       "return, R.objective(params, X, config)", expected=f"history[-1] = {final:.6g}",
                       got=f"{hist[-1]:.6g}")
    return final, hist
