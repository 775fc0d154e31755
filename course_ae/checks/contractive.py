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
    _get,
    _pair,
    _params,
    SIGMA_AGAIN,
    _run,
    _shape,
    _sigmoid,
    _sigmoid_prime,
    _to_numpy,
    _reaches,
    _reach_expected,
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


# ------------------------------------------------------------------ ★★ and ★★★ (graded tasks)


def _tanh_parts(params: dict, X: np.ndarray, *, deriv: str = "tanh", dd: str = "right",
                factor: float = 2.0, scale: float | None = None) -> dict[str, np.ndarray]:
    """The pieces of ∂P/∂W, ∂P/∂b for P = mean ‖J‖²_F of a tanh encoder, with one typical
    mistake switched on: ``deriv`` "sigmoid" (the sigmoid's formulas) or "again" (tanh
    applied to h a second time); ``dd`` "right" (∂d/∂a = −2h d), "plus" (+2h d), "noh'"
    (−2h, the inner factor forgotten); ``factor`` the 2 of d²'s derivative; ``scale`` 1/m."""
    W, b = params["W"], params["b"]
    m = X.shape[0]
    scale = 1.0 / m if scale is None else scale
    H = np.tanh(X @ W.T + b)
    if deriv == "sigmoid":
        H = _sigmoid(X @ W.T + b)
        d = H * (1 - H)
        d_a = d * (1 - 2 * H)
    else:
        d = 1 - (np.tanh(H) if deriv == "again" else H) ** 2
        d_a = {"right": -2 * H * d, "plus": 2 * H * d, "noh'": -2 * H}[dd]
    r = np.sum(W * W, axis=1)
    A = scale * factor * d * d_a * r                  # ∂P/∂a (m, k)
    direct = scale * 2 * np.sum(d * d, axis=0)[:, None] * W
    return {"through_a": A.T @ X, "direct": direct, "b": A.sum(axis=0), "A": A}


