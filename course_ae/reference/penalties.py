"""Regularizers: weight decay, the KL sparsity penalty, the contractive penalty.

Each penalty comes with the pieces of its gradient that ``model.loss_and_gradients``
adds to the reconstruction gradient.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .._validation import as_batch, check_probability
from .activations import derivative, second_derivative
from .config import Config
from .params import unpack


def weight_decay(W: np.ndarray, W_star: np.ndarray, lam: float) -> float:
    """Ω = (λ/2)(‖W‖²_F + ‖W*‖²_F); its gradient is λW and λW*."""
    return 0.5 * lam * (np.sum(W * W) + np.sum(W_star * W_star))


def _check_rho_hat(rho_hat: Any) -> np.ndarray:
    rho_hat = np.asarray(rho_hat, dtype=np.float64)
    if rho_hat.ndim > 1:
        raise ValueError(f"rho_hat must be a vector of mean activations, shape (k,); got {rho_hat.shape}")
    if not np.all((rho_hat > 0) & (rho_hat < 1)):
        raise ValueError(
            "rho_hat (mean activations) must lie strictly in (0, 1) for the KL penalty to be "
            f"finite; got values in [{rho_hat.min():g}, {rho_hat.max():g}]"
        )
    return rho_hat


def sparsity_penalty(rho: float, rho_hat: Any) -> float:
    """Σ_l [ρ log(ρ/ρ̂_l) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_l))], without the weight β.

    ``rho`` is the target in (0, 1); ``rho_hat`` the mean activations, shape (k,).
    Zero exactly when every ρ̂_l = ρ, positive otherwise.
    """
    rho = check_probability(rho, "rho", open_interval=True)
    rho_hat = _check_rho_hat(rho_hat)
    return float(np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))))


def sparsity_grad(rho: float, rho_hat: np.ndarray) -> np.ndarray:
    """∂/∂ρ̂_l of the KL sum: −ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l), shape (k,)."""
    return -rho / rho_hat + (1 - rho) / (1 - rho_hat)


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

    W, b, W_star, c = unpack(params, config)
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
