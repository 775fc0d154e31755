"""Checks for 7.7: the capstone, every regularizer on the same data."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from .. import reference as R
from ._core import (_Failure, _as_scalar, _call, _num, _pair, _reach_expected, _reaches, _run,
                    _sigmoid, _to_numpy)


#: The variants compared in the capstone: name -> (Config, noise, noise_level).
CAPSTONE_VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {"config": R.Config(), "noise": None, "noise_level": 0.0},
    "weight decay": {"config": R.Config(weight_decay=1e-3), "noise": None, "noise_level": 0.0},
    "denoising": {"config": R.Config(), "noise": "masking", "noise_level": 0.3},
    "sparse": {"config": R.Config(sparsity_target=0.05, sparsity_weight=0.1), "noise": None, "noise_level": 0.0},
    "contractive": {"config": R.Config(contractive_weight=0.1), "noise": None, "noise_level": 0.0},
}
#: How every variant is trained in the capstone (keyword arguments of course_ae.nn.train).
CAPSTONE_SETTINGS: dict[str, Any] = {"batch_size": 32, "lr": 0.01, "optimizer": "adam"}
_CAPSTONE_KEYS = ("reconstruction_error", "mean_activation", "contraction")


def _capstone_model(spec: Mapping[str, Any], X_train: Any, *, n_hidden: int, epochs: int, seed: int) -> Any:
    """The model the capstone expects for one variant (a course_ae.nn.Autoencoder on the CPU)."""
    from .. import nn

    X_train = np.asarray(X_train, dtype=np.float64)
    model = nn.Autoencoder(X_train.shape[1], n_hidden, spec["config"], device="cpu", seed=seed)
    nn.train(model, X_train, epochs=epochs, seed=seed, noise=spec.get("noise"),
             noise_level=spec.get("noise_level", 0.0), progress=False, **CAPSTONE_SETTINGS)
    return model


def _evaluate(model: Any, X_test: np.ndarray) -> dict[str, float]:
    import torch

    with torch.no_grad():
        X = torch.as_tensor(X_test, dtype=model.dtype)
        X_hat, H = model(X), model.encode(X)
        return {"reconstruction_error": float(((X_hat - X) ** 2).sum(dim=1).mean()),
                "mean_activation": float(H.mean()),
                "contraction": float(model.contractive_penalty(X))}


_CAPSTONE_CACHE: dict[Any, Any] = {}


def _capstone_expected(X_train: np.ndarray, X_test: np.ndarray, **kw: Any) -> tuple[dict, dict, dict]:
    """The reference table (trained once per process and remembered), the same with the
    penalties included, and the denoising variant trained without noise."""
    key = (X_train.tobytes(), X_test.tobytes(), tuple(sorted(kw.items())), repr(CAPSTONE_VARIANTS),
           repr(CAPSTONE_SETTINGS))
    if key not in _CAPSTONE_CACHE:
        import torch

        expected, with_penalty = {}, {}
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # tiny models: one thread is fastest, and immune to a busy machine
        try:
            for name, spec in CAPSTONE_VARIANTS.items():
                model = _capstone_model(spec, X_train, **kw)
                expected[name] = _evaluate(model, X_test)
                with torch.no_grad():
                    with_penalty[name] = float(model.objective(X_test))
            no_noise = dict(CAPSTONE_VARIANTS["denoising"], noise=None, noise_level=0.0)
            denoiser = _evaluate(_capstone_model(no_noise, X_train, **kw), X_test)
        finally:
            torch.set_num_threads(threads)
        _CAPSTONE_CACHE.clear()
        _CAPSTONE_CACHE[key] = (expected, with_penalty, denoiser)
    return _CAPSTONE_CACHE[key]


def check_capstone(evaluate_variants: Callable[..., Any]) -> bool:
    """``evaluate_variants(variants, X_train, X_test, *, n_hidden, epochs, seed) -> table``.

    The table maps each variant's name to {"reconstruction_error", "mean_activation",
    "contraction"} measured on the clean X_test; the check trains the same models itself
    (small: 500 digits, 16 hidden units, 10 epochs) and compares.
    """
    def body() -> str:
        from ..data import load_digits

        X, _ = load_digits()
        X_train, X_test = X[:500], X[500:600]
        kw = {"n_hidden": 16, "epochs": 10, "seed": 0}
        table = _to_numpy(_call(evaluate_variants, dict(CAPSTONE_VARIANTS), X_train.copy(), X_test.copy(), **kw))
        names = list(CAPSTONE_VARIANTS)
        if table is None:
            raise _Failure("your function returned None: did you forget the `return` statement?",
                           expected=f"a dict with keys {names}", got="None")
        if not isinstance(table, Mapping):
            raise _Failure("return a dict: variant name -> dict of measurements",
                           expected=f"a dict with keys {names}", got=f"a {type(table).__name__}")
        missing = [name for name in names if name not in table]
        if missing:
            raise _Failure("evaluate every variant in `variants`, keyed by its name",
                           expected=f"keys {names}", got=f"keys {sorted(map(str, table))} (missing {missing})")
        values = {}  # every value read first: a malformed table fails before any training
        for name in names:
            row = _to_numpy(table[name])
            if not isinstance(row, Mapping):
                raise _Failure(f"each value of the table is a dict with the keys {list(_CAPSTONE_KEYS)}",
                               expected=f"table[{name!r}]: a dict", got=f"a {type(row).__name__}")
            for key in _CAPSTONE_KEYS:
                if key not in row:
                    raise _Failure(f"table[{name!r}] needs the key {key!r}",
                                   expected=f"keys {list(_CAPSTONE_KEYS)}", got=f"keys {sorted(map(str, row))}")
                values[name, key] = _as_scalar(row[key], f"table[{name!r}][{key!r}]")
        expected, with_penalty, plain_trained_denoiser = _capstone_expected(X_train, X_test, **kw)
        for name in names:
            for key in _CAPSTONE_KEYS:
                value = values[name, key]
                exp = expected[name][key]
                if abs(value - exp) <= 1e-3 * max(abs(exp), 1e-3):
                    continue
                desc = (f"table[{name!r}][{key!r}] = {_num(exp)}", _num(value))
                if name == "denoising" and abs(value - plain_trained_denoiser[key]) <= 1e-3 * max(abs(value), 1e-3):
                    raise _Failure("the denoising variant was trained without noise: pass noise=spec['noise'] "
                                   "and noise_level=spec['noise_level'] to nn.train", *desc)
                if key == "reconstruction_error" and abs(value - with_penalty[name]) <= 1e-3 * abs(value):
                    raise _Failure("report the reconstruction error alone: model.objective(X) adds the "
                                   "variant's penalty; compute the mean of Σ_j (x̂_j − x_j)² yourself", *desc)
                if name == "denoising" and value > exp:
                    raise _Failure("evaluate the denoising variant on CLEAN test inputs with clean targets: "
                                   "the noise is for training only", *desc)
                raise _Failure("train each variant exactly as described (nn.Autoencoder(n, n_hidden, "
                               "spec['config'], device='cpu', seed=seed), then nn.train(model, X_train, "
                               "epochs=epochs, seed=seed, noise=..., noise_level=..., progress=False, "
                               "**checks.CAPSTONE_SETTINGS)) and measure on the clean X_test: the mean over "
                               "examples of Σ_j (x̂_j − x_j)², the mean of H, and model.contractive_penalty(X_test)",
                               *desc)
        return f"all {len(names)} variants trained and measured on the clean test set as expected."
    return _run("capstone: comparing the regularizers", body)


# ------------------------------------------------------------------ ★★ and ★★★ (graded tasks)

def _tied_penalty_parts(params: Mapping[str, np.ndarray], X: np.ndarray, rho: float) -> dict[str, Any]:
    """The pieces of the three penalties' gradients for the tied sigmoid encoder."""
    W, b = params["W"], params["b"]
    m = X.shape[0]
    H = _sigmoid(X @ W.T + b)
    D = H * (1 - H)
    rho_hat = H.mean(axis=0)
    s = -rho / rho_hat + (1 - rho) / (1 - rho_hat)
    r = np.sum(W * W, axis=1)
    return {"m": m, "H": H, "D": D, "E": s * D, "E_each": (-rho / H + (1 - rho) / (1 - H)) * D,
            "F": D ** 2 * (1 - 2 * H) * r, "q": np.sum(D ** 2, axis=0)}


