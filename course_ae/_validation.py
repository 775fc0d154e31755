"""Input checks shared by the public functions of the package.

Every check raises ``ValueError`` (or ``TypeError`` for a wrong kind of object)
with a message that names the argument, what was wrong, and what is expected.

A wrong kind of *value* where a number is expected (a string, a bool, a complex
number) raises :class:`InputTypeError`, which is both a ``TypeError`` (the usual
Python signal for a wrong type) and a ``ValueError`` (so that code catching
``ValueError`` for bad input keeps catching it).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


class InputTypeError(TypeError, ValueError):
    """A value of the wrong kind: a string, bool or complex number where a real number is expected."""


def _is_complex(value: Any) -> bool:
    """True for complex numbers, complex arrays and complex tensors (which float() would truncate)."""
    if isinstance(value, (complex, np.complexfloating)):
        return True
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, np.dtype):
        return dtype.kind == "c"
    is_complex = getattr(value, "is_complex", None)  # torch tensors
    return bool(callable(is_complex) and getattr(value, "dtype", None) is not None and is_complex())


def as_real_number(value: Any, name: str, expected: str = "a real number") -> float:
    """``value`` as a Python float; refuse strings, bools and complex numbers (``InputTypeError``).

    Accepted: int, float, NumPy integer and float scalars, and 0-d real arrays or tensors.
    ``float("0.1")`` and ``float(True)`` would succeed, which is why they are refused here:
    a quoted number or a flag passed by mistake must not become a setting silently.
    """
    if isinstance(value, (str, bytes)):
        raise InputTypeError(f"{name} must be {expected}, not a string; got {value!r}")
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be {expected}, not a bool; got {value!r}")
    if _is_complex(value):
        raise InputTypeError(f"{name} must be {expected}, not complex; got {value!r}")
    if not isinstance(value, numbers.Real):
        shape = getattr(value, "shape", None)
        if shape is None or tuple(shape) != () or getattr(value, "dtype", None) is None:
            raise InputTypeError(f"{name} must be {expected}; got {type(value).__name__} {value!r}")
        if str(getattr(value, "dtype")).endswith("bool"):
            raise InputTypeError(f"{name} must be {expected}, not a bool; got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputTypeError(f"{name} must be {expected}; got {value!r}") from None


def check_seed(seed: Any, name: str = "seed") -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``seed``: an int ≥ 0, or a Generator (used as is).

    ``None`` is refused: NumPy would draw a fresh seed from the operating system, and
    every run in this course is meant to be reproducible.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise InputTypeError(
            f"{name}=None is refused: it would seed from the operating system and the run "
            "could not be repeated; pass an int ≥ 0 (e.g. 0) or a numpy.random.Generator"
        )
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise InputTypeError(
            f"{name} must be an int ≥ 0 or a numpy.random.Generator "
            f"(np.random.default_rng(seed)); got {type(seed).__name__} {seed!r}"
        )
    if seed < 0:
        raise ValueError(f"{name} must be an int ≥ 0 or a numpy.random.Generator; got {seed}")
    return np.random.default_rng(int(seed))


def as_batch(X: Any, name: str = "X", n_features: int | None = None) -> np.ndarray:
    """Return ``X`` as a float64 array of shape ``(m, n)``, or raise ``ValueError``.

    The values are not changed: integer or float32 input is converted to float64,
    anything non-finite is refused, and so are complex values (converting them
    would drop the imaginary part).
    """
    if _is_complex(X) or (isinstance(X, (list, tuple)) and _holds_complex(X)):
        raise InputTypeError(
            f"{name} must hold real numbers; got complex values (their imaginary part would "
            "be dropped); pass X.real if that is what you mean"
        )
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a numeric array of shape (m, n); could not convert it: {exc}"
        ) from None
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (m, n), one example a row; got an array "
            f"with {arr.ndim} dimension(s) and shape {arr.shape}"
            + (" (use X.reshape(1, -1) for a single example)" if arr.ndim == 1 else "")
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one example (row); got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(
            f"{name} must have {n_features} columns (features) to match the parameters; "
            f"got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite; it holds {bad} NaN or inf value(s)")
    return arr


def _holds_complex(seq: Any) -> bool:
    """True when a (nested) list or tuple holds a complex number."""
    try:
        return np.asarray(seq).dtype.kind == "c"
    except (TypeError, ValueError):
        return False


def check_unit_interval(arr: np.ndarray, name: str, why: str) -> None:
    """Raise ``ValueError`` unless every entry of ``arr`` lies in [0, 1]."""
    lo, hi = float(arr.min()), float(arr.max())
    if lo < 0.0 or hi > 1.0:
        raise ValueError(f"{name} must lie in [0, 1] {why}; got values in [{lo:g}, {hi:g}]")


def as_target(X: np.ndarray, target: Any, loss: str) -> np.ndarray:
    """The reconstruction target: ``X`` itself when ``target`` is None, else ``target``
    checked to be a batch of ``X``'s shape; in [0, 1] for the cross-entropy loss."""
    if target is None:
        T = X
    else:
        T = as_batch(target, "target")
        if T.shape != X.shape:
            raise ValueError(f"target must have the shape of X, {X.shape}; got {T.shape}")
    if loss == "cross_entropy":
        check_unit_interval(T, "the target" if target is not None else "X",
                            "for the cross-entropy loss (it treats entries as probabilities)")
    return T


def check_probability(value: Any, name: str, *, open_interval: bool = False) -> float:
    """Return ``value`` as a float in [0, 1] (or (0, 1) when ``open_interval``)."""
    v = as_real_number(value, name, "a number in (0, 1)" if open_interval else "a number in [0, 1]")
    ok = (0.0 < v < 1.0) if open_interval else (0.0 <= v <= 1.0)
    if not ok or not np.isfinite(v):
        interval = "(0, 1), both ends excluded" if open_interval else "[0, 1]"
        raise ValueError(f"{name} must lie in {interval}; got {value!r}")
    return v


def check_nonnegative(value: Any, name: str) -> float:
    """Return ``value`` as a finite float ≥ 0, or raise ``ValueError``."""
    v = as_real_number(value, name, "a number ≥ 0")
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0; got {value!r}")
    return v


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int ≥ 1, or raise ``ValueError``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InputTypeError(f"{name} must be a whole number ≥ 1; got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be ≥ 1; got {value}")
    return int(value)
