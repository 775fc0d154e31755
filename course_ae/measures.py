"""Measures the chapters assert on: how local a filter is, which hidden units are stuck,
and the set-up the course recommends for a sigmoid decoder.

Each function takes plain arrays (NumPy, or anything ``np.asarray`` accepts) and
returns NumPy values, so the same measure reads a reference model, a ``course_ae.nn``
model's weights, or a student's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ._validation import as_batch

__all__ = ["mean_logit", "start_params", "unit_spread", "stuck_units", "half_energy_area",
           "locality"]


def mean_logit(X: Any, eps: float = 1e-3) -> np.ndarray:
    """The logit of the mean image, log(p / (1 − p)) with p = mean(X) clipped to [eps, 1 − eps].

    ``X`` is (m, n) with entries in [0, 1]; returns (n,). Started at this value, the
    decoder bias c gives σ(c) = the mean image, so a sigmoid decoder reproduces the
    average input from the first step (chapter 7.1's recommended set-up).
    """
    X = as_batch(X, "X")
    if not 0 < eps < 0.5:
        raise ValueError(f"eps must lie in (0, 0.5); got {eps!r}")
    if X.min() < 0 or X.max() > 1:
        raise ValueError("X must hold values in [0, 1] (pixel intensities) for its mean to be a "
                         f"probability; got values in [{X.min():.3g}, {X.max():.3g}]")
    p = np.clip(X.mean(axis=0), eps, 1 - eps)
    return np.log(p / (1 - p))


def start_params(X: Any, n_hidden: int, *, tied: bool = False, seed: int = 0) -> dict[str, np.ndarray]:
    """``reference.init_params(n, n_hidden, tied=tied, seed=seed)`` with c = :func:`mean_logit` (X).

    The course's recommended start for every model with a sigmoid decoder: the weights
    as ``init_params`` draws them, the decoder bias at the logit of the mean image.
    """
    from .reference import init_params

    X = as_batch(X, "X")
    params = init_params(X.shape[1], n_hidden, tied=tied, seed=seed)
    params["c"] = mean_logit(X)
    return params


def unit_spread(H: Any) -> np.ndarray:
    """The standard deviation of each hidden unit over the inputs: H is (m, k), returns (k,)."""
    H = as_batch(H, "H")
    return H.std(axis=0)


def stuck_units(H: Any, tol: float = 0.01) -> np.ndarray:
    """Indices of the hidden units that are stuck: their output barely changes with the input.

    ``H`` is (m, k), the codes of m inputs. Unit l is stuck when the standard deviation
    of h_l over the inputs is below ``tol``: whatever the input, it says (almost) the same
    thing, so it carries no information about it (typically a sigmoid unit saturated at
    ρ̂ ≈ 0 or ρ̂ ≈ 1, where its gradient vanishes too). Returns a sorted int array.
    """
    if not tol > 0:
        raise ValueError(f"tol must be > 0; got {tol!r}")
    return np.flatnonzero(unit_spread(H) < tol)


@lru_cache(maxsize=8)
def _disc_orders(h: int, w: int) -> np.ndarray:
    """(h·w, h·w): row c lists the pixels by their distance to pixel c (nearest first)."""
    ys, xs = np.divmod(np.arange(h * w), w)
    d2 = (ys[:, None] - ys[None, :]) ** 2 + (xs[:, None] - xs[None, :]) ** 2
    # A stable sort on distance, ties broken by pixel index: the same disc every time.
    return np.argsort(d2, axis=1, kind="stable")


def half_energy_area(W: Any, image_shape: tuple[int, int]) -> np.ndarray:
    """For each filter, the fewest pixels a disc needs to hold half of the filter's energy.

    ``W`` is (k, n) with n = h·w; the energy of pixel p is W_lp². For every pixel as a
    centre, pixels are taken nearest first (a disc, clipped by the border) until they hold
    half of Σ_p W_lp²; the answer is the smallest such count over all centres, as a
    fraction of n. Returns (k,) in (0, 1]: small for a filter whose weight sits in one
    spot, near 1/2 for one spread evenly over the image.
    """
    W = as_batch(W, "W")
    h, w = (int(s) for s in image_shape)
    if h * w != W.shape[1]:
        raise ValueError(f"image_shape {image_shape} holds {h * w} pixels; the filters have {W.shape[1]}")
    energy = W ** 2
    total = energy.sum(axis=1)
    if np.any(total == 0):
        raise ValueError(f"filter(s) {np.flatnonzero(total == 0).tolist()} are all zeros: no energy to locate")
    order = _disc_orders(h, w)
    n = h * w
    areas = np.empty(W.shape[0])
    for l in range(W.shape[0]):
        areas[l] = _fewest_pixels(energy[l], 0.5 * total[l], order) / n
    return areas


def _fewest_pixels(energy: np.ndarray, half: float, order: np.ndarray, block: int = 64) -> int:
    """min over centres c of the number of nearest pixels whose energy sum reaches ``half``.

    The running sums grow with the pixels taken (energy ≥ 0), so the first block of
    ``block`` pixels in which some centre reaches ``half`` holds the minimum: a local
    filter is done after one block instead of all n. Each block's cumulative sum starts
    from the previous block's last value, so every running sum is the same sequence of
    additions as one ``np.cumsum`` over all n pixels (bit-identical results).
    """
    centres, n = order.shape
    carry = np.zeros((centres, 1))
    for start in range(0, n, block):
        part = energy[order[:, start:start + block]]                    # (centres, ≤ block)
        filled = np.cumsum(np.concatenate([carry, part], axis=1), axis=1)[:, 1:]
        reached = filled >= half
        if reached.any():
            first = np.where(reached.any(axis=1), reached.argmax(axis=1), n)
            return start + int(first.min()) + 1
        carry = filled[:, -1:]
    return n  # not reached for rounding reasons: the whole image (as the full cumsum gives)


def locality(W: Any, image_shape: tuple[int, int]) -> np.ndarray:
    """How local each filter is: 1 − 2 · :func:`half_energy_area`, shape (k,).

    About 0 for a filter whose energy is spread evenly over the image (half of it needs
    half of the pixels), close to 1 for one whose energy sits in a small spot.
    """
    return 1.0 - 2.0 * half_energy_area(W, image_shape)
