"""Regularizers: weight decay, the KL sparsity penalty, the contractive penalty, and the
elastic net on the weights.

Each penalty comes with the pieces of its gradient that ``model.loss_and_gradients``
adds to the reconstruction gradient. The elastic net (``elastic_net_penalty`` and
``elastic_net_gradient``) is not a ``Config`` option: chapter 7.5 adds it to a model's
objective itself, to compare a penalty on the weights with the penalties on the codes.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .._validation import (InputTypeError, _is_complex, as_batch, check_nonnegative,
                           check_probability)
from .activations import derivative, second_derivative
from .config import Config
from .params import unpack


def weight_decay(W: np.ndarray, W_star: np.ndarray, lam: float) -> float:
    """Ω = (λ/2)(‖W‖²_F + ‖W*‖²_F); its gradient is λW and λW*."""
    return 0.5 * lam * (np.sum(W * W) + np.sum(W_star * W_star))


def _check_elastic_net_args(weights: Any, l1: Any, l2: Any) -> tuple[dict[str, np.ndarray], bool, float, float]:
    """The weights as a dict of float64 arrays (and whether one bare array was given),
    λ1 and λ2 as floats ≥ 0; or a clear error."""
    l1 = check_nonnegative(l1, "l1 (the weight λ1 of the L1 term)")
    l2 = check_nonnegative(l2, "l2 (the weight λ2 of the squared-L2 term)")
    single = not isinstance(weights, Mapping)
    items = {"weights": weights} if single else dict(weights)
    if not items:
        raise ValueError("weights must be an array or a non-empty mapping name -> array "
                         "(e.g. {'W': W, 'W_star': W_star}); got an empty mapping")
    arrays = {}
    for name, value in items.items():
        label = "weights" if single else f"weights[{name!r}]"
        if _is_complex(value) or (isinstance(value, (list, tuple)) and _is_complex(np.asarray(value))):
            raise InputTypeError(f"{label} must hold real numbers; got complex values")
        if isinstance(value, (bool, np.bool_)) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
            raise InputTypeError(f"{label} must be a numeric array of weights, not booleans")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{label} must be a numeric array of weights; could not convert it: {exc}") from None
        if arr.size == 0:
            raise ValueError(f"{label} must hold at least one weight; got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
            raise ValueError(f"{label} must be finite; it holds {bad} NaN or inf value(s)")
        arrays[name] = arr
    return arrays, single, l1, l2


def elastic_net_penalty(weights: Any, l1: float, l2: float) -> float:
    """Ω = Σ over the weight arrays of λ1 ‖·‖₁ + (λ2/2) ‖·‖²_F (the elastic net).

    ``weights`` is one array (e.g. ``W``, shape (k, n)) or a mapping name → array (e.g.
    ``{"W": W, "W_star": W_star}``; leave the biases out, as weight decay does);
    ``l1`` = λ1 ≥ 0 and ``l2`` = λ2 ≥ 0. λ1 = 0 is weight decay, λ2 = 0 the LASSO
    penalty. The lecture's form λ(α‖w‖₁ + (1 − α)‖w‖²) is λ1 = λα, λ2 = 2λ(1 − α).
    """
    arrays, _, l1, l2 = _check_elastic_net_args(weights, l1, l2)
    return float(sum(l1 * np.abs(a).sum() + 0.5 * l2 * np.sum(a * a) for a in arrays.values()))


def elastic_net_gradient(weights: Any, l1: float, l2: float) -> Any:
    """The (sub)gradient of ``elastic_net_penalty``: λ1 sign(w) + λ2 w, entry by entry.

    Returns an array of the shape of ``weights``, or a dict with the same keys and
    shapes when ``weights`` is a mapping. Where w ≠ 0 this is the gradient. At w = 0 the
    penalty has a kink (one-sided derivatives −λ1 and +λ1, subdifferential [−λ1, λ1]);
    the value returned there is 0 (``np.sign(0) = 0``), the subgradient of least
    magnitude, which is also what PyTorch's autograd gives for ``abs`` at 0.
    """
    arrays, single, l1, l2 = _check_elastic_net_args(weights, l1, l2)
    grads = {name: l1 * np.sign(a) + l2 * a for name, a in arrays.items()}
    return grads["weights"] if single else grads


def _check_rho_hat(rho_hat: Any, one_minus_rho_hat: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """ρ̂ and 1 − ρ̂ as float64 vectors, both strictly positive, or ``ValueError``."""
    if _is_complex(np.asarray(rho_hat)) or (one_minus_rho_hat is not None
                                             and _is_complex(np.asarray(one_minus_rho_hat))):
        raise InputTypeError("rho_hat (mean activations) must hold real numbers; got complex values")
    rho_hat = np.asarray(rho_hat, dtype=np.float64)
    if rho_hat.ndim > 1:
        raise ValueError(f"rho_hat must be a vector of mean activations, shape (k,); got {rho_hat.shape}")
    if one_minus_rho_hat is None:
        rho_hat_c = 1.0 - rho_hat
    else:
        rho_hat_c = np.asarray(one_minus_rho_hat, dtype=np.float64)
        if rho_hat_c.shape != rho_hat.shape:
            raise ValueError(
                f"one_minus_rho_hat must have the shape of rho_hat, {rho_hat.shape}; got {rho_hat_c.shape}"
            )
    if not np.all((rho_hat > 0) & (rho_hat_c > 0)):
        raise ValueError(
            "rho_hat (mean activations) must lie strictly in (0, 1) for the KL penalty to be "
            f"finite; got values in [{rho_hat.min():g}, {rho_hat.max():g}]"
            + (" (1 − ρ̂ rounds to 0)" if np.all(rho_hat > 0) else "")
        )
    return rho_hat, rho_hat_c


def sparsity_penalty(rho: float, rho_hat: Any, one_minus_rho_hat: Any = None) -> float:
    """Σ_l [ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))], without the weight β.

    ``rho`` is the target in (0, 1); ``rho_hat`` the mean activations, shape (k,).
    Zero exactly when every ρ̂_l = ρ, positive otherwise.

    ``one_minus_rho_hat`` (optional, shape (k,)) is 1 − ρ̂ computed without the
    cancellation of ``1 - rho_hat``: the model passes the mean of σ(−a1), which stays
    positive when every h rounds to 1. Each log of a ratio is taken as a difference of
    logs, log ρ − log ρ̂, which cannot overflow when ρ̂ is tiny.
    """
    rho = check_probability(rho, "rho", open_interval=True)
    rho_hat, rho_hat_c = _check_rho_hat(rho_hat, one_minus_rho_hat)
    return float(np.sum(rho * (np.log(rho) - np.log(rho_hat))
                        + (1 - rho) * (np.log(1 - rho) - np.log(rho_hat_c))))


def sparsity_grad(rho: float, rho_hat: np.ndarray, one_minus_rho_hat: np.ndarray | None = None) -> np.ndarray:
    """∂/∂ρ̂_l of the KL sum: −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l), shape (k,).

    ``one_minus_rho_hat`` is 1 − ρ̂ when the caller has it without cancellation.
    """
    rho_hat_c = 1 - rho_hat if one_minus_rho_hat is None else one_minus_rho_hat
    return -rho / rho_hat + (1 - rho) / rho_hat_c


def jacobian_norms(W: np.ndarray, a1: np.ndarray, h1: np.ndarray, encoder: str) -> np.ndarray:
    """‖J_x(h)(x_i)‖²_F for each row, shape (m,), without building any Jacobian.

    J_lj = ∂h_l/∂x_j = g'(a_l) W_lj, so ‖J‖²_F = Σ_l g'(a_l)² Σ_j W_lj²: an (m, k)
    matrix times a (k,) vector, O(m·k + k·n). For the sigmoid g' = h(1 − h).
    """
    d = derivative(encoder, a1, h1)
    row_norms = np.einsum("lj,lj->l", W, W)
    return (d * d) @ row_norms


def contractive_penalty(params: Mapping[str, Any], X: Any, config: Config) -> float:
    """Mean over the m rows of ‖J_x(h)‖²_F, without the weight λ_c.

    ``X`` has shape (m, n); the encoder is ``config.encoder``.
    """
    from .model import _forward  # the model imports this module

    W, b, W_star, c = unpack(params, config)  # also refuses a config that is not a Config
    X = as_batch(X, "X", W.shape[1])
    fw = _forward(W, b, W_star, c, X, config)
    return float(np.mean(jacobian_norms(W, fw.a1, fw.h1, config.encoder)))


def contractive_grads(W: np.ndarray, a1: np.ndarray, h1: np.ndarray, encoder: str) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of (1/m) Σ_i ‖J(x_i)‖²_F: (∂/∂a1 of shape (m, k), direct ∂/∂W of shape (k, n)).

    With d = g'(a1) and s_l = Σ_j W_lj²:
      ∂/∂a1_il = (1/m) · 2 d_il g''(a1_il) s_l   (flows on to W and b through a1 = XWᵀ + b)
      ∂/∂W_lj  = (1/m) Σ_i d_il² · 2 W_lj        (through s_l)
    """
    m = a1.shape[0]
    d = derivative(encoder, a1, h1)
    s = np.einsum("lj,lj->l", W, W)
    d_a1 = (2.0 / m) * d * second_derivative(encoder, a1, h1) * s
    d_W = (2.0 / m) * np.einsum("il,il->l", d, d)[:, None] * W
    return d_a1, d_W
