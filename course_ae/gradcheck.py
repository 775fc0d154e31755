"""Finite-difference gradient checks, for tests, chapters and exercises.

The central difference (f(x + ε) − f(x − ε)) / 2ε has error O(ε²); with
ε = 1e-5 in float64 a correct gradient typically agrees to a relative error of
1e-8 or better, while a wrong one (a missing factor 2, a swapped sign) is off by
order 1.

Only float64 is accepted: in float32 the rounding error of f, about 1e-7·|f|, divided
by 2ε = 2e-5 swamps the derivative (relative errors of 1e-3 and more; float16 gives
errors of order 1), and a check would pass or fail by chance. ``numerical_gradient``
refuses a lower-precision ``x`` (it perturbs the caller's array in place, so it cannot
quietly work on a copy); ``check_gradients`` copies the parameters to float64 itself.

Non-finite values never pass: a NaN or inf in either gradient gives a relative error
of NaN, a failed check, and a report that names the parameter and the first index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from ._validation import InputTypeError, _is_complex


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central differences of the scalar ``f(x)`` with respect to every entry of ``x``.

    ``x`` (any shape, float) is perturbed in place one entry at a time and
    restored afterwards, so ``f`` may read ``x`` through a closure (as when ``x``
    is one array of a parameter dict). Returns an array of ``x``'s shape.

    ``x`` must be float64: float32 and float16 are refused with a ``ValueError``
    (their rounding makes central differences wrong by 1e-3 to 1; see the module's
    docstring). Pass ``x.astype(np.float64)`` and let ``f`` read that array.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise InputTypeError(
            "x must be a float64 numpy array (it is perturbed in place); "
            f"got {type(x).__name__}" + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
        )
    if x.dtype != np.float64:
        raise ValueError(
            f"x must be a float64 array; got dtype {x.dtype}, whose rounding error divided by "
            f"2·eps makes central differences wrong (by 1e-3 for float32, order 1 for float16). "
            "Pass x.astype(np.float64), and have f read that array"
        )
    if not x.flags.writeable:
        raise ValueError("x must be writeable: it is perturbed in place (pass x.copy())")
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise InputTypeError(f"eps must be a number > 0; got {eps!r}")
    if not (math.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a finite number > 0; got {eps!r}")
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        try:
            x[i] = old + eps
            f_plus = float(f(x))
            x[i] = old - eps
            f_minus = float(f(x))
        finally:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _real_array(value: Any, name: str) -> np.ndarray:
    if _is_complex(value) or (not isinstance(value, np.ndarray) and _is_complex(np.asarray(value))):
        raise InputTypeError(
            f"{name} must hold real numbers; got complex values (comparing them as floats would "
            "drop the imaginary part)"
        )
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array; could not convert it: {exc}") from None


def relative_error(a: Any, b: Any) -> float:
    """max|a − b| / max(1e-12, max(|a| + |b|)): 0 for equal arrays, about 1 for unrelated ones.

    NaN when either array holds a NaN or inf (so that ``error <= tolerance`` is False);
    complex arrays are refused.
    """
    a = _real_array(a, "a")
    b = _real_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return math.nan
    return float(np.max(np.abs(a - b)) / max(1e-12, float(np.max(np.abs(a) + np.abs(b)))))


def _first_nonfinite(arr: np.ndarray) -> str | None:
    """``"NaN at index (2, 3)"`` for the first non-finite entry, or None."""
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size == 0:
        return None
    index = tuple(int(i) for i in bad[0])
    value = arr[index]
    what = "NaN" if np.isnan(value) else ("+inf" if value > 0 else "-inf")
    more = f" ({len(bad)} non-finite entries in all)" if len(bad) > 1 else ""
    return f"{what} at index {index if len(index) != 1 else index[0]}{more}"


@dataclass
class GradientReport:
    """Per-parameter relative errors between analytic and numerical gradients."""

    errors: dict[str, float]
    tolerance: float
    analytic: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    numerical: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    nonfinite: dict[str, str] = field(default_factory=dict)
    """parameter → where its analytic or numerical gradient is NaN or inf (those fail)"""

    @property
    def max_error(self) -> float:
        """The largest relative error; NaN when any gradient held a NaN or inf."""
        values = list(self.errors.values())
        if any(math.isnan(v) for v in values):
            return math.nan
        return max(values, default=0.0)

    @property
    def passed(self) -> bool:
        """True when every parameter's error is finite and within the tolerance."""
        return not self.nonfinite and all(
            math.isfinite(err) and err <= self.tolerance for err in self.errors.values())

    def __str__(self) -> str:
        lines = [f"{'parameter':<10} {'relative error':>15}  (tolerance {self.tolerance:.0e})"]
        for key, err in self.errors.items():
            if key in self.nonfinite:
                lines.append(f"{key:<10} {'NaN':>15}  WRONG: {self.nonfinite[key]}")
                continue
            mark = "ok" if err <= self.tolerance else "WRONG"
            lines.append(f"{key:<10} {err:>15.2e}  {mark}")
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython display
        p.text(str(self))


def check_gradients(
    params: Mapping[str, np.ndarray],
    loss_and_gradients: Callable[..., tuple[float, Mapping[str, np.ndarray]]],
    *args: Any,
    eps: float = 1e-5,
    tolerance: float = 1e-6,
    **kwargs: Any,
) -> GradientReport:
    """Compare ``loss_and_gradients(params, *args, **kwargs)`` with central differences.

    ``params`` maps names to float arrays; the function must return
    ``(loss, grads)`` with ``grads`` holding the same keys and shapes. The
    parameters are copied to float64 first, so the caller's arrays are untouched.
    Returns a :class:`GradientReport`; ``print(report)`` shows a table. A NaN or inf
    in either gradient fails the check, and ``report.nonfinite`` says where.
    """
    if not isinstance(params, Mapping):
        raise InputTypeError(f"params must be a dict of arrays; got {type(params).__name__}")
    if not callable(loss_and_gradients):
        raise InputTypeError(
            f"loss_and_gradients must be a function returning (loss, grads); got {loss_and_gradients!r}")
    theta = {key: np.array(_real_array(value, f"params[{key!r}]"), dtype=np.float64)
             for key, value in params.items()}
    result = loss_and_gradients(theta, *args, **kwargs)
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], Mapping)):
        raise ValueError("loss_and_gradients must return a tuple (loss, grads) with grads a dict of arrays")
    _, grads = result
    missing = set(theta) - set(grads)
    if missing:
        raise ValueError(f"the gradients lack the key(s) {sorted(missing)} that params has")
    errors, numerical, analytic, nonfinite = {}, {}, {}, {}
    for key, value in theta.items():
        g = _real_array(grads[key], f"the gradient {key!r}").copy()
        if g.shape != value.shape:
            raise ValueError(f"gradient {key!r} has shape {g.shape}; params[{key!r}] has {value.shape}")
        num = numerical_gradient(lambda _: loss_and_gradients(theta, *args, **kwargs)[0], value, eps)
        errors[key] = relative_error(g, num)
        numerical[key], analytic[key] = num, g
        where = [f"{kind} gradient: {spot}" for kind, spot in
                 (("analytic", _first_nonfinite(g)), ("numerical", _first_nonfinite(num))) if spot]
        if where:
            nonfinite[key] = "; ".join(where)
    return GradientReport(errors, tolerance, analytic, numerical, nonfinite)
