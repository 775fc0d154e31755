"""Element-wise activations g (encoder) and f (decoder), and their derivatives.

Each derivative is written the way the chapters write it, through the unit's
output h where that is simplest (sigmoid: g' = h(1 − h), with 1 − h computed as
σ(−a) so that it does not round to 0; tanh: g' = 1 − h², computed as sech²(a) for
the same reason).
The second derivative g'' is needed only by the contractive penalty's gradient.
All functions take and return arrays of the same shape.
"""

from __future__ import annotations

import numpy as np

ENCODERS = ("sigmoid", "tanh", "relu", "linear")
DECODERS = ("sigmoid", "tanh", "linear")


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^(−a)), exact to a few ulp over the whole float64 range.

    The formula itself, as written: nothing cancels on either side (for a ≪ 0 it is
    1 over a large number, not 1 minus something). e^(−a) overflows only for
    a < −709.78; below −708 the result would be subnormal, and there σ(a) = e^a/(1 + e^a)
    is e^a to float64 precision, which is what those entries get.
    (The form (1 + tanh(a/2))/2 is 0 for a ≤ −38 and 4 % off at −36, which kills sparse
    units whose ρ̂ then reads 0.)
    """
    a = np.asarray(a, dtype=np.float64) if not isinstance(a, np.ndarray) else a
    t = _sigmoid_into(a, np.empty_like(a))
    return t if t.ndim else t[()]


def _sigmoid_into(a: np.ndarray, out: np.ndarray, *, of_minus: bool = False) -> np.ndarray:
    """σ(a), or σ(−a) when ``of_minus``, written into ``out`` (which may be ``a``)."""
    # The subnormal tail, where σ(±a) = e^(±a); read before ``out`` may overwrite ``a``.
    far = a > 708.0 if of_minus else a < -708.0
    tail = np.exp(-a[far] if of_minus else a[far])
    if of_minus:
        np.copyto(out, a)                   # σ(−a) = 1 / (1 + e^a)
    else:
        np.negative(a, out=out)             # σ(a) = 1 / (1 + e^(−a))
    with np.errstate(over="ignore"):
        np.exp(out, out=out)                # inf only in the tail, replaced below
    out += 1.0
    np.reciprocal(out, out=out)
    out[far] = tail
    return out


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
        # h(1 − h), with 1 − h = σ(−a) computed directly: 1 − h itself is 0 in
        # float64 for a > 37, where the true derivative is e^(−a) > 0.
        d = _sigmoid_into(a, np.empty_like(a) if out is None else out, of_minus=True)
        d *= h
        return d
    if name == "tanh":
        # 1 − h² = sech²(a), computed as 4e/(1 + e)² with e = e^(−2|a|): 1 − h² itself
        # is 0 in float64 for |a| > 19, where the true derivative is 4e^(−2|a|) > 0.
        return _sech2(a, out)
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


def _sech2(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sech²(a) = 1 − tanh²(a) = 4e/(1 + e)², e = e^(−2|a|): never overflows, never cancels."""
    e = np.exp(-2.0 * np.abs(a))
    d = np.add(e, 1.0, out=out)   # may overwrite a: e no longer needs it
    np.square(d, out=d)
    np.divide(e, d, out=d)
    d *= 4.0
    return d


def second_derivative(name: str, a: np.ndarray, h: np.ndarray) -> np.ndarray:
    """g''(a): sigmoid h(1−h)(1−2h); tanh −2h(1−h²); relu and linear 0 (a.e.)."""
    if name == "sigmoid":
        # h(1 − h)(1 − 2h), with 1 − h = σ(−a) and 1 − 2h = −tanh(a/2): both exact, where
        # 1 − h rounds to 0 for a > 37 and 1 − 2h loses its digits near a = 0.
        return h * sigmoid(-a) * -np.tanh(0.5 * a)
    if name == "tanh":
        return -2.0 * h * _sech2(a)       # −2h(1 − h²), with 1 − h² = sech²(a) as in g
    if name in ("relu", "linear"):
        return np.zeros_like(a)
    raise ValueError(f"unknown activation {name!r}; expected one of {ENCODERS}")
