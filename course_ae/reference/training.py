"""Plain (minibatch) gradient descent on the reference model, as in the lecture.

    t = 0
    while not converged:            # here: for a fixed number of epochs
        t += 1
        shuffle the data
        for each minibatch:
            ∇ = 0
            accumulate ∇ over the minibatch   (loss_and_gradients averages it)
            update the weights: θ ← θ − α ∇
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from .._validation import (as_batch, as_real_number, check_nonnegative, check_positive_int,
                           check_probability, check_seed)
from .config import Config
from .model import loss_and_gradients, objective
from .noise import gaussian_noise, masking_noise
from .params import check_config, unpack


def gradient_descent(
    params: Mapping[str, Any],
    X: Any,
    config: Config = Config(),
    *,
    epochs: int,
    lr: float,
    batch_size: int | None = None,
    seed: int | np.random.Generator = 0,
    noise: str | None = None,
    noise_level: float = 0.0,
    callback: Callable[[int, dict[str, np.ndarray], float], None] | None = None,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train a copy of ``params`` on ``X`` (m, n); return it and the per-epoch objective.

    ``batch_size=None`` is full-batch gradient descent; otherwise the rows are
    shuffled each epoch (seeded) and visited in minibatches. ``noise`` ("masking"
    or "gaussian", level ``noise_level``) corrupts each minibatch afresh while the
    clean minibatch stays the target. The history holds the objective on the
    full clean data after each epoch. ``callback(epoch, params, value)`` runs
    after each epoch. ``seed`` (the shuffles and the noise) is an int ≥ 0 or a
    ``numpy.random.Generator``; ``None`` is refused.
    """
    check_config(config)
    W, _, _, _ = unpack(params, config)
    X = as_batch(X, "X", W.shape[1])
    epochs = check_positive_int(epochs, "epochs")
    lr = as_real_number(lr, "lr (the learning rate α)", "a finite number > 0")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr (the learning rate α) must be a finite number > 0; got {lr!r}")
    m = X.shape[0]
    batch_size = m if batch_size is None else min(check_positive_int(batch_size, "batch_size"), m)
    if noise not in (None, "masking", "gaussian"):
        raise ValueError(f"noise must be None, 'masking' or 'gaussian'; got {noise!r}")
    if noise == "masking":
        check_probability(noise_level, "noise_level (the masking probability q)")
    elif noise == "gaussian":
        check_nonnegative(noise_level, "noise_level (the noise standard deviation σ)")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function (epoch, params, value) or None; got {callback!r}")
    rng = check_seed(seed, "seed")
    theta = {key: np.array(value, dtype=np.float64) for key, value in params.items()}
    history: list[float] = []
    for epoch in range(1, epochs + 1):
        order = rng.permutation(m) if batch_size < m else np.arange(m)
        for start in range(0, m, batch_size):
            batch = X[order[start:start + batch_size]]
            inputs = batch
            if noise == "masking":
                inputs = masking_noise(batch, noise_level, rng)
            elif noise == "gaussian":
                inputs = gaussian_noise(batch, noise_level, rng)
            _, grads = loss_and_gradients(theta, inputs, config, target=batch)
            for key in theta:
                step = grads[key]
                step *= lr                   # α∇, in place: the gradient is not needed again
                theta[key] -= step
        value = objective(theta, X, config)
        if not np.isfinite(value):
            raise FloatingPointError(
                f"the objective became {value} in epoch {epoch}; the learning rate lr={lr} "
                "is probably too large"
            )
        history.append(value)
        if callback is not None:
            callback(epoch, theta, value)
    return theta, history
