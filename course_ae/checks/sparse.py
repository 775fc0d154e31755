"""Checks for 7.5: the KL sparsity penalty and its gradients."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import reference as R
from ..reference import penalties as _penalties
from ._core import (
    _Failure,
    _K,
    _M,
    _as_array,
    _as_scalar,
    _call,
    _compare,
    _run,
    _shape,
    _to_numpy,
    _unchanged,
)


def _kl_inputs() -> tuple[float, np.ndarray]:
    return 0.1, np.array([0.02, 0.08, 0.15, 0.3, 0.6])


def check_kl_penalty(kl_penalty: Callable[..., Any]) -> bool:
    """``kl_penalty(rho, rho_hat) -> float``: Σ_l ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))."""
    def body() -> str:
        rho, rho_hat = _kl_inputs()
        k = rho_hat.size
        got = _as_scalar(_call(kl_penalty, rho, rho_hat.copy()), "the KL penalty", per_unit=k)
        swapped = np.sum(rho_hat * np.log(rho_hat / rho) + (1 - rho_hat) * np.log((1 - rho_hat) / (1 - rho)))
        _compare(got, R.sparsity_penalty(rho, rho_hat), "the KL penalty",
                 hint="Ω = Σ_l [ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))]",
                 mistakes=[(swapped, "the arguments are swapped: the penalty is KL(ρ ‖ ρ̂_l) = "
                                     "ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l)), with ρ (the target) in front"),
                           (np.sum(rho * np.log(rho / rho_hat)), "the second term is missing: "
                                                                 "+ (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))")],
                 ratios={1.0 / k: f"sum over the k = {k} hidden units, don't average",
                         1 / math.log(2): "use the natural log (np.log), not log2",
                         -1.0: "the logs are upside down: ρ log(ρ/ρ̂_l), so that the penalty is ≥ 0"})
        return "Σ_l KL(ρ ‖ ρ̂_l), zero only when every ρ̂_l = ρ."
    return _run("KL sparsity penalty", body)


def check_kl_gradient(kl_gradient: Callable[..., Any]) -> bool:
    """``kl_gradient(rho, rho_hat) -> (k,)``: ∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)."""
    def body() -> str:
        rho, rho_hat = _kl_inputs()
        k = rho_hat.size
        got = _as_array(_call(kl_gradient, rho, rho_hat.copy()), "∂Ω/∂ρ̂", (k,), "one value per hidden unit")
        _compare(got, _penalties.sparsity_grad(rho, rho_hat), "∂Ω/∂ρ̂",
                 hint="differentiate each term: d/dρ̂ [ρ log(ρ/ρ̂)] = −ρ/ρ̂ and d/dρ̂ [(1 − ρ) log((1 − ρ)/(1 − ρ̂))] "
                      "= (1 − ρ)/(1 − ρ̂)",
                 mistakes=[(np.log(rho_hat / rho) - np.log((1 - rho_hat) / (1 - rho)),
                            "that is the gradient of the swapped KL(ρ̂ ‖ ρ); the penalty is KL(ρ ‖ ρ̂)"),
                           (-rho / rho_hat, "the second term also depends on ρ̂: add (1 − ρ)/(1 − ρ̂_l)"),
                           (-rho / rho_hat - (1 - rho) / (1 - rho_hat),
                            "sign of the second term: d/dρ̂ of −log(1 − ρ̂) is +1/(1 − ρ̂)")],
                 ratios={1.0 / k: f"no averaging over the k = {k} units: each unit's derivative stands alone"})
        return "∂Ω/∂ρ̂_l = −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)."
    return _run("gradient of the KL penalty wrt ρ̂", body)


def check_kl_gradient_h(kl_gradient_h: Callable[..., Any]) -> bool:
    """``kl_gradient_h(rho, H) -> (m, k)``: ∂Ω/∂h_il = (1/m) ∂Ω/∂ρ̂_l with ρ̂ = H.mean(axis=0)."""
    def body() -> str:
        rho = 0.1
        H = np.random.default_rng(121).uniform(0.02, 0.6, (_M, _K))
        H_in = H.copy()
        got = _to_numpy(_call(kl_gradient_h, rho, H_in))
        if _shape(got) == (_K,):
            raise _Failure("every example gets a gradient: return an (m, k) array, each row (1/m) ∂Ω/∂ρ̂",
                           expected=f"shape {(_M, _K)}", got=f"shape {(_K,)}")
        got = _as_array(got, "∂Ω/∂H", (_M, _K), "one row per example", shape_hints={
            (_M, _M): "ρ̂ is the mean over the EXAMPLES, H.mean(axis=0): one value per hidden unit (k,), "
                      "not one per example (axis=1)"})
        _unchanged({"H": H}, {"H": H_in})
        g = _penalties.sparsity_grad(rho, H.mean(axis=0))
        _compare(got, np.tile(g / _M, (_M, 1)), "∂Ω/∂H",
                 hint="ρ̂_l = (1/m) Σ_i h_il, so ∂Ω/∂h_il = (1/m) ∂Ω/∂ρ̂_l: the same row for every example",
                 mistakes=[(_penalties.sparsity_grad(rho, H) / _M, "ρ̂ is the mean over the batch, "
                            "H.mean(axis=0), not each example's own activation")],
                 ratios={float(_M): f"the factor 1/m is missing: ρ̂ = (1/m) Σ_i h_i, so each of the m = {_M} "
                                    "examples receives 1/m of ∂Ω/∂ρ̂"})
        return "∂Ω/∂h_il = (1/m)(−ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l)) for every example i."
    return _run("gradient of the KL penalty wrt h", body, hints={
        "broadcast": "ρ̂ = H.mean(axis=0) has shape (k,), one value per hidden unit: (1/m) ∂Ω/∂ρ̂ broadcasts over "
                     "the m rows as it is (np.tile or np.ones((m, 1)) * ...)",
    })