def check_tanh_contractive_gradients(tanh_contractive_gradients: Callable[..., Any]) -> bool:
    """``tanh_contractive_gradients(params, X) -> {"W": (k, n), "b": (k,)}``: the gradient of
    P = (1/m) Σ_i ‖J(x_i)‖²_F for the tanh encoder H = tanh(X Wᵀ + b) (★★)."""
    def body() -> str:
        params, X = _params(171), _batch(172)
        params["W"] = params["W"] * 0.5                  # tanh units in their curved range
        cfg = R.Config(encoder="tanh", decoder="linear")
        fw = R.forward(params, X, cfg)
        d_a1, d_W = R.penalties.contractive_grads(params["W"], fw.a1, fw.h1, "tanh")
        exp = {"W": d_a1.T @ X + d_W, "b": d_a1.sum(axis=0)}
        result = _call(tanh_contractive_gradients, _copy(params), X.copy())
        right = _tanh_parts(params, X)

        def total(parts: dict) -> dict[str, np.ndarray]:
            return {"W": parts["through_a"] + parts["direct"], "b": parts["b"]}

        variants = {
            "sigmoid": total(_tanh_parts(params, X, deriv="sigmoid")),
            "again": total(_tanh_parts(params, X, deriv="again")),
            "plus": total(_tanh_parts(params, X, dd="plus")),
            "noh": total(_tanh_parts(params, X, dd="noh'")),
            "factor": total(_tanh_parts(params, X, factor=1.0)),
            "sum": total(_tanh_parts(params, X, scale=1.0)),
        }
        hints = {
            "sigmoid": "those are the sigmoid's formulas (d = h(1 − h), d' = d(1 − 2h)): for tanh, "
                       "g'(a) = 1 − h² and its derivative is −2h(1 − h²)",
            "again": "tanh's derivative is written with its OUTPUT: g'(a) = 1 − h² where h = tanh(a) is already "
                     "the unit's value; 1 − tanh(h)² applies tanh a second time",
            "plus": "the sign of ∂d/∂a: d(1 − h²)/da = −2h · dh/da = −2h(1 − h²), negative where h > 0",
            "noh": "chain rule inside d = 1 − h²: ∂d/∂a = −2h · ∂h/∂a = −2h(1 − h²), not −2h",
            "factor": "the derivative of d² is 2d · ∂d/∂a: a factor 2 is missing on the path through a",
            "sum": f"P is the MEAN over the m = {_M} examples: keep the 1/m",
        }
        keys = ("W", "b")
        shapes = {"W": (_K, _N), "b": (_K,)}
        got = {}
        for key in keys:
            value = _get(result, key, "tanh_contractive_gradients(params, X)", keys)
            if key == "W" and _shape(value) == (_N, _K):
                raise _Failure("∂P/∂W has W's shape (k, n): A has one column per hidden unit, so the path "
                               "through a is Aᵀ X, not Xᵀ A", expected=f"∂P/∂W: shape {(_K, _N)}",
                               got=f"shape {(_N, _K)}")
            got[key] = _as_array(value, f"∂P/∂{key}", shapes[key], f"like params[{key!r}]", shape_hints={
                (_M,): "∂P/∂b sums ∂P/∂a over the EXAMPLES (axis=0): one value per hidden unit",
                (_M, _K): "∂P/∂b = Σ_i ∂P/∂a_i: sum over the examples (axis=0), shape (k,)"})
        mistakes_W = [(variants[name]["W"], hints[name]) for name in variants]
        mistakes_W += [(right["through_a"], "only the path through the pre-activations is there: r_l = Σ_j W_lj² "
                                            "depends on W directly too, adding (2/m) Σ_i d_il² · W_lj"),
                       (right["direct"], "only the direct path through r_l = Σ_j W_lj² is there: d = 1 − h² "
                                         "changes with W through a = X Wᵀ + b too")]
        _compare(got["W"], exp["W"], "∂P/∂W",
                 hint="two paths: through a (∂d_il/∂a_il = −2h_il d_il, then ∂a_il/∂W_lj = x_ij) and directly "
                      "through r_l = Σ_j W_lj²; compare with course_ae.gradcheck.numerical_gradient",
                 mistakes=mistakes_W, ratios={float(_M): hints["sum"]})
        _compare(got["b"], exp["b"], "∂P/∂b",
                 hint="b enters only through a = X Wᵀ + b: ∂P/∂b_l = Σ_i ∂P/∂a_il (r_l does not depend on b)",
                 mistakes=[(variants[name]["b"], hints[name]) for name in variants],
                 ratios={float(_M): hints["sum"]})
        return ("∂P/∂W = Aᵀ X + (2/m) diag(Σ_i d_i²) W and ∂P/∂b = Aᵀ 1, with d = 1 − h² and "
                "A = −(4/m) d² h r.")
    return _run("gradient of the contractive penalty, tanh encoder (★★)", body, hints={
        "matmul": "A = ∂P/∂a is (m, k) and X is (m, n): the path through a gives Aᵀ X (k, n); r = "
                  "np.sum(W**2, axis=1) is (k,), one squared row norm per hidden unit",
        "broadcast": "d = 1 − h² is (m, k); r_l = Σ_j W_lj² (k,) and q_l = Σ_i d_il² (k,) are one value per hidden "
                     "unit: q[:, None] * W scales each ROW of W",
        "key": "a dict key is missing: the encoder's parameters are params['W'] (k, n) and params['b'] (k,)",
    })


def line_data(m: int = 300, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X (m, 2), u1, u2): points spread uniformly over [−1.5, 1.5] along u1 and with Gaussian
    noise of standard deviation 0.1 along u2, the chapter's toy data for the contractive AE."""
    rng = np.random.default_rng(seed)
    angle = 0.5
    u1 = np.array([np.cos(angle), np.sin(angle)])
    u2 = np.array([-np.sin(angle), np.cos(angle)])
    t = rng.uniform(-1.5, 1.5, m)
    X = t[:, None] * u1 + 0.1 * rng.standard_normal(m)[:, None] * u2
    return X, u1, u2


