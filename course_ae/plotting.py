"""Figures the chapters, exercises and command line share.

Every function draws with matplotlib and returns the ``Figure`` (or draws into
the ``ax`` it is given), so a notebook shows it and a script can ``savefig`` it.
Images are rows of a batch: an array (m, n) with n = height × width.
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib

import numpy as np

from ._validation import as_batch


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _shape(n: int, image_shape: tuple[int, int] | None) -> tuple[int, int]:
    if image_shape is None:
        side = int(round(np.sqrt(n)))
        if side * side != n:
            raise ValueError(f"cannot guess a square image shape for {n} pixels; pass image_shape=(h, w)")
        return side, side
    if image_shape[0] * image_shape[1] != n:
        raise ValueError(f"image_shape {tuple(image_shape)} holds {image_shape[0] * image_shape[1]} pixels; rows have {n}")
    return tuple(image_shape)


def image_grid(images: Any, image_shape: tuple[int, int] | None = None, *, ncols: int = 10,
               titles: Sequence[str] | None = None, cmap: str = "gray", scale: str = "fixed",
               figsize_per_image: float = 0.9, suptitle: str | None = None) -> matplotlib.figure.Figure:
    """Show each row of ``images`` (m, n) as a small image, ``ncols`` to a row.

    ``scale="fixed"`` shows pixel values on [0, 1]; ``scale="each"`` stretches
    each image to its own range; ``scale="symmetric"`` centres each image's colour
    scale on zero, ±(99th percentile of |value|), so that with a diverging colour
    map white is 0 (for filters, whose sign matters and whose range is not fixed).
    """
    if scale not in ("fixed", "each", "symmetric"):
        raise ValueError(f"scale must be 'fixed', 'each' or 'symmetric'; got {scale!r}")
    imgs = as_batch(images, "images")
    h, w = _shape(imgs.shape[1], image_shape)
    m = imgs.shape[0]
    ncols = min(ncols, m)
    nrows = int(np.ceil(m / ncols))
    plt = _pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=(figsize_per_image * ncols, figsize_per_image * nrows + 0.3 * bool(titles)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= m:
            continue
        kw = {}
        if scale == "fixed":
            kw = {"vmin": 0.0, "vmax": 1.0}
        elif scale == "symmetric":
            a = float(np.percentile(np.abs(imgs[i]), 99)) or 1.0
            kw = {"vmin": -a, "vmax": a}
        ax.imshow(imgs[i].reshape(h, w), cmap=cmap, interpolation="nearest", **kw)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def reconstruction_grid(originals: Any, reconstructions: Sequence[Any] | Any,
                        image_shape: tuple[int, int] | None = None, *,
                        row_labels: Sequence[str] | None = None,
                        figsize_per_image: float = 0.8) -> matplotlib.figure.Figure:
    """Originals in the top row, each set of reconstructions in a row below.

    ``originals`` is (m, n); ``reconstructions`` is one (m, n) array or a list of
    them (for instance one per bottleneck size), labelled by ``row_labels``.
    """
    top = as_batch(originals, "originals")
    rows = [reconstructions] if np.ndim(reconstructions) == 2 else list(reconstructions)
    rows = [as_batch(r, "reconstructions") for r in rows]
    for r in rows:
        if r.shape != top.shape:
            raise ValueError(f"each reconstruction must have the originals' shape {top.shape}; got {r.shape}")
    labels = ["original"] + list(row_labels if row_labels is not None else ["reconstruction"] * len(rows))
    if len(labels) != len(rows) + 1:
        raise ValueError(f"got {len(labels) - 1} row labels for {len(rows)} rows of reconstructions")
    h, w = _shape(top.shape[1], image_shape)
    m = top.shape[0]
    plt = _pyplot()
    fig, axes = plt.subplots(len(rows) + 1, m, figsize=(figsize_per_image * m + 1.2, figsize_per_image * (len(rows) + 1)),
                             squeeze=False)
    for r, batch in enumerate([top] + rows):
        for i in range(m):
            ax = axes[r, i]
            ax.imshow(np.clip(batch[i], 0, 1).reshape(h, w), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
        axes[r, 0].set_ylabel(labels[r], rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout()
    return fig


def filter_grid(W: Any, image_shape: tuple[int, int] | None = None, *, ncols: int = 10,
                title: str | None = None, figsize_per_image: float = 0.9) -> matplotlib.figure.Figure:
    """Each row of ``W`` (k, n) normalised to W_l/‖W_l‖ (the max-activating input) as an image.

    Red is positive, blue negative, white zero (a colour scale centred on 0 per filter).
    """
    from .reference import max_activating_inputs

    return image_grid(max_activating_inputs(W), image_shape, ncols=ncols, scale="symmetric",
                      cmap="RdBu_r", suptitle=title, figsize_per_image=figsize_per_image)


def plot_curves(curves: dict[str, Sequence[float]], *, xlabel: str = "epoch", ylabel: str = "objective",
                ax: Any = None, logy: bool = False, title: str | None = None) -> matplotlib.figure.Figure:
    """One line per named curve (e.g. ``{"train": history.train, "val": history.val}``)."""
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.2))
    else:
        fig = ax.figure
    for label, values in curves.items():
        values = list(values)
        if values:
            ax.plot(np.arange(1, len(values) + 1), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    fig.tight_layout()
    return fig
