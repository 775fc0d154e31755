"""Reconstruction losses, per example, and their derivatives.

Both losses are summed over the n features of one example; the objective then
averages over the m examples (see ``model.objective``).
"""

from __future__ import annotations

import numpy as np


def squared_error(x_hat: np.ndarray, x: np.ndarray) -> np.ndarray:
    """L_i = (x̂_i − x_i)ᵀ(x̂_i − x_i) for each row; shape (m,)."""
    diff = x_hat - x
    return np.einsum("ij,ij->i", diff, diff)


def squared_error_grad(x_hat: np.ndarray, x: np.ndarray) -> np.ndarray:
    """∂L/∂h2 = 2(x̂ − x), shape (m, n)."""
    return 2.0 * (x_hat - x)


def cross_entropy_from_logits(a2: np.ndarray, x: np.ndarray) -> np.ndarray:
    """L_i = −Σ_j [x_j log x̂_j + (1 − x_j) log(1 − x̂_j)] with x̂ = σ(a2); shape (m,).

    Since log σ(a) = −softplus(−a) and log(1 − σ(a)) = −softplus(a), each term is
    softplus(a) − x·a, which stays finite when the sigmoid saturates.
    """
    softplus = np.logaddexp(0.0, a2)
    return (softplus - x * a2).sum(axis=1)


def cross_entropy_grad_logits(x_hat: np.ndarray, x: np.ndarray) -> np.ndarray:
    """∂L/∂a2 = x̂ − x: the sigmoid's derivative x̂(1 − x̂) cancels the loss's denominators."""
    return x_hat - x
