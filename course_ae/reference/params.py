"""Parameters: creating them, and checking what a caller passes in."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .._validation import InputTypeError, check_positive_int, check_seed
from .config import Config


def init_params(n_inputs: int, n_hidden: int, *, tied: bool = False,
                seed: int | np.random.Generator = 0) -> dict[str, np.ndarray]:
    """Glorot-uniform weights and zero biases, reproducible from ``seed``.

    ``seed`` is an int ≥ 0 or a ``numpy.random.Generator`` (which is advanced);
    ``None`` is refused, so that every initialisation can be repeated. Returns "W" (k, n), "b" (k,), "c" (n,), and "W_star" (n, k) unless ``tied``,
    with n = ``n_inputs`` and k = ``n_hidden``; all float64.
    """
    n = check_positive_int(n_inputs, "n_inputs")
    k = check_positive_int(n_hidden, "n_hidden")
    if not isinstance(tied, bool):
        raise InputTypeError(f"tied must be True or False; got {tied!r}")
    rng = check_seed(seed, "seed")
    r = np.sqrt(6.0 / (n + k))
    params = {"W": rng.uniform(-r, r, size=(k, n)), "b": np.zeros(k), "c": np.zeros(n)}
    if not tied:
        params["W_star"] = rng.uniform(-r, r, size=(n, k))
    return params


def check_config(config: Any) -> Config:
    """Return ``config`` if it is a :class:`Config`; raise ``TypeError`` otherwise."""
    if not isinstance(config, Config):
        raise TypeError(
            "config must be a course_ae.reference.Config (e.g. Config(encoder='tanh')); got "
            f"{type(config).__name__}"
            + (" (build one with Config(**d) or Config.from_dict(d))" if isinstance(config, Mapping) else "")
        )
    return config


def check_params(params: Mapping[str, Any], config: Config) -> dict[str, np.ndarray]:
    """Check ``params`` against ``config``; return its arrays as float64, keys unchanged.

    Raises ``ValueError`` naming a missing, unexpected, mis-shaped, complex or
    non-finite parameter (``TypeError`` when ``config`` is not a ``Config``). Both implementations check parameters here (``course_ae.nn`` converts
    tensors to arrays first).
    """
    check_config(config)
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
        try:
            arr = np.asarray(params[key])
            if arr.dtype.kind == "c":
                raise InputTypeError(
                    f"params[{key!r}] must hold real numbers; got dtype {arr.dtype} (the "
                    "imaginary part would be dropped)"
                )
            arr = arr.astype(np.float64, copy=False)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, InputTypeError):
                raise
            raise ValueError(f"params[{key!r}] must be a numeric array; could not convert it: {exc}") from None
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
