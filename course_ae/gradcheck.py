"""Finite-difference gradient checks, for tests, chapters and exercises.

The central difference (f(x + ε) − f(x − ε)) / 2ε has error O(ε²); with
ε = 1e-5 in float64 a correct gradient typically agrees to a relative error of
1e-8 or better, while a wrong one (a missing factor 2, a swapped sign) is off by
order 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central differences of the scalar ``f(x)`` with respect to every entry of ``x``.

    ``x`` (any shape, float) is perturbed in place one entry at a time and
    restored afterwards, so ``f`` may read ``x`` through a closure (as when ``x``
    is one array of a parameter dict). Returns an array of ``x``'s shape.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            "x must be a float numpy array (it is perturbed in place); "
            f"got {type(x).__name__}" + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
        )
    if not eps > 0:
        raise ValueError(f"eps must be > 0; got {eps!r}")
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


def relative_error(a: Any, b: Any) -> float:
    """max|a − b| / max(1e-12, max(|a| + |b|)): 0 for equal arrays, about 1 for unrelated ones."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(1e-12, float(np.max(np.abs(a) + np.abs(b)))))


@dataclass
class GradientReport:
    """Per-parameter relative errors between analytic and numerical gradients."""

    errors: dict[str, float]
    tolerance: float
    analytic: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    numerical: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    @property
    def max_error(self) -> float:
        return max(self.errors.values(), default=0.0)

    @property
    def passed(self) -> bool:
        return self.max_error <= self.tolerance

    def __str__(self) -> str:
        lines = [f"{'parameter':<10} {'relative error':>15}  (tolerance {self.tolerance:.0e})"]
        for key, err in self.errors.items():
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
    Returns a :class:`GradientReport`; ``print(report)`` shows a table.
    """
    theta = {key: np.array(value, dtype=np.float64) for key, value in params.items()}
    _, grads = loss_and_gradients(theta, *args, **kwargs)
    missing = set(theta) - set(grads)
    if missing:
        raise ValueError(f"the gradients lack the key(s) {sorted(missing)} that params has")
    errors, numerical, analytic = {}, {}, {}
    for key, value in theta.items():
        g = np.asarray(grads[key], dtype=np.float64)
        if g.shape != value.shape:
            raise ValueError(f"gradient {key!r} has shape {g.shape}; params[{key!r}] has {value.shape}")
        num = numerical_gradient(lambda _: loss_and_gradients(theta, *args, **kwargs)[0], value, eps)
        errors[key] = relative_error(g, num)
        numerical[key], analytic[key] = num, g
    return GradientReport(errors, tolerance, analytic, numerical)
