"""Element-wise activations g (encoder) and f (decoder), and their derivatives.

Each derivative is written the way the chapters write it, through the unit's
output h where that is simplest (sigmoid: g' = h(1 − h); tanh: g' = 1 − h²).
The second derivative g'' is needed only by the contractive penalty's gradient.
All functions take and return arrays of the same shape.
"""

from __future__ import annotations

import numpy as np

ENCODERS = ("sigmoid", "tanh", "relu", "linear")
DECODERS = ("sigmoid", "tanh", "linear")


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^(−a)), written as (1 + tanh(a/2)) / 2 so it never overflows."""
    h = np.multiply(a, 0.5)
    if not isinstance(h, np.ndarray):  # a scalar
        return 0.5 * (1.0 + np.tanh(h))
    # The same formula, computed in one new array: a large temporary costs more
    # (fresh memory pages) than the arithmetic on it.
    np.tanh(h, out=h)
    h += 1.0
    h *= 0.5
    return h


def activate(name: str, a: np.ndarray) -> np.ndarray:
    """h = g(a) for the activation called ``name``."""
    if name == "sigmoid":
        return sigmoid(a)
    if name == "tanh":
        return np.tanh(a)
    if name == "relu":
        return np.maximum(a, 0.0)
    if name == "linear":
        return a
    raise ValueError(f"unknown activation {name!r}; expected one of {ENCODERS}")


def derivative(name: str, a: np.ndarray, h: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """g'(a), given the pre-activation a and the output h = g(a).

    ``out`` (optional, shape of ``a``) receives the result; it may be ``a`` itself
    when the pre-activation is not needed any more (the backward pass does that to
    save a fresh array), but not ``h``.
    """
    if name == "sigmoid":
        d = np.subtract(1.0, h, out=out)
        d *= h          # h(1 − h)
        return d
    if name == "tanh":
        d = np.multiply(h, h, out=out)
        np.subtract(1.0, d, out=d)   # 1 − h²
        return d
    if name == "relu":
        d = (a > 0).astype(a.dtype)
        if out is None:
            return d
        out[...] = d
        return out
    if name == "linear":
        if out is None:
            return np.ones_like(a)
        out.fill(1.0)
        return out
    raise ValueError(f"unknown activation {name!r}; expected one of {ENCODERS}")


def second_derivative(name: str, a: np.ndarray, h: np.ndarray) -> np.ndarray:
    """g''(a): sigmoid h(1−h)(1−2h); tanh −2h(1−h²); relu and linear 0 (a.e.)."""
    if name == "sigmoid":
        return h * (1.0 - h) * (1.0 - 2.0 * h)
    if name == "tanh":
        return -2.0 * h * (1.0 - h * h)
    if name in ("relu", "linear"):
        return np.zeros_like(a)
    raise ValueError(f"unknown activation {name!r}; expected one of {ENCODERS}")
