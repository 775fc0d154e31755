"""The autoencoder itself: forward pass, objective, and hand-derived gradients.

Notation (one example a row of X, shape (m, n)):
    a1 = X Wᵀ + b      (m, k)      h1 = g(a1)
    a2 = h1 W*ᵀ + c    (m, n)      h2 = f(a2) = x̂
objective = (1/m) Σ_i L(x̂_i, x_i) + penalties.
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple

import numpy as np

from .._validation import as_batch, as_target
from . import losses, penalties
from .activations import activate, derivative, sigmoid
from .config import Config
from .params import unpack


class Forward(NamedTuple):
    """The intermediate values of one forward pass, kept for the backward pass."""

    a1: np.ndarray  # (m, k) encoder pre-activation
    h1: np.ndarray  # (m, k) hidden representation h
    a2: np.ndarray  # (m, n) decoder pre-activation (the logits for cross-entropy)
    x_hat: np.ndarray  # (m, n) reconstruction h2


def forward(params: Mapping[str, Any], X: Any, config: Config = Config()) -> Forward:
    """Run the encoder and decoder on a batch ``X`` of shape (m, n)."""
    W, b, W_star, c = unpack(params, config)
    X = as_batch(X, "X", W.shape[1])
    return _forward(W, b, W_star, c, X, config)


def _forward(W: np.ndarray, b: np.ndarray, W_star: np.ndarray, c: np.ndarray, X: np.ndarray,
             config: Config) -> Forward:
    """The forward pass on checked float64 arrays (the public functions check once)."""
    a1 = X @ W.T
    a1 += b                 # a1 = X Wᵀ + b, the bias added in place (no second (m, k) array)
    h1 = activate(config.encoder, a1)
    a2 = h1 @ W_star.T
    a2 += c                 # a2 = h1 W*ᵀ + c
    x_hat = activate(config.decoder, a2)
    return Forward(a1, h1, a2, x_hat)


def _mean_activations(fw: Forward) -> tuple[np.ndarray, np.ndarray]:
    """ρ̂ = (1/m) Σ_i h1_i and 1 − ρ̂, shape (k,) each, for the sparsity penalty.

    1 − ρ̂ is computed as the mean of 1 − h1 = σ(−a1), not as 1 − ρ̂: when every h1_il
    rounds to 1 (a1 > 37) the difference is 0 while the mean of σ(−a1) is not. A unit
    whose ρ̂ (or 1 − ρ̂) is still 0 in float64 (a1 below −745, or above 745, for every
    example) makes the KL penalty infinite: that is reported, naming the units.
    """
    rho_hat = fw.h1.mean(axis=0)
    rho_hat_c = sigmoid(-fw.a1).mean(axis=0)
    dead, saturated = np.flatnonzero(rho_hat == 0), np.flatnonzero(rho_hat_c == 0)
    if dead.size or saturated.size:
        raise FloatingPointError(
            "the sparsity penalty is infinite: "
            + (f"hidden unit(s) {dead.tolist()} have mean activation ρ̂ = 0 (dead: σ(a1) underflows "
               "for every example)" if dead.size else "")
            + ("; " if dead.size and saturated.size else "")
            + (f"hidden unit(s) {saturated.tolist()} have ρ̂ = 1 (saturated for every example)"
               if saturated.size else "")
            + ". Start from smaller weights or biases, or lower the learning rate."
        )
    return rho_hat, rho_hat_c


def _add_penalties(J: float, fw: Forward, W: np.ndarray, W_star: np.ndarray, config: Config,
                   rho: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """``J`` plus the configured penalties (weight decay, sparsity, contractive), weighted.

    ``rho`` is (ρ̂, 1 − ρ̂) when the caller has computed it already.
    """
    if config.weight_decay > 0:
        J += penalties.weight_decay(W, W_star, config.weight_decay)
    if config.sparse:
        rho_hat, rho_hat_c = _mean_activations(fw) if rho is None else rho
        J += config.sparsity_weight * penalties.sparsity_penalty(
            config.sparsity_target, rho_hat, rho_hat_c)
    if config.contractive_weight > 0:
        J += config.contractive_weight * float(np.mean(
            penalties.jacobian_norms(W, fw.a1, fw.h1, config.encoder)))
    return J


def objective(params: Mapping[str, Any], X: Any, config: Config = Config(), target: Any = None) -> float:
    """Mean loss over the m rows of ``X`` plus the configured penalties.

    ``target`` (shape (m, n)) is what x̂ should match; it defaults to ``X``. A
    denoising autoencoder passes the corrupted batch as ``X`` and the clean one
    as ``target``.
    """
    W, b, W_star, c = unpack(params, config)
    X = as_batch(X, "X", W.shape[1])
    T = as_target(X, target, config.loss)
    fw = _forward(W, b, W_star, c, X, config)
    if config.loss == "squared_error":
        J = float(np.mean(losses.squared_error(fw.x_hat, T)))
    else:
        J = float(np.mean(losses.cross_entropy_from_logits(fw.a2, T)))
    return _add_penalties(J, fw, W, W_star, config)


def loss_and_gradients(params: Mapping[str, Any], X: Any, config: Config = Config(),
                       target: Any = None) -> tuple[float, dict[str, np.ndarray]]:
    """The objective and its gradient with respect to every parameter.

    The chain rule runs backwards through the forward pass, one line per factor:
    ∂L/∂h2 · ∂h2/∂a2 · ∂a2/∂W*, then on through h1 and a1 to W. Returns the
    objective and a dict with the keys and shapes of ``params``.

    (For speed the element-wise factors are applied in place, and the forward pass's
    arrays are reused once they are no longer needed: at these sizes a fresh array
    costs more than the arithmetic done on it.)
    """
    W, b, W_star, c = unpack(params, config)
    X = as_batch(X, "X", W.shape[1])
    T = as_target(X, target, config.loss)
    m = X.shape[0]
    fw = _forward(W, b, W_star, c, X, config)

    # Output layer: the objective and ∂J/∂a2, one row per example.
    if config.loss == "squared_error":
        # f'(a2) goes into a2's memory and x̂ − x into x̂'s: neither is needed afterwards.
        f_prime = None
        if config.decoder != "linear":                                  # f' = 1 for a linear decoder
            f_prime = derivative(config.decoder, fw.a2, fw.x_hat, out=fw.a2)
        dJ_da2 = np.subtract(fw.x_hat, T, out=fw.x_hat)                # x̂ − x
        J = float(np.mean(np.einsum("ij,ij->i", dJ_da2, dJ_da2)))      # mean of (x̂ − x)ᵀ(x̂ − x)
        dJ_da2 *= 2.0 / m                         # ∂L/∂h2 = 2(x̂ − x); /m as the objective is a mean
        if f_prime is not None:
            dJ_da2 *= f_prime                                           # ⊙ f'(a2)
    else:
        J = float(np.mean(losses.cross_entropy_from_logits(fw.a2, T)))
        dJ_da2 = losses.cross_entropy_grad_logits(fw.x_hat, T)         # x̂ − x
        dJ_da2 /= m                                                     # the objective is a mean
    rho = _mean_activations(fw) if config.sparse else None           # (ρ̂, 1 − ρ̂), used twice
    J = _add_penalties(J, fw, W, W_star, config, rho)

    # a2 = h1 W*ᵀ + c
    dW_star = dJ_da2.T @ fw.h1                                       # (n, k)
    dc = dJ_da2.sum(axis=0)                                          # (n,)
    dJ_dh1 = dJ_da2 @ W_star                                         # (m, k)

    # Sparsity: ρ̂ = (1/m) Σ_i h1_i, so each h1_il receives (β/m) ∂KL/∂ρ̂_l.
    if config.sparse:
        dJ_dh1 += (config.sparsity_weight / m) * penalties.sparsity_grad(
            config.sparsity_target, *rho)

    # h1 = g(a1)
    if config.contractive_weight > 0:                                # (uses a1: before a1 is reused)
        d_a1, d_W = penalties.contractive_grads(W, fw.a1, fw.h1, config.encoder)
    dJ_da1 = dJ_dh1
    if config.encoder != "linear":                                   # g' = 1 for a linear encoder
        dJ_da1 *= derivative(config.encoder, fw.a1, fw.h1, out=fw.a1)  # ⊙ g'(a1), (m, k)
    if config.contractive_weight > 0:
        dJ_da1 += config.contractive_weight * d_a1

    # a1 = X Wᵀ + b
    dW = dJ_da1.T @ X                                                 # (k, n)
    db = dJ_da1.sum(axis=0)                                          # (k,)
    if config.contractive_weight > 0:                                # the penalty's direct term
        dW += config.contractive_weight * d_W

    if config.weight_decay > 0:                                      # Ω adds λW and λW*
        dW += config.weight_decay * W
        dW_star += config.weight_decay * W_star

    grads = {"W": dW, "b": db, "c": dc}
    if config.tied:
        dW += dW_star.T                  # W is used twice: as W and as W* = Wᵀ
    else:
        grads["W_star"] = dW_star
    return J, grads
