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
    _call,
    _compare,
    _copy,
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
