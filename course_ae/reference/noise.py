"""Corruption processes for denoising autoencoders.

The corrupted batch X̃ is the input; the clean X stays the target.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_batch, check_nonnegative, check_probability, check_seed


def _rng(rng: Any) -> np.random.Generator:
    """``rng`` itself if it is a Generator, a fresh one for an int seed ≥ 0; None is refused."""
    return check_seed(rng, "rng")


def masking_noise(X: Any, q: float, rng: Any) -> np.ndarray:
    """Set each entry of ``X`` (m, n) to 0 with probability ``q``; keep the rest unchanged.

    The kept entries are not rescaled by 1/(1 − q): the corruption is
    P(x̃_ij = 0) = q, P(x̃_ij = x_ij) = 1 − q. Returns a new (m, n) array.
    ``rng`` is a ``numpy.random.Generator`` or an int seed ≥ 0 (``None`` is refused).
    """
    X = as_batch(X, "X")
    q = check_probability(q, "q (the masking probability)")
    keep = _rng(rng).random(X.shape) >= q
    return X * keep


def gaussian_noise(X: Any, sigma: float, rng: Any) -> np.ndarray:
    """Return X̃ = X + ε with ε_ij ~ N(0, σ²) independent; shape (m, n).

    ``rng`` is a ``numpy.random.Generator`` or an int seed ≥ 0 (``None`` is refused).
    """
    X = as_batch(X, "X")
    sigma = check_nonnegative(sigma, "sigma (the noise standard deviation)")
    return X + sigma * _rng(rng).standard_normal(X.shape)
