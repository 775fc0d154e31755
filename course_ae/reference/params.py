"""Parameters: creating them, and checking what a caller passes in."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .._validation import check_positive_int
from .config import Config


def init_params(n_inputs: int, n_hidden: int, *, tied: bool = False, seed: int = 0) -> dict[str, np.ndarray]:
    """Glorot-uniform weights and zero biases, reproducible from ``seed``.

    Returns "W" (k, n), "b" (k,), "c" (n,), and "W_star" (n, k) unless ``tied``,
    with n = ``n_inputs`` and k = ``n_hidden``; all float64.
    """
    n = check_positive_int(n_inputs, "n_inputs")
    k = check_positive_int(n_hidden, "n_hidden")
    rng = np.random.default_rng(seed)
    r = np.sqrt(6.0 / (n + k))
    params = {"W": rng.uniform(-r, r, size=(k, n)), "b": np.zeros(k), "c": np.zeros(n)}
    if not tied:
        params["W_star"] = rng.uniform(-r, r, size=(n, k))
    return params


def check_params(params: Mapping[str, Any], config: Config) -> dict[str, np.ndarray]:
    """Check ``params`` against ``config``; return its arrays as float64, keys unchanged.

    Raises ``ValueError`` naming a missing, unexpected, mis-shaped or non-finite
    parameter. Both implementations check parameters here (``course_ae.nn`` converts
    tensors to arrays first).
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays; got {type(params).__name__}")
    expected = {"W", "b", "c"} if config.tied else {"W", "b", "c", "W_star"}
    missing, extra = expected - set(params), set(params) - expected
    if missing or extra:
        what = "tied" if config.tied else "untied"
        raise ValueError(
            f"params for an {what} autoencoder must have keys {sorted(expected)}; "
            + (f"missing {sorted(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {sorted(extra)}" if extra else "")
        )
    arrays = {}
    for key in expected:
        arr = np.asarray(params[key], dtype=np.float64)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"params[{key!r}] holds NaN or inf values")
        arrays[key] = arr
    W = arrays["W"]
    if W.ndim != 2 or 0 in W.shape:
        raise ValueError(f"params['W'] must have shape (k, n) with k, n ≥ 1; got shape {W.shape}")
    k, n = W.shape
    shapes = {"b": (k,), "c": (n,), "W_star": (n, k)}
    for key, shape in shapes.items():
        if key in arrays and arrays[key].shape != shape:
            raise ValueError(
                f"params[{key!r}] must have shape {shape} to match W of shape {W.shape}; "
                f"got {arrays[key].shape}"
            )
    return arrays


def unpack(params: Mapping[str, Any], config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Check ``params`` against ``config`` and return (W, b, W_star, c) as float64.

    With tied weights W_star is Wᵀ (a view). Raises ``ValueError`` as ``check_params``.
    """
    arrays = check_params(params, config)
    W = arrays["W"]
    W_star = W.T if config.tied else arrays["W_star"]
    return W, arrays["b"], W_star, arrays["c"]