def _tied_penalty_gradients(params: Mapping[str, np.ndarray], X: np.ndarray, *, lam: float, rho: float,
                            beta: float, lam_c: float, decay: float = 2.0, sparse: float = 1.0,
                            contractive: float = 1.0, direct: bool = True, sparse_m: bool = True,
                            per_example: bool = False, decay_bias: bool = False) -> dict[str, np.ndarray]:
    """∂Ω/∂W, ∂Ω/∂b, ∂Ω/∂c of Ω = λ‖W‖² (W* = Wᵀ) + βKL + λ_c P, one mistake switchable."""
    W, b, c = params["W"], params["b"], params["c"]
    t = _tied_penalty_parts(params, X, rho)
    m = t["m"]
    E = t["E_each"] if per_example else t["E"]
    sm = beta / m if sparse_m else beta
    gW = decay * lam * W + sparse * sm * E.T @ X
    gb = sparse * sm * E.sum(axis=0)
    gW = gW + contractive * 2 * lam_c / m * (t["F"].T @ X + (t["q"][:, None] * W if direct else 0.0))
    gb = gb + contractive * 2 * lam_c / m * t["F"].sum(axis=0)
    gc = np.zeros_like(c)
    if decay_bias:
        gb, gc = gb + decay * lam * b, gc + decay * lam * c
    return {"W": gW, "b": gb, "c": gc}


