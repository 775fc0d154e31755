"""Input checks shared by the public functions of the package.

Every check raises ``ValueError`` (or ``TypeError`` for a wrong kind of object)
with a message that names the argument, what was wrong, and what is expected.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_batch(X: Any, name: str = "X", n_features: int | None = None) -> np.ndarray:
    """Return ``X`` as a float64 array of shape ``(m, n)``, or raise ``ValueError``.

    The values are not changed: integer or float32 input is converted to float64,
    anything non-finite is refused.
    """
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


def check_unit_interval(arr: np.ndarray, name: str, why: str) -> None:
    """Raise ``ValueError`` unless every entry of ``arr`` lies in [0, 1]."""
    lo, hi = float(arr.min()), float(arr.max())
    if lo < 0.0 or hi > 1.0:
        raise ValueError(f"{name} must lie in [0, 1] {why}; got values in [{lo:g}, {hi:g}]")


def check_probability(value: Any, name: str, *, open_interval: bool = False) -> float:
    """Return ``value`` as a float in [0, 1] (or (0, 1) when ``open_interval``)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {value!r}") from None
    ok = (0.0 < v < 1.0) if open_interval else (0.0 <= v <= 1.0)
    if not ok or not np.isfinite(v):
        interval = "(0, 1), both ends excluded" if open_interval else "[0, 1]"
        raise ValueError(f"{name} must lie in {interval}; got {value!r}")
    return v


def check_nonnegative(value: Any, name: str) -> float:
    """Return ``value`` as a finite float ≥ 0, or raise ``ValueError``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number ≥ 0; got {value!r}") from None
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0; got {value!r}")
    return v


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int ≥ 1, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number ≥ 1; got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be ≥ 1; got {value}")
    return int(value)
