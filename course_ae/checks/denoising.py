"""Checks for 7.4: masking and Gaussian noise, the denoising objective, the max-activating input."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import reference as R
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
    _pair,
    _params,
    _ratios,
    _run,
    _to_numpy,
    _unchanged,
)


def _rng_behaviour(fn: Callable[..., Any], X: np.ndarray, level: float, name: str) -> None:
    """The function must draw from the ``rng`` it is given: same seed same result, new seed new result."""
    a = _call(fn, X.copy(), level, np.random.default_rng(5))
    b = _call(fn, X.copy(), level, np.random.default_rng(5))
    c = _call(fn, X.copy(), level, np.random.default_rng(6))
    a, b, c = (np.asarray(_to_numpy(v), dtype=np.float64) for v in (a, b, c))
    if not np.array_equal(a, b):
        raise _Failure(f"draw the random numbers from the `rng` argument (rng.random, rng.normal), not from "
                       f"np.random.*: the same rng must give the same {name}",
                       expected="the same result for two generators with the same seed", got="different results")
    if np.array_equal(a, c):
        raise _Failure(f"draw the random numbers from the `rng` argument: a different rng must give a "
                       f"different {name} (is a seed fixed inside your function?)",
                       expected="different results for different seeds", got="identical results")


def check_masking_noise(masking_noise: Callable[..., Any]) -> bool:
    """``masking_noise(X, q, rng)``: each entry set to 0 with probability q, the rest unchanged."""
    def body() -> str:
        X = np.random.default_rng(81).uniform(0.2, 1.0, (400, 50))  # no zeros: a zero means "masked"
        q = 0.25
        X_in = X.copy()
        got = _as_array(_call(masking_noise, X_in, q, np.random.default_rng(0)), "the corrupted X̃", X.shape,
                        "same shape as X")
        _unchanged({"X": X}, {"X": X_in})
        zero = got == 0
        kept = ~zero
        if np.any(kept) and not np.allclose(got[kept], X[kept], rtol=1e-12, atol=0):
            if np.allclose(got[kept], X[kept] / (1 - q), rtol=1e-9, atol=0):
                raise _Failure("the kept entries are rescaled by 1/(1 − q) (as in inverted dropout); masking "
                               "noise leaves them unchanged: x̃ = x or 0",
                               expected="kept entries equal to the original x", got="kept entries = x/(1 − q)")
            raise _Failure("each entry of X̃ must be either 0 (masked) or exactly its original value",
                           expected="x̃_ij ∈ {0, x_ij}",
                           got=f"{int(np.sum(~np.isclose(got[kept], X[kept])))} entries with another value")
        frac = float(zero.mean())
        if abs(frac - q) > 0.02:
            if abs(frac - (1 - q)) <= 0.02:
                hint = ("you zeroed entries with probability 1 − q: `rng.random(X.shape) < q` marks the entries "
                        "to set to 0")
            elif np.all(zero.all(axis=1) | kept.all(axis=1)):
                hint = "mask each entry independently (one random number per entry), not whole examples"
            else:
                hint = "each entry should be set to 0 with probability q"
            raise _Failure(hint, expected=f"a fraction ≈ {q} of the entries zeroed", got=f"a fraction {frac:.3f}")
        if np.all(zero.all(axis=1) | kept.all(axis=1)) or np.all(zero.all(axis=0) | kept.all(axis=0)):
            raise _Failure("mask each entry independently (rng.random(X.shape)), not whole rows or columns",
                           expected="independent entries", got="whole rows or columns masked together")
        _rng_behaviour(masking_noise, X, q, "mask")
        return f"about {q:.0%} of the entries set to 0, the others unchanged (not rescaled)."
    return _run("masking noise", body, hints=_NOISE_HINTS)


_NOISE_HINTS = {
    "broadcast": "draw one random number per entry, rng.random(X.shape), so that the noise has X's shape",
}


def check_gaussian_noise(gaussian_noise: Callable[..., Any]) -> bool:
    """``gaussian_noise(X, sigma, rng)``: X̃ = X + ε with ε_ij ~ N(0, σ²) independent."""
    def body() -> str:
        X = np.random.default_rng(91).random((400, 50))
        X[:, :10] = 0.0  # multiplicative noise would leave these columns at 0
        sigma = 0.3
        X_in = X.copy()
        got = _as_array(_call(gaussian_noise, X_in, sigma, np.random.default_rng(0)), "the corrupted X̃",
                        X.shape, "same shape as X")
        _unchanged({"X": X}, {"X": X_in})
        eps = got - X
        sd, mean = float(eps.std()), float(eps.mean())
        if np.all(eps[:, :10] == 0) and np.any(eps != 0):
            raise _Failure("the noise is ADDED: x̃ = x + σε; multiplying leaves zero pixels at zero",
                           expected="noise also where x = 0", got="no noise where x = 0")
        if np.allclose(eps, eps[:1]):
            raise _Failure("draw independent noise for every entry: size=X.shape, not one row for all",
                           expected="independent noise per entry", got="the same noise in every row")
        if got.min() >= 0 and got.max() <= 1 and sd > 0:
            raise _Failure("don't clip X̃ to [0, 1]: Gaussian noise may leave the interval",
                           expected="some values outside [0, 1]", got="all values in [0, 1]")
        z = (eps - mean) / sd if sd > 0 else eps
        kurtosis = float(np.mean(z ** 4)) if sd > 0 else 0.0  # 3 for a Gaussian, 1.8 for a uniform
        uniform = abs(kurtosis - 1.8) <= 0.15
        if abs(mean) > 0.02:
            if uniform:
                hint = ("the noise is uniform and not centred (rng.random draws uniformly from [0, 1)): "
                        "Gaussian noise of mean 0 is sigma * rng.standard_normal(X.shape)")
            else:
                hint = "the noise must have mean 0 (rng.normal(0, sigma, ...) or sigma * rng.standard_normal)"
            raise _Failure(hint, expected="noise with mean 0", got=f"mean {mean:.4f}")
        if abs(kurtosis - 3.0) > 0.3:
            if uniform:
                hint = ("the noise is uniform (rng.uniform or rng.random): Gaussian noise is drawn with "
                        "rng.standard_normal(X.shape) (or rng.normal), then scaled by σ")
            else:
                hint = ("the noise is not Gaussian (its distribution has the wrong shape): draw it with "
                        "sigma * rng.standard_normal(X.shape)")
            raise _Failure(hint, expected="Gaussian noise (kurtosis 3)", got=f"kurtosis {kurtosis:.2f}")
        if abs(sd - sigma) > 0.01 * 3:
            if abs(sd - sigma**2) <= 0.01:
                hint = ("σ is the standard deviation, and σ² the variance: scale standard normal draws by σ, "
                        "not by σ²")
            elif abs(sd - math.sqrt(sigma)) <= 0.02:
                hint = "σ is the standard deviation, not the variance: use σ, not √σ"
            else:
                hint = "the noise should have standard deviation σ: σ · rng.standard_normal(X.shape)"
            raise _Failure(hint, expected=f"noise with standard deviation {sigma}", got=f"standard deviation {sd:.4f}")
        _rng_behaviour(gaussian_noise, X, sigma, "noise")
        return f"X̃ = X + ε with ε of mean 0 and standard deviation σ = {sigma}."
    return _run("Gaussian noise", body, hints=_NOISE_HINTS)


def check_denoising_objective(denoising_objective: Callable[..., Any]) -> bool:
    """``denoising_objective(params, X, corrupt) -> float``: the objective of corrupt(X) against clean X."""
    def body() -> str:
        params = _params(101)
        X = np.random.default_rng(102).uniform(0.1, 1.0, (_M, _N))
        mask = np.random.default_rng(103).random((_M, _N)) >= 0.4
        calls = []

        def corrupt(batch: Any) -> np.ndarray:
            calls.append(1)
            batch = np.asarray(batch, dtype=np.float64)
            if batch.shape != mask.shape:
                raise ValueError(f"corrupt expects the batch X of shape {mask.shape}; got {batch.shape}")
            return batch * mask

        X_in = X.copy()
        got = _as_scalar(_call(denoising_objective, _copy(params), X_in, corrupt), "the denoising objective",
                         per_example=_M)
        Xt = X * mask
        cfg = R.Config()
        _compare(got, R.objective(params, Xt, cfg, target=X), "the denoising objective",
                 hint="encode and decode the corrupted X̃ = corrupt(X), and compare the reconstruction with the "
                      "CLEAN X (R.objective(params, X_tilde, config, target=X))",
                 mistakes=[(R.objective(params, Xt, cfg), "the target is corrupted too: only the input is "
                            "corrupted, the reconstruction is compared with the clean X"),
                           (R.objective(params, X, cfg), "the input is not corrupted: feed X̃ = corrupt(X) to "
                            "the encoder"),
                           (R.objective(params, X, cfg, target=Xt), "input and target are swapped: the input "
                            "is X̃, the target is the clean X")],
                 ratios=_ratios(m=_M, n=_N))
        if len(calls) > 1:
            raise _Failure("call corrupt(X) once and use the same X̃ (each call draws new noise)",
                           expected="one call of corrupt", got=f"{len(calls)} calls")
        _unchanged({"X": X}, {"X": X_in})
        return "the corrupted input is reconstructed and compared with the clean target."
    return _run("denoising objective (clean target)", body, hints={
        "matmul": "X is (m, n), W is (k, n) and W_star (n, k): the encoder is X_tilde @ W.T, the decoder "
                  "H @ W_star.T (or let R.objective(params, X_tilde, config, target=X) do both)",
        "key": "a dict key is missing: the parameters are params['W'], params['b'], params['W_star'], "
               "params['c']",
    })


def check_max_activating_input(max_activating_input: Callable[..., Any]) -> bool:
    """``max_activating_input(W) -> (k, n)``: row l is W_l / ‖W_l‖."""
    def body() -> str:
        W = _params(111)["W"] + np.random.default_rng(112).normal(0, 0.3, (_K, _N))
        W_in = W.copy()
        got = _as_array(_call(max_activating_input, W_in), "the max-activating inputs", (_K, _N),
                        "one unit-norm input per hidden unit (row)")
        _unchanged({"W": W}, {"W": W_in})
        rows = np.linalg.norm(W, axis=1, keepdims=True)
        _compare(got, W / rows, "the max-activating inputs", hint="x_l = W_l / ‖W_l‖ for each row l of W",
                 mistakes=[(W / np.linalg.norm(W, axis=0, keepdims=True),
                            "you normalised the columns: normalise each ROW W_l (axis=1), one per hidden unit"),
                           (W, "divide each row by its norm: the input is constrained to ‖x‖ = 1"),
                           (W / np.linalg.norm(W), "divide each row by its own norm ‖W_l‖, not by the norm of "
                                                   "the whole matrix"),
                           (W / rows**2, "divide by ‖W_l‖, not by ‖W_l‖²")],
                 ratios={-1.0: "−W_l/‖W_l‖ MINIMISES the activation; the maximiser is +W_l/‖W_l‖"})
        return "each row is W_l/‖W_l‖, the unit-norm input that maximises a_l = W_l x."
    return _run("max-activating input", body, hints={
        "broadcast": "np.linalg.norm(W, axis=1) has shape (k,), one norm per row: give it a trailing axis "
                     "(norms[:, None] or keepdims=True) to divide W row by row",
    })


# ------------------------------------------------------------------ ★★ and ★★★ (graded tasks)


def _masking_expectation_exact(params: dict, X: np.ndarray, q: float) -> float:
    """E over every one of the 2ⁿ masks (weighted by its probability) of the linear AE's
    squared error, averaged over the examples: the answer computed without the formula."""
    n = X.shape[1]
    masks = ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1).astype(np.float64)  # 1 = kept
    prob = np.prod(np.where(masks == 1, 1 - q, q), axis=1)                         # (2ⁿ,)
    cfg = R.Config(encoder="linear", decoder="linear")
    total = 0.0
    for mask, p in zip(masks, prob):
        total += p * R.objective(params, X * mask, cfg, target=X)
    return float(total)


def _masking_expectation(params: dict, X: np.ndarray, q: float, *, keep: float | None = None,
                         var: float | None = None, norms: str = "columns", with_x: bool = True,
                         mean: bool = True) -> float:
    """The closed form, with one typical mistake switched on (the default is the right answer):
    ``keep`` the factor on the mean (1 − q), ``var`` the variance factor q(1 − q), ``norms``
    "columns" or "rows" of M, ``with_x`` the x_j² weights, ``mean`` over the examples."""
    M = params["W_star"] @ params["W"]
    d = params["W_star"] @ params["b"] + params["c"]
    keep = 1 - q if keep is None else keep
    var = q * (1 - q) if var is None else var
    e = keep * X @ M.T + d - X
    weights = np.sum(M ** 2, axis=0 if norms == "columns" else 1)            # ‖M[:, j]‖² (or rows)
    noise = var * ((X ** 2) @ weights if with_x else np.full(X.shape[0], np.sum(M ** 2)))
    per = np.sum(e ** 2, axis=1) + noise
    return float(np.mean(per) if mean else np.sum(per))


def check_expected_masking_loss(expected_masking_loss: Callable[..., Any]) -> bool:
    """``expected_masking_loss(params, X, q) -> float`` (★★): the linear autoencoder's
    x̂ = W*(W x̃ + b) + c under masking noise, E_x̃ ‖x̂(x̃) − x‖² in closed form, averaged
    over the examples. Compared with the exact average over all 2ⁿ masks."""
    def body() -> str:
        params, X = _params(181), _batch(182)
        q = 0.3
        p_in, X_in = _copy(params), X.copy()
        got = _as_scalar(_call(expected_masking_loss, p_in, X_in, q), "the expected loss", per_example=_M)
        _unchanged({"X": X}, {"X": X_in})
        exact = _masking_expectation_exact(params, X, q)
        f = _masking_expectation
        _compare(got, exact, "E ‖x̂(x̃) − x‖², mean over the examples",
                 hint="write x̂(x̃) − x as its mean plus a zero-mean part: E[x̃_j] = (1 − q) x_j and the x̃_j are "
                      "independent with variance q(1 − q) x_j²; the expectation of a square is the square of the "
                      "mean plus the variance",
                 mistakes=[(f(params, X, q, var=0.0), "the noise term is missing: E‖v‖² = ‖E v‖² + Σ Var(v_j), and "
                                                      "x̂(x̃) varies with the mask"),
                           (f(params, X, q, keep=1.0), "E[x̃_j] = (1 − q) x_j, not x_j: masking is not rescaled, so "
                                                       "the mean input shrinks"),
                           (f(params, X, q, keep=q), "1 − q is the probability that an entry is KEPT: "
                                                     "E[x̃_j] = (1 − q) x_j, not q x_j"),
                           (f(params, X, q, var=q), "the variance of a kept-or-zeroed entry: x̃_j = z_j x_j with "
                                                    "z_j ~ Bernoulli(1 − q), so Var(x̃_j) = q(1 − q) x_j², not q x_j²"),
                           (f(params, X, q, var=(1 - q) ** 2), "Var(z_j) = E[z_j²] − (E z_j)² = (1 − q) − (1 − q)² "
                                                               "= q(1 − q)"),
                           (f(params, X, q, norms="rows"), "input j moves the output by the COLUMN j of M = W*W: "
                                                           "weight x_j² by ‖M[:, j]‖² (axis=0), not by the row norm"),
                           (f(params, X, q, with_x=False), "masking noise is multiplicative: Var(x̃_j) = q(1 − q) x_j², "
                                                           "so each column norm of M is weighted by x_j² (unlike "
                                                           "Gaussian noise, whose σ² is the same everywhere)"),
                           (f(params, X, q, keep=1.0, var=q / (1 - q)), "that is inverted dropout (x̃ = x z/(1 − q)): "
                                                                        "masking noise does not rescale"),
                           (f(params, X, q, mean=False), f"a sum over the batch where the course takes the mean: "
                                                         f"divide by m = {_M}")],
                 ratios=_ratios(m=_M, n=_N, what="the expected loss"))
        return ("E‖x̂ − x‖² = ‖(1 − q) M x + d − x‖² + q(1 − q) Σ_j x_j² ‖M[:, j]‖², with M = W*W, "
                "d = W*b + c, as the average over all 2ⁿ masks says.")
    return _run("expected loss under masking noise, linear autoencoder (★★)", body, hints={
        "matmul": "X is (m, n), W (k, n), W_star (n, k): M = W_star @ W is (n, n) and the mean reconstruction of "
                  "all examples is (1 − q) X @ M.T + d, (m, n)",
        "broadcast": "d = W* b + c has shape (n,), one value per feature; ‖M[:, j]‖² (n,) weights the squared "
                     "inputs X**2 (m, n) feature by feature",
        "key": "a dict key is missing: the parameters are params['W'], params['b'], params['W_star'], "
               "params['c']",
    })


#: How the ★★★ denoising project is trained by its check (keyword arguments of train_denoising).
DENOISING_TRAINING_SETTINGS: dict[str, Any] = {"k": 16, "epochs": 100, "lr": 1.0, "batch_size": 20, "seed": 0}
#: The two masking levels the ★★★ check trains at, the data size, and the fixed test corruption.
DENOISING_LEVELS = (0.0, 0.5)
_DENOISING_M = 500
_MIN_LOCALITY_RISE = 0.05  # gradient descent: +0.14; the student's own shuffles and masks: +0.06 to +0.16
_DENOISING_CACHE: dict[Any, float] = {}


def _denoising_data() -> tuple[np.ndarray, np.ndarray]:
    from ..data import load_digits

    X = load_digits()[0][:_DENOISING_M]
    q = DENOISING_LEVELS[1]
    return X, X * (np.random.default_rng(1234).random(X.shape) >= q)   # one fixed corruption


def _reference_denoising() -> tuple[float, float]:
    """What R.gradient_descent reaches with the same settings: (the clean objective at q = 0,
    the denoising objective of the q = 0.5 model on the fixed corruption)."""
    key = repr(DENOISING_TRAINING_SETTINGS)
    if key not in _DENOISING_CACHE:
        X, X_masked = _denoising_data()
        s = DENOISING_TRAINING_SETTINGS
        out = []
        for q in DENOISING_LEVELS:
            params, history = R.gradient_descent(R.init_params(X.shape[1], s["k"], seed=s["seed"]), X, R.Config(),
                                                 epochs=s["epochs"], lr=s["lr"], batch_size=s["batch_size"],
                                                 seed=s["seed"], noise="masking" if q else None, noise_level=q)
            out.append(history[-1] if q == DENOISING_LEVELS[0] else
                       R.objective(params, X_masked, R.Config(), target=X))
        _DENOISING_CACHE.clear()
        _DENOISING_CACHE[key] = tuple(out)
    return _DENOISING_CACHE[key]


def check_denoising_training(train_denoising: Callable[..., Any]) -> bool:
    """``train_denoising(X, q, *, k, epochs, lr, batch_size, seed) -> (params, history)`` (★★★).

    Minibatch gradient descent on the denoising autoencoder (sigmoid units, squared error)
    from ``R.init_params(n, k, seed=seed)``: every minibatch corrupted afresh by masking
    noise of level q, the clean minibatch the target; history = the clean objective after
    every epoch. The check trains it on 500 digits at q = 0 and q = 0.5 and measures: the
    histories end at the objectives of the returned parameters; at q = 0.5 the denoising
    objective on a fixed corruption is within 10 % of what ``R.gradient_descent`` reaches;
    and the filters' mean locality (course_ae.measures.locality) rises by at least 0.05.
    """
    def body() -> str:
        from ..measures import locality
        from .sparse import _trained

        X, X_masked = _denoising_data()
        s = dict(DENOISING_TRAINING_SETTINGS)
        k, epochs = s.pop("k"), s["epochs"]
        trained = {}
        for q in DENOISING_LEVELS:
            params, history = _pair(_call(train_denoising, X.copy(), q, k=k, **s), f"train_denoising(X, {q}, ...)",
                                    ("params", "history"))
            final, hist = _trained(params, history, X, k, epochs, R.Config(), tied=False)
            p = {key: np.asarray(_to_numpy(params[key]), dtype=np.float64) for key in ("W", "b", "W_star", "c")}
            trained[q] = (p, final, hist)
        low, high = DENOISING_LEVELS
        p_high = trained[high][0]
        start = R.objective(R.init_params(X.shape[1], k, seed=s["seed"]), X, R.Config())
        if not trained[low][1] <= 0.5 * start:
            raise _Failure("at q = 0 the objective barely fell: does each step go AGAINST the gradient "
                           "(θ ← θ − lr ∇) for every parameter, once per minibatch?",
                           expected=f"objective ≤ {0.5 * start:.4g} (half of {start:.4g} at the start)",
                           got=f"{trained[low][1]:.4g}")
        ref_clean, ref = _reference_denoising()
        if not trained[low][1] <= 1.5 * ref_clean:  # shuffles and masks of one's own: up to +35 % seen
            raise _Failure("at q = 0 the objective falls much less than minibatch gradient descent's: one step "
                           "per minibatch, with the learning rate, batch size and epochs you are given",
                           expected=f"objective ≤ {1.5 * ref_clean:.4g} (gradient descent: {ref_clean:.4g})",
                           got=f"{trained[low][1]:.4g}")
        denoised = R.objective(p_high, X_masked, R.Config(), target=X)
        undenoised = R.objective(trained[low][0], X_masked, R.Config(), target=X)
        copied = R.objective(p_high, X_masked, R.Config(), target=X_masked)
        if not denoised <= 1.10 * ref:
            if all(np.array_equal(p_high[key], trained[low][0][key]) for key in p_high):
                hint = ("the models trained at q = 0.5 and at q = 0 are identical: the corruption never reaches the "
                        "encoder; feed masking_noise(batch, q, rng), with the q you are given, to it")
            elif copied < denoised:
                hint = ("the q = 0.5 model reproduces the MASKED digits instead of repairing them: the target is "
                        "corrupted too; only the input is corrupted, the target is the clean minibatch")
            elif denoised >= 0.95 * undenoised:
                hint = ("the q = 0.5 model repairs masked digits no better than the one trained at q = 0: corrupt "
                        "every minibatch with masking_noise(batch, q, rng) and feed THAT to the encoder")
            else:
                hint = ("the q = 0.5 model repairs masked digits worse than gradient descent's: a fresh corruption "
                        "for every minibatch, one step per minibatch with the learning rate, batch size and epochs "
                        "you are given")
            raise _Failure(hint, expected=f"denoising objective on masked digits ≤ {1.10 * ref:.4g} "
                                          f"(within 10 % of gradient descent's {ref:.4g})",
                           got=f"{denoised:.4g} (the q = 0 model: {undenoised:.4g})")
        loc = {q: float(locality(trained[q][0]["W"], (8, 8)).mean()) for q in DENOISING_LEVELS}
        if not loc[high] - loc[low] >= _MIN_LOCALITY_RISE:
            raise _Failure("the filters at q = 0.5 are not more local than at q = 0: train both from the same "
                           "start, with the masking level q you are given",
                           expected=f"mean locality rising by ≥ {_MIN_LOCALITY_RISE} from q = {low} to q = {high}",
                           got=f"{loc[low]:.3f} → {loc[high]:.3f}")
        return (f"at q = 0.5 the masked digits are repaired as well as by gradient descent, and the filters' mean "
                f"locality rises from {loc[low]:.3f} (q = 0) to {loc[high]:.3f} (q = 0.5).")
    return _run("training a denoising autoencoder at two masking levels (★★★)", body, hints={
        "key": "a dict key is missing: the parameters are params['W'], params['b'], params['W_star'], "
               "params['c']",
    })