#: The penalty weights of the ★★ and ★★★ tasks of 7.7 (keyword arguments of penalty_gradients).
COMBINED_PENALTIES: dict[str, float] = {"lam": 1e-3, "rho": 0.05, "beta": 0.5, "lam_c": 0.1}


def check_penalty_gradients(penalty_gradients: Callable[..., Any]) -> bool:
    """``penalty_gradients(params, X, *, lam, rho, beta, lam_c) -> {"W", "b", "c"}`` (★★): the
    gradient of weight decay + sparsity + contractive penalty together, for the TIED sigmoid
    autoencoder (W* = Wᵀ): Ω = (λ/2)(‖W‖² + ‖Wᵀ‖²) + β Σ_l KL(ρ ‖ ρ̂_l) + λ_c (1/m) Σ_i ‖J(x_i)‖²_F."""
    def body() -> str:
        from ._core import _K, _M, _N, _as_array, _batch, _compare, _copy, _get, _params, _shape

        params, X = _params(191, tied=True), _batch(192)
        w = {"lam": 0.1, "rho": 0.1, "beta": 0.5, "lam_c": 0.2}
        cfg = R.Config(tied=True, weight_decay=w["lam"], sparsity_target=w["rho"], sparsity_weight=w["beta"],
                       contractive_weight=w["lam_c"])
        _, with_all = R.loss_and_gradients(params, X, cfg)
        _, plain = R.loss_and_gradients(params, X, R.Config(tied=True))
        exp = {key: with_all[key] - plain[key] for key in ("W", "b", "c")}
        result = _call(penalty_gradients, _copy(params), X.copy(), **w)
        f = _tied_penalty_gradients
        mistakes = [
            (f(params, X, **w, decay=1.0), "with W* = Wᵀ the weight decay (λ/2)(‖W‖² + ‖Wᵀ‖²) = λ‖W‖² has the "
                                           "gradient 2λW, not λW: W is decayed as the encoder AND as the decoder"),
            (f(params, X, **w, decay=0.0), "the weight decay's part is missing: add ∂/∂W of (λ/2)(‖W‖² + ‖Wᵀ‖²)"),
            (f(params, X, **w, sparse=0.0), "the sparsity penalty's part is missing: β Σ_l KL(ρ ‖ ρ̂_l) depends on "
                                            "W and b through ρ̂ = mean of h"),
            (f(params, X, **w, contractive=0.0), "the contractive penalty's part is missing: λ_c (1/m) Σ_i ‖J‖²_F "
                                                 "depends on W and b"),
            (f(params, X, **w, direct=False), "the contractive penalty's direct path is missing: r_l = Σ_j W_lj² "
                                              "depends on W itself, adding (2λ_c/m) diag(q) W"),
            (f(params, X, **w, sparse_m=False), "the sparsity part lacks its 1/m: ρ̂_l = (1/m) Σ_i h_il, so each "
                                                "example receives 1/m of ∂Ω/∂ρ̂_l"),
            (f(params, X, **w, per_example=True), "ρ̂ is the mean activation over the batch, H.mean(axis=0), not "
                                                  "each example's own h"),
            (f(params, X, **w, sparse=2.0, contractive=2.0), "the sparsity and contractive penalties depend on W "
                                                             "through the encoder only: with tied weights their "
                                                             "gradients are added once, not once per use of W"),
            (f(params, X, **w, decay_bias=True), "the biases are not decayed: weight decay adds nothing to the "
                                                 "gradients of b and c"),
        ]
        keys = ("W", "b", "c")
        shapes = {"W": (_K, _N), "b": (_K,), "c": (_N,)}
        got = {}
        for key in keys:
            value = _get(result, key, "penalty_gradients(params, X, ...)", keys)
            got[key] = _as_array(value, f"∂Ω/∂{key}", shapes[key], f"like params[{key!r}]", shape_hints={
                (_M,): f"∂Ω/∂{key} sums over the EXAMPLES (axis=0): one value per unit",
                (_M, _K): "∂Ω/∂b sums over the examples (axis=0): shape (k,)"})
        hints = {"W": "add the three penalties' gradients: weight decay with W* = Wᵀ, then the sparsity and the "
                      "contractive penalty through the encoder (chapter 7.7's table of extra gradients)",
                 "b": "b enters the sparsity and contractive penalties through a = X Wᵀ + b; weight decay leaves "
                      "it alone",
                 "c": "none of the three penalties depends on the decoder's bias c: its gradient is zero"}
        for key in keys:
            _compare(got[key], exp[key], f"∂Ω/∂{key}", hint=hints[key],
                     mistakes=[(mis[key], text) for mis, text in mistakes],
                     ratios={float(_M): f"a sum over the batch where a mean belongs: divide by m = {_M}"})
        return ("∂Ω/∂W = 2λW + (β/m) Eᵀ X + (2λ_c/m)(Fᵀ X + diag(q) W), ∂Ω/∂b = (β/m) Eᵀ1 + (2λ_c/m) Fᵀ1, "
                "∂Ω/∂c = 0.")
    return _run("gradient of the combined penalty, tied weights (★★)", body, hints={
        "matmul": "E and F are (m, k), one row per example, and X is (m, n): their parts of ∂Ω/∂W are Eᵀ X and "
                  "Fᵀ X (k, n)",
        "broadcast": "ρ̂, s, r and q are (k,), one value per hidden unit; q[:, None] * W scales each ROW of W",
        "key": "a dict key is missing: the tied parameters are params['W'], params['b'], params['c'] "
               "(W_star is W.T)",
    })