def sensitivity_ratio(params: Any, X: Any, u1: Any, u2: Any) -> float:
    """Median over the rows x of X of ‖J(x) u1‖ / ‖J(x) u2‖ for the tanh encoder h = tanh(W x + b):
    how much more the code moves along u1 than across it (about 1 for a code that follows
    every direction alike)."""
    W = np.asarray(params["W"], dtype=np.float64)
    b = np.asarray(params["b"], dtype=np.float64)
    H = np.tanh(np.asarray(X, dtype=np.float64) @ W.T + b)
    J = (1 - H ** 2)[:, :, None] * W[None]                 # (m, k, n)
    along = np.linalg.norm(J @ np.asarray(u1, dtype=np.float64), axis=1)
    across = np.linalg.norm(J @ np.asarray(u2, dtype=np.float64), axis=1)
    return float(np.median(along / np.maximum(across, 1e-300)))


#: How the ★★★ contractive project is trained by its check (keyword arguments of train_contractive).
CONTRACTIVE_TRAINING_SETTINGS: dict[str, Any] = {"k": 8, "lam_c": 0.3, "epochs": 300, "lr": 0.1, "seed": 0}
#: The model of the ★★★ project: tanh encoder, linear decoder, tied weights W* = Wᵀ, squared error.
CONTRACTIVE_CONFIG = R.Config(encoder="tanh", decoder="linear", tied=True)
_MIN_RATIO = 10.0  # gradient descent reaches a median ratio of ~265 at λ_c = 0.3; ~0.9 without the penalty


def check_contractive_training(train_contractive: Callable[..., Any]) -> bool:
    """``train_contractive(X, lam_c, *, k, epochs, lr, seed) -> (params, history)`` (★★★).

    Full-batch gradient descent on the tied tanh/linear autoencoder with the contractive
    penalty λ_c P, from ``R.init_params(n, k, tied=True, seed=seed)``, on the u1/u2 line
    data (:func:`line_data`). Checked by measures: the history ends at the objective
    (penalty included) of the returned parameters; the objective is within 5 % of what
    ``R.gradient_descent`` reaches; the code is at least 10 times more sensitive along
    u1 than across it (median ‖J u1‖/‖J u2‖ over the data).
    """
    def body() -> str:
        from .sparse import _trained

        X, u1, u2 = line_data()
        s = dict(CONTRACTIVE_TRAINING_SETTINGS)
        config = R.Config(encoder="tanh", decoder="linear", tied=True, contractive_weight=s["lam_c"])
        params, history = _pair(_call(train_contractive, X.copy(), s["lam_c"], k=s["k"], epochs=s["epochs"],
                                      lr=s["lr"], seed=s["seed"]), "train_contractive(...)", ("params", "history"))
        final, _ = _trained(params, history, X, s["k"], s["epochs"], config, tied=True)
        p = {key: np.asarray(_to_numpy(params[key]), dtype=np.float64) for key in ("W", "b", "c")}
        _, ref_hist = R.gradient_descent(R.init_params(2, s["k"], tied=True, seed=s["seed"]), X, config,
                                         epochs=s["epochs"], lr=s["lr"], seed=s["seed"])
        ratio = sensitivity_ratio(p, X, u1, u2)
        if not _reaches(final, ref_hist[-1]):
            if ratio < 2:
                hint = ("the code is about as sensitive across the line (u2) as along it (u1): is the penalty's "
                        "gradient, λ_c times your tanh_contractive_gradients, added to the gradients of W and b?")
            else:
                hint = ("the objective falls less than plain gradient descent reaches: the total gradient is the "
                        "reconstruction's plus λ_c times the penalty's (gradient-check it with course_ae.gradcheck); "
                        "step against it (θ ← θ − lr ∇) with the learning rate and all the epochs you are given")
            raise _Failure(hint, expected=_reach_expected(ref_hist[-1]),
                           got=f"{final:.4g} (sensitivity ratio along/across {ratio:.3g})")
        if not ratio >= _MIN_RATIO:
            raise _Failure("the code is not much more sensitive along u1 than across it: the penalty should "
                           "flatten it across the line (u2); is λ_c's gradient applied to W and b?",
                           expected=f"median ‖J u1‖/‖J u2‖ ≥ {_MIN_RATIO:g}", got=f"{ratio:.3g}")
        return (f"the objective reached gradient descent's, and the code is {ratio:.0f} times more sensitive "
                "along u1 than across it (median over the data).")
    return _run("training the contractive autoencoder (★★★)", body)