#: How the ★★★ comparison of 7.7 is trained by its check (keyword arguments of train_variant).
VARIANT_TRAINING_SETTINGS: dict[str, Any] = {"k": 16, "epochs": 30, "lr": 1.0, "seed": 0}
_NO_PENALTIES = {"lam": 0.0, "rho": 0.05, "beta": 0.0, "lam_c": 0.0}


def check_variant_training(train_variant: Callable[..., Any]) -> bool:
    """``train_variant(X, *, lam, rho, beta, lam_c, k, epochs, lr, seed) -> (params, history)`` (★★★).

    Full-batch gradient descent on the tied sigmoid autoencoder with the three penalties,
    from ``R.init_params(n, k, tied=True, seed=seed)``. The check trains two variants on
    200 digits, plain (no penalty) and ``COMBINED_PENALTIES``, and compares them by
    measures: each objective within 5 % of ``R.gradient_descent``'s, and the combined
    variant's mean activation and mean ‖J‖²_F each at most half the plain one's.
    """
    def body() -> str:
        from ..data import load_digits
        from ._core import _describe, _numbers
        from .sparse import _trained

        X = load_digits()[0][:200]
        s = dict(VARIANT_TRAINING_SETTINGS)
        out, runs = {}, {}
        for label, w in (("plain", _NO_PENALTIES), ("combined", COMBINED_PENALTIES)):
            config = R.Config(tied=True, weight_decay=w["lam"], sparsity_target=w["rho"] if w["beta"] else None,
                              sparsity_weight=w["beta"], contractive_weight=w["lam_c"])
            params, history = _pair(_call(train_variant, X.copy(), **w, **s), f"train_variant(X, ...) ({label})",
                                    ("params", "history"))
            final, _ = _trained(params, history, X, s["k"], s["epochs"], config, tied=True)
            p = {key: np.asarray(_to_numpy(params[key]), dtype=np.float64) for key in ("W", "b", "c")}
            runs[label] = (config, final, p)
        for label, (config, final, p) in runs.items():
            _, ref_hist = R.gradient_descent(R.init_params(X.shape[1], s["k"], tied=True, seed=s["seed"]), X, config,
                                             epochs=s["epochs"], lr=s["lr"], seed=s["seed"])
            if not _reaches(final, ref_hist[-1]):
                same = all(np.allclose(p[key], runs["plain"][2][key]) for key in p)
                if label == "combined" and same:
                    hint = ("the penalised variant came out exactly like the plain one: use the weights lam, rho, "
                            "beta, lam_c you are given, and add your penalty_gradients to the reconstruction "
                            "gradient")
                else:
                    hint = (f"the {label} variant's objective falls less than plain gradient descent reaches: step "
                            "against the total gradient (reconstruction + your penalty_gradients), θ ← θ − lr ∇, "
                            "for W, b and c, with the learning rate and the epochs you are given")
                raise _Failure(hint, expected=_reach_expected(ref_hist[-1]), got=f"{final:.4g}")
            H = _sigmoid(X @ p["W"].T + p["b"])
            out[label] = {"mean_activation": float(H.mean()),
                          "contraction": R.contractive_penalty(p, X, R.Config(tied=True))}
        for key, what in (("mean_activation", "mean activation"), ("contraction", "mean ‖J‖²_F")):
            if not out["combined"][key] <= 0.5 * out["plain"][key]:
                raise _Failure(f"the penalised variant's {what} should be at most half the plain one's: are the "
                               "penalties' gradients added for the combined variant (and left out, with their "
                               "weights 0, for the plain one)?",
                               expected=f"{what} ≤ {0.5 * out['plain'][key]:.4g}",
                               got=f"{out['combined'][key]:.4g} (plain: {out['plain'][key]:.4g})")
        a, c = out["plain"], out["combined"]
        return (f"both variants reached gradient descent's objective; the penalties lower the mean activation "
                f"{a['mean_activation']:.3f} → {c['mean_activation']:.3f} and the mean ‖J‖²_F "
                f"{a['contraction']:.3f} → {c['contraction']:.3f}.")
    return _run("comparing two trained variants (★★★)", body)
